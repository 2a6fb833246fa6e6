"""Open-data answers kept as ready bytes, per route, query and data version, with ETag and 304.

The registry, analytics and data-status routes answer the same bytes to every caller for the
same path and query string as long as the data they read is the same: the registry reads the
packaged reference tables and today's date (council seats and memberships run by date), the
analytics and the data status read the imported files in force. ``ResponseCache`` sits in
front of the application (ASGI): a ``GET`` of such a route whose answer is kept for the data
version in force is answered from memory, without routing, validation or JSON encoding; a
miss runs the route and keeps its answer when it is a complete ``200``. Every answer of these
routes carries an ``ETag`` (a digest of its bytes), and ``If-None-Match`` naming it gets
``304 Not Modified``.

Exactness: an answer is kept only when the data version read before the route ran is still
the version after it, so every kept answer was computed from the data of its version; a new
import (or retirement) or a new day changes the version, and the next request computes the
answer again and replaces the kept one.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MAX_BODY", "MAX_ENTRIES", "CacheRule", "ResponseCache", "Version"]

Version = Callable[[], Awaitable[str]]
"""The data version an answer depends on (awaited once before and once after a miss)."""

MAX_ENTRIES = 2048
"""Answers kept at most (least recently used first out)."""
MAX_BODY = 1 << 20
"""Larger answers are not kept (they are rare and would crowd the others out)."""


@dataclass(frozen=True, slots=True)
class CacheRule:
    """Paths starting with ``prefix`` are cached under the data version ``version`` gives."""

    prefix: str
    version: Version


@dataclass(frozen=True, slots=True)
class _Kept:
    version: str
    etag: bytes
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def _etag(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def _matches(if_none_match: bytes | None, etag: bytes) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, ``*`` matches any)."""
    if if_none_match is None:
        return False
    tags = [tag.strip() for tag in if_none_match.split(b",")]
    return any(tag == b"*" or tag.removeprefix(b"W/") == etag for tag in tags)


class ResponseCache:
    """ASGI middleware keeping the ``200`` answers of ``GET`` requests under ``rules``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        rules: Sequence[CacheRule],
        max_entries: int = MAX_ENTRIES,
        max_body: int = MAX_BODY,
    ) -> None:
        self.app = app
        self.rules = tuple(rules)
        self.max_entries = max_entries
        self.max_body = max_body
        # (path, query string) -> the answer kept for the version it was computed under;
        # used from the event loop only, so no lock is needed
        self._kept: OrderedDict[tuple[str, bytes], _Kept] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def _rule(self, scope: Scope) -> CacheRule | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path: str = scope["path"]
        for rule in self.rules:
            if path.startswith(rule.prefix):
                return rule
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self._rule(scope)
        if rule is None:
            await self.app(scope, receive, send)
            return
        key = (str(scope["path"]), bytes(scope.get("query_string", b"")))
        if_none_match = None
        for name, value in scope.get("headers", ()):
            if name == b"if-none-match":
                if_none_match = value
        version = await rule.version()
        kept = self._kept.get(key)
        if kept is not None and kept.version == version:
            self.hits += 1
            self._kept.move_to_end(key)
            await self._answer(send, kept, if_none_match)
            return
        self.misses += 1
        fresh = await self._run(scope, receive, send, version, if_none_match)
        if fresh is not None and await rule.version() == version:
            self._kept[key] = fresh
            self._kept.move_to_end(key)
            while len(self._kept) > self.max_entries:
                self._kept.popitem(last=False)

    async def _answer(self, send: Send, kept: _Kept, if_none_match: bytes | None) -> None:
        if _matches(if_none_match, kept.etag):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [(b"etag", kept.etag), (b"cache-control", b"no-cache")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": kept.status, "headers": kept.headers})
        await send({"type": "http.response.body", "body": kept.body})

    async def _run(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        version: str,
        if_none_match: bytes | None,
    ) -> _Kept | None:
        """Run the route; answer the client; return the answer to keep (a complete 200)."""
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # the answer is not kept: messages go straight to the client

        async def capture(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                if message["status"] != 200:
                    passing = True
                    await send(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body = message.get("body", b"")
            chunks.append(body)
            size += len(body)
            if size > self.max_body and message.get("more_body", False):
                passing = True  # too large to keep: send what was held back, then the rest
                assert start is not None
                await send(start)
                await send(
                    {"type": "http.response.body", "body": b"".join(chunks), "more_body": True}
                )
                return
            if not message.get("more_body", False):
                await send_whole()

        done: list[_Kept] = []

        async def send_whole() -> None:
            assert start is not None
            body = b"".join(chunks)
            etag = _etag(body)
            headers = [
                (name, value)
                for name, value in start.get("headers", [])
                if name.lower() not in (b"etag", b"cache-control")
            ]
            headers += [(b"etag", etag), (b"cache-control", b"no-cache")]
            kept = _Kept(version=version, etag=etag, status=200, headers=headers, body=body)
            await self._answer(send, kept, if_none_match)
            if len(body) <= self.max_body:
                done.append(kept)

        await self.app(scope, receive, capture)
        return done[0] if done else None

"""Open-data answers kept as bytes: hits, ETag and 304, invalidation by data version."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from bluehelmet.api import create_app
from bluehelmet.api.app import open_data_rules
from bluehelmet.api.cache import CacheRule, ResponseCache
from bluehelmet.services import registry
from bluehelmet.services.access import ensure_store
from bluehelmet.services.core import Core
from bluehelmet.services.data import import_files
from tests._data_helpers import sample_gender
from tests.api.conftest import Coop

V1 = "/api/v1"


def _cache(client: TestClient) -> ResponseCache:
    """The app's ``ResponseCache`` (the outermost middleware)."""
    stack: Any = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(stack, ResponseCache):
        stack = stack.app
    return stack


def test_a_registry_answer_is_kept_and_served_without_the_route(
    coop_sqlite: Coop, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = coop_sqlite.client
    first = client.get(f"{V1}/registry/missions?limit=5")
    assert first.status_code == 200
    assert first.headers["etag"].startswith('"')
    assert first.headers["cache-control"] == "no-cache"

    def broken(**_: Any) -> Any:
        raise AssertionError("the route ran again")

    monkeypatch.setattr(registry, "list_missions", broken)
    again = client.get(f"{V1}/registry/missions?limit=5")
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == first.headers["content-type"]
    # another query string is another answer, computed by the route
    with pytest.raises(AssertionError, match="ran again"):
        client.get(f"{V1}/registry/missions?limit=6")


def test_if_none_match_gets_304_only_for_the_current_tag(coop_sqlite: Coop) -> None:
    client = coop_sqlite.client
    for _ in range(2):  # a miss, then a hit
        first = client.get(f"{V1}/registry/countries/GHA")
        tag = first.headers["etag"]
        same = client.get(f"{V1}/registry/countries/GHA", headers={"If-None-Match": tag})
        assert same.status_code == 304
        assert same.content == b""
        assert same.headers["etag"] == tag
        weak = client.get(
            f"{V1}/registry/countries/GHA", headers={"If-None-Match": f'"x", W/{tag}'}
        )
        assert weak.status_code == 304
        other = client.get(f"{V1}/registry/countries/GHA", headers={"If-None-Match": '"x"'})
        assert other.status_code == 200
        assert other.content == first.content
    # the first request with the header is a miss answered 304 too
    fresh = client.get(f"{V1}/registry/countries/NPL", headers={"If-None-Match": "*"})
    assert fresh.status_code == 304


def test_errors_and_other_routes_are_not_kept(coop_sqlite: Coop) -> None:
    client = coop_sqlite.client
    for _ in range(2):
        missing = client.get(f"{V1}/registry/countries/XXX-nowhere")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert "etag" not in missing.headers
    pledges = client.get(f"{V1}/pledges", headers=coop_sqlite.headers("ghana"))
    assert pledges.status_code == 200
    assert "cache-control" not in pledges.headers
    cache = _cache(client)
    assert all(path.startswith(f"{V1}/registry/") for path, _ in cache._kept)


def test_a_new_day_computes_the_registry_answers_again(coop_sqlite: Coop) -> None:
    day = ["2026-11-30"]

    async def today() -> str:
        return day[0]

    app = create_app(coop_sqlite.core, cache_rules=[CacheRule(f"{V1}/registry/", today)])
    with TestClient(app) as client:
        client.get(f"{V1}/registry/countries/GHA")
        client.get(f"{V1}/registry/countries/GHA")
        cache = _cache(client)
        assert (cache.misses, cache.hits) == (1, 1)
        day[0] = "2026-12-01"
        client.get(f"{V1}/registry/countries/GHA")
        assert (cache.misses, cache.hits) == (2, 1)
        assert len(cache._kept) == 1  # the new day's answer replaced the old one


@pytest.fixture
def open_data(tmp_path: Path) -> Iterator[tuple[Core, TestClient]]:
    core = Core(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 's.sqlite'}")
    ensure_store(core)
    with core, TestClient(create_app(core)) as client:
        yield core, client


def test_an_import_changes_the_data_answers(
    open_data: tuple[Core, TestClient], tmp_path: Path
) -> None:
    core, client = open_data
    empty = client.get(f"{V1}/data/status")
    assert empty.json()["total"] == 0
    assert client.get(f"{V1}/data/status").content == empty.content  # kept
    import_files([sample_gender(tmp_path / "a.csv", "2012-03-31")], core=core)
    one = client.get(f"{V1}/data/status")
    assert one.json()["total"] == 1
    assert one.headers["etag"] != empty.headers["etag"]
    ranked = client.get(f"{V1}/analytics/rankings?month=2012-03")
    assert ranked.status_code == 200
    import_files([sample_gender(tmp_path / "b.csv", "2012-04-30")], core=core)
    assert client.get(f"{V1}/data/status").json()["total"] == 2
    # an answer of the new data, not the kept one of the old
    april = client.get(f"{V1}/analytics/rankings?month=2012-04")
    assert april.status_code == 200
    again = client.get(f"{V1}/analytics/rankings?month=2012-03")
    assert again.json()["source"] != ranked.json()["source"]


def test_the_open_data_rules_cover_registry_analytics_and_status(coop_sqlite: Coop) -> None:
    prefixes = [rule.prefix for rule in open_data_rules(coop_sqlite.core)]
    assert prefixes == [f"{V1}/registry/", f"{V1}/analytics/", f"{V1}/data/status"]


async def _version() -> str:
    return "v"


def _run(app: ResponseCache, path: str, query: bytes = b"") -> tuple[int, bytes, int]:
    """One GET through ``app``: status, body and how many body messages were sent."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "headers": []}
    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    parts = sum(1 for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body, parts


def _app(calls: list[str], status: int = 200, parts: int = 1) -> Any:
    async def app(scope: Scope, _receive: Receive, send: Send) -> None:
        calls.append(scope["path"])
        await send({"type": "http.response.start", "status": status, "headers": []})
        for i in range(parts):
            await send(
                {"type": "http.response.body", "body": b"x" * 10, "more_body": i < parts - 1}
            )

    return app


def test_the_cache_is_bounded_in_entries_and_size() -> None:
    calls: list[str] = []
    cache = ResponseCache(_app(calls), rules=[CacheRule("/o/", _version)], max_entries=2)
    for path in ("/o/a", "/o/b", "/o/a", "/o/c", "/o/b"):
        assert _run(cache, path)[:2] == (200, b"x" * 10)
    # a, b kept; a hit; c evicts b (least recently used); b computed again
    assert calls == ["/o/a", "/o/b", "/o/c", "/o/b"]
    streamed: list[str] = []
    small = ResponseCache(_app(streamed, parts=3), rules=[CacheRule("/o/", _version)], max_body=15)
    for _ in range(2):
        assert _run(small, "/o/big")[1:] == (b"x" * 30, 2)  # held back 20 bytes, then the rest
    assert streamed == ["/o/big", "/o/big"]
    failing: list[str] = []
    errors = ResponseCache(_app(failing, status=503), rules=[CacheRule("/o/", _version)])
    for _ in range(2):
        assert _run(errors, "/o/x")[0] == 503
    assert len(failing) == 2
    outside: list[str] = []
    other = ResponseCache(_app(outside), rules=[CacheRule("/o/", _version)])
    _run(other, "/p/x")
    _run(other, "/p/x")
    assert len(outside) == 2

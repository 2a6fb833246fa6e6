"""Download of the official files with a cache, SHA-256 checks and HTTP Range resume.

The list of files is configurable (``sources=`` or a YAML file with ``name``, ``url`` and an
optional ``sha256`` per entry). A finished download is kept in ``Settings().cache_dir``
with a ``.sha256`` sidecar; a partial one (``.part``) is resumed with a Range request.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bluehelmet.config import get_settings
from bluehelmet.errors import BluehelmetError, InputError

# The UN Peace and Security Data Hub (psdata.un.org) serves each dataset as CSV from its public
# API at https://api.psdata.un.org/public/data/<DATASET-ID>/CSV (API structure documented at
# https://psdata.un.org/howto/api_structure; dataset pages psdata.un.org/dataset/DPPADPOSS-PKO
# and .../DPPADPOSS-FATALITIES). Override the list with a sources file
# (``bluehelmet data sync --sources FILE``), e.g. to add the historical contributions file.
DEFAULT_SOURCES: tuple[dict[str, str], ...] = (
    {
        "name": "DPPADPOSS-FATALITIES.csv",
        "url": "https://api.psdata.un.org/public/data/DPPADPOSS-FATALITIES/CSV",
    },
    {
        "name": "DPPADPOSS-PKO.csv",
        "url": "https://api.psdata.un.org/public/data/DPPADPOSS-PKO/CSV",
    },
)

CHUNK = 1 << 20
Progress = Callable[[str, int, int], None]


class DownloadError(BluehelmetError):
    """A download failed or its checksum did not match."""


@dataclass(frozen=True, slots=True)
class SyncSource:
    """One file to download."""

    name: str
    url: str
    sha256: str | None = None


@dataclass(slots=True)
class Downloaded:
    """Outcome of one download."""

    name: str
    url: str
    path: Path
    sha256: str
    size: int
    status: str  # "downloaded", "resumed" or "cached"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "name": self.name,
            "url": self.url,
            "path": str(self.path),
            "sha256": self.sha256,
            "size": self.size,
            "status": self.status,
        }


def load_sources(path: str | Path | None = None) -> list[SyncSource]:
    """The sources to sync: the defaults, or those listed in a YAML file."""
    if path is None:
        return [SyncSource(**s) for s in DEFAULT_SOURCES]
    try:
        loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        msg = f"cannot read the sources file: {exc}"
        raise InputError(msg, file=path) from exc
    entries = loaded.get("sources") if isinstance(loaded, dict) else loaded
    if not isinstance(entries, list):
        msg = "expected a list of sources (name, url, optional sha256)"
        raise InputError(msg, file=path)
    out = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or "url" not in entry:
            msg = "each source needs at least a url"
            raise InputError(msg, file=path, field=f"sources[{index}]")
        url = str(entry["url"])
        name = str(entry.get("name") or url.rstrip("/").rsplit("/", 1)[-1])
        if "/" in name or name.startswith("."):
            msg = f"invalid file name {name!r}"
            raise InputError(msg, file=path, field=f"sources[{index}].name")
        sha = entry.get("sha256")
        out.append(SyncSource(name=name, url=url, sha256=str(sha).lower() if sha else None))
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def download(
    source: SyncSource,
    *,
    cache_dir: Path | None = None,
    refresh: bool = False,
    timeout: float = 60.0,
    progress: Progress | None = None,
) -> Downloaded:
    """Fetch ``source`` into the cache (resuming a partial file), check and return it."""
    folder = cache_dir or get_settings().cache_dir
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / source.name
    meta = folder / f"{source.name}.json"
    part = folder / f"{source.name}.part"
    if final.exists() and meta.exists() and not refresh:
        info = json.loads(meta.read_text(encoding="utf-8"))
        if (
            info.get("url") == source.url
            and (source.sha256 is None or info.get("sha256") == source.sha256)
            and _sha256(final) == info.get("sha256")
        ):
            return Downloaded(
                source.name, source.url, final, info["sha256"], final.stat().st_size, "cached"
            )
    offset = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(source.url, headers={"User-Agent": "bluehelmet"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # nothing left to fetch: the partial file is whole
            response = None
        else:
            msg = f"{source.url}: HTTP {exc.code} {exc.reason}"
            raise DownloadError(msg) from exc
    except (urllib.error.URLError, OSError) as exc:
        msg = f"{source.url}: {getattr(exc, 'reason', exc)}"
        raise DownloadError(msg) from exc
    status = "downloaded"
    if response is not None:
        with response:
            resumed = offset > 0 and response.status == 206
            if offset and not resumed:
                offset = 0  # server ignored the Range request: start over
            status = "resumed" if resumed else "downloaded"
            length = response.headers.get("Content-Length")
            total = offset + int(length) if length and length.isdigit() else 0
            done = offset
            with part.open("ab" if resumed else "wb") as fh:
                while True:
                    block = response.read(CHUNK)
                    if not block:
                        break
                    fh.write(block)
                    done += len(block)
                    if progress:
                        progress(source.name, done, total)
            if total and done != total:
                msg = (
                    f"{source.url}: connection closed after {done} of {total} bytes "
                    "(run again to resume)"
                )
                raise DownloadError(msg)
    digest = _sha256(part)
    if source.sha256 is not None and digest != source.sha256:
        part.unlink(missing_ok=True)
        msg = f"{source.url}: SHA-256 {digest} does not match the expected {source.sha256}"
        raise DownloadError(msg)
    part.replace(final)
    meta.write_text(json.dumps({"url": source.url, "sha256": digest}), encoding="utf-8")
    return Downloaded(source.name, source.url, final, digest, final.stat().st_size, status)


def sync(
    sources: Sequence[SyncSource] | None = None,
    *,
    cache_dir: Path | None = None,
    refresh: bool = False,
    progress: Progress | None = None,
) -> list[Downloaded]:
    """Download every source (default: the UN Data Hub files) into the cache."""
    return [
        download(s, cache_dir=cache_dir, refresh=refresh, progress=progress)
        for s in (sources if sources is not None else load_sources())
    ]

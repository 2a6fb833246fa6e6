"""The Vega, Vega-Lite and Vega-Embed libraries as one JavaScript file, built offline.

``vl_convert.javascript_bundle()`` bundles the libraries it ships (no network); the bundle is
built at the first request, kept in memory and cached in the data folder under a name that
carries the vl-convert and Vega-Lite versions, so a later start reads it instead of building.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

__all__ = ["VEGA_LITE_VERSION", "vega_bundle"]

_LOCK = threading.Lock()
_CACHE: dict[str, tuple[bytes, str]] = {}
_GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


def _vega_lite_version() -> str:
    """The Vega-Lite major.minor of Altair's schema (the specs the pages carry)."""
    import altair as alt

    major_minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return ".".join(major_minor)


VEGA_LITE_VERSION = _vega_lite_version()


def _cache_file(folder: Path) -> Path:
    from importlib.metadata import version

    converter = version("vl-convert-python")
    return folder / f"vega-bundle-{converter}-vl{VEGA_LITE_VERSION}.js"


def vega_bundle(folder: Path | None = None) -> tuple[bytes, str]:
    """The bundle's bytes and a strong ETag; cached in memory and in ``folder`` when given."""
    key = str(folder)
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            return found
        body: bytes | None = None
        target = _cache_file(folder) if folder is not None else None
        if target is not None and target.is_file():
            body = target.read_bytes()
        if body is None:
            import vl_convert

            script = vl_convert.javascript_bundle(_GLOBALS, vl_version=VEGA_LITE_VERSION)
            body = script.encode("utf-8")
            if target is not None:
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    partial = target.with_suffix(".part")
                    partial.write_bytes(body)
                    partial.replace(target)
                except OSError:
                    pass  # a read-only data folder: keep the bundle in memory only
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        _CACHE[key] = (body, etag)
        return body, etag

"""Convenience loaders: the stored contribution and fatality rows, for the CLI and panels.

The analytics functions themselves never load anything; these read what the contribution
data service (``bluehelmet.services.data``) has stored.
"""

from __future__ import annotations

import importlib
from typing import Any

import polars as pl

from bluehelmet.errors import BluehelmetError


def _data_service() -> Any:
    try:
        return importlib.import_module("bluehelmet.services.data")
    except ImportError as exc:
        msg = f"the contribution data service is not available ({exc})"
        raise BluehelmetError(msg) from exc


def load_contributions() -> pl.LazyFrame:
    """All stored contribution rows, lazily (empty store: a clear error)."""
    service = _data_service()
    if hasattr(service, "scan_contributions"):
        rows = service.scan_contributions()
    else:
        rows = service.contributions()
    lazy: pl.LazyFrame = rows.lazy() if isinstance(rows, pl.DataFrame) else rows
    return lazy


def load_fatalities() -> pl.DataFrame:
    """All stored fatality rows."""
    service = _data_service()
    rows = service.fatalities()
    frame: pl.DataFrame = rows.collect() if isinstance(rows, pl.LazyFrame) else rows
    return frame


def load_official_ranking() -> pl.DataFrame:
    """The published rankings stored from the UN ranking files."""
    service = _data_service()
    rows = service.official_ranking()
    frame: pl.DataFrame = rows.collect() if isinstance(rows, pl.LazyFrame) else rows
    return frame

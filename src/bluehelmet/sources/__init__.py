"""Adapters for the published contribution data, one per format, and import preparation.

Data flows one way: a source file is read by its adapter into normalized frames and names are
reconciled to the registry (here); the store then writes the rows as Parquet with a manifest in
SQL (``bluehelmet.store.contributions``). Nothing in this package writes.
"""

from __future__ import annotations

from bluehelmet.sources._adapter import Adapter, Parsed
from bluehelmet.sources.detect import ADAPTERS, FORMATS, adapter, detect
from bluehelmet.sources.importer import (
    FileResult,
    PreparedFile,
    UnreconciledError,
    prepare_files,
)
from bluehelmet.sources.reconcile import NameMapping, Reconciler, UnknownName
from bluehelmet.sources.schemas import DATASETS, MONTHLY_DATASETS

__all__ = [
    "ADAPTERS",
    "DATASETS",
    "FORMATS",
    "MONTHLY_DATASETS",
    "Adapter",
    "FileResult",
    "NameMapping",
    "Parsed",
    "PreparedFile",
    "Reconciler",
    "UnknownName",
    "UnreconciledError",
    "adapter",
    "detect",
    "prepare_files",
]

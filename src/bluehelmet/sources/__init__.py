"""Adapters for the published contribution data, one per format, and the importer.

Data flows one way: a source file is read by its adapter into normalized frames, names are
reconciled to the registry, and the rows are stored as Parquet with a manifest in SQL.
"""

from __future__ import annotations

from bluehelmet.sources._adapter import Adapter, Parsed
from bluehelmet.sources.detect import ADAPTERS, FORMATS, adapter, detect
from bluehelmet.sources.importer import FileResult, UnreconciledError, import_files
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
    "Reconciler",
    "UnknownName",
    "UnreconciledError",
    "adapter",
    "detect",
    "import_files",
]

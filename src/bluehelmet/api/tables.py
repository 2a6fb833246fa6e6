"""What the analytics routes repeat around a question: one page of its table as JSON (with
title, notes and the files in force it reads) or as CSV, computed in the thread pool.

``answered`` runs the service's question and pages its answer in one thread-pool hop (the
answers read Parquet files and the store); the routes are ``async`` and only name the question,
the datasets it reads and the page.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import polars as pl
from fastapi import Query
from fastapi.responses import Response

from bluehelmet.api.deps import Page, in_thread
from bluehelmet.services.analytics import Answer
from bluehelmet.services.core import Core

__all__ = ["CSV_RESPONSES", "AnswerFormat", "Format", "answered", "table_page"]


class AnswerFormat(StrEnum):
    """How an analytics answer is written."""

    JSON = "json"
    CSV = "csv"


Format = Annotated[AnswerFormat, Query(alias="format", description="json (default) or csv.")]

CSV_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _source(core: Core, datasets: tuple[str, ...]) -> list[dict[str, Any]]:
    from bluehelmet.services.data import data_status

    return [
        {k: entry[k] for k in ("dataset", "format", "file", "sha256", "month_first", "month_last")}
        for entry in data_status(core=core)
        if entry["dataset"] in datasets
    ]


def table_page(
    answer: Answer,
    *,
    core: Core,
    datasets: tuple[str, ...],
    page: Page,
    fmt: AnswerFormat,
) -> Any:
    """One page of ``answer`` as JSON, or as CSV when asked."""
    table: pl.DataFrame = answer.table
    part = table.slice(page.offset, page.limit)
    notes = list(answer.notes)
    if answer.problem:
        notes.append(answer.problem)
    if fmt is AnswerFormat.CSV:
        return Response(
            part.write_csv(),
            media_type="text/csv",
            headers={"X-Total-Count": str(table.height)},
        )
    return {
        "title": answer.title,
        "notes": notes,
        "source": _source(core, datasets),
        "columns": table.columns,
        "rows": [{k: _plain(v) for k, v in row.items()} for row in part.iter_rows(named=True)],
        "total": table.height,
        "limit": page.limit,
        "offset": page.offset,
    }


async def answered(
    question: Callable[[], Answer],
    *,
    core: Core,
    datasets: tuple[str, ...],
    page: Page,
    fmt: AnswerFormat,
) -> Any:
    """``question()`` answered and paged (``table_page``) in one thread-pool hop."""

    def run() -> Any:
        return table_page(question(), core=core, datasets=datasets, page=page, fmt=fmt)

    return await in_thread(run)

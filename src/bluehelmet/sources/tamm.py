"""TAMM (Tasks Assigned to Missions in their Mandates): mission x month mandate coding.

File: ``TAMM.csv`` (Tasks Assigned to Missions in their Mandates dataset, Lloyd; Di Salvatore
et al., 1948-2015, as kept in github.com/treywood10/Risk_Movement). One row per mission and
month: the governing Security Council resolution and a 0/1 indicator per mandated task.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from bluehelmet.errors import InputError
from bluehelmet.sources._adapter import Adapter, Parsed, drop_duplicates
from bluehelmet.sources._common import (
    Issue,
    RawFile,
    counts,
    missing_message,
    read_table,
    year_month,
)

FIRST_TASK = "peaceag_cease_monitor"
LAST_TASK = "coop_other"
EXTRA_TASKS = ("govpolicies_assist",)


class Tamm(Adapter):
    """The TAMM mission-month file."""

    name: ClassVar[str] = "tamm"
    dataset: ClassVar[str] = "mandates"
    title: ClassVar[str] = "TAMM mandated tasks by mission and month"
    citation: ClassVar[str] = (
        "Tasks Assigned to Missions in their Mandates (TAMM) dataset; Lloyd; Di Salvatore et al."
    )
    signature: ClassVar[frozenset[str]] = frozenset(
        {"mission", "year", "month", "unsc_resolution", FIRST_TASK, LAST_TASK}
    )

    def parse(self, raw: RawFile) -> Parsed:
        """Read the task indicators into a list of task names per mission-month."""
        frame = read_table(raw)
        rows_read = frame.height
        issues: list[Issue] = []
        columns = frame.columns
        tasks = columns[columns.index(FIRST_TASK) : columns.index(LAST_TASK) + 1]
        tasks += [t for t in EXTRA_TASKS if t in columns]
        frame = counts(raw, frame, tasks, required=False)
        for task in tasks:
            bad = frame.filter(pl.col(task) > 1).head(1)
            if bad.height:
                msg = f"a task indicator must be 0 or 1, got {bad[task][0]}"
                raise InputError(msg, file=raw.path, line=int(bad["_line"][0]), field=task)
        missing = frame.filter(pl.col("mission").is_null()).head(1)
        if missing.height:
            msg = missing_message(raw, int(missing["_line"][0]), "mission")
            raise InputError(msg, file=raw.path, line=int(missing["_line"][0]), field="mission")
        frame = year_month(raw, frame, "year", "month", alias="month_end")
        task_list = pl.concat_list(
            [
                pl.when(pl.col(t) == 1).then(pl.lit(t)).otherwise(pl.lit(None, pl.Utf8))
                for t in tasks
            ]
        ).list.drop_nulls()
        out = frame.select(
            pl.col("mission").str.strip_chars().alias("mission"),
            pl.col("month_end").alias("month"),
            pl.col("unsc_resolution").str.strip_chars().alias("resolution"),
            task_list.alias("tasks"),
            pl.col("_line"),
        ).with_columns(pl.col("tasks").list.len().cast(pl.Int64).alias("task_count"))
        out = drop_duplicates(raw, out, ["mission", "month"], ["resolution", "tasks"], issues)
        return Parsed(
            frames={"mandates": out},
            rows_read=rows_read,
            issues=issues,
            missions={"mandates": ["mission"]},
        )

"""What every adapter produces: frames per dataset with raw names still to reconcile."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Literal

import polars as pl

from bluehelmet.errors import InputError
from bluehelmet.sources._common import Issue, RawFile, lines_of

NameKind = Literal["code", "name"]


@dataclass(slots=True)
class Parsed:
    """An adapter's output before reconciliation.

    ``frames`` maps dataset name to a frame holding the dataset's columns plus ``_line``;
    the columns listed in ``countries`` / ``missions`` still hold the names as published.
    """

    frames: dict[str, pl.DataFrame]
    rows_read: int
    issues: list[Issue] = field(default_factory=list)
    countries: dict[str, list[tuple[str, NameKind]]] = field(default_factory=dict)
    missions: dict[str, list[str]] = field(default_factory=dict)
    rejected: int = 0
    covered: dict[str, list[date]] = field(default_factory=dict)
    """Months each monthly dataset covers, zero cells included (default: months of its rows)."""
    keys: pl.Series | None = None
    """A streamed chunk's keys of its rows (distinct, sorted, no nulls): rows repeated across
    chunks are found by them."""


class NotStreamableError(Exception):
    """This file needs checks across all its rows at once: it is read whole instead."""


class Adapter(ABC):
    """One published file format: how to recognise it and how to read it."""

    name: ClassVar[str]
    dataset: ClassVar[str]
    title: ClassVar[str]
    citation: ClassVar[str]
    signature: ClassVar[frozenset[str]]
    revision: ClassVar[int] = 1
    """Raised when the rows read from the same file change (a repair, a fix): a re-import of
    a file stored by an earlier revision then stores the new rows instead of ``unchanged``."""

    def score(self, header: tuple[str, ...]) -> int:
        """How well ``header`` matches this format (0: not this format)."""
        present = {h.strip() for h in header}
        return len(self.signature) if self.signature <= present else 0

    @abstractmethod
    def parse(self, raw: RawFile) -> Parsed:
        """Read ``raw`` into normalized frames; raise InputError on malformed input."""

    def parse_chunk(self, raw: RawFile) -> Parsed:
        """Read one chunk of a file (``RawFile.chunks``) as ``parse`` reads a whole file.

        Text columns may come back as categoricals. Raises ``NotStreamableError`` when the
        file needs checks across chunks (the importer then reads it whole with ``parse``);
        adapters that never stream keep this default.
        """
        msg = f"{self.name} reads whole files"
        raise NotStreamableError(msg)


def months_of(frame: pl.DataFrame, column: str = "month") -> list[date]:
    """Distinct months of ``frame``, sorted."""
    return sorted(frame.get_column(column).drop_nulls().unique().to_list())


def nonzero_rows(parts: list[pl.LazyFrame]) -> pl.DataFrame:
    """Rows with a count, plus one zero row for each source line whose counts are all zero.

    ``parts`` are the long pieces of one wide frame (one per value column, each with every
    source line). Zero cells are not stored, but a line of zeros still lists its contributor:
    the importer reads the listed units from these rows before dropping the zeros.
    """
    kept, first = pl.collect_all([pl.concat(parts).filter(pl.col("count") > 0), parts[0]])
    if first.is_empty():
        return kept
    # lines are small positive integers: mark the kept ones in a bitmap (no hash join)
    top = max(int(f.select(pl.col("_line").max()).item() or 0) for f in (first, kept))
    seen = pl.zeros(top + 1, pl.Boolean, eager=True).scatter(kept.get_column("_line"), True)
    zero = first.filter(~seen.gather(first.get_column("_line")))
    return pl.concat([kept, zero]) if zero.height else kept


def drop_summary_rows(
    frame: pl.DataFrame, mask: pl.Expr, issues: list[Issue], count: pl.Expr | None = None
) -> pl.DataFrame:
    """Remove rows flagged as summary rows ('all', 'Total'), recording them as an issue."""
    if not frame.select(mask.any()).item():
        return frame
    summary = frame.filter(mask)
    if summary.height:
        personnel = int(summary.select(count.sum()).item()) if count is not None else 0
        issues.append(
            Issue(
                "summary_row",
                "summary rows ('all', 'Total') skipped; their figures are not stored",
                lines_of(summary),
                personnel,
            )
        )
    return frame.filter(~mask)


def drop_duplicates(
    raw: RawFile, frame: pl.DataFrame, key: list[str], values: list[str], issues: list[Issue]
) -> pl.DataFrame:
    """Keep one of identical duplicated rows (reported); conflicting duplicates fail."""
    # fast path: distinct key hashes prove there is no duplicate (a collision only sends
    # the frame through the exact check below)
    if frame.select(pl.struct(key).hash().n_unique()).item() == frame.height:
        return frame
    dup = frame.filter(pl.struct(key).is_duplicated())
    if dup.height == 0:
        return frame
    conflicting = dup.filter(~pl.struct(key + values).is_duplicated())
    if conflicting.height:
        first = conflicting.sort("_line").row(0, named=True)
        same = dup.filter(pl.all_horizontal([pl.col(k) == first[k] for k in key])).get_column(
            "_line"
        )
        where = ", ".join(str(v) for v in same.to_list())
        what = ", ".join(f"{k}={first[k]}" for k in key)
        msg = f"the same {what} appears on lines {where} with different figures"
        raise InputError(msg, file=raw.path, line=int(first["_line"]), field=key[0])
    repeats = dup.filter(pl.struct(key).is_first_distinct().not_())
    issues.append(
        Issue(
            "duplicate",
            f"rows repeating the same {', '.join(key)} skipped (counted once)",
            lines_of(repeats),
        )
    )
    return frame.filter(pl.struct(key).is_first_distinct())


def report_inconsistent(
    frame: pl.DataFrame,
    checks: list[tuple[str, pl.Expr]],
    total: pl.Expr,
    issues: list[Issue],
    figures: Sequence[str] = (),
) -> pl.DataFrame:
    """Report rows whose redundant published figures disagree; every row is kept as published.

    ``figures`` names the columns shown for each reported row (with its line).
    """
    passed = frame.select(
        [ok.fill_null(value=True).all().alias(str(i)) for i, (_, ok) in enumerate(checks)]
    ).row(0)
    if all(passed):
        return frame
    for label, ok in checks:
        bad = frame.filter(~ok.fill_null(value=True))
        if bad.height:
            issues.append(
                Issue(
                    "inconsistent_total",
                    f"kept as published, although {label}",
                    lines_of(bad),
                    int(bad.select(total.sum()).item() or 0),
                    details=_details(bad, figures),
                )
            )
    return frame


def keep_published_total(  # noqa: PLR0917 - the three figures and their names
    frame: pl.DataFrame,
    female: str,
    male: str,
    total: str,
    not_stated: str,
    issues: list[Issue],
    figures: Sequence[str] = (),
    label: str | None = None,
) -> pl.DataFrame:
    """Keep the published ``total`` when ``female`` + ``male`` differ from it; report each row.

    Adds the column ``not_stated``: persons of the total whose sex the source does not state.
    When the parts fall short, the residual goes there and the parts are kept; when they
    exceed the total, the split contradicts the total, so the whole total is stored as not
    stated and the parts as zero. The stored female + male + not stated always equals the
    published total.
    """
    f, m, t = pl.col(female), pl.col(male), pl.col(total)
    parts = f + m
    short, over, residual = _split_checks(female, male, total, not_stated)
    if not frame.select((short | over).any()).item():  # every row adds up: the parts stay
        return frame.with_columns(residual)
    bad = frame.filter(short | over)
    if bad.height:
        issues.append(
            Issue(
                "inconsistent_total",
                f"{label or f'{female!r} + {male!r} != {total!r}'}: the published total is kept; "
                "persons whose sex the split does not account for are stored as sex "
                "'unknown' (not stated); where the parts exceed the total, the whole "
                "total is stored as not stated",
                lines_of(bad),
                int(bad.select((t - parts).abs().sum()).item() or 0),
                details=_details(bad, [*figures, female, male, total]),
            )
        )
    return frame.with_columns(
        residual,
        pl.when(over).then(0).otherwise(f).alias(female),
        pl.when(over).then(0).otherwise(m).alias(male),
    )


def split_adds_up(female: str, male: str, total: str) -> pl.Expr:
    """True where ``female`` + ``male`` equal ``total`` (as ``keep_published_total`` checks)."""
    short, over, _ = _split_checks(female, male, total, "")
    return ~(short | over)


def not_stated_when_split_adds_up(female: str, male: str, total: str, not_stated: str) -> pl.Expr:
    """The column ``keep_published_total`` adds when every row's split adds up."""
    return _split_checks(female, male, total, not_stated)[2]


def _split_checks(
    female: str, male: str, total: str, not_stated: str
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Rows whose parts fall short of the total, rows whose parts exceed it, the residual."""
    f, m, t = pl.col(female), pl.col(male), pl.col(total)
    parts = f + m
    short = (parts < t).fill_null(value=False)
    over = (parts > t).fill_null(value=False)
    residual = pl.when(short).then(t - parts).when(over).then(t).otherwise(0).alias(not_stated)
    return short, over, residual


def _details(bad: pl.DataFrame, figures: Sequence[str]) -> list[dict[str, Any]]:
    shown = ["_line", *[c for c in dict.fromkeys(figures) if c in bad.columns]]
    return [
        {
            ("line" if k == "_line" else k): (v.isoformat() if isinstance(v, date) else v)
            for k, v in row.items()
        }
        for row in bad.select(shown).iter_rows(named=True)
    ]

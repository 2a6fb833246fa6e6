"""IPI Providing for Peacekeeping: contributor x mission x month by category and sex.

Two published layouts of the same table:

- ``Gender.Full.csv`` of github.com/IPIDataLab/TCC-DataScraper (scraped from the UN monthly
  gender-disaggregated contribution reports, 2009-11 to 2014-02): spaced headers
  (``Contributor ISO-3``, ``Individual Police Male``), an index column, zeros written out.
- the output of IPI's own loader (github.com/IPIDataLab/PPP_Loader), the most widely copied
  form: underscore headers (``Contributor_ISO-3``, ``Individual_Police_Male``), no index
  column, ``NA`` for zero, summary rows whose contributor or mission is ``all``, names with a
  stray trailing apostrophe, and recent months repeated two or three times.

Both read the same way: summary rows are checked against the detail rows and never counted,
repeated rows are counted once, ``NA`` in the loader layout is zero; all of it is reported.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from bluehelmet.domain.registry import PersonnelCategory, Sex
from bluehelmet.errors import InputError
from bluehelmet.sources._adapter import (
    Adapter,
    NotStreamableError,
    Parsed,
    drop_duplicates,
    keep_published_total,
    months_of,
    not_stated_when_split_adds_up,
    report_inconsistent,
    split_adds_up,
)
from bluehelmet.sources._common import (
    MAX_COUNT,
    Issue,
    RawFile,
    counts,
    dates,
    is_summary,
    lines_of,
    missing_message,
    read_table,
    summary_mask,
)

CATEGORIES: dict[str, PersonnelCategory] = {
    "Individual Police": PersonnelCategory.INDIVIDUAL_POLICE,
    "Formed Police Units": PersonnelCategory.FORMED_POLICE_UNITS,
    "Experts on Mission": PersonnelCategory.EXPERTS_ON_MISSION,
    "Troops": PersonnelCategory.TROOPS,
}
SEXES: dict[str, Sex] = {"Male": Sex.MALE, "Female": Sex.FEMALE, "Unknown": Sex.UNKNOWN}
COUNT_COLUMNS = [f"{c} {s}" for c in [*CATEGORIES, "Total"] for s in ("Male", "Female", "Total")]
NAME_COLUMNS = ["Contributor", "Contributor ISO-3", "Mission"]
KEY = ["month", "Contributor ISO-3", "Mission"]


def _spaced(header: str) -> str:
    return header.strip().replace("_", " ")


class IpiGenderFull(Adapter):
    """4 categories x (male, female, total) per contributor-mission-month, either layout."""

    name: ClassVar[str] = "ipi_gender_full"
    dataset: ClassVar[str] = "contributions"
    title: ClassVar[str] = "IPI contributor x mission x month by category and sex"
    citation: ClassVar[str] = (
        "International Peace Institute, Providing for Peacekeeping database, "
        "github.com/IPIDataLab/TCC-DataScraper (Gender.Full.csv) and the output of "
        "github.com/IPIDataLab/PPP_Loader"
    )
    signature: ClassVar[frozenset[str]] = frozenset(
        {"Date", "Contributor", "Contributor ISO-3", "Mission", *COUNT_COLUMNS}
    )

    def score(self, header: tuple[str, ...]) -> int:
        """Matches the spaced and the underscore spelling of the headers."""
        present = {_spaced(h) for h in header}
        return len(self.signature) if self.signature <= present else 0

    def parse(self, raw: RawFile) -> Parsed:
        """Read, check summaries and totals, and unpivot to the long table."""
        return self._parse(raw, chunk=False)

    def parse_chunk(self, raw: RawFile) -> Parsed:
        """One chunk of a spaced-layout file, names as categoricals.

        Files with summary rows or repeated rows (the loader layout) are read whole: their
        checks compare rows across the file.
        """
        return self._parse(raw, chunk=True)

    def _parse(self, raw: RawFile, *, chunk: bool) -> Parsed:
        loader = any("_" in h for h in raw.header if _spaced(h) in self.signature)
        if chunk and loader:
            msg = "the loader layout has summary and repeated rows"
            raise NotStreamableError(msg)
        published = {_spaced(h): h for h in raw.header}
        missing = sorted(self.signature - set(published))
        if missing:
            msg = f"missing column {missing[0]!r} (header: {', '.join(raw.header)})"
            raise InputError(msg, file=raw.path, line=1, field=missing[0])
        typed: dict[str, pl.DataType | type[pl.DataType]] = {
            published[c]: pl.Int64 for c in COUNT_COLUMNS
        }
        typed[published["Date"]] = pl.Date
        # the unnamed index column is never used: as integers it parses faster than as text
        # (null where empty, as the text; anything else falls back to the text read)
        typed.update({h: pl.Int64 for h in raw.header if not h.strip()})
        if chunk:  # names as categoricals: their checks and the unpivot work on codes
            typed.update({published[c]: pl.Categorical for c in NAME_COLUMNS})
        frame = read_table(raw, typed=typed)
        frame = frame.rename({h: _spaced(h) for h in frame.columns if h != "_line"})
        rows_read = frame.height
        issues: list[Issue] = []
        if loader:
            frame = _na_as_zero(raw, frame, issues)
        # a chunk whose every check passes (one pass over it) skips the checks one by one;
        # otherwise they run in order, to fail or report as they always do
        valid = chunk and _valid_at_once(frame)
        if not valid:
            frame = counts(raw, frame, COUNT_COLUMNS)
        frame, distinct = _strip_names(frame, issues)
        if not valid:
            frame = dates(raw, frame, "Date", formats=("%Y-%m-%d", "%d/%m/%Y"))
        days = frame.get_column("Date").unique()  # few distinct dates: month ends once each
        ends = days.dt.month_end()
        month = pl.col("Date").replace_strict(days, ends, return_dtype=pl.Date)
        frame = frame.with_columns(month.alias("month"))
        summary = summary_mask(frame, NAME_COLUMNS, distinct)
        if chunk and frame.select(summary.any()).item():
            msg = "summary rows are checked against the whole file"
            raise NotStreamableError(msg)
        frame = _check_summaries(frame, summary, issues)
        if valid:  # every split adds up: each category's not-stated column is zero
            frame = frame.with_columns(
                not_stated_when_split_adds_up(
                    f"{cat} Female", f"{cat} Male", f"{cat} Total", f"{cat} Unknown"
                )
                for cat in CATEGORIES
            )
        else:
            frame = _check_rows(raw, frame, published, issues)
        keys = None
        if chunk:
            keys = _packed_keys(frame).sort()  # sorted here, in parallel: merged at the end
            if bool((keys.slice(1) == keys.slice(0, keys.len() - 1)).any()):
                msg = "repeated rows are counted once across the whole file"
                raise NotStreamableError(msg)
        else:
            frame = drop_duplicates(raw, frame, KEY, COUNT_COLUMNS, issues)
        # a chunk keeps every row it read (dates required): its months are its dates' ends
        covered = sorted(ends.unique().to_list()) if chunk else months_of(frame)
        long = _unpivot(frame, chunk=chunk)
        return Parsed(
            frames={"contributions": long},
            rows_read=rows_read,
            issues=issues,
            countries={"contributions": [("contributor", "code")]},
            missions={"contributions": ["mission"]},
            rejected=0,
            covered={"contributions": covered},
            keys=keys,
        )


def _valid_at_once(frame: pl.DataFrame) -> bool:
    """Whether a typed chunk passes every check that fails or reports, in one pass over it.

    The counts (no gap, none negative or too large), the dates and names (no gap), each
    category's split (female + male = total) and the totals; names are checked apart
    (``_strip_names``, ``summary_mask``) on their distinct values.
    """
    schema = frame.schema
    if schema["Date"] != pl.Date or any(schema[c] != pl.Int64 for c in COUNT_COLUMNS):
        return False
    if not frame.height:
        return False
    present = ["Date", "Contributor ISO-3", "Mission", *COUNT_COLUMNS]
    disagree = pl.any_horizontal(
        [~split_adds_up(f"{c} Female", f"{c} Male", f"{c} Total") for c in CATEGORIES]
        + [~ok.fill_null(value=True) for _, ok in _TOTAL_CHECKS]
    )
    low, high, gaps, differs = frame.select(
        pl.min_horizontal(pl.col(COUNT_COLUMNS).min()).alias("low"),
        pl.max_horizontal(pl.col(COUNT_COLUMNS).max()).alias("high"),
        pl.sum_horizontal(pl.col(present).null_count()).alias("gaps"),
        disagree.any().alias("differs"),
    ).row(0)
    return low is not None and low >= 0 and high <= MAX_COUNT and not gaps and not differs


_TOTAL_CHECKS: list[tuple[str, pl.Expr]] = [
    (
        "'Total Male' + 'Total Female' != 'Total Total'",
        pl.col("Total Male") + pl.col("Total Female") == pl.col("Total Total"),
    ),
    (
        "the category totals do not add up to 'Total Total'",
        pl.sum_horizontal([pl.col(f"{c} Total") for c in CATEGORIES]) == pl.col("Total Total"),
    ),
]
"""Redundant published totals: rows where they disagree are reported and kept."""


def _check_rows(
    raw: RawFile, frame: pl.DataFrame, published: dict[str, str], issues: list[Issue]
) -> pl.DataFrame:
    """Names present, each category's split kept to its total, totals compared (reported)."""
    for column in ("Contributor ISO-3", "Mission"):
        blank = frame.filter(pl.col(column).is_null()).head(1)
        if blank.height:
            line = int(blank["_line"][0])
            msg = missing_message(raw, line, published[column])
            raise InputError(msg, file=raw.path, line=line, field=published[column])
    figures = ["month", "Contributor ISO-3", "Mission"]
    for cat in CATEGORIES:
        frame = keep_published_total(
            frame,
            f"{cat} Female",
            f"{cat} Male",
            f"{cat} Total",
            f"{cat} Unknown",
            issues,
            figures,
        )
    return report_inconsistent(
        frame, _TOTAL_CHECKS, pl.col("Total Total"), issues, [*figures, "Total Total"]
    )


def _unpivot(frame: pl.DataFrame, *, chunk: bool) -> pl.DataFrame:
    """The long table: one row per positive cell, then one zero row per line of zeros.

    As ``nonzero_rows`` builds it (same rows, same order), but the lines of zeros are found
    on the wide frame (no positive cell in the line) instead of by the lines of the long one.
    """
    names = pl.Categorical if chunk else pl.Utf8
    category_type = pl.Enum([str(c) for c in CATEGORIES.values()]) if chunk else pl.Utf8
    sex_type = pl.Enum([str(s) for s in SEXES.values()]) if chunk else pl.Utf8
    values = [f"{c} {s}" for c in CATEGORIES for s in SEXES]
    base = (
        frame.lazy()
        .select(
            pl.col("month"),
            pl.col("Contributor ISO-3").cast(names).alias("contributor"),
            pl.col("Mission").cast(names).alias("mission"),
            pl.col("_line"),
            *[pl.col(c) for c in values],
        )
        .cache()
    )

    def part(
        rows: pl.LazyFrame, label: str, category: str, sex_label: str, sex: str
    ) -> pl.LazyFrame:
        return rows.select(
            pl.col("month"),
            pl.col("contributor"),
            pl.col("mission"),
            pl.lit(category).cast(category_type).alias("category"),
            pl.lit(sex).cast(sex_type).alias("sex"),
            pl.col(f"{label} {sex_label}").alias("count"),
            pl.col("_line"),
        )

    cells = [
        (label, str(category), sex_label, str(sex))
        for label, category in CATEGORIES.items()
        for sex_label, sex in SEXES.items()
    ]
    positive = pl.any_horizontal([(pl.col(c) > 0).fill_null(value=False) for c in values])
    kept, zero = pl.collect_all(
        [
            pl.concat([part(base, *cell) for cell in cells]).filter(pl.col("count") > 0),
            part(base.filter(~positive), *cells[0]),
        ]
    )
    return pl.concat([kept, zero]) if zero.height else kept


def _packed_keys(frame: pl.DataFrame) -> pl.Series:
    """Each row's key (month, contributor, mission) as one exact integer.

    The month's day number and the two names' categorical codes (the same in every chunk of
    a process) are packed in 64 bits; a file with a million distinct names is read whole.
    """
    month, contributor, mission = KEY
    codes = [
        pl.col(c).cast(pl.Categorical).to_physical().cast(pl.Int64) for c in (contributor, mission)
    ]
    days = pl.col(month).to_physical().cast(pl.Int64)
    top = frame.select(
        *[c.max().alias(str(i)) for i, c in enumerate(codes)], days.abs().max().alias("days")
    ).row(0)
    if any(v is not None and v >= 1 << 20 for v in top):
        msg = "too many distinct names or dates for one key"
        raise NotStreamableError(msg)
    return frame.select(
        (days * (1 << 40) + codes[0] * (1 << 20) + codes[1]).alias("key")
    ).to_series()


def _na_as_zero(raw: RawFile, frame: pl.DataFrame, issues: list[Issue]) -> pl.DataFrame:
    """The loader writes ``NA`` where a figure is zero: read it as 0 and report the rows."""
    hit = frame.filter(pl.any_horizontal([pl.col(c).is_null() for c in COUNT_COLUMNS]))
    if not hit.height:
        return frame
    line = int(hit["_line"][0])
    column = next(c for c in COUNT_COLUMNS if hit[c][0] is None)
    shown = missing_message(raw, line, next(h for h in raw.header if _spaced(h) == column))
    issues.append(
        Issue(
            "na_as_zero",
            "'NA' (or an empty cell) read as 0: IPI's loader writes NA where a figure is zero"
            + ("" if "NA" in shown else f" (first on line {line}: {shown})"),
            lines_of(hit),
        )
    )
    return frame.with_columns(
        [
            pl.col(c).fill_null(pl.lit("0") if frame.schema[c] == pl.Utf8 else pl.lit(0))
            for c in COUNT_COLUMNS
        ]
    )


def _strip_names(
    frame: pl.DataFrame, issues: list[Issue]
) -> tuple[pl.DataFrame, dict[str, pl.Series]]:
    """Trim spaces and a stray trailing apostrophe from names (``Chad'``), reported.

    Works on the distinct names, so a large file costs little. Returns the frame and the
    distinct names (as text, no null) of the columns it left as they were.
    """
    stray_lines: set[int] = set()
    distinct: dict[str, pl.Series] = {}
    for column in NAME_COLUMNS:
        values = frame.get_column(column).drop_nulls().unique().cast(pl.Utf8)
        cleaned = values.str.strip_chars().str.strip_chars_end("'").str.strip_chars()
        changed = {k: v for k, v in zip(values.to_list(), cleaned.to_list(), strict=True) if k != v}
        if not changed:
            distinct[column] = values
            continue
        quoted = [k for k in changed if k.strip().endswith("'")]
        if quoted:
            stray_lines.update(lines_of(frame.filter(pl.col(column).is_in(quoted))))
        frame = frame.with_columns(pl.col(column).replace(changed))
    if stray_lines:
        issues.append(
            Issue(
                "stray_quote",
                "a stray trailing apostrophe removed from the names on these lines",
                sorted(stray_lines),
            )
        )
    return frame, distinct


def _check_summaries(frame: pl.DataFrame, summary: pl.Expr, issues: list[Issue]) -> pl.DataFrame:
    """Check summary rows ('all') against the detail rows they sum; never count them."""
    rows = frame.filter(summary)
    if not rows.height:
        return frame
    detail = frame.filter(~summary).unique(subset=[*KEY, *COUNT_COLUMNS], keep="first")
    rows = rows.unique(subset=[*KEY, "Contributor", *COUNT_COLUMNS], keep="first").with_columns(
        (
            is_summary(pl.col("Contributor")).fill_null(value=False)
            | is_summary(pl.col("Contributor ISO-3")).fill_null(value=False)
        ).alias("__all_contributors"),
        is_summary(pl.col("Mission")).fill_null(value=False).alias("__all_missions"),
    )
    sums = [pl.col(c).sum().alias(f"__sum {c}") for c in COUNT_COLUMNS]
    checked = []
    for all_contributors, all_missions, by in (
        (True, False, ["month", "Mission"]),
        (False, True, ["month", "Contributor ISO-3"]),
        (True, True, ["month"]),
    ):
        part = rows.filter(
            (pl.col("__all_contributors") == all_contributors)
            & (pl.col("__all_missions") == all_missions)
        )
        if part.height:
            totals = detail.group_by(by).agg(sums)
            checked.append(part.join(totals, on=by, how="left"))
    joined = pl.concat(checked, how="diagonal_relaxed")
    differs = pl.any_horizontal(
        [pl.col(c) != pl.col(f"__sum {c}").fill_null(0) for c in COUNT_COLUMNS]
    )
    bad = joined.filter(differs).sort("_line")
    issues.append(
        Issue(
            "summary_row",
            "summary rows ('all', 'Total') checked against the detail rows and not counted",
            lines_of(frame.filter(summary)),
            int(rows.get_column("Total Total").sum() or 0),
        )
    )
    if bad.height:
        details = []
        for row in bad.iter_rows(named=True):
            wrong = {
                c: f"{row[c]} published, {row[f'__sum {c}'] or 0} in the detail rows"
                for c in COUNT_COLUMNS
                if row[c] != (row[f"__sum {c}"] or 0)
            }
            details.append(
                {
                    "line": int(row["_line"]),
                    "month": row["month"].isoformat(),
                    "contributor": row["Contributor ISO-3"] or row["Contributor"],
                    "mission": row["Mission"],
                    **wrong,
                }
            )
        issues.append(
            Issue(
                "summary_mismatch",
                "summary rows that differ from the sum of their detail rows "
                "(the detail rows are stored)",
                lines_of(bad),
                details=details,
            )
        )
    return frame.filter(~summary)

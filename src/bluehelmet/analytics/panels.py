"""Research panels, peacesciencer-style: a base frame and chainable ``add_*`` verbs.

``panel(kind, contributions)`` builds one row per unit of the kind (contributor-month,
mission-month, contributor-mission-month, contributor-year or mission-year) with the uniformed
personnel deployed; each ``add_*`` verb joins one more dataset (given as a frame: loading is
the caller's) and returns a new ``Panel``. A verb that does not fit the panel's kind raises
``PanelKindError`` saying which kinds it fits.

Panels are balanced: every unit has a row for every month (or year) of the period, with an
explicit 0 where it deployed nobody in a month that has data, and ``covered`` false (personnel
null) in a month without any data. Year rows average over the covered months only and say how
many there were (``months_covered``); fatalities are counted over the same covered months.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from pathlib import Path

import numpy as np
import polars as pl

from bluehelmet.analytics._coded import CodedRows, coded_rows
from bluehelmet.analytics._common import (
    ContributionFilter,
    Frame,
    check_columns,
    council_frame,
    countries_frame,
    memberships_frame,
    month_grid,
    sum_where,
)
from bluehelmet.analytics.fatalities import UNIFORMED_TYPES, fatality_rows
from bluehelmet.errors import BluehelmetError, InputError


class PanelKind(StrEnum):
    """The units of observation a panel can have."""

    CONTRIBUTOR_MONTH = "contributor-month"
    MISSION_MONTH = "mission-month"
    CONTRIBUTOR_MISSION_MONTH = "contributor-mission-month"
    CONTRIBUTOR_YEAR = "contributor-year"
    MISSION_YEAR = "mission-year"


_KEYS: dict[PanelKind, tuple[str, ...]] = {
    PanelKind.CONTRIBUTOR_MONTH: ("month", "contributor"),
    PanelKind.MISSION_MONTH: ("month", "mission"),
    PanelKind.CONTRIBUTOR_MISSION_MONTH: ("month", "contributor", "mission"),
    PanelKind.CONTRIBUTOR_YEAR: ("year", "contributor"),
    PanelKind.MISSION_YEAR: ("year", "mission"),
}

_YEAR_KINDS = (PanelKind.CONTRIBUTOR_YEAR, PanelKind.MISSION_YEAR)
_MISSION_KINDS = (
    PanelKind.MISSION_MONTH,
    PanelKind.CONTRIBUTOR_MISSION_MONTH,
    PanelKind.MISSION_YEAR,
)

_CONTRIBUTOR_KINDS = (
    PanelKind.CONTRIBUTOR_MONTH,
    PanelKind.CONTRIBUTOR_MISSION_MONTH,
    PanelKind.CONTRIBUTOR_YEAR,
)

CITATIONS: dict[str, str] = {
    "contributions": "Contribution rows as imported into bluehelmet (see each row's source).",
    "region": "United Nations Statistics Division, Standard country or area codes for "
    "statistical use (M49); UN regional groups of member states.",
    "council": "United Nations Security Council, current and former members.",
    "membership": "bluehelmet reference registry: organization memberships with dates.",
    "fatalities": "United Nations Peace and Security Data Hub, peacekeeper fatalities.",
    "mandates": "TAMM, Tasks Assigned to Missions in their Mandates (Lloyd; Di Salvatore et "
    "al.): governing Security Council resolution and mandated tasks per mission-month.",
}

#: What each column a panel can have means (written to the codebook sheet of Excel files).
CODEBOOK: dict[str, str] = {
    "month": "Reporting month (its last day).",
    "year": "Calendar year.",
    "contributor": "ISO-3 code of the contributing state.",
    "mission": "Registry acronym of the mission.",
    "covered": "Whether the store has contribution data for this month (false: personnel "
    "unknown, not zero).",
    "months_covered": "Months of the year with contribution data; year figures average them.",
    "personnel": "Uniformed personnel (monthly strength; year rows: mean over covered months).",
    "female": "Women among the personnel (same basis as personnel).",
    "male": "Men among the personnel (same basis as personnel).",
    "contributors": "Contributors with personnel in the mission that month (year rows: mean).",
    "un_regional_group": "UN regional group of the contributor.",
    "region": "UN M49 geographic region of the contributor.",
    "subregion": "UN M49 sub-region of the contributor.",
    "council_member": "Member of the Security Council in the row's year.",
    "permanent_member": "Permanent member of the Security Council.",
    "female_share": "Women among personnel of known sex (null when none).",
    "fatalities": "Uniformed fatalities in the row's unit, counted over the covered months only "
    "(null where no month is covered).",
    "mandate_coded": "Whether TAMM codes the mandate in the month (year rows: in any month).",
    "mandate_resolution": "Governing Council resolution (year rows: the last of the year).",
    "mandate_tasks": "Number of mandated tasks (year rows: the most in any month).",
    "mandate_monitor_tasks": "Mandated tasks to monitor (TAMM indicators ending in _monitor).",
    "mandate_assist_tasks": "Mandated tasks to assist (TAMM indicators ending in _assist).",
    "mandate_protect_tasks": "Mandated tasks to protect (TAMM indicators ending in _protect).",
    "mandate_other_tasks": "Other mandated tasks (cooperation, ceasefire, other TAMM indicators).",
}


class PanelKindError(BluehelmetError, ValueError):
    """A panel verb used on a panel kind it does not fit."""


def _kind(kind: PanelKind | str) -> PanelKind:
    try:
        return PanelKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in PanelKind)
        msg = f"unknown panel kind {kind!r} (known: {known})"
        raise InputError(msg, field="kind") from None


class Panel:
    """A panel frame of one kind, with chainable verbs that each add columns."""

    def __init__(
        self,
        kind: PanelKind | str,
        frame: pl.DataFrame,
        sources: tuple[str, ...] = (),
        covered: tuple[date, ...] | None = None,
    ) -> None:
        self.kind = _kind(kind)
        check_columns(frame, _KEYS[self.kind], f"{self.kind.value} panel")
        self.frame = frame
        self.sources = sources or ("contributions",)
        if covered is None:
            covered = (
                tuple(sorted(frame["month"].unique().to_list())) if "month" in frame.columns else ()
            )
        #: The months with contribution data the panel's figures rest on.
        self.covered = covered

    def __repr__(self) -> str:
        return f"Panel({self.kind.value!r}, rows={self.frame.height}, columns={self.frame.columns})"

    def __len__(self) -> int:
        return self.frame.height

    @property
    def keys(self) -> tuple[str, ...]:
        """The columns that identify one row."""
        return _KEYS[self.kind]

    def _with(self, frame: pl.DataFrame, source: str) -> Panel:
        sources = self.sources if source in self.sources else (*self.sources, source)
        return Panel(self.kind, frame, sources, self.covered)

    def _require(self, verb: str, kinds: Iterable[PanelKind], what: str = "contributor") -> None:
        kinds = tuple(kinds)
        if self.kind not in kinds:
            fits = ", ".join(k.value for k in kinds)
            msg = (
                f"{verb}() does not fit a {self.kind.value} panel (it has no {what}); "
                f"it fits: {fits}"
            )
            raise PanelKindError(msg)

    def _dates(self) -> pl.Expr:
        """The day each row's facts are taken on: month end, or 31 December of the year."""
        if self.kind in _YEAR_KINDS:
            return pl.date(pl.col("year"), 12, 31)
        return pl.col("month")

    def add_region(self, countries: pl.DataFrame | None = None) -> Panel:
        """Add the contributor's UN regional group, M49 region and sub-region."""
        self._require("add_region", _CONTRIBUTOR_KINDS)
        frame = countries_frame() if countries is None else countries
        check_columns(frame, ("iso3", "un_regional_group", "region", "subregion"), "countries")
        lookup = frame.select(
            contributor="iso3",
            un_regional_group="un_regional_group",
            region="region",
            subregion="subregion",
        ).unique("contributor")
        return self._with(self.frame.join(lookup, on="contributor", how="left"), "region")

    def add_council_seat(self, council: pl.DataFrame | None = None) -> Panel:
        """Add ``council_member`` and ``permanent_member`` for the row's year."""
        self._require("add_council_seat", _CONTRIBUTOR_KINDS)
        years = (
            self.frame.select(self._dates().dt.year()).to_series().unique().to_list()
            if self.frame.height
            else []
        )
        seats = council_frame(years) if council is None else council
        check_columns(seats, ("year", "iso3", "permanent"), "council frame")
        lookup = seats.select(
            _year=pl.col("year").cast(pl.Int32),
            contributor="iso3",
            council_member=pl.lit(True),
            permanent_member="permanent",
        ).unique(["_year", "contributor"])
        joined = (
            self.frame.with_columns(_year=self._dates().dt.year().cast(pl.Int32))
            .join(lookup, on=["_year", "contributor"], how="left")
            .with_columns(
                pl.col("council_member").fill_null(False),
                pl.col("permanent_member").fill_null(False),
            )
            .drop("_year")
        )
        return self._with(joined, "council")

    def add_org_membership(self, org: str, memberships: pl.DataFrame | None = None) -> Panel:
        """Add ``<org>_member``: whether the contributor belonged to ``org`` on the row's date.

        The date is the month's last day (the year's last day in a contributor-year panel).
        """
        self._require("add_org_membership", _CONTRIBUTOR_KINDS)
        code = org.upper()
        frame = memberships_frame(code) if memberships is None else memberships
        check_columns(frame, ("organization", "iso3", "joined", "left"), "memberships frame")
        stints = frame.filter(pl.col("organization").str.to_uppercase() == code).select(
            contributor="iso3", joined="joined", left="left"
        )
        column = f"{code.lower()}_member"
        dated = self.frame.with_row_index("_row").with_columns(_day=self._dates())
        members = (
            dated.select("_row", "_day", "contributor")
            .join(stints, on="contributor", how="inner")
            .filter(
                (pl.col("joined") <= pl.col("_day"))
                & (pl.col("left").is_null() | (pl.col("_day") < pl.col("left")))
            )
            .select("_row")
            .unique()
            .with_columns(pl.lit(True).alias(column))
        )
        joined = (
            dated.join(members, on="_row", how="left")
            .with_columns(pl.col(column).fill_null(False))
            .drop("_row", "_day")
        )
        return self._with(joined, "membership")

    def add_fatalities(
        self,
        fatalities: Frame,
        *,
        personnel_types: Iterable[str] | None = UNIFORMED_TYPES,
    ) -> Panel:
        """Add ``fatalities``: deaths in the row's unit (uniformed personnel by default).

        Deaths are counted only in the panel's covered months, the months its personnel
        figures rest on; a row with no covered month gets null.
        """
        rows = fatality_rows(fatalities, personnel_types=personnel_types).filter(
            pl.col("month").is_in(list(self.covered))
        )
        keys = list(self.keys)
        counts = rows.group_by(keys).agg(fatalities=pl.len().cast(pl.Int64)).collect()
        counts = counts.with_columns([pl.col(k).cast(self.frame.schema[k]) for k in keys])
        covered = pl.col("months_covered") > 0 if self.kind in _YEAR_KINDS else pl.col("covered")
        joined = self.frame.join(counts, on=keys, how="left").with_columns(
            fatalities=pl.when(covered).then(pl.col("fatalities").fill_null(0))
        )
        return self._with(joined, "fatalities")

    def add_mandates(self, mandates: Frame) -> Panel:
        """Add the mission's mandate (TAMM): resolution, task counts, by kind of task.

        Month rows take the month's coding; year rows the last resolution of the year and the
        most tasks in any month. ``mandate_coded`` is false where TAMM has no coding.
        """
        self._require("add_mandates", _MISSION_KINDS, "mission")
        lazy = mandates.lazy() if isinstance(mandates, pl.DataFrame) else mandates
        check_columns(
            lazy.head(0).collect(), ("mission", "month", "resolution", "tasks"), "mandates"
        )
        tasks = pl.col("tasks")

        def by_suffix(suffix: str) -> pl.Expr:
            return tasks.list.eval(pl.element().str.ends_with(suffix)).list.sum()

        coded = lazy.select(
            "mission",
            pl.col("month").dt.month_end(),
            mandate_resolution=pl.col("resolution"),
            mandate_tasks=tasks.list.len().cast(pl.Int64),
            mandate_monitor_tasks=by_suffix("_monitor").cast(pl.Int64),
            mandate_assist_tasks=by_suffix("_assist").cast(pl.Int64),
            mandate_protect_tasks=by_suffix("_protect").cast(pl.Int64),
        ).with_columns(
            mandate_other_tasks=pl.col("mandate_tasks")
            - pl.col("mandate_monitor_tasks")
            - pl.col("mandate_assist_tasks")
            - pl.col("mandate_protect_tasks"),
        )
        counts = [
            "mandate_tasks",
            "mandate_monitor_tasks",
            "mandate_assist_tasks",
            "mandate_protect_tasks",
            "mandate_other_tasks",
        ]
        if self.kind in _YEAR_KINDS:
            coded = (
                coded.with_columns(year=pl.col("month").dt.year().cast(pl.Int32))
                .sort("month")
                .group_by("year", "mission")
                .agg(
                    pl.col("mandate_resolution").drop_nulls().last(),
                    *[pl.col(c).max() for c in counts],
                )
            )
            keys = ["year", "mission"]
        else:
            keys = ["month", "mission"]
            coded = coded.unique(keys, keep="first")
        joined = self.frame.join(
            coded.with_columns(mandate_coded=pl.lit(True)).collect(), on=keys, how="left"
        ).with_columns(pl.col("mandate_coded").fill_null(False))
        return self._with(joined, "mandates")

    def add_gender_share(self) -> Panel:
        """Add ``female_share``: women among personnel of known sex (null when none)."""
        known = pl.col("female") + pl.col("male")
        frame = self.frame.with_columns(
            female_share=pl.when(known > 0).then(pl.col("female") / known)
        )
        return self._with(frame, "contributions")

    def citations(self) -> list[str]:
        """The sources of the panel's columns, to cite in published work."""
        return [CITATIONS[s] for s in self.sources]

    def to_csv(self, path: str | Path) -> Path:
        """Write the panel to a CSV file."""
        target = Path(path)
        self.frame.write_csv(target)
        return target

    def to_parquet(self, path: str | Path) -> Path:
        """Write the panel to a Parquet file."""
        target = Path(path)
        self.frame.write_parquet(target)
        return target

    def codebook(self) -> list[tuple[str, str]]:
        """(column, meaning) for each column of the panel."""
        return [
            (c, CODEBOOK.get(c, CODEBOOK.get(c.rsplit("_", 1)[0], "")))
            if not c.endswith("_member") or c in CODEBOOK
            else (c, f"Member of {c[: -len('_member')].upper()} on the row's date.")
            for c in self.frame.columns
        ]

    def to_excel(self, path: str | Path, sheet: str = "panel") -> Path:
        """Write the panel to an Excel workbook: the panel, its sources and a codebook."""
        from openpyxl import Workbook

        target = Path(path)
        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet)
        ws.append(self.frame.columns)
        for row in self.frame.iter_rows():
            ws.append(list(row))
        sources = book.create_sheet("sources")
        sources.append(["dataset", "citation"])
        for name in self.sources:
            sources.append([name, CITATIONS[name]])
        codebook = book.create_sheet("codebook")
        codebook.append(["column", "meaning"])
        for column, meaning in self.codebook():
            codebook.append([column, meaning])
        book.save(target)
        return target


def panel(
    kind: PanelKind | str,
    contributions: Frame,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
) -> Panel:
    """A balanced panel of the given kind over the contribution rows.

    The period runs from ``start`` to ``end`` (by default the first and last month with
    data); every unit seen in the period gets a row for every month (or year). Columns: the
    keys, ``covered`` (month rows) or ``months_covered`` (year rows), ``personnel``,
    ``female``, ``male`` and, for mission panels, ``contributors``. A month with data in
    which a unit deployed nobody gives 0; a month without any data gives null with
    ``covered`` false. Year rows average over their covered months. Mission panels leave
    out rows without a mission (contributor totals).
    """
    which = _kind(kind)
    where = ContributionFilter.of(
        start=start, end=end, contributors=contributors, missions=missions, categories=categories
    )
    unit_filter = ContributionFilter(start=where.start, end=where.end, categories=where.categories)
    unit = (
        "mission" if which in (PanelKind.MISSION_MONTH, PanelKind.MISSION_YEAR) else ("contributor")
    )
    unit_keys = (
        ["contributor", "mission"] if which is PanelKind.CONTRIBUTOR_MISSION_MONTH else [unit]
    )
    with_contributors = which in (PanelKind.MISSION_MONTH, PanelKind.MISSION_YEAR)
    coded = coded_rows(contributions)
    if coded is not None:
        covered, monthly = _coded_monthly(coded, which, where, unit_filter, unit_keys)
    else:
        in_period = unit_filter.apply(contributions)
        if which in _MISSION_KINDS:
            in_period = in_period.filter(pl.col("mission").is_not_null())
        covered = sorted(in_period.select(pl.col("month").unique()).collect().to_series().to_list())
        rows = where.apply(in_period)
        count = pl.col("count")
        sex = pl.col("sex")
        sums = [
            count.sum().alias("personnel"),
            sum_where(sex == "female").alias("female"),
            sum_where(sex == "male").alias("male"),
        ]
        extra = (
            [pl.col("contributor").filter(pl.col("count") > 0).n_unique().alias("contributors")]
            if with_contributors
            else []
        )
        monthly = rows.group_by("month", *unit_keys).agg(*sums, *extra).collect()
    values = ["personnel", "female", "male", *(["contributors"] if with_contributors else [])]
    if not covered:
        empty = {k: _KEY_TYPES[k] for k in _KEYS[which]}
        flag = {"months_covered": pl.Int64} if which in _YEAR_KINDS else {"covered": pl.Boolean}
        none = pl.DataFrame(schema={**empty, **flag, **dict.fromkeys(values, pl.Float64)})
        return Panel(which, none, covered=())
    first = where.start or covered[0]
    last = where.end or covered[-1]
    # one lazy query, one collect: the grid is small, each eager step would cost a collect
    grid = pl.LazyFrame({"month": month_grid(first, last)}, schema={"month": pl.Date})
    units = monthly.lazy().select(unit_keys).unique()
    full = (
        grid.join(units, how="cross")
        .join(monthly.lazy(), on=["month", *unit_keys], how="left")
        .with_columns(covered=pl.col("month").is_in(covered))
        .with_columns(
            [
                pl.when(pl.col("covered")).then(pl.col(v).fill_null(0)).otherwise(None).alias(v)
                for v in values
            ]
        )
    )
    frame: pl.LazyFrame
    if which in _YEAR_KINDS:
        months_covered = pl.col("covered").sum().cast(pl.Int64)
        frame = (
            full.with_columns(year=pl.col("month").dt.year().cast(pl.Int32))
            .group_by("year", *unit_keys)
            .agg(
                months_covered.alias("months_covered"),
                *[(pl.col(v).sum() / months_covered).alias(v) for v in values],
            )
            .with_columns(
                [pl.when(pl.col("months_covered") > 0).then(pl.col(v)).alias(v) for v in values]
            )
        )
        order = ["year", *unit_keys, "months_covered", *values]
    else:
        frame = full
        order = ["month", *unit_keys, "covered", *values]
    result = frame.select(order).sort(list(_KEYS[which])).collect()
    return Panel(which, result, covered=tuple(covered))


def _coded_monthly(
    coded: CodedRows,
    which: PanelKind,
    where: ContributionFilter,
    unit_filter: ContributionFilter,
    unit_keys: list[str],
) -> tuple[list[date], pl.DataFrame]:
    """The covered months and the monthly sums per unit, from the coded rows."""
    not_null = ("mission",) if which in _MISSION_KINDS else ()
    in_period = coded.cells(("month",), rows=coded.select(unit_filter, not_null=not_null))
    covered: list[date] = in_period.values("month").to_list()
    rows = coded.select(where, not_null=not_null)
    by_sex = coded.cells(("month", *unit_keys, "sex"), rows=rows, total="personnel")
    cells, sexes = by_sex.split_last("personnel", ("female", "male"))
    dtype = coded.sum_dtype()
    monthly = cells.frame().with_columns(
        pl.Series(sex, column).cast(dtype) for sex, column in sexes.items()
    )
    if which in (PanelKind.MISSION_MONTH, PanelKind.MISSION_YEAR):
        count = coded.count()
        positive = np.flatnonzero(count > 0) if rows is None else rows[count[rows] > 0]
        deployed, parent = coded.cells(("month", "mission", "contributor"), rows=positive).rollup(2)
        contributors = np.zeros(len(cells.flat), dtype=np.int64)
        contributors[np.searchsorted(cells.flat, deployed.flat)] = np.bincount(
            parent, minlength=len(deployed.flat)
        )
        monthly = monthly.with_columns(
            contributors=pl.Series(contributors).cast(pl.get_index_type())
        )
    return covered, monthly


_KEY_TYPES: dict[str, pl.DataType] = {
    "month": pl.Date(),
    "year": pl.Int32(),
    "contributor": pl.String(),
    "mission": pl.String(),
}

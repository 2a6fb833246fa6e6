"""Research panels, peacesciencer-style: a base frame and chainable ``add_*`` verbs.

``panel(kind)`` builds one row per unit of the kind (contributor-month, mission-month,
contributor-mission-month or contributor-year) with the uniformed personnel deployed;
each ``add_*`` verb joins one more dataset and returns a new ``Panel``. A verb that does not
fit the panel's kind raises ``PanelKindError`` saying which kinds it fits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from pathlib import Path

import polars as pl

from bluehelmet.analytics._common import (
    Frame,
    check_columns,
    council_frame,
    countries_frame,
    filter_rows,
    memberships_frame,
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


_KEYS: dict[PanelKind, tuple[str, ...]] = {
    PanelKind.CONTRIBUTOR_MONTH: ("month", "contributor"),
    PanelKind.MISSION_MONTH: ("month", "mission"),
    PanelKind.CONTRIBUTOR_MISSION_MONTH: ("month", "contributor", "mission"),
    PanelKind.CONTRIBUTOR_YEAR: ("year", "contributor"),
}

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
        self, kind: PanelKind | str, frame: pl.DataFrame, sources: tuple[str, ...] = ()
    ) -> None:
        self.kind = _kind(kind)
        check_columns(frame, _KEYS[self.kind], f"{self.kind.value} panel")
        self.frame = frame
        self.sources = sources or ("contributions",)

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
        return Panel(self.kind, frame, sources)

    def _require(self, verb: str, kinds: Iterable[PanelKind]) -> None:
        kinds = tuple(kinds)
        if self.kind not in kinds:
            fits = ", ".join(k.value for k in kinds)
            msg = (
                f"{verb}() does not fit a {self.kind.value} panel (it has no contributor); "
                f"it fits: {fits}"
            )
            raise PanelKindError(msg)

    def _dates(self) -> pl.Expr:
        """The day each row's facts are taken on: month end, or 31 December of the year."""
        if self.kind is PanelKind.CONTRIBUTOR_YEAR:
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
        fatalities: Frame | None = None,
        *,
        personnel_types: Iterable[str] | None = UNIFORMED_TYPES,
    ) -> Panel:
        """Add ``fatalities``: deaths in the row's unit (uniformed personnel by default)."""
        if fatalities is None:
            from bluehelmet.services.data import fatalities as load_fatalities

            fatalities = load_fatalities()
        rows = fatality_rows(fatalities, personnel_types=personnel_types)
        keys = list(self.keys)
        counts = rows.group_by(keys).agg(fatalities=pl.len().cast(pl.Int64)).collect()
        joined = self.frame.join(counts, on=keys, how="left").with_columns(
            pl.col("fatalities").fill_null(0)
        )
        return self._with(joined, "fatalities")

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

    def to_excel(self, path: str | Path, sheet: str = "panel") -> Path:
        """Write the panel to an Excel workbook (one sheet)."""
        from openpyxl import Workbook

        target = Path(path)
        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet)
        ws.append(self.frame.columns)
        for row in self.frame.iter_rows():
            ws.append(list(row))
        book.save(target)
        return target


def panel(
    kind: PanelKind | str,
    contributions: Frame | None = None,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
) -> Panel:
    """A panel of the given kind over the contribution rows (by default: the stored ones).

    Columns: the keys, ``personnel``, ``female``, ``male``; contributor-year panels give the
    mean monthly strength over the ``months`` of that year that have any data (a month in
    which the contributor deployed nobody counts as 0). Mission panels leave out rows without
    a mission.
    """
    which = _kind(kind)
    if contributions is None:
        from bluehelmet.services.data import scan_contributions

        contributions = scan_contributions()
    rows = filter_rows(
        contributions,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
    )
    count = pl.col("count")
    sex = pl.col("sex")
    sums = [
        count.sum().alias("personnel"),
        sum_where(sex == "female").alias("female"),
        sum_where(sex == "male").alias("male"),
    ]
    if which is PanelKind.CONTRIBUTOR_YEAR:
        dated = rows.with_columns(year=pl.col("month").dt.year().cast(pl.Int32))
        months = dated.group_by("year").agg(months=pl.col("month").n_unique().cast(pl.Int64))
        frame = (
            dated.group_by("year", "contributor")
            .agg(sums)
            .join(months, on="year")
            .with_columns(pl.col("personnel", "female", "male") / pl.col("months"))
        )
    else:
        keys = list(_KEYS[which])
        if "mission" in keys:
            rows = rows.filter(pl.col("mission").is_not_null())
        extra = (
            [pl.col("contributor").n_unique().alias("contributors")]
            if (which is PanelKind.MISSION_MONTH)
            else []
        )
        frame = rows.group_by(keys).agg(*sums, *extra)
    return Panel(which, frame.sort(list(_KEYS[which])).collect())

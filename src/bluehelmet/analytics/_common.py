"""Shared parts of the analytics: frame checks, the common filters, reference frames.

Every analytics function takes the normalized contribution rows
(``bluehelmet.domain.contributions.CONTRIBUTION_COLUMNS``) as a polars DataFrame or LazyFrame
and the same filter parameters: ``start`` / ``end`` (months, inclusive), ``contributors``,
``missions`` and ``categories``. Reference facts (countries, memberships, Council seats,
mission hosts) come in as small frames too; when omitted they are built from
``bluehelmet.reference``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from bluehelmet.domain.months import month_end
from bluehelmet.domain.registry import PersonnelCategory
from bluehelmet.errors import InputError, UnknownNameError

Frame = pl.DataFrame | pl.LazyFrame

#: Columns every analytics function needs from the contribution rows.
REQUIRED_COLUMNS = ("month", "contributor", "mission", "category", "sex", "count")

COUNTRY_COLUMNS = (
    "iso3",
    "name",
    "m49",
    "un_regional_group",
    "region",
    "subregion",
    "income_group",
)
MEMBERSHIP_COLUMNS = ("organization", "iso3", "joined", "left")
COUNCIL_COLUMNS = ("year", "iso3", "permanent")
MISSION_COLUMNS = ("acronym", "hosts")


def as_lazy(
    frame: Frame, required: Sequence[str] = REQUIRED_COLUMNS, what: str = "frame"
) -> pl.LazyFrame:
    """``frame`` as a LazyFrame, after checking it has the ``required`` columns."""
    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    names = lazy.collect_schema().names()
    missing = [c for c in required if c not in names]
    if missing:
        msg = f"{what} lacks column(s) {', '.join(missing)} (has {', '.join(names)})"
        raise InputError(msg, field=missing[0])
    return lazy


def sum_where(condition: pl.Expr, column: str = "count") -> pl.Expr:
    """Sum of ``column`` over the rows where ``condition`` holds (faster than a filter)."""
    return pl.when(condition).then(pl.col(column)).otherwise(0).sum()


def _names(values: str | Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return [values]
    return list(values)


def resolve_contributor(name: str) -> str:
    """The ISO-3 code of a contributor given by name, alias, ISO-3 or ISO-2 code.

    ``Ghana``, ``gh`` and ``GHA`` all give ``GHA``; an unknown name raises
    ``UnknownNameError`` with suggestions.
    """
    from bluehelmet import reference

    found = reference.find_country(name)
    if found is None and len(name.strip()) == 2:
        import pycountry

        record = pycountry.countries.get(alpha_2=name.strip().upper())
        if record is not None:
            found = reference.find_country(record.alpha_3)
    if found is None:
        known = [c.name for c in reference.countries()] + [c.iso3 for c in reference.countries()]
        raise UnknownNameError("contributor", name, known)
    return found.iso3


def resolve_mission(name: str) -> str:
    """The registry acronym of a mission given by acronym, name or alias (any case)."""
    from bluehelmet import reference

    return reference.mission(name).acronym


def resolve_category(name: str) -> str:
    """The personnel category a name refers to (``Troops``, ``formed-police-units``...)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    known = [c.value for c in PersonnelCategory]
    if key not in known:
        raise UnknownNameError("personnel category", name, known)
    return key


def _resolved(
    values: str | Iterable[str] | None, resolve: Callable[[str], str]
) -> tuple[str, ...] | None:
    names = _names(values)
    if names is None:
        return None
    return tuple(dict.fromkeys(resolve(n) for n in names))


@dataclass(frozen=True, slots=True)
class ContributionFilter:
    """The one filter of contribution rows: months, contributors, missions, categories, sources.

    Build it with ``ContributionFilter.of(...)``, which resolves names through the registry
    (``-c Ghana``, ``gh`` or ``GHA``; ``--mission monusco``) and raises ``UnknownNameError``
    with suggestions for a name it does not know, and ``InputError`` for a reversed period.
    ``start`` and ``end`` are month ends, inclusive; None means no bound (or no filter).
    """

    start: date | None = None
    end: date | None = None
    contributors: tuple[str, ...] | None = None
    missions: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start > self.end:
            msg = (
                f"the period starts ({self.start:%Y-%m}) after it ends ({self.end:%Y-%m}); "
                "swap --from and --to"
            )
            raise InputError(msg, field="from")

    @classmethod
    def of(
        cls,
        *,
        start: date | str | None = None,
        end: date | str | None = None,
        month: date | str | None = None,
        contributors: str | Iterable[str] | None = None,
        missions: str | Iterable[str] | None = None,
        categories: str | Iterable[str] | None = None,
        sources: str | Iterable[str] | None = None,
    ) -> ContributionFilter:
        """A filter from user input: months as ``YYYY-MM`` or dates, names as users write them.

        ``month`` is one month (it sets both ends and cannot be combined with them).
        """
        if month is not None:
            if start is not None or end is not None:
                msg = "give either one month or a period (--from/--to), not both"
                raise InputError(msg, field="month")
            start = end = month_end(month, field="month")
        srcs = _names(sources)
        return cls(
            start=month_end(start, field="from") if start is not None else None,
            end=month_end(end, field="to") if end is not None else None,
            contributors=_resolved(contributors, resolve_contributor),
            missions=_resolved(missions, resolve_mission),
            categories=_resolved(categories, resolve_category),
            sources=tuple(s.strip() for s in srcs) if srcs is not None else None,
        )

    @property
    def first_day(self) -> date | None:
        """The first day of the first month (None without a start)."""
        return self.start.replace(day=1) if self.start is not None else None

    def conditions(self, *, date_column: str = "month") -> list[pl.Expr]:
        """The filter as polars conditions over rows with ``date_column``, ``contributor``..."""
        out: list[pl.Expr] = []
        if self.first_day is not None:
            out.append(pl.col(date_column) >= self.first_day)
        if self.end is not None:
            out.append(pl.col(date_column) <= self.end)
        for column, values in (
            ("contributor", self.contributors),
            ("mission", self.missions),
            ("category", self.categories),
            ("source", self.sources),
        ):
            if values is not None:
                out.append(pl.col(column).is_in(list(values)))
        return out

    def apply(self, frame: Frame) -> pl.LazyFrame:
        """The contribution rows that match, lazily."""
        lazy = as_lazy(frame, what="contribution rows")
        conditions = self.conditions()
        return lazy.filter(pl.all_horizontal(conditions)) if conditions else lazy

    def months(self, months: Iterable[date]) -> list[date]:
        """The months of ``months`` inside the filter's period."""
        return [
            m
            for m in months
            if (self.first_day is None or m >= self.first_day)
            and (self.end is None or m <= self.end)
        ]

    def describe(self) -> str:
        """The filter in words, for messages and titles."""
        parts: list[str] = []
        if self.start is not None and self.start == self.end:
            parts.append(f"{self.start:%Y-%m}")
        elif self.start is not None or self.end is not None:
            first = f"{self.start:%Y-%m}" if self.start else "the first month"
            last = f"{self.end:%Y-%m}" if self.end else "the last month"
            parts.append(f"{first} to {last}")
        for label, values in (
            ("contributor", self.contributors),
            ("mission", self.missions),
            ("category", self.categories),
            ("source", self.sources),
        ):
            if values:
                parts.append(f"{label} {', '.join(values)}")
        return "; ".join(parts) if parts else "all rows"


def filter_rows(
    frame: Frame,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
    sources: str | Iterable[str] | None = None,
) -> pl.LazyFrame:
    """The contribution rows that match the common filters (see ``ContributionFilter``)."""
    where = ContributionFilter.of(
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
        sources=sources,
    )
    return where.apply(frame)


def month_ranges(months: Iterable[date]) -> str:
    """Months as runs of consecutive months: ``2009-11 to 2014-02, 2021-01``."""
    ordered = sorted(set(months))
    if not ordered:
        return "none"
    runs: list[tuple[date, date]] = []
    for m in ordered:
        if runs and _next_month(runs[-1][1]) == m:
            runs[-1] = (runs[-1][0], m)
        else:
            runs.append((m, m))
    return ", ".join(f"{a:%Y-%m}" if a == b else f"{a:%Y-%m} to {b:%Y-%m}" for a, b in runs)


def _next_month(day: date) -> date:
    return month_end(date(day.year + day.month // 12, day.month % 12 + 1, 1))


def month_grid(first: date, last: date) -> list[date]:
    """Every month end from ``first`` to ``last`` inclusive."""
    out: list[date] = []
    current = month_end(first)
    while current <= last:
        out.append(current)
        current = _next_month(current)
    return out


def check_columns(frame: pl.DataFrame, required: Sequence[str], what: str) -> pl.DataFrame:
    """``frame`` unchanged, after checking it has the ``required`` columns."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        msg = f"{what} lacks column(s) {', '.join(missing)} (has {', '.join(frame.columns)})"
        raise InputError(msg, field=missing[0])
    return frame


# --- reference frames, built from bluehelmet.reference when the caller gives none -----------


def countries_frame() -> pl.DataFrame:
    """One row per country of the reference registry: codes, name, group, region."""
    from bluehelmet import reference

    rows = [
        {
            "iso3": c.iso3,
            "name": c.name,
            "m49": c.m49,
            "un_regional_group": str(c.un_regional_group) if c.un_regional_group else None,
            "region": c.region,
            "subregion": c.subregion,
            "income_group": c.income_group,
        }
        for c in reference.countries()
    ]
    schema = {
        "iso3": pl.Utf8,
        "name": pl.Utf8,
        "m49": pl.Int64,
        "un_regional_group": pl.Utf8,
        "region": pl.Utf8,
        "subregion": pl.Utf8,
        "income_group": pl.Utf8,
    }
    return pl.DataFrame(rows, schema=schema)


def memberships_frame(org: str | None = None) -> pl.DataFrame:
    """Memberships of the reference registry (all, or of one organization) as a frame."""
    from bluehelmet import reference

    rows = [
        {"organization": m.organization, "iso3": m.iso3, "joined": m.joined, "left": m.left}
        for m in reference.memberships(org)
    ]
    schema = {"organization": pl.Utf8, "iso3": pl.Utf8, "joined": pl.Date, "left": pl.Date}
    return pl.DataFrame(rows, schema=schema)


def council_frame(years: Iterable[int]) -> pl.DataFrame:
    """Security Council seats of the given years as a frame (year, iso3, permanent)."""
    from bluehelmet import reference

    rows = [
        {"year": s.year, "iso3": s.iso3, "permanent": s.permanent}
        for year in sorted(set(years))
        for s in reference.council(year)
    ]
    schema = {"year": pl.Int32, "iso3": pl.Utf8, "permanent": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)


def missions_frame() -> pl.DataFrame:
    """Missions of the reference registry as a frame (acronym, name, lead, hosts)."""
    from bluehelmet import reference

    rows = [
        {"acronym": m.acronym, "name": m.name, "lead": m.lead, "hosts": list(m.hosts)}
        for m in reference.missions()
    ]
    schema = pl.Schema(
        {
            "acronym": pl.String(),
            "name": pl.String(),
            "lead": pl.String(),
            "hosts": pl.List(pl.String()),
        }
    )
    return pl.DataFrame(rows, schema=schema)

"""The dashboard's pages as named tables: overview, mission, contributor and scenarios.

Each page is computed once per request from the stored datasets (``bluehelmet.services.data``)
with the pure functions of ``bluehelmet.analytics``; the web layer only draws the tables it is
given. Every table carries its source and period, so that every chart and CSV can state them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from bluehelmet.errors import InputError
from bluehelmet.services.core import Core, default_core

__all__ = [
    "SCENARIO_DRAWS",
    "SCENARIO_MAX_DRAWS",
    "SCENARIO_SEED",
    "SOURCES",
    "Page",
    "Table",
    "contributor_page",
    "mission_page",
    "overview_page",
    "resolve_contributor",
    "resolve_mission",
    "scenarios_page",
    "world_map",
]

SOURCES: dict[str, str] = {
    "contributions": "UN monthly contributions by contributor, mission and category "
    "(as imported: IPI Providing for Peacekeeping, UN ranking)",
    "mission_totals": "IPI Providing for Peacekeeping, mission totals (data_mission)",
    "fatalities": "UN Peace and Security Data Hub, peacekeeper fatalities",
    "mandates": "TAMM, Tasks Assigned to Missions in their Mandates",
    "locations": "Geo-PKO v1, deployment locations from UN maps",
    "registry": "bluehelmet reference registry (UN membership, Security Council, organizations)",
    "parity": "contributions as imported; targets of the UN Uniformed Gender Parity Strategy "
    "2018-2028",
    "scenario": "bluehelmet demo scenario (illustrative)",
}

#: Bounds and defaults of the scenarios page's Monte Carlo (draws are solved in the server).
SCENARIO_DRAWS = 200
SCENARIO_MAX_DRAWS = 2000
SCENARIO_SEED = 0


@dataclass(frozen=True, slots=True)
class Table:
    """One table of a page: its rows, what they are, where they come from and when."""

    name: str
    title: str
    frame: pl.DataFrame
    source: str
    period: str

    @property
    def empty(self) -> bool:
        """Whether the table has no rows."""
        return self.frame.is_empty()


@dataclass(slots=True)
class Page:
    """A page's heading, its key figures and its tables by name."""

    title: str
    subtitle: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    empty: bool = False  # nothing imported: the page says so instead of showing tables

    def add(self, name: str, title: str, frame: pl.DataFrame, source: str, period: str) -> None:
        """Add a table under ``name``."""
        self.tables[name] = Table(name, title, frame, source, period)

    def table(self, name: str) -> Table:
        """The table ``name`` (``InputError`` naming the known tables otherwise)."""
        found = self.tables.get(name)
        if found is None:
            known = ", ".join(sorted(self.tables)) or "none"
            msg = f"no table {name!r} on this page (known: {known})"
            raise InputError(msg, field="table")
        return found


def _period_of_deaths(per_year: pl.DataFrame, every_death: pl.DataFrame) -> str:
    """The years of a per-year fatality table, with a note when its last one is part-year."""
    from bluehelmet.analytics import partial_period

    latest = every_death["date"].max() if not every_death.is_empty() else None
    partial = partial_period(per_year, ["year"], latest) if isinstance(latest, date) else None
    return _period(per_year, "year") + (f" ({partial})" if partial else "")


def _period(frame: pl.DataFrame, column: str = "month") -> str:
    """``first to last`` of a date column as YYYY-MM; ``no data`` when empty."""
    if frame.is_empty() or column not in frame.columns:
        return "no data"
    values = frame.get_column(column).drop_nulls()
    if values.is_empty():
        return "no data"
    first, last = values.min(), values.max()
    if isinstance(first, date) and isinstance(last, date):
        a, b = first.strftime("%Y-%m"), last.strftime("%Y-%m")
    else:
        a, b = str(first), str(last)
    return a if a == b else f"{a} to {b}"


def _month_label(day: date) -> str:
    return day.strftime("%Y-%m")


def _names() -> dict[str, str]:
    from bluehelmet import reference

    return {c.iso3: c.name for c in reference.countries()}


def _has_data(core: Core) -> bool:
    from bluehelmet.services.data import data_status

    return bool(data_status(core=core))


def resolve_mission(name: str) -> str:
    """The registry acronym of a mission given by acronym, name or alias.

    Raises ``UnknownNameError`` (with suggestions) when the registry does not know it.
    """
    from bluehelmet.services.registry import get_mission

    return get_mission(name).acronym


def resolve_contributor(name: str) -> str:
    """The ISO-3 code of a state given by ISO-3, M49 code, name or alias.

    Raises ``UnknownNameError`` (with suggestions) when the registry does not know it.
    """
    from bluehelmet.services.registry import get_country

    return get_country(name).iso3


# --------------------------------------------------------------------------- overview


def overview_page(*, month: str | date | None = None, core: Core | None = None) -> Page:
    """The cooperation picture of one month (default: the latest with contributions).

    Tables: ``map`` and ``top`` (the month's ranking), ``categories`` (totals by personnel
    category), ``regions`` and ``organizations`` (shares of the month's personnel), ``trend``
    (mission-totals series summed per month since 1990).
    """
    from bluehelmet import analytics
    from bluehelmet.analytics.shares import ShareBy
    from bluehelmet.domain.months import month_end
    from bluehelmet.services import data

    core = default_core(core)
    page = Page(title="Peacekeeping contributions")
    if not _has_data(core):
        page.empty = True
        return page
    rows = data.read("contributions", core=core)
    months = rows.select(pl.col("month").unique().sort()).get_column("month")
    if month is not None:
        day = month_end(month, field="month")
        if months.is_empty() or day not in set(months.to_list()):
            latest = _month_label(months.max()) if not months.is_empty() else "none"  # type: ignore[arg-type]
            msg = f"no contributions are stored for {_month_label(day)} (latest: {latest})"
            raise InputError(msg, field="month")
    elif not months.is_empty():
        day = months.max()  # type: ignore[assignment]
    else:
        day = None
    contributions_source = SOURCES["contributions"]
    if day is not None:
        label = _month_label(day)
        page.subtitle = f"Uniformed personnel deployed in {label}"
        page.facts["month"] = label
        page.facts["months"] = [_month_label(m) for m in months.to_list()]
        ranking = analytics.ranking(rows, day)
        page.facts["personnel"] = int(ranking.get_column("total").sum())
        page.facts["contributors"] = ranking.height
        page.add(
            "map",
            f"Uniformed personnel by contributor, {label}",
            ranking.select("iso3", "name", "total"),
            contributions_source,
            label,
        )
        page.add(
            "top",
            f"Top contributors, {label}",
            ranking.select("rank", "iso3", "name", "female", "male", "unknown", "total").head(20),
            contributions_source,
            label,
        )
        categories = (
            analytics.filter_rows(rows, start=day, end=day)
            .group_by("category")
            .agg(personnel=pl.col("count").sum())
            .sort("personnel", descending=True)
            .collect()
        )
        page.add(
            "categories",
            f"Personnel by category, {label}",
            categories,
            contributions_source,
            label,
        )
        regions = analytics.shares(rows, by=ShareBy.REGION, start=day, end=day)
        page.add(
            "regions",
            f"Share by region of the contributors, {label}",
            regions.select("key", "average_personnel", "share", "contributors").rename(
                {"key": "region", "average_personnel": "personnel"}
            ),
            contributions_source,
            label,
        )
        org_rows = []
        for org in ("AU", "EU", "NATO", "ECOWAS", "OSCE"):
            try:
                shares = analytics.shares(rows, by=ShareBy.ORG, org=org, start=day, end=day)
            except InputError:
                continue  # the registry does not record that organization's members
            members = shares.filter(pl.col("key") == org)
            org_rows.append(
                {
                    "organization": org,
                    "personnel": float(members.get_column("average_personnel").sum()),
                    "share": float(members.get_column("share").sum()),
                    "contributors": int(members.get_column("contributors").sum()),
                }
            )
        page.add(
            "organizations",
            f"Share of members of regional organizations, {label}",
            pl.DataFrame(
                org_rows,
                schema={
                    "organization": pl.Utf8,
                    "personnel": pl.Float64,
                    "share": pl.Float64,
                    "contributors": pl.Int64,
                },
            ),
            f"{contributions_source}; memberships from the {SOURCES['registry']}",
            label,
        )
    totals = data.mission_totals(core=core)
    trend = (
        totals.group_by("month")
        .agg(
            troops=pl.col("troops").sum(),
            police=pl.col("police").sum(),
            observers=pl.col("observers").sum(),
            total=pl.col("total").sum(),
            missions=pl.col("mission").n_unique(),
        )
        .sort("month")
    )
    page.add(
        "trend",
        "Uniformed personnel in UN peacekeeping since 1990",
        trend,
        SOURCES["mission_totals"],
        _period(trend),
    )
    return page


# --------------------------------------------------------------------------- mission


def mission_page(acronym: str, *, core: Core | None = None) -> Page:
    """One mission: strength, contributors, parity, fatalities, mandate tasks and locations.

    ``acronym`` is resolved by the registry (``UnknownNameError`` with suggestions). Tables:
    ``strength`` (mission totals per month), ``categories`` (contributions per month and
    category), ``contributors`` (ranking in the mission's latest month), ``parity``,
    ``fatalities`` (per year), ``rates``, ``mandates`` (per resolution) and ``locations``
    (the latest deployment map).
    """
    from bluehelmet import analytics
    from bluehelmet.services import data
    from bluehelmet.services.registry import get_mission

    core = default_core(core)
    mission = get_mission(acronym)
    code = mission.acronym
    end = mission.end.isoformat() if mission.end else "present"
    page = Page(title=f"{mission.name} ({code})", subtitle=f"{mission.start.isoformat()} to {end}")
    page.facts["acronym"] = code
    page.facts["hosts"] = [_names().get(h, h) for h in mission.hosts]
    if not _has_data(core):
        page.empty = True
        return page
    totals = data.mission_totals(core=core).filter(pl.col("mission") == code)
    strength = totals.select("month", "troops", "police", "observers", "total")
    page.add(
        "strength",
        "Strength by category",
        strength,
        SOURCES["mission_totals"],
        _period(strength),
    )
    rows = data.contributions(mission=code, core=core)
    by_category = (
        rows.group_by("month", "category")
        .agg(personnel=pl.col("count").sum())
        .sort("month", "category")
    )
    page.add(
        "categories",
        "Contributions by personnel category",
        by_category,
        SOURCES["contributions"],
        _period(by_category),
    )
    if not rows.is_empty():
        last = rows.get_column("month").max()
        assert isinstance(last, date)
        label = _month_label(last)
        ranking = analytics.ranking(rows, last, missions=code)
        page.facts["month"] = label
        page.facts["personnel"] = int(ranking.get_column("total").sum())
        page.facts["contributors"] = ranking.height
        page.add(
            "contributors",
            f"Contributors, {label}",
            ranking.select("rank", "iso3", "name", "female", "male", "unknown", "total"),
            SOURCES["contributions"],
            label,
        )
        parity = analytics.parity(rows, by="mission", missions=code).filter(
            pl.col("female_share").is_not_null()
        )
        page.add(
            "parity",
            "Women's share against the parity targets",
            parity.select("year", "group", "female", "male", "female_share", "target", "status"),
            SOURCES["parity"],
            _period(parity, "year"),
        )
    every_death = data.fatalities(core=core)
    deaths = every_death.filter(pl.col("mission") == code)
    per_year = analytics.fatality_counts(deaths, by=["year", "incident_type"]).sort(
        "year", "incident_type"
    )
    page.facts["fatalities"] = deaths.height
    page.add(
        "fatalities",
        "Fatalities by year and incident type",
        per_year,
        SOURCES["fatalities"],
        _period_of_deaths(per_year, every_death),
    )
    if not rows.is_empty():
        rates = analytics.fatality_rates(deaths, rows, by="year", missions=code)
        page.add(
            "rates",
            "Uniformed fatalities per 1,000 personnel-years",
            rates,
            f"{SOURCES['fatalities']}; strength from {SOURCES['contributions']}",
            _period_of_deaths(rates, every_death),
        )
    mandates = data.mandates(core=core).filter(pl.col("mission") == code)
    by_resolution = (
        mandates.group_by("resolution")
        .agg(
            first=pl.col("month").min(),
            last=pl.col("month").max(),
            task_count=pl.col("task_count").max(),
            tasks=pl.col("tasks").explode().drop_nulls().unique().sort().str.join(", "),
        )
        .sort("first")
    )
    page.add(
        "mandates",
        "Mandated tasks by governing resolution",
        by_resolution,
        SOURCES["mandates"],
        _period(mandates),
    )
    places = data.locations(core=core).filter(pl.col("mission") == code)
    if not places.is_empty():
        last_map = places.get_column("month").max()
        places = places.filter(pl.col("month") == last_map)
    located = places.select(
        "month",
        "location",
        "country",
        "latitude",
        "longitude",
        "troops",
        contributors=pl.col("contributor_names").list.join(", "),
    )
    page.add(
        "locations",
        "Deployment locations on the latest UN map",
        located,
        SOURCES["locations"],
        _period(located),
    )
    return page


# --------------------------------------------------------------------------- contributor


def contributor_page(iso3: str, *, core: Core | None = None) -> Page:
    """One contributing state: deployments over time, parity, fatalities, council, memberships.

    ``iso3`` is resolved by the registry (``UnknownNameError`` with suggestions). Tables:
    ``deployments`` (per month and mission), ``missions`` (its latest month by mission),
    ``parity``, ``fatalities`` (per mission), ``council`` (years on the Security Council) and
    ``memberships`` (organizations).
    """
    from bluehelmet import analytics, reference
    from bluehelmet.services import data
    from bluehelmet.services.registry import country_detail, get_country

    core = default_core(core)
    country = get_country(iso3)
    code = country.iso3
    detail = country_detail(country)
    page = Page(title=country.name, subtitle=f"{code} - {country.region or 'region unknown'}")
    page.facts["iso3"] = code
    page.facts["council_permanent"] = detail["council_permanent"]
    council = pl.DataFrame(
        {"year": detail["council_years"]}, schema={"year": pl.Int64}
    ).with_columns(seat=pl.lit("elected"))
    page.add(
        "council",
        "Security Council seats",
        council,
        SOURCES["registry"],
        _period(council, "year"),
    )
    memberships = [
        {
            "organization": m.organization,
            "joined": m.joined,
            "left": m.left,
        }
        for m in reference.memberships()
        if m.iso3 == code
    ]
    members = pl.DataFrame(
        memberships,
        schema={"organization": pl.Utf8, "joined": pl.Date, "left": pl.Date},
    ).sort("joined")
    page.add(
        "memberships",
        "Memberships of organizations",
        members,
        SOURCES["registry"],
        _period(members, "joined"),
    )
    if not _has_data(core):
        page.empty = True
        return page
    rows = data.contributions(contributor=code, core=core)
    deployments = (
        rows.with_columns(pl.col("mission").fill_null("(total only)"))
        .group_by("month", "mission")
        .agg(personnel=pl.col("count").sum())
        .sort("month", "mission")
    )
    page.add(
        "deployments",
        "Personnel deployed per mission",
        deployments,
        SOURCES["contributions"],
        _period(deployments),
    )
    with_mission = rows.filter(pl.col("mission").is_not_null())
    if not with_mission.is_empty():
        last = with_mission.get_column("month").max()
        assert isinstance(last, date)
        label = _month_label(last)
        latest = (
            with_mission.filter(pl.col("month") == last)
            .group_by("mission")
            .agg(
                female=pl.col("count").filter(pl.col("sex") == "female").sum(),
                total=pl.col("count").sum(),
            )
            .sort("total", "mission", descending=[True, False])
        )
        page.facts["month"] = label
        page.facts["personnel"] = int(latest.get_column("total").sum())
        page.facts["missions"] = latest.height
        page.add(
            "missions",
            f"Deployments by mission, {label}",
            latest,
            SOURCES["contributions"],
            label,
        )
    if not rows.is_empty():
        parity = analytics.parity(rows, by="contributor", contributors=code).filter(
            pl.col("female_share").is_not_null()
        )
        page.add(
            "parity",
            "Women's share against the parity targets",
            parity.select("year", "group", "female", "male", "female_share", "target", "status"),
            SOURCES["parity"],
            _period(parity, "year"),
        )
    deaths = data.fatalities(core=core).filter(pl.col("contributor") == code)
    page.facts["fatalities"] = deaths.height
    by_mission = analytics.fatality_counts(deaths, by="mission")
    page.add(
        "fatalities",
        "Fatalities of its nationals by mission",
        by_mission,
        SOURCES["fatalities"],
        _period(deaths),
    )
    return page


# --------------------------------------------------------------------------- scenarios


def world_map() -> dict[str, Any]:
    """The world's countries as a GeoJSON FeatureCollection (property ``iso3``), offline."""
    from bluehelmet.analytics.charts import world_geometry

    return {"type": "FeatureCollection", "features": list(world_geometry())}


def scenarios_page(*, draws: int = SCENARIO_DRAWS, seed: int = SCENARIO_SEED) -> Page:
    """The risk per requirement of the bundled demo scenario from ``draws`` seeded Monte Carlo
    draws, solved serially in this process (``bluehelmet.services.scenarios.run_scenario``).

    ``draws`` must lie in 1..``SCENARIO_MAX_DRAWS`` and ``seed`` in 0..2**63 - 1
    (``InputError`` otherwise). Tables:
    ``requirements`` (probability each stays unfilled, mean and 5/95 % fill against required),
    ``pledges`` (the ten most critical pledges of the plan) and ``uncertainty`` (the pledge
    uncertainty assumed per readiness level).
    """
    from bluehelmet.services.scenarios import run_scenario

    if isinstance(draws, bool) or not isinstance(draws, int):
        msg = f"draws must be a whole number, not {draws!r}"
        raise InputError(msg, field="draws")
    if not 1 <= draws <= SCENARIO_MAX_DRAWS:
        msg = f"draws must be between 1 and {SCENARIO_MAX_DRAWS}, not {draws}"
        raise InputError(msg, field="draws")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        msg = f"seed must be a whole number between 0 and 2**63 - 1, not {seed!r}"
        raise InputError(msg, field="seed")
    result = run_scenario(None, draws=draws, seed=seed, scheduler="serial")
    summary = result.draws
    assert summary is not None  # draws >= 1
    labels = sorted(set(summary.uncertainty.get_column("status").to_list()))
    assumptions = "/".join(labels) or "none"
    source = (
        f"{SOURCES['scenario']}; pledge uncertainty per readiness level: {assumptions} "
        "(no published statistic)"
    )
    period = f"{draws:,} Monte Carlo draws, seed {seed}"
    page = Page(
        title="Scenarios: risk per requirement",
        subtitle=f"The demo scenario '{result.scenario.name}' re-planned in each of {period}",
    )
    page.facts["draws"] = draws
    page.facts["seed"] = seed
    # the weighted fill objective as a share of its value with every requirement filled
    full = float((summary.requirements["weight"] * summary.requirements["required"]).sum())
    page.facts["expected_fill"] = summary.fill_mean / full if full else None
    page.facts["expected_fill_p05"] = summary.fill_p05 / full if full else None
    page.facts["expected_fill_p95"] = summary.fill_p95 / full if full else None
    page.facts["assumptions"] = assumptions
    requirements = summary.requirements.select(
        "requirement",
        "mission",
        "unit_type",
        "required",
        "fill_mean",
        "fill_p05",
        "fill_p95",
        "p_unfilled",
        "expected_shortfall",
    )
    page.facts["at_risk"] = requirements.filter(pl.col("p_unfilled") >= 0.5).height
    page.add(
        "requirements",
        "Probability each requirement stays unfilled, and mean fill against required",
        requirements,
        source,
        period,
    )
    page.add(
        "pledges",
        "Most critical pledges: probability their loss leaves a gap",
        summary.criticality.head(10),
        source,
        period,
    )
    page.add(
        "uncertainty",
        "Pledge uncertainty assumed per readiness level",
        summary.uncertainty,
        f"bluehelmet scenarios/data/uncertainty.csv ({assumptions}: no published statistic)",
        period,
    )
    return page

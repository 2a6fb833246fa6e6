"""Open-data analytics (no key): rankings, shares, concentration, parity, fatalities, mission
series and deployment locations.

Each route parses the same options as the CLI command of the same name, calls
``bluehelmet.services.analytics`` and returns one page of the answer's table as JSON (``rows``
with plain numbers and ISO dates, ``title``, ``notes``, ``source``) or, with ``format=csv``,
as ``text/csv`` (``bluehelmet.api.tables``). The answers read Parquet files and the store, so
each route runs its question in the thread pool (one hop; the route itself is ``async``).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from bluehelmet.api.deps import CoreDep, PageDep
from bluehelmet.api.tables import CSV_RESPONSES, AnswerFormat, Format, answered
from bluehelmet.errors import InputError
from bluehelmet.services import analytics as service

router = APIRouter(prefix="/analytics", tags=["open data"])

MAX_NAMES = 50
"""Most names a repeatable filter (``contributor``, ``mission``, ``category``) takes."""


class SourceFile(BaseModel):
    """An imported file in force that the answer reads."""

    dataset: str
    format: str
    file: str
    sha256: str
    month_first: date | None = None
    month_last: date | None = None


class AnalyticsAnswer(BaseModel):
    """One page of an analytics table with its title, notes and the files it comes from."""

    title: str
    notes: list[str]
    source: list[SourceFile]
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int = Field(description="Rows of the whole table.")
    limit: int
    offset: int


_MONTH = r"^[12][0-9]{3}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?$"
Month = Annotated[
    str | None, Query(pattern=_MONTH, description="One month, YYYY-MM (or a date in it).")
]
Start = Annotated[
    str | None, Query(alias="from", pattern=_MONTH, description="First month, YYYY-MM.")
]
End = Annotated[str | None, Query(alias="to", pattern=_MONTH, description="Last month, YYYY-MM.")]


def _bounded(values: list[str] | None, field: str) -> list[str] | None:
    if values is not None and len(values) > MAX_NAMES:
        msg = f"at most {MAX_NAMES} values (got {len(values)})"
        raise InputError(msg, field=field)
    return values or None


async def _contributors(
    contributor: Annotated[
        list[str] | None,
        Query(max_length=80, description="Contributor: name, ISO-3 or ISO-2 code (repeatable)."),
    ] = None,
) -> list[str] | None:
    return _bounded(contributor, "contributor")


async def _missions(
    mission: Annotated[
        list[str] | None,
        Query(max_length=80, description="Mission: acronym or name (repeatable)."),
    ] = None,
) -> list[str] | None:
    return _bounded(mission, "mission")


async def _categories(
    category: Annotated[
        list[str] | None, Query(max_length=80, description="Personnel category (repeatable).")
    ] = None,
) -> list[str] | None:
    return _bounded(category, "category")


Contributors = Annotated[list[str] | None, Depends(_contributors)]
Missions = Annotated[list[str] | None, Depends(_missions)]
Categories = Annotated[list[str] | None, Depends(_categories)]


@router.get("/rankings", response_model=AnalyticsAnswer, responses=CSV_RESPONSES)
async def rankings(
    *,
    core: CoreDep,
    page: PageDep,
    month: Month = None,
    missions: Missions = None,
    categories: Categories = None,
    by_category: Annotated[bool, Query(description="One column per category.")] = False,
    top: Annotated[int | None, Query(ge=1, le=1000, description="Only the first N.")] = None,
    fmt: Format = AnswerFormat.JSON,
) -> Any:
    """Contributors ranked by uniformed personnel in a month, as the UN ranks them."""
    question = partial(
        service.rank,
        month,
        missions=missions,
        categories=categories,
        by_category=by_category,
        top=top,
        core=core,
    )
    return await answered(question, core=core, datasets=("contributions",), page=page, fmt=fmt)


@router.get("/rankings/official", response_model=AnalyticsAnswer, responses=CSV_RESPONSES)
async def official_ranking(
    *, core: CoreDep, page: PageDep, month: Month = None, fmt: Format = AnswerFormat.JSON
) -> Any:
    """The computed ranking of a month beside the UN's published one (``matches`` per row)."""
    question = partial(service.compare_ranking, month, core=core)
    datasets = ("contributions", "official_ranking")
    return await answered(question, core=core, datasets=datasets, page=page, fmt=fmt)


@router.get("/shares", response_model=AnalyticsAnswer, responses=CSV_RESPONSES)
async def shares(
    *,
    core: CoreDep,
    page: PageDep,
    by: Annotated[
        str,
        Query(
            max_length=40,
            description="contributor, group, region, subregion, income, org, p5 or council.",
        ),
    ] = "contributor",
    org: Annotated[
        str | None, Query(min_length=1, max_length=40, description="Organization for by=org.")
    ] = None,
    start: Start = None,
    end: End = None,
    contributors: Contributors = None,
    missions: Missions = None,
    categories: Categories = None,
    trend: Annotated[bool, Query(description="Shares per year.")] = False,
    fmt: Format = AnswerFormat.JSON,
) -> Any:
    """Shares of personnel (person-months) by contributor or group over a period."""
    question = partial(
        service.shares,
        by=by,
        org=org,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
        trend=trend,
        core=core,
    )
    return await answered(question, core=core, datasets=("contributions",), page=page, fmt=fmt)


@router.get("/concentration", response_model=AnalyticsAnswer, responses=CSV_RESPONSES)
async def concentration(
    *,
    core: CoreDep,
    page: PageDep,
    start: Start = None,
    end: End = None,
    missions: Missions = None,
    categories: Categories = None,
    per_month: Annotated[bool, Query(description="One row per month.")] = False,
    fmt: Format = AnswerFormat.JSON,
) -> Any:
    """Concentration among contributors: HHI, top-5/top-10 shares and Gini."""
    question = partial(
        service.concentration,
        start=start,
        end=end,
        missions=missions,
        categories=categories,
        per_month=per_month,
        core=core,
    )
    return await answered(question, core=core, datasets=("contributions",), page=page, fmt=fmt)


@router.get("/parity", response_model=AnalyticsAnswer, responses=CSV_RESPONSES)
async def parity(
    *,
    core: CoreDep,
    page: PageDep,
    by: Annotated[
        str, Query(max_length=40, description="overall, contributor or mission.")
    ] = "overall",
    month: Month = None,
    start: Start = None,
    end: End = None,
    contributors: Contributors = None,
    missions: Missions = None,
    fmt: Format = AnswerFormat.JSON,
) -> Any:
    """Women's share per category against the Uniformed Gender Parity Strategy's targets."""
    question = partial(
        service.parity,
        by=by,
        month=month,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        core=core,
    )
    return await answered(question, core=core, datasets=("contributions",), page=page, fmt=fmt)


@router.get("/fatalities", response_model=AnalyticsAnswer, responses=CSV_RESPONSES)
async def fatalities(
    *,
    core: CoreDep,
    page: PageDep,
    by: Annotated[
        str,
        Query(
            max_length=200,
            description="Comma-separated keys: mission, contributor, year, month, "
            "incident_type, personnel_type (one of mission, contributor, year with rates).",
        ),
    ] = "mission",
    rates: Annotated[
        bool, Query(description="Rates per 1,000 personnel-years with exact intervals.")
    ] = False,
    start: Start = None,
    end: End = None,
    contributors: Contributors = None,
    missions: Missions = None,
    fmt: Format = AnswerFormat.JSON,
) -> Any:
    """Peacekeeper fatalities: counts by any keys, or rates with exact Poisson intervals."""
    question = partial(
        service.fatalities,
        by=by,
        rates=rates,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        core=core,
    )
    datasets = ("fatalities", "contributions") if rates else ("fatalities",)
    return await answered(question, core=core, datasets=datasets, page=page, fmt=fmt)


@router.get("/missions", response_model=AnalyticsAnswer, responses=CSV_RESPONSES)
async def mission_series(
    *,
    core: CoreDep,
    page: PageDep,
    start: Start = None,
    end: End = None,
    missions: Missions = None,
    categories: Categories = None,
    fmt: Format = AnswerFormat.JSON,
) -> Any:
    """Per mission and month: strength, contributors, largest and regional shares, mandate."""
    question = partial(
        service.missions, start=start, end=end, missions=missions, categories=categories, core=core
    )
    datasets = ("contributions", "mission_totals", "mandates")
    return await answered(question, core=core, datasets=datasets, page=page, fmt=fmt)


@router.get("/locations", response_model=AnalyticsAnswer, responses=CSV_RESPONSES)
async def locations(
    *,
    core: CoreDep,
    page: PageDep,
    missions: Missions = None,
    month: Month = None,
    start: Start = None,
    end: End = None,
    fmt: Format = AnswerFormat.JSON,
) -> Any:
    """Deployment locations (Geo-PKO): each mission's latest map in the month or period."""
    question = partial(
        service.locations, missions=missions, month=month, start=start, end=end, core=core
    )
    return await answered(question, core=core, datasets=("locations",), page=page, fmt=fmt)

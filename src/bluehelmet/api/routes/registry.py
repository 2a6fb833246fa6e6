"""Open data (no key): the registry of countries, missions, organizations and the data status.

The registry answers come from the reference tables in memory (no I/O), so those routes run
on the event loop; the data status reads the store and runs in the thread pool.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from bluehelmet.api.deps import CoreDep, PageDep, paged
from bluehelmet.api.schemas import Page
from bluehelmet.services import registry

router = APIRouter(tags=["open data"])

Record = dict[str, Any]


@router.get("/registry/countries", response_model=Page[Record])
async def countries(
    page: PageDep,
    un_member: bool | None = None,
    region: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
) -> dict[str, Any]:
    """Countries of the registry, filtered by UN membership or region."""
    found = registry.list_countries(un_member=un_member, region=region)
    items = [registry.country_record(c) for c in found[page.offset : page.offset + page.limit]]
    return paged(items, len(found), page)


@router.get("/registry/countries/{name}", response_model=Record)
async def country(name: Annotated[str, Path(min_length=1, max_length=80)]) -> Record:
    """One country by ISO-3 code or name, with its memberships and council seats."""
    return registry.country_detail(registry.get_country(name))


@router.get("/registry/missions", response_model=Page[Record])
async def missions(page: PageDep) -> dict[str, Any]:
    """Peace operations of the registry."""
    found = registry.list_missions()
    items = [registry.mission_record(m) for m in found[page.offset : page.offset + page.limit]]
    return paged(items, len(found), page)


@router.get("/registry/missions/{name}", response_model=Record)
async def mission(name: Annotated[str, Path(min_length=1, max_length=80)]) -> Record:
    """One mission by acronym, name or alias."""
    return registry.mission_detail(registry.get_mission(name))


@router.get("/registry/organizations", response_model=Page[Record])
async def organizations(page: PageDep) -> dict[str, Any]:
    """International and regional organizations."""
    found = registry.list_organizations()
    items = [registry.organization_record(o) for o in found[page.offset : page.offset + page.limit]]
    return paged(items, len(found), page)


@router.get("/registry/council/{year}", response_model=Page[Record])
async def council(year: Annotated[int, Path(ge=1946, le=2100)], page: PageDep) -> dict[str, Any]:
    """Members of the Security Council in ``year``."""
    found = registry.records(registry.council_members(year))
    return paged(found[page.offset : page.offset + page.limit], len(found), page)


@router.get("/data/status", response_model=Page[Record])
def data_status(core: CoreDep, page: PageDep) -> dict[str, Any]:
    """Imported contribution data in force: dataset, file, months, rows."""
    from bluehelmet.services.data import data_status as status

    found = status(core=core)
    return paged(found[page.offset : page.offset + page.limit], len(found), page)

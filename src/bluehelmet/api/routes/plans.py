"""``/plans``: planners run the planner on the stored pledges and requirements, save, compare."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from bluehelmet.api.deps import CoreDep, PageDep, PrincipalDep, paged
from bluehelmet.api.plumbing import PlanId
from bluehelmet.api.schemas import (
    Page,
    PlanComparison,
    PlanCreate,
    PlanDetail,
    PlanStatusChange,
    PlanSummary,
)
from bluehelmet.domain.cooperation import MAX_ID
from bluehelmet.services import planning as service
from bluehelmet.services.access import Role, require_role

router = APIRouter(prefix="/plans", tags=["plans"])


@router.post("", status_code=201, response_model=PlanSummary)
def create_plan(body: PlanCreate, core: CoreDep, principal: PrincipalDep) -> dict[str, Any]:
    """Plan the stored pledges against the stored requirements and save it as a draft."""
    require_role(principal, Role.PLANNER, Role.ADMIN)
    scenario = service.stored_scenario(
        core, name=body.name, request_date=body.request_date, budget=body.budget
    )
    result = service.run_plan(scenario, time_limit=body.time_limit, explain=body.explain)
    return service.save_plan(
        core, result, name=body.name, source="store", principal=principal, budget=body.budget
    )


@router.get("", response_model=Page[PlanSummary])
def list_plans(core: CoreDep, principal: PrincipalDep, page: PageDep) -> dict[str, Any]:
    """Saved plans the caller may see (drafts: planners only), newest first."""
    items, total = service.list_plans(core, principal, limit=page.limit, offset=page.offset)
    return paged(items, total, page)


@router.get("/compare", response_model=PlanComparison)
def compare_plans(
    core: CoreDep,
    principal: PrincipalDep,
    first: Annotated[int, Query(ge=1, le=MAX_ID)],
    second: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> dict[str, Any]:
    """Objectives and assignments of two plans side by side (planners)."""
    return service.compare_plans(core, principal, first, second)


@router.get("/{plan_id}", response_model=PlanDetail)
def get_plan(plan_id: PlanId, core: CoreDep, principal: PrincipalDep) -> dict[str, Any]:
    """A plan: a delegation sees the published gaps and the requests addressed to its state."""
    return service.get_plan(core, principal, plan_id)


@router.patch("/{plan_id}", response_model=PlanSummary)
def set_status(
    plan_id: PlanId, body: PlanStatusChange, core: CoreDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Move a plan to draft, proposed, approved or superseded (planners)."""
    return service.set_plan_status(core, principal, plan_id, body.status.value)

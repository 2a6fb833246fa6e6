"""Planning use cases shared by the CLI and the REST API.

Run the force-generation planner on a scenario or on the store's pledges and requirements,
save a plan to the store's plan tables (a self-contained record: codes, contributors and
missions are copied beside the optional links to stored rows), list, show and compare saved
plans. Visibility: planners and admins see every plan in full; once a plan is proposed or
approved, a delegation sees its gaps and the requests addressed to its own state, and analysts
and partners see its gaps; drafts are visible to planners and admins only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bluehelmet.domain.cooperation import MAX_ID, PlanStatus
from bluehelmet.domain.planning import (
    Contributor,
    MissionSite,
    Plan,
    Pledge,
    Policy,
    ReadinessLevel,
    Requirement,
    Scenario,
    UnitSpec,
)
from bluehelmet.errors import ConflictError, InputError, NotFoundError
from bluehelmet.services.access import SYSTEM_ACTOR, Principal, Role, require_role
from bluehelmet.services.core import Core
from bluehelmet.services.idempotency import as_utc, jsonable
from bluehelmet.services.writes import write_session
from bluehelmet.store.access import record_change
from bluehelmet.store.planning import (
    PlanAssignmentRow,
    PlanGapRow,
    PlanRow,
    PledgeRow,
    RequirementRow,
)

__all__ = [
    "PUBLISHED",
    "compare_plans",
    "demo_scenario",
    "get_plan",
    "list_plans",
    "load_scenario",
    "plan_record",
    "plan_to_dict",
    "run_plan",
    "save_plan",
    "set_plan_status",
    "stored_scenario",
]

PUBLISHED = (PlanStatus.PROPOSED.value, PlanStatus.APPROVED.value)
MAX_TIME_LIMIT = 600.0

Progress = Callable[[str, int, int], None]


def stored_scenario(
    core: Core,
    *,
    name: str = "stored pledges and requirements",
    request_date: date | None = None,
    budget: float | None = None,
) -> Scenario:
    """The scenario of the store: every requirement and every pledge not withdrawn."""
    from bluehelmet.reference.countries import country
    from bluehelmet.reference.missions import mission
    from bluehelmet.reference.units import unit_types

    with core.session() as session:
        requirements = session.scalars(select(RequirementRow).order_by(RequirementRow.id)).all()
        pledges = session.scalars(
            select(PledgeRow).where(PledgeRow.withdrawn.is_(False)).order_by(PledgeRow.id)
        ).all()
    if not requirements:
        msg = "the store holds no requirements: planners publish them first"
        raise InputError(msg, field="requirements")
    if not pledges:
        msg = "the store holds no active pledges: delegations pledge units first"
        raise InputError(msg, field="pledges")
    uncosted = [p.code for p in pledges if p.cost_per_unit is None]
    if uncosted:
        shown = ", ".join(uncosted[:5]) + (
            f" and {len(uncosted) - 5} more" if len(uncosted) > 5 else ""
        )
        msg = (
            f"pledges {shown} state no cost_per_unit, and the registry holds no capital or "
            "mission HQ coordinates to estimate transport: state a cost per unit first"
        )
        raise InputError(msg, field="cost_per_unit")
    sites = []
    for acronym in sorted({r.mission for r in requirements}):
        m = mission(acronym)
        hosts = tuple(m.hosts)
        region = country(hosts[0]).region if hosts else None
        sites.append(MissionSite(acronym=m.acronym, hosts=hosts, name=m.name, region=region))
    contributors = []
    for iso3 in sorted({p.contributor for p in pledges}):
        c = country(iso3)
        contributors.append(Contributor(iso3=c.iso3, name=c.name, region=c.region))
    return Scenario(
        name=name,
        policy=Policy(request_date=request_date or date.today(), budget=budget),
        unit_types=tuple(
            UnitSpec(code=u.code, name=u.name, personnel=u.typical_size, enabler=u.enabler)
            for u in unit_types()
        ),
        missions=tuple(sites),
        requirements=tuple(
            Requirement(
                id=r.code,
                mission=r.mission,
                unit_type=r.unit_type,
                units=r.units,
                needed_by=r.needed_by,
                priority=r.priority,
                languages=tuple(r.languages),
                min_women_share=r.min_women_share,
                capabilities=tuple(r.capabilities),
                tasks=tuple(r.tasks),
            )
            for r in requirements
        ),
        pledges=tuple(
            Pledge(
                id=p.code,
                contributor=p.contributor,
                unit_type=p.unit_type,
                units=p.units,
                readiness=ReadinessLevel(p.readiness),
                available_from=p.available_from,
                women_share=p.women_share,
                languages=tuple(p.languages),
                capabilities=tuple(p.capabilities),
                excluded_missions=tuple(p.excluded_missions),
                excluded_hosts=tuple(p.excluded_hosts),
                excluded_tasks=tuple(p.excluded_tasks),
                cost_per_unit=p.cost_per_unit,
            )
            for p in pledges
        ),
        contributors=tuple(contributors),
    )


def run_plan(
    scenario: Scenario,
    *,
    time_limit: float = 60.0,
    explain: bool = True,
    progress: Progress | None = None,
    partnerships: bool = True,
    cap: float | None = MAX_TIME_LIMIT,
) -> Plan:
    """Plan ``scenario`` with the force-generation planner.

    ``cap`` bounds ``time_limit`` (the REST service keeps the default; the CLI passes None).
    ``partnerships=False`` plans with no partnership offer activated.
    """
    upper = cap if cap is not None else float("inf")
    if not 0 < time_limit <= upper:
        msg = f"must be more than 0 and at most {upper:g} seconds"
        raise InputError(msg, field="time_limit")
    from bluehelmet.forcegen import plan

    return plan(
        scenario,
        time_limit=time_limit,
        explain=explain,
        progress=progress,
        partnerships=partnerships,
    )


def load_scenario(path: str | Path) -> Scenario:
    """The scenario in the YAML or JSON file ``path``, checked (file and field in errors)."""
    from bluehelmet.forcegen import load_scenario as _load

    return _load(path)


def demo_scenario() -> Scenario:
    """The bundled illustrative scenario."""
    from bluehelmet.forcegen import demo_scenario as _demo

    return _demo()


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """``plan`` as plain data: assignments, gaps, partnerships, quality (strict JSON)."""
    from bluehelmet.forcegen import plan_to_dict as _to_dict

    return _to_dict(plan)


def plan_record(row: PlanRow) -> dict[str, Any]:
    """A saved plan's summary: status, objectives, bound, gap, baseline."""
    return {
        "id": row.id,
        "name": row.name,
        "scenario": row.scenario,
        "source": row.source,
        "status": row.status,
        "created_at": as_utc(row.created_at),
        "created_by": row.created_by,
        "method": row.method,
        "solver_status": row.solver_status,
        "optimal": row.optimal,
        "fill": row.fill,
        "legitimacy": row.legitimacy,
        "cost_usd": row.cost_usd,
        "lp_bound": row.lp_bound,
        "mip_gap": row.mip_gap,
        "baseline_fill": row.baseline_fill,
        "baseline_legitimacy": row.baseline_legitimacy,
        "baseline_cost_usd": row.baseline_cost_usd,
        "solve_seconds": row.solve_seconds,
        "notes": list(row.notes),
    }


def save_plan(
    core: Core,
    result: Plan,
    *,
    name: str,
    source: str = "scenario",
    principal: Principal | None = None,
    budget: float | None = None,
) -> dict[str, Any]:
    """Store ``result`` under ``name`` (unique) and return its summary."""
    name = name.strip()
    if not name or len(name) > 120:
        msg = "a plan name has 1 to 120 characters"
        raise InputError(msg, field="name")
    if principal is not None:
        require_role(principal, Role.PLANNER, Role.ADMIN)
    actor = principal.name if principal is not None else SYSTEM_ACTOR
    q = result.quality
    try:
        with write_session(core) as session:
            if session.scalar(select(PlanRow.id).where(PlanRow.name == name)) is not None:
                msg = f"a plan named {name!r} already exists"
                raise ConflictError(msg)
            requirement_ids: dict[str, int] = {}
            pledge_ids: dict[str, int] = {}
            if source == "store":
                for code, ident in session.execute(select(RequirementRow.code, RequirementRow.id)):
                    requirement_ids[code] = ident
                for code, ident in session.execute(select(PledgeRow.code, PledgeRow.id)):
                    pledge_ids[code] = ident
            row = PlanRow(
                name=name,
                scenario=result.scenario,
                created_at=datetime.now(UTC),
                status=PlanStatus.DRAFT.value,
                method=q.method,
                solver_status=q.status,
                optimal=q.optimal,
                fill=q.objective.fill,
                legitimacy=q.objective.legitimacy,
                cost_usd=q.objective.cost,
                lp_bound=q.bound,
                mip_gap=q.mip_gap,
                baseline_fill=q.baseline.fill,
                baseline_legitimacy=q.baseline.legitimacy,
                baseline_cost_usd=q.baseline.cost,
                solve_seconds=q.solve_seconds,
                policy={"budget": budget},
                notes=list(result.notes),
                source=source,
                created_by=actor,
            )
            session.add(row)
            session.flush()
            for a in result.assignments:
                session.add(
                    PlanAssignmentRow(
                        plan_id=row.id,
                        requirement_id=requirement_ids.get(a.requirement),
                        pledge_id=pledge_ids.get(a.pledge),
                        requirement_code=a.requirement,
                        pledge_code=a.pledge,
                        contributor=a.contributor,
                        mission=a.mission,
                        unit_type=a.unit_type,
                        units=a.units,
                        personnel=a.personnel,
                        arrival=a.arrival,
                        late_days=a.late_days,
                        cost_usd=a.cost_usd,
                    )
                )
            for g in result.gaps:
                session.add(
                    PlanGapRow(
                        plan_id=row.id,
                        requirement_id=requirement_ids.get(g.requirement),
                        requirement_code=g.requirement,
                        mission=g.mission,
                        unit_type=g.unit_type,
                        required=g.required,
                        filled=g.filled,
                        late_units=g.late_units,
                        reasons=[
                            {
                                "cause": r.cause.value,
                                "detail": r.detail,
                                "recoverable_units": r.recoverable_units,
                                "verified": r.verified,
                            }
                            for r in g.reasons
                        ],
                    )
                )
            summary = plan_record(row)
            record_change(
                session,
                actor=actor,
                user_id=principal.user_id if principal is not None else None,
                action="create",
                entity="plan",
                entity_id=row.id,
                after=jsonable(summary),
            )
            return summary
    except IntegrityError as exc:
        msg = f"a plan named {name!r} already exists"
        raise ConflictError(msg) from exc


def _visible(principal: Principal | None) -> Any:
    if principal is None or principal.has(Role.PLANNER, Role.ADMIN):
        return True
    return PlanRow.status.in_(PUBLISHED)


def _plan_id(ident: int | str) -> int | None:
    """The id ``ident`` gives (an int, or ASCII digits), or None when it can name no plan."""
    if isinstance(ident, str):
        if not (ident.isascii() and ident.isdigit()):
            return None
        ident = int(ident)
    return ident if 1 <= ident <= MAX_ID else None


def _find(session: Session, principal: Principal | None, ident: int | str) -> PlanRow:
    plan_id = _plan_id(ident)
    matches = [PlanRow.id == plan_id] if plan_id is not None else []
    if isinstance(ident, str):
        matches.append(PlanRow.name == ident)
    if not matches:
        raise NotFoundError("plan", ident)
    condition = or_(*matches)
    row = session.scalars(select(PlanRow).where(condition, _visible(principal))).one_or_none()
    if row is None:
        raise NotFoundError("plan", ident)
    return row


def list_plans(
    core: Core, principal: Principal | None = None, *, limit: int | None = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """Saved plans the caller may see, newest first (``principal`` None: the CLI, all)."""
    with core.session() as session:
        where = _visible(principal)
        total = session.scalar(select(func.count()).select_from(PlanRow).where(where))
        query = select(PlanRow).where(where).order_by(PlanRow.id.desc()).offset(offset)
        rows = session.scalars(query if limit is None else query.limit(limit)).all()
        return [plan_record(r) for r in rows], int(total or 0)


def get_plan(core: Core, principal: Principal | None, ident: int | str) -> dict[str, Any]:
    """A saved plan with its assignments and gaps, as far as the caller may see them."""
    with core.session() as session:
        row = _find(session, principal, ident)
        assignments = session.scalars(
            select(PlanAssignmentRow)
            .where(PlanAssignmentRow.plan_id == row.id)
            .order_by(PlanAssignmentRow.mission, PlanAssignmentRow.requirement_code)
        ).all()
        gaps = session.scalars(
            select(PlanGapRow).where(PlanGapRow.plan_id == row.id).order_by(PlanGapRow.id)
        ).all()
        if principal is not None and principal.role is Role.DELEGATION:
            assignments = [a for a in assignments if a.contributor == principal.iso3]
        elif principal is not None and not principal.has(Role.PLANNER, Role.ADMIN):
            assignments = []
        return plan_record(row) | {
            "assignments": [
                {
                    "requirement": a.requirement_code,
                    "pledge": a.pledge_code,
                    "contributor": a.contributor,
                    "mission": a.mission,
                    "unit_type": a.unit_type,
                    "units": a.units,
                    "personnel": a.personnel,
                    "arrival": a.arrival,
                    "late_days": a.late_days,
                    "cost_usd": a.cost_usd,
                }
                for a in assignments
            ],
            "gaps": [
                {
                    "requirement": g.requirement_code,
                    "mission": g.mission,
                    "unit_type": g.unit_type,
                    "required": g.required,
                    "filled": g.filled,
                    "late_units": g.late_units,
                    "reasons": list(g.reasons),
                }
                for g in gaps
            ],
        }


def set_plan_status(
    core: Core, principal: Principal, ident: int | str, status: str
) -> dict[str, Any]:
    """Move a plan to ``status`` (draft, proposed, approved, superseded); planners, admins."""
    require_role(principal, Role.PLANNER, Role.ADMIN)
    try:
        new = PlanStatus(status)
    except ValueError:
        known = ", ".join(s.value for s in PlanStatus)
        msg = f"unknown plan status {status!r}; known: {known}"
        raise InputError(msg, field="status") from None
    with write_session(core) as session:
        row = _find(session, principal, ident)
        before = jsonable(plan_record(row))
        row.status = new.value
        session.flush()
        after = jsonable(plan_record(row))
        record_change(
            session,
            actor=principal.name,
            user_id=principal.user_id,
            action="status",
            entity="plan",
            entity_id=row.id,
            before=before,
            after=after,
        )
        return plan_record(row)


_OBJECTIVES = ("fill", "legitimacy", "cost_usd", "lp_bound", "mip_gap", "solve_seconds")


def compare_plans(
    core: Core, principal: Principal | None, first: int | str, second: int | str
) -> dict[str, Any]:
    """Objectives side by side and the units each requirement gets from each contributor."""
    if principal is not None:
        require_role(principal, Role.PLANNER, Role.ADMIN)
    a = get_plan(core, principal, first)
    b = get_plan(core, principal, second)
    units: dict[tuple[str, str, str], list[int]] = {}
    for index, p in enumerate((a, b)):
        for x in p["assignments"]:
            key = (x["mission"], x["requirement"], x["contributor"])
            units.setdefault(key, [0, 0])[index] += x["units"]
    gaps: dict[str, list[int]] = {}
    for index, p in enumerate((a, b)):
        for g in p["gaps"]:
            gaps.setdefault(g["requirement"], [0, 0])[index] += g["required"] - g["filled"]
    return {
        "first": {k: a[k] for k in ("id", "name", "status")},
        "second": {k: b[k] for k in ("id", "name", "status")},
        "objectives": [{"objective": k, "first": a[k], "second": b[k]} for k in _OBJECTIVES],
        "assignments": [
            {
                "mission": m,
                "requirement": r,
                "contributor": c,
                "first_units": v[0],
                "second_units": v[1],
                "change": v[1] - v[0],
            }
            for (m, r, c), v in sorted(units.items())
            if v[0] != v[1]
        ],
        "gaps": [
            {"requirement": r, "first_missing": v[0], "second_missing": v[1]}
            for r, v in sorted(gaps.items())
        ],
    }

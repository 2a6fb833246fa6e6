"""``check_scenario``: the consistency check every scenario passes before a model is built.

It runs on every path (a file, a dict, or a :class:`Scenario` built in Python) and checks what
the types cannot: unique ids, references between sections, names of states against the
registry (or the scenario's own ``contributors``), numbers that are finite and in range, and
dates that exist (a lead time or an allowance of late days so large that a date overflows is
refused). The first problem is raised naming its field (and file and line for files): an
unknown state name as :class:`UnknownScenarioNameError` (an ``UnknownNameError`` with
suggestions), anything else as :class:`~bluehelmet.errors.InputError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from bluehelmet.domain.planning import PLANNED_KINDS, PartnershipKind, ReadinessLevel, Scenario
from bluehelmet.errors import InputError, UnknownNameError
from bluehelmet.forcegen.partnerships import partner_code

#: Largest number of units a requirement or pledge may state (and days a lead time may have).
MAX_UNITS = 10**9
MAX_DAYS = 100_000

Location = tuple[int | str, ...]


class UnknownScenarioNameError(UnknownNameError, InputError):
    """A state name in a scenario that neither the registry nor the scenario declares."""

    def __init__(
        self,
        kind: str,
        name: str,
        known: Iterable[str],
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        UnknownNameError.__init__(self, kind, name, known)
        message = str(self)
        InputError.__init__(self, message, file=file, line=line, field=field)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a scenario: what, where, and for an unknown name its kind and name."""

    message: str
    location: Location
    unknown: tuple[str, str] | None = None  # (kind, name)


def location_text(parts: Sequence[int | str]) -> str:
    """``("pledges", 3, "units")`` as ``pledges[3].units``."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


@lru_cache(maxsize=1)
def registry_states() -> frozenset[str]:
    """ISO-3 codes of the states in the reference registry."""
    from bluehelmet.reference import countries

    return frozenset(c.iso3 for c in countries())


def _is_count(value: object, low: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= MAX_UNITS


def _is_real(value: object, low: float = 0.0, high: float = math.inf) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and low <= value <= high
    )


def _add_days(day: date, days: int) -> date | None:
    try:
        return day + timedelta(days=days)
    except (OverflowError, ValueError):
        return None


def scenario_problems(sc: Scenario) -> list[Problem]:
    """Every problem of ``sc`` (empty: consistent)."""
    out: list[Problem] = _name_problems(sc)  # an unknown name explains what follows from it

    def unique(section: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i, key in enumerate(ids):
            if key in seen:
                out.append(Problem(f"duplicate {key!r}", (section, i)))
            seen.add(key)

    unique("unit_types", [u.code for u in sc.unit_types])
    unique("contributors", [c.iso3 for c in sc.contributors])
    unique("missions", [m.acronym for m in sc.missions])
    unique("requirements", [r.id for r in sc.requirements])
    unique("pledges", [p.id for p in sc.pledges])
    policy = sc.policy
    if policy.budget is not None and not _is_real(policy.budget):
        out.append(Problem("budget must be a finite number >= 0", ("policy", "budget")))
    if policy.max_contributor_share is not None and not _is_real(
        policy.max_contributor_share, 0.0, 1.0
    ):
        out.append(Problem("must be a share between 0 and 1", ("policy", "max_contributor_share")))
    if not _is_count(policy.min_contributors, 1):
        out.append(Problem("must be a whole number >= 1", ("policy", "min_contributors")))
    for name in (
        "diversity_weight",
        "regional_weight",
        "language_weight",
        "women_weight",
        "transport_usd_per_person_km",
        "delay_usd_per_unit_day",
    ):
        if not _is_real(getattr(policy, name)):
            out.append(Problem("must be a finite number >= 0", ("policy", name)))
    if policy.reimbursement_rate is not None and not _is_real(policy.reimbursement_rate):
        out.append(Problem("must be a finite number >= 0", ("policy", "reimbursement_rate")))
    for prio, weight in policy.priority_weights.items():
        if not _is_count(weight, 1):
            out.append(Problem("must be a whole number >= 1", ("policy", "priority_weights", prio)))
    if not _is_count(policy.allow_late_days) or policy.allow_late_days > MAX_DAYS:
        out.append(
            Problem(f"must be whole days from 0 to {MAX_DAYS:,}", ("policy", "allow_late_days"))
        )
    for level in ReadinessLevel:
        days = policy.lead_time_days.get(level)
        where: Location = ("policy", "lead_time_days", level.value)
        if days is None:
            out.append(Problem(f"no lead time for {level.value}", where))
        elif not _is_count(days) or days > MAX_DAYS:
            out.append(Problem(f"must be whole days from 0 to {MAX_DAYS:,}", where))
        elif _add_days(policy.request_date, days) is None:
            out.append(Problem("the arrival date overflows the calendar", where))
    units = {u.code for u in sc.unit_types}
    for i, u in enumerate(sc.unit_types):
        if not _is_count(u.personnel, 1):
            out.append(Problem("must be a whole number >= 1", ("unit_types", i, "personnel")))
    missions = {m.acronym for m in sc.missions}
    contributors = {c.iso3: c for c in sc.contributors}
    late = policy.allow_late_days if _is_count(policy.allow_late_days) else 0
    for i, r in enumerate(sc.requirements):
        if r.mission not in missions:
            out.append(Problem(f"unknown mission {r.mission!r}", ("requirements", i, "mission")))
        if r.unit_type not in units:
            out.append(
                Problem(f"unknown unit type {r.unit_type!r}", ("requirements", i, "unit_type"))
            )
        if not _is_count(r.units, 1):
            out.append(
                Problem(
                    f"must be a whole number from 1 to {MAX_UNITS:,}", ("requirements", i, "units")
                )
            )
        if not _is_real(r.min_women_share, 0.0, 1.0):
            out.append(
                Problem("must be a share between 0 and 1", ("requirements", i, "min_women_share"))
            )
        if r.priority not in policy.priority_weights:
            known = ", ".join(str(k) for k in sorted(policy.priority_weights))
            out.append(
                Problem(
                    f"priority {r.priority} has no weight (policy.priority_weights: {known})",
                    ("requirements", i, "priority"),
                )
            )
        if _add_days(r.needed_by, late) is None:
            out.append(
                Problem(
                    "needed_by plus policy.allow_late_days overflows the calendar",
                    ("requirements", i, "needed_by"),
                )
            )
    for i, p in enumerate(sc.pledges):
        if p.unit_type not in units:
            out.append(Problem(f"unknown unit type {p.unit_type!r}", ("pledges", i, "unit_type")))
        if not _is_count(p.units, 1):
            out.append(
                Problem(f"must be a whole number from 1 to {MAX_UNITS:,}", ("pledges", i, "units"))
            )
        if not _is_real(p.women_share, 0.0, 1.0):
            out.append(Problem("must be a share between 0 and 1", ("pledges", i, "women_share")))
        if p.cost_per_unit is not None and not _is_real(p.cost_per_unit):
            out.append(Problem("must be a finite number >= 0", ("pledges", i, "cost_per_unit")))
        if p.cost_per_unit is None:
            who = contributors.get(p.contributor)
            if who is None or who.capital is None:
                out.append(
                    Problem(
                        f"no cost_per_unit and no capital coordinates for contributor "
                        f"{p.contributor!r} (declare it under contributors with capital)",
                        ("pledges", i, "cost_per_unit"),
                    )
                )
        for k, name in enumerate(p.excluded_missions):
            if name not in missions:
                out.append(
                    Problem(f"unknown mission {name!r}", ("pledges", i, "excluded_missions", k))
                )
    if any(p.cost_per_unit is None for p in sc.pledges):
        for i, site in enumerate(sc.missions):
            if site.hq is None:
                out.append(
                    Problem(
                        "hq coordinates are needed by the distance cost model",
                        ("missions", i, "hq"),
                    )
                )
    out.extend(partnership_problems(sc))
    return out


def partnership_problems(sc: Scenario) -> list[Problem]:
    """Offers and pledge needs: unique offer ids, registry partners, declared unit types and
    missions, finite amounts, one need per kind and only the kinds a pledge can need."""
    out: list[Problem] = []
    units = {u.code for u in sc.unit_types}
    missions = {m.acronym for m in sc.missions}
    seen: set[str] = set()

    def partner(name: str, where: Location) -> None:
        try:
            partner_code(name)
        except UnknownNameError as exc:
            out.append(Problem(str(exc), where))

    for i, o in enumerate(sc.partnerships):
        if o.id in seen:
            out.append(Problem(f"duplicate {o.id!r}", ("partnerships", i, "id")))
        seen.add(o.id)
        partner(o.partner, ("partnerships", i, "partner"))
        for name in ("capacity", "cost_usd"):
            if not _is_real(getattr(o, name)):
                out.append(Problem("must be a finite number >= 0", ("partnerships", i, name)))
        if not _is_count(o.lead_time_days) or o.lead_time_days > MAX_DAYS:
            out.append(
                Problem(
                    f"must be whole days from 0 to {MAX_DAYS:,}",
                    ("partnerships", i, "lead_time_days"),
                )
            )
        for k, code in enumerate(o.beneficiary.unit_types):
            if code not in units:
                out.append(
                    Problem(
                        f"unknown unit type {code!r}",
                        ("partnerships", i, "beneficiary", "unit_types", k),
                    )
                )
        for k, name in enumerate(o.beneficiary.missions):
            if name not in missions:
                out.append(
                    Problem(
                        f"unknown mission {name!r}",
                        ("partnerships", i, "beneficiary", "missions", k),
                    )
                )
    for name, usd in sc.policy.partner_budgets.items():
        partner(name, ("policy", "partner_budgets", name))
        if not _is_real(usd):
            out.append(Problem("must be a finite number >= 0", ("policy", "partner_budgets", name)))
    for i, p in enumerate(sc.pledges):
        kinds: list[PartnershipKind] = []
        for k, need in enumerate(p.needs):
            where: Location = ("pledges", i, "needs", k)
            if need.kind not in PLANNED_KINDS:
                planned = ", ".join(x.value for x in PLANNED_KINDS)
                out.append(Problem(f"a pledge can need {planned}, not {need.kind.value}", where))
            if need.kind in kinds:
                out.append(Problem(f"a second {need.kind.value} need (one per kind)", where))
            kinds.append(need.kind)
            if not _is_real(need.amount) or need.amount <= 0:
                out.append(Problem("must be a finite number > 0", (*where, "amount")))
            if need.kind is PartnershipKind.TRAINING and need.readiness is None:
                out.append(Problem("a training need gives the level reached once trained", where))
            if need.delay_days is not None and (
                not _is_count(need.delay_days) or need.delay_days > MAX_DAYS
            ):
                out.append(
                    Problem(f"must be whole days from 0 to {MAX_DAYS:,}", (*where, "delay_days"))
                )
    return out


def _name_problems(sc: Scenario) -> list[Problem]:
    """State names that neither the registry nor the scenario's contributors declare."""
    known = registry_states() | {c.iso3 for c in sc.contributors}
    out: list[Problem] = []

    def check(kind: str, name: str, where: Location) -> None:
        if name not in known:
            out.append(Problem(f"unknown {kind} {name!r}", where, (kind, name)))

    for i, p in enumerate(sc.pledges):
        check("contributor", p.contributor, ("pledges", i, "contributor"))
        for k, name in enumerate(p.excluded_hosts):
            check("host state", name, ("pledges", i, "excluded_hosts", k))
    for i, m in enumerate(sc.missions):
        for field in ("hosts", "neighbours", "parties"):
            kind = "host state" if field == "hosts" else "state"
            for k, name in enumerate(getattr(m, field)):
                check(kind, name, ("missions", i, field, k))
    for k, name in enumerate(sc.policy.excluded_parties):
        check("state", name, ("policy", "excluded_parties", k))
    return out


def check_scenario(
    sc: Scenario,
    *,
    file: str | Path | None = None,
    line_of: Callable[[Location], int | None] | None = None,
) -> Scenario:
    """Raise on the first problem of ``sc`` (see the module); return ``sc`` when consistent."""
    problems = scenario_problems(sc)
    if not problems:
        return sc
    first = problems[0]
    line = line_of(first.location) if line_of is not None else None
    field = location_text(first.location)
    if first.unknown is not None:
        kind, name = first.unknown
        known = registry_states() | {c.iso3 for c in sc.contributors}
        raise UnknownScenarioNameError(kind, name, sorted(known), file=file, line=line, field=field)
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    raise InputError(first.message + more, file=file, line=line, field=field)

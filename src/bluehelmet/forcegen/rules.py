"""Static hard rules: which pledge may fill which requirement, and why not.

Each rule is a pure function of one (pledge, requirement) pair. The rules that bind several
pairs at once (contributor cap, minimum contributors, budget, women's share) are constraints of
the model (:mod:`bluehelmet.forcegen.model`) and are checked on plans by
:func:`bluehelmet.testing.check_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bluehelmet.domain.planning import GapCause, MissionSite, Pledge, Policy, Requirement

#: Causes that exclude a (pledge, requirement) pair on their own, in reporting order.
STATIC_CAUSES: tuple[GapCause, ...] = (
    GapCause.CAVEAT,
    GapCause.IMPARTIALITY,
    GapCause.READINESS,
    GapCause.LANGUAGE,
    GapCause.CAPABILITY,
)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Why one pledge may not fill one requirement."""

    cause: GapCause
    detail: str


def arrival(pledge: Pledge, policy: Policy) -> date:
    """Earliest arrival: lead time of the readiness level after the request, or availability."""
    ready = policy.request_date + timedelta(days=policy.lead_time(pledge.readiness))
    return max(ready, pledge.available_from)


def exclusions(
    pledge: Pledge, requirement: Requirement, mission: MissionSite, policy: Policy
) -> tuple[Exclusion, ...]:
    """Every static rule that forbids ``pledge`` from filling ``requirement`` (empty: allowed).

    The pair must have the same unit type; callers only ask about such pairs.
    """
    out: list[Exclusion] = []
    who = pledge.contributor
    if requirement.mission in pledge.excluded_missions:
        out.append(Exclusion(GapCause.CAVEAT, f"{who} excludes mission {requirement.mission}"))
    hosts = sorted(set(mission.hosts) & set(pledge.excluded_hosts))
    if hosts:
        out.append(Exclusion(GapCause.CAVEAT, f"{who} excludes host state {', '.join(hosts)}"))
    tasks = sorted(set(requirement.tasks) & set(pledge.excluded_tasks))
    if tasks:
        out.append(Exclusion(GapCause.CAVEAT, f"{who} excludes task {', '.join(tasks)}"))
    if policy.exclude_host and who in mission.hosts:
        out.append(Exclusion(GapCause.IMPARTIALITY, f"{who} is the host state"))
    if policy.exclude_neighbours and who in mission.neighbours:
        out.append(Exclusion(GapCause.IMPARTIALITY, f"{who} neighbours the host state"))
    if who in mission.parties or who in policy.excluded_parties:
        out.append(Exclusion(GapCause.IMPARTIALITY, f"{who} is a party to the conflict"))
    arrives = arrival(pledge, policy)
    latest = requirement.needed_by + timedelta(days=policy.allow_late_days)
    if arrives > latest:
        out.append(
            Exclusion(
                GapCause.READINESS,
                f"{who} ({pledge.readiness.value}) arrives {arrives.isoformat()}, "
                f"needed by {requirement.needed_by.isoformat()}",
            )
        )
    if requirement.languages and not set(requirement.languages) & set(pledge.languages):
        out.append(
            Exclusion(GapCause.LANGUAGE, f"{who} speaks none of {', '.join(requirement.languages)}")
        )
    missing = sorted(set(requirement.capabilities) - set(pledge.capabilities))
    if missing:
        out.append(Exclusion(GapCause.CAPABILITY, f"{who} lacks {', '.join(missing)}"))
    return tuple(out)

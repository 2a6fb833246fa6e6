"""Cooperation vocabulary: who may do what, PCRS visits and the life cycle of a plan."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["PlanStatus", "Role", "VisitKind"]


MAX_ID = 2**31 - 1
"""The largest id a stored record can have (PostgreSQL ``INTEGER``); a larger one names none."""


class Role(StrEnum):
    """What a user may see and change.

    ``admin`` manages users and reads the audit log; ``planner`` sees every pledge and
    publishes requirements and plans; ``delegation`` (bound to one state) sees and edits only
    its state's pledges; ``partner`` (bound to an organization or a state) manages its own
    offers; ``analyst`` reads aggregates only.
    """

    ADMIN = "admin"
    PLANNER = "planner"
    DELEGATION = "delegation"
    PARTNER = "partner"
    ANALYST = "analyst"


class PlanStatus(StrEnum):
    """Life cycle of a force-generation plan."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    APPROVED = "approved"
    SUPERSEDED = "superseded"


class VisitKind(StrEnum):
    """PCRS visits to a pledged unit."""

    ASSESSMENT = "assessment"
    ADVISORY = "advisory"
    VERIFICATION = "verification"

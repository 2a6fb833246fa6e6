"""Shocks: data (YAML or JSON) that change a scenario; they compose in file order.

A shock file holds ``shocks`` (a list, each with a ``kind``) and optionally ``uncertainty``
(per-level and per-pledge overrides of the deployment probability and mean delay)::

    shocks:
      - {kind: withdraw, contributor: GHA, mission: MINUSCA}   # or no mission: all
      - {kind: caveat, contributor: NPL, excluded_tasks: [protection]}
      - {kind: budget_cut, share: 0.15}
      - {kind: readiness_slip, days: 45, level: level_2}
      - {kind: requirements, mission: MONUSCO, factor: 1.25}
      - {kind: neighbours_become_parties, mission: MINUSCA}
      - {kind: partner_withdraws, partner: USA}   # or offer: LIFT-C17 (one offer)
    uncertainty:
      levels: {level_1: {p_deploy: 0.4, delay_mean_days: 120}}
      pledges: {P07: {p_deploy: 0.2}}

Files are validated like scenarios: errors name the file, line and field. References to the
scenario (contributors, missions, pledges, unit types) are checked when the shocks are applied.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bluehelmet.domain.planning import Pledge, ReadinessLevel, Requirement, Scenario
from bluehelmet.errors import InputError
from bluehelmet.forcegen.partnerships import partner_code
from bluehelmet.forcegen.rules import arrival
from bluehelmet.scenarios.uncertainty import (
    DEFAULT_UNCERTAINTY,
    LevelUncertainty,
    PledgeOverride,
    Uncertainty,
)

Code = Annotated[str, Field(min_length=1)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Withdraw(_Strict):
    """A contributor withdraws its pledges from one mission, or from every mission."""

    kind: Literal["withdraw"]
    contributor: Code
    mission: Code | None = None


class Caveat(_Strict):
    """A contributor (or one pledge) adds caveats: missions, host states or tasks excluded."""

    kind: Literal["caveat"]
    contributor: Code
    pledge: Code | None = None
    excluded_missions: tuple[Code, ...] = ()
    excluded_hosts: tuple[Code, ...] = ()
    excluded_tasks: tuple[Code, ...] = ()

    @model_validator(mode="after")
    def _something(self) -> Caveat:
        if not (self.excluded_missions or self.excluded_hosts or self.excluded_tasks):
            msg = "a caveat needs excluded_missions, excluded_hosts or excluded_tasks"
            raise ValueError(msg)
        return self


class BudgetCut(_Strict):
    """The budget shrinks by ``share`` (of the policy budget, or of the baseline plan's spend)."""

    kind: Literal["budget_cut"]
    share: Share


class ReadinessSlip(_Strict):
    """Lead times slip by ``days``: for one level, one contributor, or every pledge."""

    kind: Literal["readiness_slip"]
    days: Annotated[int, Field(ge=0)]
    level: ReadinessLevel | None = None
    contributor: Code | None = None


class Requirements(_Strict):
    """A mission's requirements grow or shrink by ``factor`` (rounded) or by ``units``."""

    kind: Literal["requirements"]
    mission: Code
    unit_type: Code | None = None
    factor: Annotated[float, Field(ge=0.0)] | None = None
    units: int | None = None

    @model_validator(mode="after")
    def _one_change(self) -> Requirements:
        if (self.factor is None) == (self.units is None):
            msg = "give exactly one of factor or units"
            raise ValueError(msg)
        return self


class NeighboursBecomeParties(_Strict):
    """The host state's neighbours become parties to the conflict (impartiality)."""

    kind: Literal["neighbours_become_parties"]
    mission: Code


class PartnerWithdraws(_Strict):
    """A partner withdraws its partnership offers (all, or the one named ``offer``)."""

    kind: Literal["partner_withdraws"]
    partner: Code
    offer: Code | None = None


Shock = Annotated[
    Withdraw
    | Caveat
    | BudgetCut
    | ReadinessSlip
    | Requirements
    | NeighboursBecomeParties
    | PartnerWithdraws,
    Field(discriminator="kind"),
]


KINDS = frozenset(
    {
        "withdraw",
        "caveat",
        "budget_cut",
        "readiness_slip",
        "requirements",
        "neighbours_become_parties",
        "partner_withdraws",
    }
)


class LevelIn(_Strict):
    """Uncertainty of one readiness level."""

    p_deploy: Share
    delay_mean_days: Annotated[float, Field(ge=0.0)]


class PledgeUncertaintyIn(_Strict):
    """Uncertainty of one pledge."""

    p_deploy: Share | None = None
    delay_mean_days: Annotated[float, Field(ge=0.0)] | None = None


class UncertaintyIn(_Strict):
    """The ``uncertainty`` section."""

    levels: dict[ReadinessLevel, LevelIn] = Field(default_factory=dict)
    pledges: dict[Code, PledgeUncertaintyIn] = Field(default_factory=dict)


class ShockFileIn(_Strict):
    """A whole shock file."""

    shocks: tuple[Shock, ...] = ()
    uncertainty: UncertaintyIn | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a shock or an override was read: file, line and its field path."""

    file: str | None
    line: int | None
    field: str


@dataclass(frozen=True)
class ShockSet:
    """Validated shocks in order, the uncertainty they set, and where each came from."""

    shocks: tuple[Shock, ...] = ()
    uncertainty: UncertaintyIn | None = None
    origins: tuple[Origin, ...] = ()
    pledge_origins: Mapping[str, Origin] = field(default_factory=dict)

    def __add__(self, other: ShockSet) -> ShockSet:
        """Both sets of shocks, this one's first; the other's uncertainty overrides win."""
        merged = self.uncertainty
        if other.uncertainty is not None:
            merged = (
                other.uncertainty
                if merged is None
                else UncertaintyIn(
                    levels={**merged.levels, **other.uncertainty.levels},
                    pledges={**merged.pledges, **other.uncertainty.pledges},
                )
            )
        return ShockSet(
            self.shocks + other.shocks,
            merged,
            self.origins + other.origins,
            {**self.pledge_origins, **other.pledge_origins},
        )

    def error(self, k: int, sub: str, message: str) -> InputError:
        """An InputError about field ``sub`` of shock ``k``, located in its file."""
        o = self.origins[k] if k < len(self.origins) else Origin(None, None, f"shocks[{k}]")
        return InputError(message, file=o.file, line=o.line, field=f"{o.field}.{sub}")


def _loc(parts: Sequence[int | str]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _line(node: yaml.Node | None, parts: Sequence[int | str]) -> int | None:
    """1-based line of the YAML node at ``parts`` (or of its nearest ancestor)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for p in parts:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if str(key.value) == str(p):
                    child, line = value, key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(p, int) and p < len(node.value):
            child = node.value[p]
            line = child.start_mark.line + 1
        if child is None:
            return line
        node = child
    return line


def shocks_from_dict(
    data: Mapping[str, Any], *, file: str | Path | None = None, _node: yaml.Node | None = None
) -> ShockSet:
    """Validate a parsed shock file (``InputError`` naming the field, and the line for files)."""
    try:
        parsed = ShockFileIn.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        # drop pydantic's union tag: shocks[0].withdraw.mission -> shocks[0].mission
        shown = tuple(
            p for i, p in enumerate(loc) if not (i == 2 and loc[0] == "shocks" and p in KINDS)
        )
        raise InputError(
            err["msg"], file=file, line=_line(_node, shown), field=_loc(shown) or None
        ) from None
    where = str(file) if file is not None else None
    origins = tuple(
        Origin(where, _line(_node, ("shocks", k)), f"shocks[{k}]")
        for k in range(len(parsed.shocks))
    )
    pledge_origins = {
        pid: Origin(
            where, _line(_node, ("uncertainty", "pledges", pid)), f"uncertainty.pledges.{pid}"
        )
        for pid in (parsed.uncertainty.pledges if parsed.uncertainty else {})
    }
    return ShockSet(parsed.shocks, parsed.uncertainty, origins, pledge_origins)


def load_shocks(path: str | Path) -> ShockSet:
    """Read a shock file (YAML or JSON)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"cannot read shock file: {exc.strerror}"
        raise InputError(msg, file=path) from None
    except UnicodeDecodeError:
        msg = "not a text file (expected YAML or JSON)"
        raise InputError(msg, file=path) from None
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed
        node = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)  # a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        msg = f"not valid YAML/JSON: {getattr(exc, 'problem', exc)}"
        raise InputError(msg, file=path, line=line) from None
    if not isinstance(data, Mapping):
        msg = "a shock file must hold a mapping with a `shocks` list"
        raise InputError(msg, file=path, line=1)
    return shocks_from_dict(data, file=path, _node=node)


def uncertainty_of(shocks: ShockSet | None, scenario: Scenario | None = None) -> Uncertainty:
    """The uncertainty in force: the defaults with the shock files' overrides."""
    if shocks is None or shocks.uncertainty is None:
        return Uncertainty()
    u = shocks.uncertainty
    if scenario is not None:
        known = {p.id for p in scenario.pledges}
        for pid in u.pledges:
            if pid not in known:
                o = shocks.pledge_origins.get(pid, Origin(None, None, f"uncertainty.pledges.{pid}"))
                msg = f"unknown pledge {pid!r}"
                raise InputError(msg, file=o.file, line=o.line, field=o.field)
    levels = dict(DEFAULT_UNCERTAINTY)
    for level, value in u.levels.items():
        levels[level] = LevelUncertainty(value.p_deploy, value.delay_mean_days, "shock file")
    pledges = {pid: PledgeOverride(v.p_deploy, v.delay_mean_days) for pid, v in u.pledges.items()}
    return Uncertainty(levels, pledges)


def _need(known: Sequence[str], value: str, what: str, where: tuple[ShockSet, int, str]) -> None:
    if value not in known:
        from bluehelmet.errors import UnknownNameError

        shocks, k, sub = where
        raise shocks.error(k, sub, str(UnknownNameError(what, value, known)))


def apply_shocks(
    scenario: Scenario, shocks: ShockSet, *, baseline_spend: float | None = None
) -> Scenario:
    """``scenario`` after every shock, in order. ``baseline_spend`` (USD) is what a budget cut
    cuts when the scenario sets no budget (the spend of its baseline plan)."""
    sc = scenario
    for k, shock in enumerate(shocks.shocks):
        contributors = sorted(
            {p.contributor for p in sc.pledges} | {c.iso3 for c in sc.contributors}
        )
        missions = [m.acronym for m in sc.missions]
        if isinstance(shock, Withdraw):
            _need(contributors, shock.contributor, "contributor", (shocks, k, "contributor"))
            if shock.mission is None:
                pledges = tuple(p for p in sc.pledges if p.contributor != shock.contributor)
            else:
                _need(missions, shock.mission, "mission", (shocks, k, "mission"))
                pledges = tuple(
                    _exclude(p, missions=(shock.mission,))
                    if p.contributor == shock.contributor
                    else p
                    for p in sc.pledges
                )
            sc = replace(sc, pledges=pledges)
        elif isinstance(shock, Caveat):
            _need(contributors, shock.contributor, "contributor", (shocks, k, "contributor"))
            for i, name in enumerate(shock.excluded_missions):
                _need(missions, name, "mission", (shocks, k, f"excluded_missions[{i}]"))
            if shock.pledge is not None:
                mine = [p.id for p in sc.pledges if p.contributor == shock.contributor]
                _need(mine, shock.pledge, f"pledge of {shock.contributor}", (shocks, k, "pledge"))
            sc = replace(
                sc,
                pledges=tuple(
                    _exclude(
                        p,
                        missions=shock.excluded_missions,
                        hosts=shock.excluded_hosts,
                        tasks=shock.excluded_tasks,
                    )
                    if p.contributor == shock.contributor
                    and (shock.pledge is None or p.id == shock.pledge)
                    else p
                    for p in sc.pledges
                ),
            )
        elif isinstance(shock, BudgetCut):
            base = sc.policy.budget if sc.policy.budget is not None else baseline_spend
            if base is None:
                msg = "the scenario sets no budget and no baseline spend was given to cut"
                raise shocks.error(k, "share", msg)
            sc = replace(sc, policy=replace(sc.policy, budget=base * (1.0 - shock.share)))
        elif isinstance(shock, ReadinessSlip):
            sc = _slip(sc, shock, shocks, k, contributors)
        elif isinstance(shock, Requirements):
            _need(missions, shock.mission, "mission", (shocks, k, "mission"))
            if shock.unit_type is not None:
                types = [u.code for u in sc.unit_types]
                _need(types, shock.unit_type, "unit type", (shocks, k, "unit_type"))
            sc = replace(sc, requirements=_resize(sc, shock))
        elif isinstance(shock, PartnerWithdraws):
            partners = sorted({o.partner for o in sc.partnerships})
            who = _partner(shock.partner)
            _need(partners, who, "partner with offers in the scenario", (shocks, k, "partner"))
            if shock.offer is not None:
                mine = [o.id for o in sc.partnerships if o.partner == who]
                _need(mine, shock.offer, f"offer of {who}", (shocks, k, "offer"))
            offers = tuple(
                o for o in sc.partnerships if o.partner != who or shock.offer not in (None, o.id)
            )
            sc = replace(sc, partnerships=offers)
        else:
            _need(missions, shock.mission, "mission", (shocks, k, "mission"))
            sites = tuple(
                replace(m, parties=tuple(sorted(set(m.parties) | set(m.neighbours))))
                if m.acronym == shock.mission
                else m
                for m in sc.missions
            )
            sc = replace(sc, missions=sites)
    return sc


def _partner(code: str) -> str:
    """The registry code of a partner named in a shock (the name as given when unknown)."""
    from bluehelmet.errors import UnknownNameError

    try:
        return partner_code(code)
    except UnknownNameError:
        return code


def _resize(sc: Scenario, shock: Requirements) -> tuple[Requirement, ...]:
    out = []
    for r in sc.requirements:
        if r.mission != shock.mission or shock.unit_type not in (None, r.unit_type):
            out.append(r)
            continue
        if shock.factor is not None:
            n = math.floor(r.units * shock.factor + 0.5)
        else:
            n = r.units + int(shock.units or 0)
        if n > 0:
            out.append(replace(r, units=n))
    return tuple(out)


def _exclude(
    p: Pledge,
    *,
    missions: Sequence[str] = (),
    hosts: Sequence[str] = (),
    tasks: Sequence[str] = (),
) -> Pledge:
    def add(old: tuple[str, ...], new: Sequence[str]) -> tuple[str, ...]:
        return old + tuple(v for v in new if v not in old)

    return replace(
        p,
        excluded_missions=add(p.excluded_missions, missions),
        excluded_hosts=add(p.excluded_hosts, hosts),
        excluded_tasks=add(p.excluded_tasks, tasks),
    )


def _slip(
    sc: Scenario, shock: ReadinessSlip, shocks: ShockSet, k: int, contributors: Sequence[str]
) -> Scenario:
    if shock.contributor is None:
        lead = dict(sc.policy.lead_time_days)
        for level in lead:
            if shock.level in (None, level):
                lead[level] += shock.days
        return replace(sc, policy=replace(sc.policy, lead_time_days=lead))
    _need(contributors, shock.contributor, "contributor", (shocks, k, "contributor"))
    later = timedelta(days=shock.days)
    return replace(
        sc,
        pledges=tuple(
            replace(p, available_from=arrival(p, sc.policy) + later)
            if p.contributor == shock.contributor and shock.level in (None, p.readiness)
            else p
            for p in sc.pledges
        ),
    )


def describe(shock: Shock) -> str:
    """One line saying what ``shock`` does."""
    if isinstance(shock, Withdraw):
        where = f"mission {shock.mission}" if shock.mission else "every mission"
        return f"{shock.contributor} withdraws from {where}"
    if isinstance(shock, Caveat):
        parts = [
            *(f"mission {m}" for m in shock.excluded_missions),
            *(f"host {h}" for h in shock.excluded_hosts),
            *(f"task {t}" for t in shock.excluded_tasks),
        ]
        who = shock.pledge or shock.contributor
        return f"{who} adds caveats: {', '.join(parts)}"
    if isinstance(shock, BudgetCut):
        return f"budget cut by {shock.share:.0%}"
    if isinstance(shock, ReadinessSlip):
        scope = shock.contributor or (str(shock.level) if shock.level else "every level")
        return f"lead times of {scope} slip by {shock.days} days"
    if isinstance(shock, Requirements):
        change = f"x{shock.factor:g}" if shock.factor is not None else f"{shock.units:+d} units"
        what = shock.unit_type or "every unit type"
        return f"requirements of {shock.mission} ({what}) change {change}"
    if isinstance(shock, PartnerWithdraws):
        what = f"offer {shock.offer}" if shock.offer else "its partnership offers"
        return f"{shock.partner} withdraws {what}"
    return f"neighbours of {shock.mission}'s host states become parties"

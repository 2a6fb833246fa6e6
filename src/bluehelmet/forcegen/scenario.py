"""Scenario files (YAML or JSON): validated with pydantic, errors name file, line and field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bluehelmet.domain.planning import (
    ASSUMED_LEAD_TIME_DAYS,
    PLANNED_KINDS,
    Beneficiary,
    Contributor,
    MissionSite,
    OfferStatus,
    PartnershipKind,
    PartnershipOffer,
    Pledge,
    PledgeNeed,
    Policy,
    ReadinessLevel,
    Requirement,
    Scenario,
    UnitSpec,
)
from bluehelmet.errors import InputError, UnknownNameError
from bluehelmet.forcegen.partnerships import partner_code

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Code = Annotated[str, Field(min_length=1)]
LatLon = tuple[Annotated[float, Field(ge=-90, le=90)], Annotated[float, Field(ge=-180, le=180)]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicyIn(_Strict):
    """The ``policy`` section."""

    request_date: date
    max_contributor_share: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    min_contributors: Annotated[int, Field(ge=1)] = 1
    exclude_host: bool = True
    exclude_neighbours: bool = False
    excluded_parties: tuple[Code, ...] = ()
    budget: Annotated[float, Field(ge=0.0)] | None = None
    allow_late_days: Annotated[int, Field(ge=0)] = 0
    priority_weights: dict[int, Annotated[int, Field(ge=1)]] = Field(
        default_factory=lambda: {1: 4, 2: 2, 3: 1}
    )
    lead_time_days: dict[ReadinessLevel, Annotated[int, Field(ge=0)]] = Field(
        default_factory=lambda: dict(ASSUMED_LEAD_TIME_DAYS)
    )
    women_target: Share | None = None
    diversity_weight: Annotated[float, Field(ge=0.0)] = 1.0
    regional_weight: Annotated[float, Field(ge=0.0)] = 0.5
    language_weight: Annotated[float, Field(ge=0.0)] = 0.5
    women_weight: Annotated[float, Field(ge=0.0)] = 0.5
    deployment_months: Annotated[int, Field(ge=1)] = 12
    reimbursement_rate: Annotated[float, Field(ge=0.0)] | None = None
    transport_usd_per_person_km: Annotated[float, Field(ge=0.0)] = 0.5
    delay_usd_per_unit_day: Annotated[float, Field(ge=0.0)] = 10_000.0
    partner_budgets: dict[Code, Annotated[float, Field(ge=0.0)]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _every_level_has_a_lead_time(self) -> PolicyIn:
        missing = [lv.value for lv in ReadinessLevel if lv not in self.lead_time_days]
        if missing:
            msg = f"lead_time_days lacks {', '.join(missing)}"
            raise ValueError(msg)
        return self


class UnitIn(_Strict):
    """One entry of ``unit_types``."""

    code: Code
    name: str = ""
    personnel: Annotated[int, Field(ge=1)]
    enabler: bool = False


class ContributorIn(_Strict):
    """One entry of ``contributors``."""

    iso3: Code
    name: str = ""
    region: str | None = None
    capital: LatLon | None = None
    languages: tuple[str, ...] = ()


class MissionIn(_Strict):
    """One entry of ``missions``."""

    acronym: Code
    hosts: tuple[Code, ...] = Field(min_length=1)
    name: str = ""
    region: str | None = None
    hq: LatLon | None = None
    neighbours: tuple[Code, ...] = ()
    parties: tuple[Code, ...] = ()
    languages: tuple[str, ...] = ()
    women_target: Share | None = None


class RequirementIn(_Strict):
    """One entry of ``requirements``."""

    id: Code
    mission: Code
    unit_type: Code
    units: Annotated[int, Field(ge=1)]
    needed_by: date
    priority: int = 2
    languages: tuple[str, ...] = ()
    min_women_share: Share = 0.0
    capabilities: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()


class NeedIn(_Strict):
    """One entry of a pledge's ``needs``."""

    kind: PartnershipKind
    amount: Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
    unit: Code
    readiness: ReadinessLevel | None = None
    delay_days: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _fields_fit_the_kind(self) -> NeedIn:
        if self.kind not in PLANNED_KINDS:
            planned = ", ".join(k.value for k in PLANNED_KINDS)
            msg = f"a pledge can need {planned}, not {self.kind.value}"
            raise ValueError(msg)
        if self.kind is PartnershipKind.TRAINING and self.readiness is None:
            msg = "a training need gives the readiness level reached once trained"
            raise ValueError(msg)
        if self.readiness is not None and self.kind is not PartnershipKind.TRAINING:
            msg = "readiness applies to training needs only"
            raise ValueError(msg)
        if self.delay_days is not None and self.kind is not PartnershipKind.LOGISTICS:
            msg = "delay_days applies to logistics (lift) needs only"
            raise ValueError(msg)
        return self


class BeneficiaryIn(_Strict):
    """An offer's ``beneficiary``; an empty list means any."""

    contributors: tuple[Code, ...] = ()
    unit_types: tuple[Code, ...] = ()
    missions: tuple[Code, ...] = ()


class OfferIn(_Strict):
    """One entry of ``partnerships``."""

    id: Code
    partner: Code
    kind: PartnershipKind
    capacity: Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
    unit: Code
    beneficiary: BeneficiaryIn = BeneficiaryIn()
    lead_time_days: Annotated[int, Field(ge=0)] = 0
    cost_usd: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = 0.0
    status: OfferStatus = OfferStatus.OFFERED
    description: str = ""
    source: str = ""
    illustrative: bool = False


class PledgeIn(_Strict):
    """One entry of ``pledges``."""

    id: Code
    contributor: Code
    unit_type: Code
    units: Annotated[int, Field(ge=1)]
    readiness: ReadinessLevel
    available_from: date
    women_share: Share = 0.0
    languages: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    excluded_missions: tuple[Code, ...] = ()
    excluded_hosts: tuple[Code, ...] = ()
    excluded_tasks: tuple[str, ...] = ()
    cost_per_unit: Annotated[float, Field(ge=0.0)] | None = None
    needs: tuple[NeedIn, ...] = ()


class ScenarioIn(_Strict):
    """A whole scenario file."""

    name: Code
    description: str = ""
    illustrative: bool = False
    policy: PolicyIn
    unit_types: tuple[UnitIn, ...] = Field(min_length=1)
    contributors: tuple[ContributorIn, ...] = ()
    missions: tuple[MissionIn, ...] = Field(min_length=1)
    requirements: tuple[RequirementIn, ...] = ()
    pledges: tuple[PledgeIn, ...] = ()
    partnerships: tuple[OfferIn, ...] = ()


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
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(p, int) and p < len(node.value):
            child = node.value[p]
            line = child.start_mark.line + 1
        if child is None:
            return line
        node = child
    return line


def _check(sc: ScenarioIn) -> list[tuple[str, tuple[int | str, ...]]]:
    """Cross-reference problems as (message, location)."""
    problems: list[tuple[str, tuple[int | str, ...]]] = []

    def unique(section: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i, key in enumerate(ids):
            if key in seen:
                problems.append((f"duplicate {key!r}", (section, i)))
            seen.add(key)

    unique("unit_types", [u.code for u in sc.unit_types])
    unique("contributors", [c.iso3 for c in sc.contributors])
    unique("missions", [m.acronym for m in sc.missions])
    unique("requirements", [r.id for r in sc.requirements])
    unique("pledges", [p.id for p in sc.pledges])
    units = {u.code for u in sc.unit_types}
    missions = {m.acronym: m for m in sc.missions}
    contributors = {c.iso3: c for c in sc.contributors}
    for i, r in enumerate(sc.requirements):
        if r.mission not in missions:
            problems.append((f"unknown mission {r.mission!r}", ("requirements", i, "mission")))
        if r.unit_type not in units:
            problems.append(
                (f"unknown unit type {r.unit_type!r}", ("requirements", i, "unit_type"))
            )
        if r.priority not in sc.policy.priority_weights:
            known = ", ".join(str(k) for k in sorted(sc.policy.priority_weights))
            problems.append(
                (
                    f"priority {r.priority} has no weight (policy.priority_weights: {known})",
                    ("requirements", i, "priority"),
                )
            )
    for i, p in enumerate(sc.pledges):
        if p.unit_type not in units:
            problems.append((f"unknown unit type {p.unit_type!r}", ("pledges", i, "unit_type")))
        if p.cost_per_unit is None:
            who = contributors.get(p.contributor)
            if who is None or who.capital is None:
                problems.append(
                    (
                        f"no cost_per_unit and no capital coordinates for contributor "
                        f"{p.contributor!r} (declare it under contributors with capital)",
                        ("pledges", i, "cost_per_unit"),
                    )
                )
        for k, name in enumerate(p.excluded_missions):
            if name not in missions:
                problems.append(
                    (f"unknown mission {name!r}", ("pledges", i, "excluded_missions", k))
                )
    problems.extend(_check_partnerships(sc))
    if any(p.cost_per_unit is None for p in sc.pledges):
        for i, site in enumerate(sc.missions):
            if site.hq is None:
                problems.append(
                    ("hq coordinates are needed by the distance cost model", ("missions", i, "hq"))
                )
    return problems


def _check_partnerships(sc: ScenarioIn) -> list[tuple[str, tuple[int | str, ...]]]:
    """Offers and needs: unique ids, registry partners, declared names, one need per kind."""
    problems: list[tuple[str, tuple[int | str, ...]]] = []
    units = {u.code for u in sc.unit_types}
    missions = {m.acronym for m in sc.missions}
    seen: set[str] = set()
    for i, o in enumerate(sc.partnerships):
        if o.id in seen:
            problems.append((f"duplicate {o.id!r}", ("partnerships", i, "id")))
        seen.add(o.id)
        try:
            partner_code(o.partner)
        except UnknownNameError as exc:
            problems.append((str(exc), ("partnerships", i, "partner")))
        for k, code in enumerate(o.beneficiary.unit_types):
            if code not in units:
                problems.append(
                    (
                        f"unknown unit type {code!r}",
                        ("partnerships", i, "beneficiary", "unit_types", k),
                    )
                )
        for k, name in enumerate(o.beneficiary.missions):
            if name not in missions:
                problems.append(
                    (f"unknown mission {name!r}", ("partnerships", i, "beneficiary", "missions", k))
                )
    for name in sc.policy.partner_budgets:
        try:
            partner_code(name)
        except UnknownNameError as exc:
            problems.append((str(exc), ("policy", "partner_budgets", name)))
    for i, p in enumerate(sc.pledges):
        kinds = [n.kind for n in p.needs]
        for k, kind in enumerate(kinds):
            if kind in kinds[:k]:
                problems.append(
                    (f"a second {kind.value} need (one per kind)", ("pledges", i, "needs", k))
                )
    return problems


def _offer(o: OfferIn) -> PartnershipOffer:
    return PartnershipOffer(
        id=o.id,
        partner=partner_code(o.partner),
        kind=o.kind,
        capacity=o.capacity,
        unit=o.unit,
        beneficiary=Beneficiary(**o.beneficiary.model_dump()),
        lead_time_days=o.lead_time_days,
        cost_usd=o.cost_usd,
        status=o.status,
        description=o.description,
        source=o.source,
        illustrative=o.illustrative,
    )


def _pledge(q: PledgeIn) -> Pledge:
    data = q.model_dump(exclude={"needs"})
    return Pledge(**data, needs=tuple(PledgeNeed(**n.model_dump()) for n in q.needs))


def _to_domain(sc: ScenarioIn) -> Scenario:
    p = sc.policy
    policy = Policy(
        request_date=p.request_date,
        max_contributor_share=p.max_contributor_share,
        min_contributors=p.min_contributors,
        exclude_host=p.exclude_host,
        exclude_neighbours=p.exclude_neighbours,
        excluded_parties=p.excluded_parties,
        budget=p.budget,
        allow_late_days=p.allow_late_days,
        priority_weights=dict(p.priority_weights),
        lead_time_days=dict(p.lead_time_days),
        women_target=p.women_target,
        diversity_weight=p.diversity_weight,
        regional_weight=p.regional_weight,
        language_weight=p.language_weight,
        women_weight=p.women_weight,
        deployment_months=p.deployment_months,
        reimbursement_rate=p.reimbursement_rate,
        transport_usd_per_person_km=p.transport_usd_per_person_km,
        delay_usd_per_unit_day=p.delay_usd_per_unit_day,
        partner_budgets={partner_code(k): v for k, v in p.partner_budgets.items()},
    )
    return Scenario(
        name=sc.name,
        description=sc.description,
        illustrative=sc.illustrative,
        policy=policy,
        unit_types=tuple(UnitSpec(**u.model_dump()) for u in sc.unit_types),
        contributors=tuple(Contributor(**c.model_dump()) for c in sc.contributors),
        missions=tuple(MissionSite(**m.model_dump()) for m in sc.missions),
        requirements=tuple(Requirement(**r.model_dump()) for r in sc.requirements),
        pledges=tuple(_pledge(q) for q in sc.pledges),
        partnerships=tuple(_offer(o) for o in sc.partnerships),
    )


def scenario_from_dict(
    data: Mapping[str, Any], *, file: str | Path | None = None, _node: yaml.Node | None = None
) -> Scenario:
    """Validate ``data`` (a parsed scenario file) into a :class:`Scenario`.

    Raises :class:`~bluehelmet.errors.InputError` naming the field (``pledges[3].readiness``)
    and, for files, the line.
    """
    try:
        parsed = ScenarioIn.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise InputError(
            err["msg"], file=file, line=_line(_node, loc), field=_loc(loc) or None
        ) from None
    problems = _check(parsed)
    if problems:
        message, loc = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise InputError(message + more, file=file, line=_line(_node, loc), field=_loc(loc))
    return _to_domain(parsed)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario from a YAML or JSON file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"cannot read scenario: {exc.strerror}"
        raise InputError(msg, file=path) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        msg = f"not valid YAML/JSON: {getattr(exc, 'problem', exc)}"
        raise InputError(msg, file=path, line=line) from None
    if not isinstance(data, Mapping):
        msg = "a scenario file must hold a mapping (name, policy, unit_types, ...)"
        raise InputError(msg, file=path, line=1)
    return scenario_from_dict(data, file=path, _node=node)


def demo_scenario() -> Scenario:
    """The illustrative demo scenario shipped with bluehelmet (``forcegen/demo.yaml``)."""
    source = resources.files("bluehelmet.forcegen").joinpath("demo.yaml")
    with resources.as_file(source) as path:
        return load_scenario(path)

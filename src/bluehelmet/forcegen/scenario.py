"""Scenario files (YAML or JSON): validated with pydantic, errors name file, line and field."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

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
from bluehelmet.forcegen.check import MAX_DAYS, MAX_UNITS, check_scenario, location_text
from bluehelmet.forcegen.partnerships import partner_code

#: Largest scenario file read (bytes); larger files are refused with a message.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Most YAML aliases a scenario may use (an alias bomb expands exponentially).
MAX_ALIASES = 100
#: Deepest nesting of lists and mappings a scenario may use.
MAX_DEPTH = 20


def _no_bool(value: object) -> object:
    if isinstance(value, bool):
        msg = "expected a number, not a boolean"
        raise ValueError(msg)
    return value


Int = Annotated[int, BeforeValidator(_no_bool)]
Float = Annotated[float, BeforeValidator(_no_bool)]
Share = Annotated[Float, Field(ge=0.0, le=1.0)]
Code = Annotated[str, Field(min_length=1)]
Days = Annotated[Int, Field(ge=0, le=MAX_DAYS)]
Units = Annotated[Int, Field(ge=1, le=MAX_UNITS)]
LatLon = tuple[Annotated[Float, Field(ge=-90, le=90)], Annotated[Float, Field(ge=-180, le=180)]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class PolicyIn(_Strict):
    """The ``policy`` section."""

    request_date: date
    max_contributor_share: Annotated[Float, Field(gt=0.0, le=1.0)] | None = None
    min_contributors: Annotated[Int, Field(ge=1, le=MAX_UNITS)] = 1
    exclude_host: bool = True
    exclude_neighbours: bool = False
    excluded_parties: tuple[Code, ...] = ()
    budget: Annotated[Float, Field(ge=0.0)] | None = None
    allow_late_days: Days = 0
    priority_weights: dict[int, Annotated[Int, Field(ge=1, le=MAX_UNITS)]] = Field(
        default_factory=lambda: {1: 4, 2: 2, 3: 1}
    )
    lead_time_days: dict[ReadinessLevel, Days] = Field(
        default_factory=lambda: dict(ASSUMED_LEAD_TIME_DAYS)
    )
    women_target: Share | None = None
    diversity_weight: Annotated[Float, Field(ge=0.0)] = 1.0
    regional_weight: Annotated[Float, Field(ge=0.0)] = 0.5
    language_weight: Annotated[Float, Field(ge=0.0)] = 0.5
    women_weight: Annotated[Float, Field(ge=0.0)] = 0.5
    deployment_months: Annotated[Int, Field(ge=1, le=1200)] = 12
    reimbursement_rate: Annotated[Float, Field(ge=0.0)] | None = None
    transport_usd_per_person_km: Annotated[Float, Field(ge=0.0)] = 0.5
    delay_usd_per_unit_day: Annotated[Float, Field(ge=0.0)] = 10_000.0
    partner_budgets: dict[Code, Annotated[Float, Field(ge=0.0)]] = Field(default_factory=dict)

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
    personnel: Annotated[Int, Field(ge=1, le=MAX_UNITS)]
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
    units: Units
    needed_by: date
    priority: Int = 2
    languages: tuple[str, ...] = ()
    min_women_share: Share = 0.0
    capabilities: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()


class NeedIn(_Strict):
    """One entry of a pledge's ``needs``."""

    kind: PartnershipKind
    amount: Annotated[Float, Field(gt=0.0, allow_inf_nan=False)]
    unit: Code
    readiness: ReadinessLevel | None = None
    delay_days: Days | None = None

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
    capacity: Annotated[Float, Field(ge=0.0, allow_inf_nan=False)]
    unit: Code
    beneficiary: BeneficiaryIn = BeneficiaryIn()
    lead_time_days: Days = 0
    cost_usd: Annotated[Float, Field(ge=0.0, allow_inf_nan=False)] = 0.0
    status: OfferStatus = OfferStatus.OFFERED
    description: str = ""
    source: str = ""
    illustrative: bool = False


class PledgeIn(_Strict):
    """One entry of ``pledges``."""

    id: Code
    contributor: Code
    unit_type: Code
    units: Units
    readiness: ReadinessLevel
    available_from: date
    women_share: Share = 0.0
    languages: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    excluded_missions: tuple[Code, ...] = ()
    excluded_hosts: tuple[Code, ...] = ()
    excluded_tasks: tuple[str, ...] = ()
    cost_per_unit: Annotated[Float, Field(ge=0.0)] | None = None
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


_loc = location_text


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


def _offer(o: OfferIn) -> PartnershipOffer:
    try:
        partner = partner_code(o.partner)
    except UnknownNameError:
        partner = o.partner  # reported by check_scenario with the field
    return PartnershipOffer(
        id=o.id,
        partner=partner,
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


def _budgets(budgets: Mapping[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, usd in budgets.items():
        try:
            out[partner_code(name)] = usd
        except UnknownNameError:
            out[name] = usd  # reported by check_scenario with the field
    return out


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
        partner_budgets=_budgets(p.partner_budgets),
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
    """Validate ``data`` (a parsed scenario file) into a checked :class:`Scenario`.

    Raises :class:`~bluehelmet.errors.InputError` naming the field (``pledges[3].readiness``)
    and, for files, the line (an unknown state name is an ``UnknownNameError`` too).
    """
    try:
        parsed = ScenarioIn.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise InputError(
            err["msg"], file=file, line=_line(_node, loc), field=_loc(loc) or None
        ) from None
    return check_scenario(_to_domain(parsed), file=file, line_of=lambda loc: _line(_node, loc))


class _Loader(yaml.SafeLoader):
    """Safe YAML loader: dates stay text (pydantic checks them), duplicate keys are refused."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _DuplicateKeyError(yaml.MarkedYAMLError):
    pass


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        try:
            first = seen.get(key)
        except TypeError:
            first = None
        if first is not None:
            raise _DuplicateKeyError(
                None,
                None,
                f"duplicate key {key!r} (first on line {first})",
                key_node.start_mark,
            )
        with contextlib.suppress(TypeError):  # unhashable keys are left to pydantic
            seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _depth(node: yaml.Node) -> int:
    """Deepest nesting below ``node`` (iterative; aliases counted once)."""
    deepest = 0
    stack: list[tuple[yaml.Node, int]] = [(node, 1)]
    seen: set[int] = set()
    while stack:
        current, depth = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        deepest = max(deepest, depth)
        if isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend((v, depth + 1) for _, v in current.value)
    return deepest


def _text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            msg = (
                f"scenario file is {size / 1e6:,.1f} MB; the limit is "
                f"{MAX_FILE_BYTES / 1e6:,.0f} MB"
            )
            raise InputError(msg, file=path)
        raw = path.read_bytes()
    except OSError as exc:
        msg = f"cannot read scenario: {exc.strerror}"
        raise InputError(msg, file=path) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        msg = "the file is UTF-16 text; save it as UTF-8"
        raise InputError(msg, file=path, line=1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        msg = f"not UTF-8 text (byte {exc.start} cannot be decoded); save it as UTF-8"
        raise InputError(msg, file=path, line=line) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario from a YAML or JSON file (UTF-8, at most 10 MB)."""
    path = Path(path)
    text = _text(path)
    try:
        aliases = sum(
            isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=yaml.SafeLoader)
        )
        if aliases > MAX_ALIASES:
            msg = f"{aliases} YAML aliases; a scenario may use at most {MAX_ALIASES}"
            raise InputError(msg, file=path)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None and _depth(node) > MAX_DEPTH:
                msg = f"nested more than {MAX_DEPTH} levels deep"
                raise InputError(msg, file=path)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        msg = f"not valid YAML/JSON: {getattr(exc, 'problem', None) or exc}"
        raise InputError(msg, file=path, line=line) from None
    except RecursionError:
        msg = f"nested more than {MAX_DEPTH} levels deep"
        raise InputError(msg, file=path) from None
    if not isinstance(data, Mapping):
        msg = "a scenario file must hold a mapping (name, policy, unit_types, ...)"
        raise InputError(msg, file=path, line=1)
    return scenario_from_dict(data, file=path, _node=node)


def demo_scenario() -> Scenario:
    """The illustrative demo scenario shipped with bluehelmet (``forcegen/demo.yaml``)."""
    source = resources.files("bluehelmet.forcegen").joinpath("demo.yaml")
    with resources.as_file(source) as path:
        return load_scenario(path)

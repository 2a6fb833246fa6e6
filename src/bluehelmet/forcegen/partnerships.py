"""Partnership offers in the plan: which support a pledge can use, and what it changes.

A pledge may depend on support (``Pledge.needs``): training raises its readiness level after a
course, equipment completes it, strategic lift shortens its deployment. Each way of meeting the
needs of a pledge with usable (accepted or delivered) offers is a :class:`Variant`: the pledge
as it would deploy with that support (:func:`effective_pledge`). The planner chooses among the
variants and activates the offers they rely on (:mod:`bluehelmet.forcegen.model`).

Offers also travel as tables: :func:`offers_from_records` validates rows (from CSV or YAML,
parsed by the caller) and :func:`offers_to_records` writes them back. No I/O here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from bluehelmet.domain.planning import (
    PLANNED_KINDS,
    ActivatedOffer,
    Assignment,
    Beneficiary,
    OfferStatus,
    PartnershipKind,
    PartnershipOffer,
    Pledge,
    PledgeNeed,
    Policy,
    Scenario,
)
from bluehelmet.errors import InputError, UnknownNameError
from bluehelmet.forcegen.rules import arrival


@dataclass(frozen=True, slots=True)
class Variant:
    """One way a pledge can deploy: the offers it relies on and the pledge as it then deploys.

    ``offers`` are positions in ``Scenario.partnerships``; ``amounts`` the capacity each uses
    per unit; ``missions`` the missions every offer may serve (None: any).
    """

    pledge: int
    offers: tuple[int, ...]
    amounts: tuple[float, ...]
    effective: Pledge
    missions: frozenset[str] | None = None

    def serves(self, mission: str) -> bool:
        """Whether every offer of this variant may serve ``mission``."""
        return self.missions is None or mission in self.missions


def serves(offer: PartnershipOffer, need: PledgeNeed, pledge: Pledge) -> bool:
    """Whether ``offer`` can meet ``need`` of ``pledge`` (kind, unit and beneficiary match)."""
    b = offer.beneficiary
    return (
        offer.kind is need.kind
        and offer.unit == need.unit
        and (not b.contributors or pledge.contributor in b.contributors)
        and (not b.unit_types or pledge.unit_type in b.unit_types)
    )


def effective_pledge(
    pledge: Pledge, chosen: Sequence[PartnershipOffer | None], policy: Policy
) -> Pledge | None:
    """``pledge`` as it deploys with ``chosen[i]`` meeting ``pledge.needs[i]`` (None: unmet).

    Returns None when an unmet need makes the pledge undeployable (equipment, or lift without
    a ``delay_days``). A trained unit deploys at the trained level once the course is over;
    equipment and lift take effect ``lead_time_days`` after the request.
    """
    readiness = pledge.readiness
    available = pledge.available_from
    delay = 0
    for need, offer in zip(pledge.needs, chosen, strict=True):
        if offer is None:
            if need.kind is PartnershipKind.EQUIPMENT:
                return None
            if need.kind is PartnershipKind.LOGISTICS:
                if need.delay_days is None:
                    return None
                delay += need.delay_days
            continue
        ready = policy.request_date + timedelta(days=offer.lead_time_days)
        if need.kind is PartnershipKind.TRAINING and need.readiness is not None:
            level = need.readiness
            if policy.lead_time(level) < policy.lead_time(readiness):
                readiness = level
            available = max(available, ready + timedelta(days=policy.lead_time(level)))
        else:
            available = max(available, ready)
    out = replace(pledge, readiness=readiness, available_from=available)
    if delay:
        out = replace(out, available_from=arrival(out, policy) + timedelta(days=delay))
    return out


def variants(scenario: Scenario, *, partnerships: bool = True) -> tuple[Variant, ...]:
    """Every variant of every pledge, in pledge order; the unsupported one first.

    With ``partnerships=False`` no offer is used: only the unsupported variants (a pledge that
    cannot deploy without support has none).
    """
    usable = [
        (k, o) for k, o in enumerate(scenario.partnerships) if o.usable and o.kind in PLANNED_KINDS
    ]
    policy = scenario.policy
    out: list[Variant] = []
    for i, p in enumerate(scenario.pledges):
        if not p.needs:
            # effective_pledge of a pledge without needs is the pledge itself.
            out.append(Variant(i, (), (), p, None))
            continue
        options: list[list[tuple[int, PartnershipOffer] | None]] = []
        for need in p.needs:
            served = [(k, o) for k, o in usable if partnerships and serves(o, need, p)]
            options.append([None, *served])
        for combo in itertools.product(*options):
            eff = effective_pledge(p, [c[1] if c else None for c in combo], policy)
            if eff is None:
                continue
            used: dict[int, float] = {}
            missions: frozenset[str] | None = None
            for need, c in zip(p.needs, combo, strict=True):
                if c is None:
                    continue
                k, o = c
                used[k] = used.get(k, 0.0) + need.amount
                if o.beneficiary.missions:
                    allowed = frozenset(o.beneficiary.missions)
                    missions = allowed if missions is None else missions & allowed
            if missions is not None and not missions:
                continue
            out.append(Variant(i, tuple(used), tuple(used.values()), eff, missions))
    return tuple(out)


def effective_for(scenario: Scenario, pledge: Pledge, offers: Iterable[str]) -> Pledge | None:
    """``pledge`` with the offers named ``offers`` meeting its needs (matched by kind).

    None when an offer is unknown, not usable, serves no need, or a need left unmet makes
    the pledge undeployable.
    """
    by_id = {o.id: o for o in scenario.partnerships}
    named = list(offers)
    chosen: list[PartnershipOffer | None] = []
    for need in pledge.needs:
        hit = [by_id[o] for o in named if o in by_id and by_id[o].kind is need.kind]
        chosen.append(hit[0] if hit else None)
    for o in named:
        offer = by_id.get(o)
        if offer is None or not offer.usable or offer not in chosen:
            return None
    for need, offer in zip(pledge.needs, chosen, strict=True):
        if offer is not None and not serves(offer, need, pledge):
            return None
    return effective_pledge(pledge, chosen, scenario.policy)


def offer_use(scenario: Scenario, assignments: Iterable[Assignment]) -> dict[str, float]:
    """Capacity each offer gives to ``assignments`` (in the offer's unit)."""
    pledges = {p.id: p for p in scenario.pledges}
    by_id = {o.id: o for o in scenario.partnerships}
    used: dict[str, float] = {}
    for a in assignments:
        for o in a.offers:
            need = [n for n in pledges[a.pledge].needs if n.kind is by_id[o].kind]
            used[o] = used.get(o, 0.0) + a.units * sum(n.amount for n in need)
    return used


def activated_offers(
    scenario: Scenario, assignments: Sequence[Assignment]
) -> tuple[ActivatedOffer, ...]:
    """The offers ``assignments`` rely on, in scenario order, with use and reliant assignments."""
    used = offer_use(scenario, assignments)
    out: list[ActivatedOffer] = []
    for o in scenario.partnerships:
        if o.id not in used:
            continue
        mine = tuple((a.pledge, a.requirement, a.units) for a in assignments if o.id in a.offers)
        out.append(
            ActivatedOffer(
                offer=o.id,
                partner=o.partner,
                kind=o.kind,
                beneficiary=o.beneficiary,
                capacity=o.capacity,
                used=used[o.id],
                unit=o.unit,
                cost_usd=o.cost_usd,
                assignments=mine,
            )
        )
    return tuple(out)


def partner_code(code: str) -> str:
    """The registry code of a partner: an organization code (``AU``) or a state's ISO-3.

    Raises :class:`~bluehelmet.errors.UnknownNameError` naming close matches.
    """
    from bluehelmet.reference import countries, find_country, organizations

    key = code.strip()
    for org in organizations():
        if org.code.casefold() == key.casefold():
            return org.code
    found = find_country(key)
    if found is not None:
        return found.iso3
    known = [o.code for o in organizations()] + [c.iso3 for c in countries()]
    raise UnknownNameError("partner (organization or state)", code, known)


# -- tables ----------------------------------------------------------------------------------
#: Columns of an offers table (CSV or frame); list fields are separated by ``;``.
OFFER_COLUMNS: tuple[str, ...] = (
    "id",
    "partner",
    "kind",
    "capacity",
    "unit",
    "beneficiary_contributors",
    "beneficiary_unit_types",
    "beneficiary_missions",
    "lead_time_days",
    "cost_usd",
    "status",
    "description",
    "source",
    "illustrative",
)


def _listed(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(";") if v.strip())
    if isinstance(value, Sequence):
        return tuple(str(v).strip() for v in value if str(v).strip())
    msg = f"expected a list or a ';'-separated text, got {value!r}"
    raise ValueError(msg)


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def offer_from_record(record: Mapping[str, Any]) -> PartnershipOffer:
    """One offer from a flat record (``OFFER_COLUMNS``) or a nested one (``beneficiary:``).

    Raises ``ValueError`` naming the field; :func:`offers_from_records` adds the row.
    """
    unknown = sorted(set(record) - set(OFFER_COLUMNS) - {"beneficiary"})
    if unknown:
        msg = f"unknown field {unknown[0]!r} (fields: {', '.join(OFFER_COLUMNS)})"
        raise ValueError(msg)

    def get(name: str, default: Any = None, *, required: bool = False) -> Any:
        value = record.get(name)
        if _blank(value):
            if required:
                msg = f"{name}: missing"
                raise ValueError(msg)
            return default
        return value

    def number(name: str, default: float | None, *, lowest: float = 0.0) -> float:
        raw = get(name, default, required=default is None)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            msg = f"{name}: not a number: {raw!r}"
            raise ValueError(msg) from None
        if not math.isfinite(value) or value < lowest:
            msg = f"{name}: must be a finite number >= {lowest:g}, got {raw!r}"
            raise ValueError(msg)
        return value

    nested = record.get("beneficiary")
    if nested is not None and not isinstance(nested, Mapping):
        msg = "beneficiary: expected a mapping (contributors, unit_types, missions)"
        raise ValueError(msg)
    nested = nested or {}
    extra = sorted(set(nested) - {"contributors", "unit_types", "missions"})
    if extra:
        msg = f"beneficiary: unknown field {extra[0]!r} (contributors, unit_types, missions)"
        raise ValueError(msg)
    try:
        beneficiary = Beneficiary(
            contributors=_listed(
                nested.get("contributors", record.get("beneficiary_contributors"))
            ),
            unit_types=_listed(nested.get("unit_types", record.get("beneficiary_unit_types"))),
            missions=_listed(nested.get("missions", record.get("beneficiary_missions"))),
        )
    except ValueError as exc:
        msg = f"beneficiary: {exc}"
        raise ValueError(msg) from None
    kind_raw = str(get("kind", required=True)).strip().lower()
    try:
        kind = PartnershipKind(kind_raw)
    except ValueError:
        msg = f"kind: {kind_raw!r} is not one of {', '.join(k.value for k in PartnershipKind)}"
        raise ValueError(msg) from None
    status_raw = str(get("status", "offered")).strip().lower()
    try:
        status = OfferStatus(status_raw)
    except ValueError:
        msg = f"status: {status_raw!r} is not one of {', '.join(s.value for s in OfferStatus)}"
        raise ValueError(msg) from None
    lead = number("lead_time_days", 0.0)
    if lead != int(lead):
        msg = f"lead_time_days: whole days expected, got {lead!r}"
        raise ValueError(msg)
    illustrative = get("illustrative", default=False)
    if isinstance(illustrative, str):
        if illustrative.strip().lower() not in {"true", "false", "1", "0", "yes", "no"}:
            msg = f"illustrative: expected true or false, got {illustrative!r}"
            raise ValueError(msg)
        illustrative = illustrative.strip().lower() in {"true", "1", "yes"}
    identifier = str(get("id", required=True)).strip()
    unit = str(get("unit", required=True)).strip()
    if not identifier or not unit:
        msg = "id and unit must not be blank"
        raise ValueError(msg)
    return PartnershipOffer(
        id=identifier,
        partner=partner_code(str(get("partner", required=True))),
        kind=kind,
        capacity=number("capacity", None),
        unit=unit,
        beneficiary=beneficiary,
        lead_time_days=int(lead),
        cost_usd=number("cost_usd", 0.0),
        status=status,
        description=str(get("description", "")),
        source=str(get("source", "")),
        illustrative=bool(illustrative),
    )


def offers_from_records(
    records: Iterable[Mapping[str, Any]], *, file: str | None = None, first_line: int = 2
) -> tuple[PartnershipOffer, ...]:
    """Validate offer rows (CSV rows or YAML mappings) into offers, ids unique.

    Raises :class:`~bluehelmet.errors.InputError` naming the row (``first_line`` is the line
    of the first record: 2 for a CSV with a header) and the field.
    """
    out: list[PartnershipOffer] = []
    seen: set[str] = set()
    for n, rec in enumerate(records):
        line = first_line + n
        if not isinstance(rec, Mapping):
            msg = "an offer must be a mapping of fields"
            raise InputError(msg, file=file, line=line)
        try:
            offer = offer_from_record(rec)
        except UnknownNameError as exc:
            raise InputError(str(exc), file=file, line=line, field="partner") from None
        except ValueError as exc:
            text = str(exc)
            field_name = text.split(":", 1)[0] if ":" in text else None
            raise InputError(text, file=file, line=line, field=field_name) from None
        if offer.id in seen:
            msg = f"duplicate offer id {offer.id!r}"
            raise InputError(msg, file=file, line=line, field="id")
        seen.add(offer.id)
        out.append(offer)
    return tuple(out)


def offers_to_records(offers: Iterable[PartnershipOffer]) -> list[dict[str, Any]]:
    """Flat records (``OFFER_COLUMNS``; lists joined by ``;``), the inverse of the reader."""
    return [
        {
            "id": o.id,
            "partner": o.partner,
            "kind": o.kind.value,
            "capacity": o.capacity,
            "unit": o.unit,
            "beneficiary_contributors": ";".join(o.beneficiary.contributors),
            "beneficiary_unit_types": ";".join(o.beneficiary.unit_types),
            "beneficiary_missions": ";".join(o.beneficiary.missions),
            "lead_time_days": o.lead_time_days,
            "cost_usd": o.cost_usd,
            "status": o.status.value,
            "description": o.description,
            "source": o.source,
            "illustrative": o.illustrative,
        }
        for o in offers
    ]


_KIND_WORDS = {
    PartnershipKind.TRAINING: "training",
    PartnershipKind.EQUIPMENT: "equipment",
    PartnershipKind.LOGISTICS: "lift",
}


def missing_support(
    scenario: Scenario,
    requirement: int,
    eligible: Iterable[int],
    *,
    partnerships: bool = True,
) -> list[str]:
    """Why pledges of the requirement's type stay out for want of support, one line per kind.

    ``eligible`` are the pledge positions that may already fill the requirement. Each line
    counts the units of the other pledges whose need of a kind no usable offer serves for the
    requirement's mission ("2 UTIL_HEL units need lift; no lift offered"), and names offers
    that would serve it but are only offered, not accepted.
    """
    req = scenario.requirements[requirement]
    ok = set(eligible)
    waiting: dict[PartnershipKind, list[Pledge]] = {}
    offered: dict[PartnershipKind, list[str]] = {}
    for i, p in enumerate(scenario.pledges):
        if p.unit_type != req.unit_type or i in ok:
            continue
        for need in p.needs:
            fitting = [
                o
                for o in scenario.partnerships
                if serves(o, need, p)
                and (not o.beneficiary.missions or req.mission in o.beneficiary.missions)
            ]
            if partnerships and any(o.usable for o in fitting):
                continue
            waiting.setdefault(need.kind, []).append(p)
            offered.setdefault(need.kind, []).extend(
                f"{o.id} ({o.partner})" for o in fitting if not o.usable
            )
    out: list[str] = []
    for kind, pledges in waiting.items():
        word = _KIND_WORDS.get(kind, kind.value)
        units = sum(p.units for p in pledges)
        who = ", ".join(dict.fromkeys(f"{p.contributor} {p.id}" for p in pledges))
        plural = units != 1
        line = (
            f"{units} {req.unit_type} unit{'s' if plural else ''} ({who}) "
            f"need{'' if plural else 's'} {word}; "
        )
        if not partnerships:
            line += "planned without partnerships"
        elif offered[kind]:
            names = ", ".join(dict.fromkeys(offered[kind]))
            line += f"no {word} accepted ({names} offered, not accepted)"
        else:
            line += f"no {word} offered"
        out.append(line)
    return out


def offers_from_csv_text(text: str, *, file: str | None = None) -> tuple[PartnershipOffer, ...]:
    """Offers from CSV text with a header of :data:`OFFER_COLUMNS` (lists ``;``-separated)."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames
    if not header:
        msg = "empty offers file: expected a header line " + ",".join(OFFER_COLUMNS)
        raise InputError(msg, file=file, line=1)
    missing = [c for c in ("id", "partner", "kind", "capacity", "unit") if c not in header]
    if missing:
        msg = f"the header lacks {', '.join(missing)} (columns: {', '.join(OFFER_COLUMNS)})"
        raise InputError(msg, file=file, line=1)
    rows: list[dict[str, Any]] = []
    for row in reader:
        if None in row:
            msg = "more values than header columns"
            raise InputError(msg, file=file, line=reader.line_num)
        rows.append({k: v for k, v in row.items() if v is not None})
    return offers_from_records(rows, file=file, first_line=2)


def offers_from_yaml_text(text: str, *, file: str | None = None) -> tuple[PartnershipOffer, ...]:
    """Offers from YAML (or JSON) text: a list of offers, or a mapping with ``partnerships``."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        msg = f"not valid YAML/JSON: {getattr(exc, 'problem', exc)}"
        raise InputError(msg, file=file, line=line) from None
    if isinstance(data, Mapping) and "partnerships" in data:
        data = data["partnerships"]
    if data is None:
        return ()
    if not isinstance(data, list):
        msg = "expected a list of offers (or a mapping with a 'partnerships' list)"
        raise InputError(msg, file=file, line=1)
    return offers_from_records(data, file=file, first_line=1)


def offers_to_csv_text(offers: Iterable[PartnershipOffer]) -> str:
    """CSV text of ``offers`` with the :data:`OFFER_COLUMNS` header (read back unchanged)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(OFFER_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(offers_to_records(offers))
    return out.getvalue()


def offers_to_yaml_text(offers: Iterable[PartnershipOffer]) -> str:
    """YAML text (``partnerships:`` list, nested beneficiary) of ``offers``."""
    import yaml

    rows = []
    for rec in offers_to_records(offers):
        nested = {
            "contributors": _listed(rec.pop("beneficiary_contributors")),
            "unit_types": _listed(rec.pop("beneficiary_unit_types")),
            "missions": _listed(rec.pop("beneficiary_missions")),
        }
        rec["beneficiary"] = {k: list(v) for k, v in nested.items() if v}
        rows.append(rec)
    return yaml.safe_dump({"partnerships": rows}, sort_keys=False, allow_unicode=True)


def with_offers(scenario: Scenario, offers: Iterable[PartnershipOffer]) -> Scenario:
    """``scenario`` with ``offers`` added to its partnerships (ids must stay unique)."""
    added = tuple(offers)
    known = {o.id for o in scenario.partnerships}
    for o in added:
        if o.id in known:
            msg = f"offer {o.id!r} is already in scenario {scenario.name!r}"
            raise InputError(msg, field="id")
        known.add(o.id)
    return replace(scenario, partnerships=scenario.partnerships + added)

"""Partnership offers (the record side): a partner offers training, equipment, funding,
logistics or intelligence to a contributor, a unit type or a mission.

Object-level rules: a partner (bound to an organization or a state) sees and changes only its
own offers; a delegation sees the offers addressed to its state and accepts or declines them;
planners and admins see and decide all; analysts see none. An offer the caller may not see is
reported as absent (``NotFoundError``). Status moves offered -> accepted | declined (by the
beneficiary's delegation or a planner) -> delivered (by the partner or a planner); the partner
may withdraw an offer until it is delivered. Every change bumps the version (the ETag) and
writes one audit entry in the same transaction. ``import_offers`` and ``export_offers`` read
and write the offers as CSV or YAML (errors name file, line and field).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bluehelmet.domain.planning import PartnershipKind as OfferKind
from bluehelmet.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    UnknownNameError,
)
from bluehelmet.services.access import SYSTEM_ACTOR, Principal, Role, require_role
from bluehelmet.services.core import Core
from bluehelmet.services.idempotency import IdempotencyKey, as_utc, jsonable, once
from bluehelmet.services.writes import (
    before_change,
    changed_meanwhile,
    entity_tag,
    page,
    write_session,
)
from bluehelmet.store.access import record_change
from bluehelmet.store.planning import CapacityUnit, OfferStatus, PartnershipRow

__all__ = [
    "EDITABLE_FIELDS",
    "EXPORT_COLUMNS",
    "CapacityUnit",
    "OfferKind",
    "OfferStatus",
    "create_offer",
    "etag",
    "export_offers",
    "get_offer",
    "import_offers",
    "list_offers",
    "offer_record",
    "set_status",
    "update_offer",
    "withdraw_offer",
]

ENTITY = "partnership_offer"
EDITABLE_FIELDS = (
    "kind",
    "contributor",
    "unit_type",
    "mission",
    "capacity",
    "capacity_unit",
    "lead_time_days",
    "cost",
    "start",
    "end",
    "description",
)
EXPORT_COLUMNS = ("partner", "status", *EDITABLE_FIELDS)
"""Columns of an exported (and importable) offer file, in order."""

MAX_CAPACITY = 1e12
MAX_LEAD_TIME_DAYS = 3650
MAX_DESCRIPTION = 4000
MAX_IMPORT_ROWS = 10_000

_SEE_ALL = (Role.ADMIN, Role.PLANNER)
# Who moves an offer to a status, and from which statuses.
_FROM: dict[OfferStatus, tuple[OfferStatus, ...]] = {
    OfferStatus.ACCEPTED: (OfferStatus.OFFERED,),
    OfferStatus.DECLINED: (OfferStatus.OFFERED,),
    OfferStatus.DELIVERED: (OfferStatus.ACCEPTED,),
    OfferStatus.WITHDRAWN: (OfferStatus.OFFERED, OfferStatus.ACCEPTED),
}
_ACTIONS = {
    OfferStatus.ACCEPTED: "accept",
    OfferStatus.DECLINED: "decline",
    OfferStatus.DELIVERED: "deliver",
    OfferStatus.WITHDRAWN: "withdraw",
}
"""The audit log's action for each status change."""


# --- values ------------------------------------------------------------------------------------


def _choice(value: Any, kind: type[OfferKind | CapacityUnit | OfferStatus], field: str) -> str:
    text = str(value).strip()
    for member in kind:
        if text.casefold() == member.value.casefold():
            return member.value
    known = ", ".join(m.value for m in kind)
    msg = f"unknown {field.replace('_', ' ')} {text!r}; known: {known}"
    raise InputError(msg, field=field)


def _resolve(value: Any, field: str) -> str:
    from bluehelmet.reference.countries import country
    from bluehelmet.reference.missions import mission
    from bluehelmet.services.pledges import unit_type_code

    text = str(value).strip()
    try:
        if field == "contributor":
            return country(text).iso3
        if field == "mission":
            return mission(text).acronym
    except UnknownNameError as exc:
        raise InputError(str(exc), field=field) from None
    try:
        return unit_type_code(text)
    except InputError as exc:
        raise InputError(exc.reason, field=field) from None


def _number(value: Any, field: str, *, low: float, high: float, whole: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        msg = f"{value!r} is not a number"
        raise InputError(msg, field=field) from None
    if math.isnan(number) or not low <= number <= high:
        msg = f"{value!r} is outside {low:g} to {high:g}"
        raise InputError(msg, field=field)
    if whole and not number.is_integer():
        msg = f"{value!r} is not a whole number of days"
        raise InputError(msg, field=field)
    return number


def _date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        msg = f"{value!r} is not a date (YYYY-MM-DD)"
        raise InputError(msg, field=field) from None


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Checked offer fields, named as the store names them (``contributor`` is ``recipient``)."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            msg = f"is not an offer field (fields: {', '.join(EDITABLE_FIELDS)})"
            raise InputError(msg, field=name)
        blank = value is None or (isinstance(value, str) and not value.strip())
        if name == "kind":
            if blank:
                msg = "is required"
                raise InputError(msg, field=name)
            out["kind"] = _choice(value, OfferKind, "kind")
        elif name == "description":
            text = "" if blank else str(value).strip()
            if len(text) > MAX_DESCRIPTION:
                msg = f"has {len(text)} characters (at most {MAX_DESCRIPTION})"
                raise InputError(msg, field=name)
            out["description"] = text
        elif blank:
            out["recipient" if name == "contributor" else name] = None
        elif name in ("contributor", "unit_type", "mission"):
            out["recipient" if name == "contributor" else name] = _resolve(value, name)
        elif name == "capacity_unit":
            out[name] = _choice(value, CapacityUnit, "capacity_unit")
        elif name in ("capacity", "cost"):
            low = 1e-9 if name == "capacity" else 0.0
            out[name] = _number(value, name, low=low, high=MAX_CAPACITY)
        elif name == "lead_time_days":
            days = _number(value, name, low=0, high=MAX_LEAD_TIME_DAYS, whole=True)
            out[name] = int(days)
        else:
            out[name] = _date(value, name)
    return out


def _check_whole(values: Mapping[str, Any]) -> None:
    """Rules over several fields of the offer as it would be stored."""
    if not any(values.get(k) for k in ("recipient", "unit_type", "mission")):
        msg = "an offer needs a beneficiary: a contributor, a unit type or a mission"
        raise InputError(msg, field="contributor")
    if (values.get("capacity") is None) != (values.get("capacity_unit") is None):
        msg = "give capacity and capacity_unit together (seats, units, USD or flight_hours)"
        raise InputError(msg, field="capacity_unit")
    start, end = values.get("start"), values.get("end")
    if start is not None and end is not None and end < start:
        msg = f"the offer ends ({end}) before it starts ({start})"
        raise InputError(msg, field="end")
    if values.get("provider") is not None and values.get("provider") == values.get("recipient"):
        msg = "a state does not offer support to itself"
        raise InputError(msg, field="contributor")


def _partner(value: str) -> tuple[str | None, str | None]:
    """``(provider ISO-3, organization code)`` of a partner given by state or organization."""
    from bluehelmet.reference.countries import find_country
    from bluehelmet.reference.organizations import organization

    text = value.strip()
    if not text:
        msg = "is required: an organization code (AU, EU ...) or a state"
        raise InputError(msg, field="partner")
    try:
        return None, organization(text).code
    except UnknownNameError:
        found = find_country(text)
        if found is not None:
            return found.iso3, None
    msg = f"unknown partner {text!r}: neither an organization code nor a state"
    raise InputError(msg, field="partner")


# --- records and rules -------------------------------------------------------------------------


def offer_record(row: PartnershipRow) -> dict[str, Any]:
    """An offer as a plain record (what the API returns)."""
    return {
        "id": row.id,
        "partner": row.partner_org or row.provider,
        "partner_type": "organization" if row.partner_org else "state",
        "kind": row.kind,
        "contributor": row.recipient,
        "unit_type": row.unit_type,
        "mission": row.mission,
        "capacity": row.capacity,
        "capacity_unit": row.capacity_unit,
        "lead_time_days": row.lead_time_days,
        "cost": row.cost,
        "start": row.start,
        "end": row.end,
        "description": row.description,
        "status": row.status,
        "version": row.version,
        "created_by": row.created_by,
        "updated_at": as_utc(row.updated_at),
    }


def etag(record: Mapping[str, Any]) -> str:
    """The entity tag of an offer record: its id and version."""
    return entity_tag("offer", record)


def _owns(principal: Principal) -> Any:
    if principal.organization:
        return PartnershipRow.partner_org == principal.organization
    return PartnershipRow.provider == principal.iso3


def _visible(principal: Principal) -> Any:
    if principal.has(*_SEE_ALL):
        return True
    if principal.role is Role.PARTNER:
        return _owns(principal)
    if principal.role is Role.DELEGATION and principal.iso3:
        return PartnershipRow.recipient == principal.iso3
    return False


def _is_owner(principal: Principal, row: PartnershipRow) -> bool:
    if principal.role is not Role.PARTNER:
        return False
    if principal.organization:
        return row.partner_org == principal.organization
    return row.provider is not None and row.provider == principal.iso3


def _load(session: Session, principal: Principal, offer_id: int) -> PartnershipRow:
    row = session.scalars(
        select(PartnershipRow).where(PartnershipRow.id == offer_id, _visible(principal))
    ).one_or_none()
    if row is None:
        raise NotFoundError("offer", offer_id)
    return row


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    offer_id: int,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime,
) -> None:
    record_change(
        session,
        actor=principal.name,
        user_id=principal.user_id or None,
        action=action,
        entity=ENTITY,
        entity_id=offer_id,
        before=before,
        after=after,
        at=at,
    )


# --- use cases ---------------------------------------------------------------------------------


def _new_row(
    values: Mapping[str, Any], partner: tuple[str | None, str | None], actor: str, now: datetime
) -> PartnershipRow:
    provider, org = partner
    whole = {"provider": provider, **values}
    _check_whole(whole)
    return PartnershipRow(
        provider=provider,
        partner_org=org,
        recipient=values.get("recipient"),
        unit_type=values.get("unit_type"),
        mission=values.get("mission"),
        kind=values["kind"],
        capacity=values.get("capacity"),
        capacity_unit=values.get("capacity_unit"),
        lead_time_days=values.get("lead_time_days"),
        cost=values.get("cost"),
        start=values.get("start"),
        end=values.get("end"),
        description=values.get("description", ""),
        source="",
        currency="USD",
        status=values.get("status", OfferStatus.OFFERED.value),
        version=1,
        created_by=actor,
        updated_at=now,
    )


def create_offer(
    core: Core,
    principal: Principal,
    fields: Mapping[str, Any],
    *,
    partner: str | None = None,
    idempotency: IdempotencyKey | None = None,
) -> tuple[dict[str, Any], bool]:
    """Record a new offer (status ``offered``); return it and whether it was replayed.

    A partner offers as its own organization or state; a planner or admin names ``partner``.
    """
    require_role(principal, Role.PARTNER, Role.PLANNER, Role.ADMIN)
    if principal.role is Role.PARTNER:
        own = principal.organization or principal.iso3 or ""
        if partner is not None and _partner(partner) != _partner(own):
            msg = "a partner offers only as itself; leave partner out"
            raise InputError(msg, field="partner")
        parties: tuple[str | None, str | None] = (
            (principal.iso3, None) if principal.iso3 else (None, principal.organization)
        )
    elif partner is None:
        msg = "a planner or admin must name the partner (organization code or state)"
        raise InputError(msg, field="partner")
    else:
        parties = _partner(partner)
    if "kind" not in fields:
        msg = "is required (training, equipment, funding, logistics or intelligence)"
        raise InputError(msg, field="kind")
    values = _clean(fields)

    def action(session: Session) -> dict[str, Any]:
        now = datetime.now(UTC)
        row = _new_row(values, parties, principal.name, now)
        session.add(row)
        session.flush()
        after: dict[str, Any] = jsonable(offer_record(row))
        _audit(session, principal, "create", row.id, after=after, at=now)
        return after

    return once(core, principal, idempotency, action)


def list_offers(
    core: Core,
    principal: Principal,
    *,
    status: str | None = None,
    kind: str | None = None,
    contributor: str | None = None,
    mission: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """The offers ``principal`` may see (filtered), one page of them and the total."""
    conditions: list[Any] = [_visible(principal)]
    if status is not None:
        conditions.append(PartnershipRow.status == _choice(status, OfferStatus, "status"))
    if kind is not None:
        conditions.append(PartnershipRow.kind == _choice(kind, OfferKind, "kind"))
    if contributor is not None:
        conditions.append(PartnershipRow.recipient == _resolve(contributor, "contributor"))
    if mission is not None:
        conditions.append(PartnershipRow.mission == _resolve(mission, "mission"))
    with core.session() as session:
        return page(
            session, PartnershipRow, conditions, limit=limit, offset=offset, record=offer_record
        )


def get_offer(core: Core, principal: Principal, offer_id: int) -> dict[str, Any]:
    """One offer the caller may see (``NotFoundError`` otherwise)."""
    with core.session() as session:
        return offer_record(_load(session, principal, offer_id))


def _change(
    core: Core,
    principal: Principal,
    offer_id: int,
    *,
    if_match: str | None,
    action: str,
    decide: Any,
) -> dict[str, Any]:
    """Load, authorize (``decide(row) -> values``), apply conditionally on the version, audit."""
    with write_session(core) as session:
        row = session.scalars(
            select(PartnershipRow).where(PartnershipRow.id == offer_id, _visible(principal))
        ).one_or_none()
        before, version = before_change(row, "offer", offer_id, offer_record, if_match)
        before = jsonable(before)
        assert row is not None  # before_change raised NotFoundError otherwise
        values: dict[str, Any] = decide(row)
        now = datetime.now(UTC)
        done = session.execute(
            update(PartnershipRow)
            .where(PartnershipRow.id == offer_id, PartnershipRow.version == version)
            .values(version=version + 1, updated_at=now, **values)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise changed_meanwhile("offer", offer_id)
        session.expire(row)
        after: dict[str, Any] = jsonable(offer_record(row))
        _audit(session, principal, action, offer_id, before=before, after=after, at=now)
        return offer_record(row)


def _may_edit(principal: Principal, row: PartnershipRow) -> None:
    if not (_is_owner(principal, row) or principal.has(*_SEE_ALL)):
        msg = "only the partner who made the offer (or a planner) may change it"
        raise PermissionDeniedError(msg)


def update_offer(
    core: Core,
    principal: Principal,
    offer_id: int,
    fields: Mapping[str, Any],
    *,
    if_match: str | None,
) -> dict[str, Any]:
    """Change the given fields of an offer still ``offered``, against ``if_match``."""
    if not fields:
        msg = "give at least one field to change"
        raise InputError(msg, field="body")
    values = _clean(fields)

    def decide(row: PartnershipRow) -> dict[str, Any]:
        _may_edit(principal, row)
        if row.status != OfferStatus.OFFERED.value:
            msg = f"offer {row.id} is {row.status}; only an offer still offered can change"
            raise ConflictError(msg)
        current = {
            "provider": row.provider,
            "recipient": row.recipient,
            "unit_type": row.unit_type,
            "mission": row.mission,
            "capacity": row.capacity,
            "capacity_unit": row.capacity_unit,
            "start": row.start,
            "end": row.end,
        }
        _check_whole({**current, **values})
        return values

    return _change(core, principal, offer_id, if_match=if_match, action="update", decide=decide)


def set_status(
    core: Core, principal: Principal, offer_id: int, status: str, *, if_match: str | None
) -> dict[str, Any]:
    """Move an offer to ``status``: accepted or declined (the beneficiary's delegation or a
    planner), delivered (the partner or a planner), withdrawn (the partner or a planner)."""
    target = OfferStatus(_choice(status, OfferStatus, "status"))
    if target is OfferStatus.OFFERED:
        msg = "an offer cannot go back to offered; make a new offer"
        raise InputError(msg, field="status")

    def decide(row: PartnershipRow) -> dict[str, Any]:
        if target in (OfferStatus.ACCEPTED, OfferStatus.DECLINED):
            beneficiary = (
                principal.role is Role.DELEGATION
                and row.recipient is not None
                and row.recipient == principal.iso3
            )
            if not (beneficiary or principal.has(*_SEE_ALL)):
                msg = (
                    "an offer is accepted or declined by the beneficiary contributor's "
                    "delegation or by a planner"
                )
                raise PermissionDeniedError(msg)
        else:
            _may_edit(principal, row)
        allowed = _FROM[target]
        if row.status not in {s.value for s in allowed}:
            froms = " or ".join(s.value for s in allowed)
            msg = f"offer {row.id} is {row.status}; it can become {target.value} only from {froms}"
            raise ConflictError(msg)
        return {"status": target.value}

    action = _ACTIONS[target]
    return _change(core, principal, offer_id, if_match=if_match, action=action, decide=decide)


def withdraw_offer(
    core: Core, principal: Principal, offer_id: int, *, if_match: str | None
) -> dict[str, Any]:
    """Withdraw an offer not yet delivered (it stays on record)."""
    return set_status(core, principal, offer_id, OfferStatus.WITHDRAWN.value, if_match=if_match)


# --- files -------------------------------------------------------------------------------------


def _read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """``(line, fields)`` of each offer in a CSV or YAML file."""
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        msg = "no such file"
        raise InputError(msg, file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"cannot be read as UTF-8 text: {exc}"
        raise InputError(msg, file=path) from None
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        unknown = [h for h in header if h not in EXPORT_COLUMNS]
        if unknown:
            msg = f"unknown column (columns: {', '.join(EXPORT_COLUMNS)})"
            raise InputError(msg, file=path, line=1, field=unknown[0])
        return [(reader.line_num, dict(row)) for row in reader]
    if suffix in (".yaml", ".yml"):
        import yaml

        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            msg = f"is not valid YAML: {getattr(exc, 'problem', exc)}"
            raise InputError(msg, file=path, line=line) from None
        if isinstance(loaded, dict) and "offers" in loaded:
            loaded = loaded["offers"]
        if loaded is None:
            loaded = []
        if not isinstance(loaded, list) or not all(isinstance(o, dict) for o in loaded):
            msg = "must be a list of offers (mappings), or a mapping with the list under 'offers'"
            raise InputError(msg, file=path)
        return [(index + 1, dict(offer)) for index, offer in enumerate(loaded)]
    msg = f"offers are read from .csv, .yaml or .yml files, not {suffix or 'no suffix'!r}"
    raise InputError(msg, file=path)


def import_offers(
    core: Core, path: str | Path, *, actor: str = SYSTEM_ACTOR
) -> list[dict[str, Any]]:
    """Import the offers of a CSV or YAML file (``EXPORT_COLUMNS``), all or none.

    Every row is checked before anything is written; an error names the file, the line (the
    offer's position in a YAML list) and the field. Returns the stored offers.
    """
    source = Path(path)
    rows = _read_rows(source)
    if len(rows) > MAX_IMPORT_ROWS:
        msg = f"holds {len(rows)} offers; at most {MAX_IMPORT_ROWS} are imported at once"
        raise InputError(msg, file=source)
    checked = []
    for line, raw in rows:
        try:
            unknown = sorted(str(k) for k in raw if k not in EXPORT_COLUMNS)
            if unknown:
                msg = f"is not an offer field (fields: {', '.join(EXPORT_COLUMNS)})"
                raise InputError(msg, field=unknown[0])
            fields = {k: raw[k] for k in EDITABLE_FIELDS if k in raw}
            if not str(raw.get("kind") or "").strip():
                msg = "is required (training, equipment, funding, logistics or intelligence)"
                raise InputError(msg, field="kind")
            values = _clean(fields)
            status = raw.get("status")
            values["status"] = (
                OfferStatus.OFFERED.value
                if status is None or not str(status).strip()
                else _choice(status, OfferStatus, "status")
            )
            parties = _partner(str(raw.get("partner") or ""))
            _check_whole({"provider": parties[0], **values})
        except InputError as exc:
            raise InputError(exc.reason, file=source, line=line, field=exc.field) from None
        checked.append((values, parties))
    now = datetime.now(UTC)
    system = Principal(user_id=0, name=actor, role=Role.ADMIN)
    stored = []
    with write_session(core) as session:
        for values, parties in checked:
            row = _new_row(values, parties, actor, now)
            session.add(row)
            session.flush()
            record: dict[str, Any] = jsonable(offer_record(row))
            _audit(session, system, "import", row.id, after=record, at=now)
            stored.append(record)
    return stored


def _export_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def export_offers(core: Core, fmt: str = "csv", *, statuses: Sequence[str] | None = None) -> str:
    """Every offer (or those in ``statuses``) as CSV or YAML text with ``EXPORT_COLUMNS``."""
    wanted = [_choice(s, OfferStatus, "status") for s in statuses or ()]
    with core.session() as session:
        query = select(PartnershipRow).order_by(PartnershipRow.id)
        if wanted:
            query = query.where(or_(*(PartnershipRow.status == s for s in wanted)))
        records = [offer_record(r) for r in session.scalars(query)]
    rows = [{c: _export_value(r[c]) for c in EXPORT_COLUMNS} for r in records]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    if fmt == "yaml":
        import yaml

        clean = [{k: v for k, v in r.items() if v not in (None, "")} for r in rows]
        return str(yaml.safe_dump({"offers": clean}, sort_keys=False, allow_unicode=True))
    msg = f"unknown export format {fmt!r}; known: csv, yaml"
    raise InputError(msg, field="format")

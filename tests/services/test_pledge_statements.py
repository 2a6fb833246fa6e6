"""How many statements and round trips a pledge change costs, and that the rows they write agree.

On PostgreSQL a creation is one statement in autocommit (no BEGIN, no COMMIT: one round trip
to the server, committed durably as its own transaction) and an update, a withdrawal or a visit
two (read, then one guarded write). The counts are pinned here: a change that adds a statement
or a round trip makes these tests fail.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bluehelmet.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
)
from bluehelmet.services import pledges
from bluehelmet.services.access import authenticate
from bluehelmet.services.core import Core
from bluehelmet.services.idempotency import IdempotencyKey, fingerprint, jsonable
from bluehelmet.services.writes import before_change, changed_meanwhile
from bluehelmet.store.access import AuditLogRow, IdempotencyRow
from bluehelmet.store.planning import PcrsVisitRow, PledgeRevisionRow, PledgeRow
from bluehelmet.testing import libpq_messages
from tests.api.conftest import PLEDGE, make_coop_core


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[tuple[Core, dict[str, str]]]:
    core, keys = make_coop_core(database_url, tmp_path / "home")
    yield core, keys
    core.close()


@contextmanager
def counted(core: Core) -> Iterator[list[str]]:
    """The SQL statements ``core``'s engine sends while the block runs."""
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(core.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(core.engine, "before_cursor_execute", note)


def _key(name: str, payload: Any = PLEDGE) -> IdempotencyKey:
    return IdempotencyKey(
        key=name, method="POST", path="/api/v1/pledges", fingerprint=fingerprint(payload)
    )


def test_statements_per_pledge_change(store: Any) -> None:
    core, keys = store
    ghana = authenticate(core, keys["ghana"])
    planner = authenticate(core, keys["planner"])
    postgres = core.engine.dialect.name == "postgresql"
    with counted(core) as create:
        made, replayed = pledges.create_pledge(core, ghana, PLEDGE, idempotency=_key("a"))
    with counted(core) as replay:
        again, replayed_again = pledges.create_pledge(core, ghana, PLEDGE, idempotency=_key("a"))
    with counted(core) as update:
        made = pledges.update_pledge(
            core, ghana, made["id"], {"units": 2}, if_match=pledges.etag(made)
        )
    with counted(core) as visit:
        made = pledges.record_visit(
            core,
            planner,
            made["id"],
            kind="verification",
            visited_on=date(2026, 1, 5),
            level_after="level_2",
            if_match=pledges.etag(made),
        )["pledge"]
    with counted(core) as withdraw:
        pledges.withdraw_pledge(core, ghana, made["id"], if_match=pledges.etag(made))
    assert (replayed, replayed_again, again["id"]) == (False, True, made["id"])
    counts = [len(s) for s in (create, replay, update, visit, withdraw)]
    if postgres:
        # one statement creates; a replay claims nothing and reads the stored answer
        assert counts == [1, 2, 2, 2, 2]
    else:
        # SQLite: key lookup, pledge, revision, audit, key; changes: read, update, revision,
        # audit (and the visit)
        assert counts == [5, 1, 4, 5, 4]


@pytest.mark.postgres
def test_a_creation_is_one_round_trip_to_postgresql(pg_url: str, tmp_path: Path) -> None:
    """libpq's own trace of the messages sent: one Sync, no BEGIN or COMMIT query."""
    core, keys = make_coop_core(pg_url, tmp_path / "home")
    ghana = authenticate(core, keys["ghana"])
    trace = tmp_path / "libpq.trace"
    with trace.open("w") as out:

        def start(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            dbapi_connection.pgconn.trace(out.fileno())

        def stop(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.pgconn.untrace()

        sa.event.listen(core.engine, "checkout", start)
        sa.event.listen(core.engine, "checkin", stop)
        try:
            made, _ = pledges.create_pledge(core, ghana, PLEDGE, idempotency=_key("trace"))
            out.flush()
            created = libpq_messages(trace)
            out.seek(0)
            out.truncate()
            pledges.update_pledge(
                core, ghana, made["id"], {"units": 3}, if_match=pledges.etag(made)
            )
            out.flush()
            updated = libpq_messages(trace)
        finally:
            sa.event.remove(core.engine, "checkout", start)
            sa.event.remove(core.engine, "checkin", stop)
    core.close()
    # A round trip ends with Sync (extended protocol) or is a simple Query (BEGIN, COMMIT).
    assert (created["Sync"], created["Query"]) == (1, 0)
    assert (updated["Sync"], updated["Query"]) == (2, 0)


def test_the_rows_of_a_change_agree_with_the_answer(store: Any) -> None:
    core, keys = store
    ghana = authenticate(core, keys["ghana"])
    planner = authenticate(core, keys["planner"])
    fields = PLEDGE | {"languages": ["fr", "en"], "caveats": 'no "night" ops', "women_share": 0.2}
    made, _ = pledges.create_pledge(core, ghana, fields, idempotency=_key("rows", fields))
    changed = pledges.update_pledge(
        core, ghana, made["id"], {"units": 4, "cost_per_unit": 12.5}, if_match=pledges.etag(made)
    )
    visited = pledges.record_visit(
        core,
        planner,
        made["id"],
        kind="assessment",
        visited_on=date(2026, 2, 1),
        level_after="level_2",
        findings="ready",
        if_match=pledges.etag(changed),
    )
    with core.session() as session:
        stored = pledges.pledge_record(session.get(PledgeRow, made["id"]))
        states = session.scalars(
            sa.select(PledgeRevisionRow.state).order_by(PledgeRevisionRow.version)
        ).all()
        audit = session.execute(
            sa.select(
                AuditLogRow.action, AuditLogRow.entity_id, AuditLogRow.before, AuditLogRow.after
            )
            .where(AuditLogRow.entity == "pledge")
            .order_by(AuditLogRow.id)
        ).all()
        body = session.scalar(sa.select(IdempotencyRow.body))
        visit = session.scalars(sa.select(PcrsVisitRow)).one()
    assert made["languages"] == ["en", "fr"]
    assert body == made
    assert jsonable(stored) == jsonable(visited["pledge"])
    assert states == [made, jsonable(changed), jsonable(visited["pledge"])]
    assert [(a.action, a.entity_id) for a in audit] == [
        ("create", str(made["id"])),
        ("update", str(made["id"])),
        ("visit", str(made["id"])),
    ]
    assert [a.before for a in audit] == [None, made, jsonable(changed)]
    assert [a.after for a in audit] == states
    assert visited["visit"]["id"] == visit.id
    assert (visit.level_before, visit.level_after) == ("level_3", "level_2")
    assert visited["pledge"]["version"] == 3


def test_a_key_reused_concurrently_for_another_body_is_refused(store: Any) -> None:
    core, keys = store
    ghana = authenticate(core, keys["ghana"])
    other = PLEDGE | {"units": 5}
    outcomes: list[str] = []

    def create(fields: dict[str, Any]) -> None:
        try:
            pledges.create_pledge(core, ghana, fields, idempotency=_key("same", fields))
            outcomes.append("created")
        except ConflictError:
            outcomes.append("refused")

    threads = [threading.Thread(target=create, args=(f,)) for f in (PLEDGE, other, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with core.session() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(PledgeRow))
    assert count == 1
    # the first to claim the key created; a retry of its body replays, the other is refused
    assert outcomes.count("refused") in (1, 2)
    assert len(outcomes) == 3


def test_before_change_hides_others_objects_and_checks_the_tag() -> None:
    record = {"id": 7, "version": 3}
    with pytest.raises(NotFoundError, match="offer"):
        before_change(None, "offer", 7, dict, '"offer-7-v3"')
    with pytest.raises(PreconditionRequiredError):
        before_change(record, "offer", 7, dict, None)
    with pytest.raises(PreconditionFailedError):
        before_change(record, "offer", 7, dict, '"offer-7-v2"')
    assert before_change(record, "offer", 7, dict, 'W/"offer-7-v3"') == (record, 3)
    assert "offer 7 was changed by someone else" in str(changed_meanwhile("offer", 7))


def test_a_change_answers_what_the_store_holds(store: Any) -> None:
    """The record after a change is computed, not read back: values take their column types."""
    core, keys = store
    ghana = authenticate(core, keys["ghana"])
    made, _ = pledges.create_pledge(core, ghana, PLEDGE | {"units": 2.0, "women_share": 0})
    assert (made["units"], made["women_share"]) == (2, 0.0)
    changed = pledges.update_pledge(
        core,
        ghana,
        made["id"],
        {"units": 3.0, "available_from": "2027-03-01", "cost_per_unit": 5},
        if_match=pledges.etag(made),
    )
    stored = pledges.get_pledge(core, ghana, made["id"])
    assert changed == stored
    assert (type(stored["units"]), type(stored["cost_per_unit"])) == (int, float)
    assert stored["available_from"] == date(2027, 3, 1)
    for bad in ({"units": 2.5}, {"units": True}, {"women_share": "x"}, {"available_from": "x"}):
        with pytest.raises(InputError, match=r"must be|not a date") as caught:
            pledges.update_pledge(core, ghana, made["id"], bad, if_match=pledges.etag(changed))
        assert caught.value.field == next(iter(bad))


@pytest.mark.postgres
def test_connections_go_back_to_the_pool_in_transactions(pg_url: str, tmp_path: Path) -> None:
    """A pledge write's autocommit connection is reset when returned: the next session on it
    runs in a transaction again (a failed write of several statements leaves nothing)."""
    core, keys = make_coop_core(pg_url, tmp_path / "home")
    ghana = authenticate(core, keys["ghana"])
    made, _ = pledges.create_pledge(core, ghana, PLEDGE)
    with core.session() as session:
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        assert raw.autocommit is False
    with pytest.raises(RuntimeError), core.session() as session:
        session.execute(sa.update(PledgeRow).values(units=9))
        raise RuntimeError
    assert pledges.get_pledge(core, ghana, made["id"])["units"] == 1
    core.close()

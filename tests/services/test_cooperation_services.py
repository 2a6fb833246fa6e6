"""The cooperation services without HTTP: keys, concurrency of updates, idempotency races."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bluehelmet.errors import (
    AuthenticationError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
)
from bluehelmet.services import pledges
from bluehelmet.services.access import authenticate
from bluehelmet.services.idempotency import IdempotencyKey, fingerprint
from bluehelmet.store.access import AuditLogRow, UserRow
from bluehelmet.store.planning import PledgeRow
from tests.api.conftest import PLEDGE, make_coop_core


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Any:
    core, keys = make_coop_core(database_url, tmp_path / "home")
    yield core, keys
    core.close()


def test_keys_authenticate_only_active_users(store: Any) -> None:
    core, keys = store
    ghana = authenticate(core, keys["ghana"])
    assert (ghana.role.value, ghana.iso3) == ("delegation", "GHA")
    for bad in (None, "", keys["ghana"][:-1] + "x", keys["ghana"][:8] + "y" * 35):
        with pytest.raises(AuthenticationError):
            authenticate(core, bad)
    with core.session() as session:
        session.execute(sa.update(UserRow).where(UserRow.name == "ghana").values(active=False))
    with pytest.raises(AuthenticationError):  # the in-process cache never outlives the row
        authenticate(core, keys["ghana"])


def test_two_writers_with_one_etag_never_both_win(store: Any) -> None:
    core, keys = store
    ghana = authenticate(core, keys["ghana"])
    planner = authenticate(core, keys["planner"])
    made, _ = pledges.create_pledge(core, ghana, PLEDGE)
    tag = pledges.etag(made)
    outcomes: list[str] = []

    def write(who: Any, units: int) -> None:
        try:
            pledges.update_pledge(core, who, made["id"], {"units": units}, if_match=tag)
            outcomes.append("ok")
        except PreconditionFailedError:
            outcomes.append("stale")

    threads = [threading.Thread(target=write, args=(w, n)) for w, n in ((ghana, 2), (planner, 3))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "stale"]
    assert pledges.get_pledge(core, planner, made["id"])["version"] == 2
    with pytest.raises(PreconditionRequiredError):
        pledges.update_pledge(core, ghana, made["id"], {"units": 4}, if_match=None)


def test_a_key_retried_concurrently_creates_one_pledge(store: Any) -> None:
    core, keys = store
    ghana = authenticate(core, keys["ghana"])
    idem = IdempotencyKey(
        key="k-1", method="POST", path="/api/v1/pledges", fingerprint=fingerprint(PLEDGE)
    )
    ids: list[int] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            ids.append(pledges.create_pledge(core, ghana, PLEDGE, idempotency=idem)[0]["id"])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 1
    with core.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PledgeRow)) == 1
        audit = session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditLogRow)
            .where(AuditLogRow.entity == "pledge")
        )
        assert audit == 1


def test_objects_of_other_states_are_absent(store: Any) -> None:
    core, keys = store
    ghana = authenticate(core, keys["ghana"])
    nepal = authenticate(core, keys["nepal"])
    made, _ = pledges.create_pledge(core, ghana, PLEDGE)
    with pytest.raises(NotFoundError):
        pledges.get_pledge(core, nepal, made["id"])
    with pytest.raises(NotFoundError):
        pledges.withdraw_pledge(core, nepal, made["id"], if_match="*")
    assert pledges.list_pledges(core, nepal) == ([], 0)


@pytest.mark.parametrize("ident", ["99999999999999999999999", "2147483648", "0", "٣", 2**40, -1])
def test_a_plan_id_no_stored_plan_can_have_is_not_found(store: Any, ident: int | str) -> None:
    from bluehelmet.errors import NotFoundError
    from bluehelmet.services.planning import get_plan

    with pytest.raises(NotFoundError, match="no plan with id"):
        get_plan(store[0], None, ident)

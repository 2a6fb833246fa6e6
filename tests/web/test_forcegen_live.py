"""The force generation page end to end: Chromium, the dashboard and the real REST API.

A store with a planner's and two delegations' keys (Ghana, Nepal), their pledges, two
requirements and a published plan, all made through the API; the page is then signed in
with each key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import LiveServer, axe_violations, open_page

USERS = {
    "planner": ("planner", None),
    "ghana": ("delegation", "GHA"),
    "nepal": ("delegation", "NPL"),
}
PLEDGES = {
    "ghana": [{"unit_type": "INF_BN", "units": 1, "readiness": "level_3", "cost_per_unit": 5e7}],
    "nepal": [
        {"unit_type": "INF_BN", "units": 1, "readiness": "level_3", "cost_per_unit": 5e7},
        {"unit_type": "CBT_ENG_COY", "units": 1, "readiness": "level_2", "cost_per_unit": 2e7},
    ],
}
REQUIREMENTS = [
    {"mission": "UNMISS", "unit_type": "INF_BN", "units": 3, "needed_by": "2027-06-01"},
    {"mission": "MINUSCA", "unit_type": "CBT_ENG_COY", "units": 1, "needed_by": "2027-06-01"},
]


@dataclass
class Cooperation:
    """The served app and what was made through its API."""

    server: LiveServer
    keys: dict[str, str]
    pledges: dict[str, list[dict[str, Any]]]
    plan: dict[str, Any]


@pytest.fixture(scope="module")
def cooperation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cooperation]:
    from bluehelmet.api import create_app
    from bluehelmet.services.access import create_user, ensure_store
    from bluehelmet.services.core import Core

    home = tmp_path_factory.mktemp("coop-home")
    core = Core(home=home, database_url=f"sqlite:///{home / 'store.sqlite'}")
    ensure_store(core)
    keys = {}
    for name, (role, country) in USERS.items():
        _, keys[name] = create_user(core, name, role, country=country)
    app = create_app(core)
    made: dict[str, list[dict[str, Any]]] = {}
    with TestClient(app) as client:
        for user, pledges in PLEDGES.items():
            for body in pledges:
                response = client.post(
                    "/api/v1/pledges", json=body, headers={"X-API-Key": keys[user]}
                )
                assert response.status_code == 201, response.text
                made.setdefault(user, []).append(response.json())
        planner = {"X-API-Key": keys["planner"]}
        for body in REQUIREMENTS:
            response = client.post("/api/v1/requirements", json=body, headers=planner)
            assert response.status_code == 201, response.text
        response = client.post(
            "/api/v1/plans", json={"name": "june-round", "time_limit": 10}, headers=planner
        )
        assert response.status_code == 201, response.text
        plan = response.json()
        published = client.patch(
            f"/api/v1/plans/{plan['id']}", json={"status": "proposed"}, headers=planner
        )
        assert published.status_code == 200, published.text
    server = LiveServer(app).start()
    yield Cooperation(server=server, keys=keys, pledges=made, plan=plan)
    server.stop()
    core.close()


def _sign_in(browser: Any, coop: Cooperation, user: str) -> Any:
    visit = open_page(browser, coop.server.url + "/forcegen", wait_charts=False)
    visit.page.fill("#api-key", coop.keys[user])
    visit.page.click("#signin-form button[type=submit]")
    visit.page.wait_for_selector('table[data-table="assignments"], #plan-detail p.none')
    return visit


def _column(page: Any, table: str, column: str) -> list[str]:
    cells: list[str] = page.locator(
        f'table[data-table="{table}"] td[data-col="{column}"]'
    ).all_inner_texts()
    return cells


def test_planner_sees_every_pledge_and_the_plan(browser: Any, cooperation: Cooperation) -> None:
    visit = _sign_in(browser, cooperation, "planner")
    page = visit.page
    try:
        page.wait_for_function("document.body.dataset.chartsRendered === '1'")
        assert sorted(_column(page, "pledges", "contributor")) == ["GHA", "NPL", "NPL"]
        assert _column(page, "coverage", "mission") == ["MINUSCA", "UNMISS"]
        assert _column(page, "coverage", "required") == ["1", "3"]
        assert _column(page, "coverage", "pledged") == ["1", "2"]
        # three infantry battalions needed, two pledged: the plan has a gap with its reasons
        assert _column(page, "gaps", "requirement")
        assert any(_column(page, "gaps", "reasons"))
        assert page.locator('[data-fact="LP bound (fill)"]').count() == 1
        assert page.locator('[data-fact="Greedy baseline fill"]').count() == 1
        assert _column(page, "plans", "name") == ["june-round"]
        assert visit.console_errors == []
        assert visit.blocked == []
        assert axe_violations(page) == []
    finally:
        page.context.close()


def test_delegation_sees_only_its_state(browser: Any, cooperation: Cooperation) -> None:
    visit = _sign_in(browser, cooperation, "ghana")
    page = visit.page
    try:
        assert _column(page, "pledges", "contributor") == ["GHA"]
        assert set(_column(page, "assignments", "contributor")) <= {"GHA"}
        assert "NPL" not in page.locator("#table-pledges").inner_text()
        # with the key this tab holds, another state's pledge cannot be reached
        other = cooperation.pledges["nepal"][0]["id"]
        own = cooperation.pledges["ghana"][0]["id"]
        fetch = """async (id) => (await fetch('/api/v1/pledges/' + id,
            {headers: {'X-API-Key': sessionStorage.getItem('bluehelmet.apiKey')}})).status"""
        assert page.evaluate(fetch, own) == 200
        assert page.evaluate(fetch, other) == 404
        assert [e for e in visit.console_errors if "404" not in e] == []
    finally:
        page.context.close()

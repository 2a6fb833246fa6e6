"""The force generation page in Chromium, against the REST API's contract.

The page reads ``/api/v1/me``, ``/pledges``, ``/requirements``, ``/plans`` and
``/plans/{id}`` with the ``X-API-Key`` header. Here a small stand-in of those routes (the
contract's shapes: paged ``{items, total, limit, offset}`` lists, plan summaries with the bound
and the greedy baseline, plan details with gaps and reasons) serves two keys: a planner's,
who sees everything, and Ghana's delegation's, which sees only Ghana's pledges and the
assignments addressed to Ghana.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, FastAPI, Header, HTTPException

from tests.web.conftest import LiveServer, axe_violations, open_page

KEYS = {
    "planner-key": {"user_id": 1, "name": "DPO planner", "role": "planner", "country": None},
    "gha-key": {"user_id": 2, "name": "Ghana delegation", "role": "delegation", "country": "GHA"},
}
PLEDGES = [
    {"id": 1, "code": "GHA-INF-1", "contributor": "GHA", "unit_type": "INF_BN", "units": 2,
     "readiness": "level_2", "available_from": "2026-01-01"},
    {"id": 2, "code": "NPL-INF-1", "contributor": "NPL", "unit_type": "INF_BN", "units": 1,
     "readiness": "rapid", "available_from": "2026-01-01"},
    {"id": 3, "code": "NPL-HEL-1", "contributor": "NPL", "unit_type": "UTIL_HEL", "units": 1,
     "readiness": "level_3", "available_from": "2026-03-01"},
]  # fmt: skip
REQUIREMENTS = [
    {"id": 1, "code": "UNMISS-INF", "mission": "UNMISS", "unit_type": "INF_BN", "units": 2,
     "needed_by": "2026-06-30", "priority": 1},
    {"id": 2, "code": "UNMISS-HEL", "mission": "UNMISS", "unit_type": "UTIL_HEL", "units": 3,
     "needed_by": "2026-06-30", "priority": 1},
    {"id": 3, "code": "MINUSCA-INF", "mission": "MINUSCA", "unit_type": "INF_BN", "units": 1,
     "needed_by": "2026-09-30", "priority": 2},
]  # fmt: skip
PLAN = {
    "id": 7, "name": "june-round", "scenario": "store", "source": "store", "status": "proposed",
    "method": "network LP", "solver_status": "Optimal", "optimal": True, "fill": 4.0,
    "legitimacy": 3.5, "cost_usd": 1.2e8, "lp_bound": 4.0, "mip_gap": 0.0, "baseline_fill": 3.0,
    "baseline_legitimacy": 2.0, "baseline_cost_usd": 1.4e8, "solve_seconds": 0.1, "notes": [],
}  # fmt: skip
ASSIGNMENTS = [
    {"requirement": "UNMISS-INF", "pledge": "GHA-INF-1", "contributor": "GHA",
     "mission": "UNMISS", "unit_type": "INF_BN", "units": 2, "personnel": 1700,
     "arrival": "2026-05-01", "late_days": 0, "cost_usd": 5e7},
    {"requirement": "MINUSCA-INF", "pledge": "NPL-INF-1", "contributor": "NPL",
     "mission": "MINUSCA", "unit_type": "INF_BN", "units": 1, "personnel": 850,
     "arrival": "2026-04-01", "late_days": 0, "cost_usd": 3e7},
    {"requirement": "UNMISS-HEL", "pledge": "NPL-HEL-1", "contributor": "NPL",
     "mission": "UNMISS", "unit_type": "UTIL_HEL", "units": 1, "personnel": 120,
     "arrival": "2026-04-01", "late_days": 0, "cost_usd": 4e7},
]  # fmt: skip
GAPS = [
    {"requirement": "UNMISS-HEL", "mission": "UNMISS", "unit_type": "UTIL_HEL", "required": 3,
     "filled": 1, "late_units": 0,
     "reasons": [{"cause": "no_pledge", "detail": "only 1 utility helicopter unit is pledged"}]},
]  # fmt: skip


KeyHeader = Annotated[str | None, Header(alias="X-API-Key")]


def _principal(key: str | None) -> dict[str, Any]:
    found = KEYS.get(key or "")
    if found is None:
        raise HTTPException(status_code=401, detail="unknown or missing API key")
    return found


def _page(items: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
    return {"items": items[offset : offset + limit], "total": len(items), "limit": limit,
            "offset": offset}  # fmt: skip


def contract_router() -> APIRouter:
    """The REST API's pledges, requirements and plans routes as the page uses them."""
    api = APIRouter(prefix="/api/v1")

    @api.get("/me")
    def me(x_api_key: KeyHeader = None) -> dict[str, Any]:
        return _principal(x_api_key)

    @api.get("/pledges")
    def pledges(limit: int = 50, offset: int = 0, x_api_key: KeyHeader = None) -> Any:
        who = _principal(x_api_key)
        rows = [p for p in PLEDGES if who["country"] in (None, p["contributor"])]
        return _page(rows, limit, offset)

    @api.get("/requirements")
    def requirements(limit: int = 50, offset: int = 0, x_api_key: KeyHeader = None) -> Any:
        _principal(x_api_key)
        return _page(REQUIREMENTS, limit, offset)

    @api.get("/plans")
    def plans(limit: int = 50, offset: int = 0, x_api_key: KeyHeader = None) -> Any:
        _principal(x_api_key)
        return _page([PLAN], limit, offset)

    @api.get("/plans/{plan_id}")
    def plan(plan_id: int, x_api_key: KeyHeader = None) -> Any:
        who = _principal(x_api_key)
        if plan_id != PLAN["id"]:
            raise HTTPException(status_code=404, detail="no such plan")
        mine = [a for a in ASSIGNMENTS if who["country"] in (None, a["contributor"])]
        return {**PLAN, "assignments": mine, "gaps": GAPS}

    return api


@pytest.fixture(scope="module")
def contract_server(real_core: Any) -> Iterator[LiveServer]:
    """The dashboard beside the contract's stand-in routes."""
    from bluehelmet.web import router

    app = FastAPI()
    app.include_router(contract_router())
    app.include_router(router(real_core))
    server = LiveServer(app).start()
    yield server
    server.stop()


def sign_in(browser: Any, server: LiveServer, key: str) -> Any:
    visit = open_page(browser, server.url + "/forcegen", wait_charts=False)
    page = visit.page
    page.fill("#api-key", key)
    page.click("#signin-form button[type=submit]")
    return visit


def _column(page: Any, table: str, column: str) -> list[str]:
    texts: list[str] = page.locator(
        f'table[data-table="{table}"] td[data-col="{column}"]'
    ).all_inner_texts()
    return texts


def test_planner_sees_requirements_against_pledges_and_the_plan(
    browser: Any, contract_server: LiveServer
) -> None:
    visit = sign_in(browser, contract_server, "planner-key")
    page = visit.page
    try:
        page.wait_for_selector('table[data-table="gaps"]')
        page.wait_for_function("document.body.dataset.chartsRendered === '1'")
        assert "DPO planner" in page.locator("#session-who").inner_text()
        # per mission and unit type: units required against units pledged of that type
        assert _column(page, "coverage", "mission") == ["MINUSCA", "UNMISS", "UNMISS"]
        assert _column(page, "coverage", "unit_type") == ["INF_BN", "INF_BN", "UTIL_HEL"]
        assert _column(page, "coverage", "required") == ["1", "2", "3"]
        assert _column(page, "coverage", "pledged") == ["3", "3", "1"]
        assert page.locator("#chart-coverage svg path, #chart-coverage svg rect").count() > 0
        assert sorted(_column(page, "pledges", "contributor")) == ["GHA", "NPL", "NPL"]
        # the plan: bound and greedy baseline beside the objective, gaps with their reasons
        assert page.locator('[data-fact="LP bound (fill)"]').inner_text() == "4"
        assert page.locator('[data-fact="Greedy baseline fill"]').inner_text() == "3"
        assert _column(page, "gaps", "missing") == ["2"]
        assert "no_pledge: only 1 utility helicopter unit" in _column(page, "gaps", "reasons")[0]
        assert len(_column(page, "assignments", "pledge")) == 3
        assert visit.console_errors == []
        assert visit.blocked == []
    finally:
        page.context.close()


def test_delegation_sees_only_its_own_state(browser: Any, contract_server: LiveServer) -> None:
    visit = sign_in(browser, contract_server, "gha-key")
    page = visit.page
    try:
        page.wait_for_selector('table[data-table="assignments"]')
        assert _column(page, "pledges", "contributor") == ["GHA"]
        assert _column(page, "assignments", "contributor") == ["GHA"]
        assert "NPL" not in page.locator("#fg-content").inner_text()
        assert visit.console_errors == []
    finally:
        page.context.close()


def test_wrong_key_is_refused_and_forgotten(browser: Any, contract_server: LiveServer) -> None:
    visit = sign_in(browser, contract_server, "not-a-key")
    page = visit.page
    try:
        page.wait_for_function("document.getElementById('fg-status').textContent.length > 0")
        page.wait_for_function(
            "document.getElementById('fg-status').textContent.startsWith('Sign-in failed')"
        )
        assert page.locator("#fg-content").is_hidden()
        assert page.evaluate("sessionStorage.getItem('bluehelmet.apiKey')") is None
        # the browser logs the refused requests (401) as errors; nothing else may be logged
        assert all("401" in e for e in visit.console_errors)
    finally:
        page.context.close()


def test_key_lasts_the_tab_and_sign_out_forgets_it(
    browser: Any, contract_server: LiveServer
) -> None:
    visit = sign_in(browser, contract_server, "gha-key")
    page = visit.page
    try:
        page.wait_for_selector('table[data-table="pledges"]')
        page.reload()
        page.wait_for_selector('table[data-table="pledges"]')  # signed in again from the tab
        page.click("#signout")
        assert page.evaluate("sessionStorage.getItem('bluehelmet.apiKey')") is None
        assert page.locator("#signin").is_visible()
        assert page.locator("#fg-content").is_hidden()
    finally:
        page.context.close()


def test_signed_in_page_is_accessible(browser: Any, contract_server: LiveServer) -> None:
    visit = sign_in(browser, contract_server, "planner-key")
    try:
        visit.page.wait_for_selector('table[data-table="gaps"]')
        assert axe_violations(visit.page) == []
    finally:
        visit.page.context.close()

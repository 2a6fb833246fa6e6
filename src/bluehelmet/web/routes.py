"""The dashboard's routes: server-rendered pages, their tables as CSV and the static assets.

Thin: each page asks ``bluehelmet.services.dashboard`` for its tables, turns them into charts
(``bluehelmet.web.charts``) and renders a Jinja2 template. Unknown missions and states get a
404 page with the registry's suggestions; names the registry resolves redirect to the canonical
address (``/contributors/Ghana`` -> ``/contributors/GHA``).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from bluehelmet.errors import BluehelmetError, InputError, UnknownNameError
from bluehelmet.services.core import Core
from bluehelmet.services.dashboard import (
    SCENARIO_DRAWS,
    SCENARIO_MAX_DRAWS,
    SCENARIO_SEED,
    Page,
    contributor_page,
    mission_page,
    overview_page,
    resolve_contributor,
    resolve_mission,
    scenarios_page,
)
from bluehelmet.web.charts import Chart, page_charts

__all__ = ["router"]

_HERE = Path(__file__).parent
TABLE_ROWS = 60  # rows shown in a page's table; the CSV holds them all
STATIC_TYPES = {
    "charts.js": "text/javascript; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "forcegen.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
PERCENT_COLUMNS = frozenset(
    {
        "share",
        "female_share",
        "target",
        "largest_share",
        # the scenarios page: probabilities and the weighted fill
        "p_unfilled",
        "p_lost",
        "p_gap_if_lost",
        "criticality",
        "p_deploy",
        "expected_fill",
        "expected_fill_p05",
        "expected_fill_p95",
    }
)


def _format(value: Any, column: str) -> str:
    """A cell as the page shows it: thousands separators, shares as percentages."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if column in PERCENT_COLUMNS:
            return f"{value:.1%}"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return str(value) if column in ("year", "rank", "seed") else f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _spec_json(spec: dict[str, Any]) -> Markup:
    """A spec as JSON safe to place inside a ``<script type="application/json">`` element."""
    text = json.dumps(spec, separators=(",", ":"), default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


@lru_cache(maxsize=1)
def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    templates.env.filters["cell"] = _format
    templates.env.filters["spec_json"] = _spec_json
    templates.env.globals["TABLE_ROWS"] = TABLE_ROWS
    templates.env.globals["SCENARIO_MAX_DRAWS"] = SCENARIO_MAX_DRAWS
    return templates


@lru_cache(maxsize=1)
def _world_json() -> bytes:
    from bluehelmet.services.dashboard import world_map

    return json.dumps(world_map(), separators=(",", ":")).encode("utf-8")


def _whole_number(text: str | None, field: str, default: int) -> int:
    """A query parameter as an int (``default`` when absent); ``InputError`` otherwise."""
    if text is None:
        return default
    try:
        return int(text.strip(), 10)
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "..."
        msg = f"{field} must be a whole number, not {shown!r}"
        raise InputError(msg, field=field) from None


def _csv(page: Page, name: str, filename: str) -> Response:
    table = page.table(name)
    body = table.frame.write_csv()
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}-{name}.csv"'},
    )


class PageCache:
    """Pages and their charts, kept while the store's imported files stay the same.

    The key of an entry includes the SHA-256 of every imported file in force, so an import
    makes every earlier entry unreachable; the oldest entries go beyond ``size``.
    """

    def __init__(self, core: Core, size: int = 64) -> None:
        self.core = core
        self.size = size
        self._entries: OrderedDict[tuple[Any, ...], tuple[Page, dict[str, Chart]]] = OrderedDict()
        self._lock = threading.Lock()

    def _fingerprint(self) -> tuple[str, ...]:
        from bluehelmet.services.data import data_status

        return tuple(f"{s['dataset']}:{s['sha256']}" for s in data_status(core=self.core))

    def get(
        self, kind: str, key: tuple[Any, ...], build: Callable[[], Page]
    ) -> tuple[Page, dict[str, Chart]]:
        """The page ``kind`` for ``key``, built (with its charts) when not cached."""
        full = (kind, key, self._fingerprint())
        with self._lock:
            found = self._entries.get(full)
            if found is not None:
                self._entries.move_to_end(full)
                return found
        page = build()
        entry = (page, page_charts(kind, page))
        with self._lock:
            self._entries[full] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return entry


def router(core: Core) -> APIRouter:
    """The dashboard's routes over ``core`` (mounted at the root by ``create_app``)."""
    web = APIRouter(include_in_schema=False)
    cache = PageCache(core)

    def render(
        request: Request, template: str, context: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        response: HTMLResponse = _templates().TemplateResponse(
            request, template, context, status_code=status
        )
        return response

    def problem_page(request: Request, exc: BluehelmetError, kind: str) -> HTMLResponse:
        if isinstance(exc, UnknownNameError):
            base = "/missions/" if exc.kind == "mission" else "/contributors/"
            links = [(s, base + quote(s, safe="")) for s in exc.suggestions]
            return render(
                request,
                "not_found.html",
                {"title": f"Unknown {exc.kind}", "message": str(exc), "links": links},
                status=404,
            )
        status = 400 if isinstance(exc, InputError) else 500
        return render(
            request,
            "not_found.html",
            {"title": f"Cannot show this {kind}", "message": str(exc), "links": []},
            status=status,
        )

    def show(
        request: Request,
        kind: str,
        key: tuple[Any, ...],
        build: Callable[[], Page],
        csv_base: str,
    ) -> HTMLResponse:
        try:
            page, charts = cache.get(kind, key, build)
        except BluehelmetError as exc:
            return problem_page(request, exc, kind)
        query = f"?{request.url.query}" if request.url.query else ""
        return render(
            request,
            f"{kind}.html",
            {
                "page": page,
                "charts": charts,
                "title": page.title,
                "csv_base": csv_base,
                "csv_query": query,
                "kind": kind,
            },
        )

    def table_csv(
        request: Request,
        *,
        kind: str,
        key: tuple[Any, ...],
        build: Callable[[], Page],
        name: str,
        filename: str,
    ) -> Response:
        try:
            page, _charts = cache.get(kind, key, build)
            return _csv(page, name, filename)
        except BluehelmetError as exc:
            return problem_page(request, exc, kind)

    @web.get("/", response_class=HTMLResponse)
    def overview(request: Request, month: str | None = None) -> HTMLResponse:
        """The overview of one month (default: the latest stored)."""
        return show(
            request, "overview", (month,), lambda: overview_page(month=month, core=core), ""
        )

    @web.get("/tables/{name}.csv")
    def overview_table(request: Request, name: str, month: str | None = None) -> Response:
        """One table of the overview as CSV."""
        return table_csv(
            request,
            kind="overview",
            key=(month,),
            build=lambda: overview_page(month=month, core=core),
            name=name,
            filename="overview",
        )

    @web.get("/missions/{name}", response_class=HTMLResponse)
    def mission(request: Request, name: str) -> Response:
        """A mission's page; names and aliases redirect to the acronym's address."""
        try:
            acronym = resolve_mission(name)
        except BluehelmetError as exc:
            return problem_page(request, exc, "mission")
        if acronym != name:
            return RedirectResponse(f"/missions/{quote(acronym, safe='')}", status_code=307)
        return show(
            request,
            "mission",
            (acronym,),
            lambda: mission_page(acronym, core=core),
            f"/missions/{quote(acronym, safe='')}",
        )

    @web.get("/missions/{name}/tables/{table}.csv")
    def mission_table(request: Request, name: str, table: str) -> Response:
        """One table of a mission's page as CSV."""
        return table_csv(
            request,
            kind="mission",
            key=(name,),
            build=lambda: mission_page(name, core=core),
            name=table,
            filename=name,
        )

    @web.get("/contributors/{name}", response_class=HTMLResponse)
    def contributor(request: Request, name: str) -> Response:
        """A contributor's page; names and aliases redirect to the ISO-3 address."""
        try:
            iso3 = resolve_contributor(name)
        except BluehelmetError as exc:
            return problem_page(request, exc, "contributor")
        if iso3 != name:
            return RedirectResponse(f"/contributors/{iso3}", status_code=307)
        return show(
            request,
            "contributor",
            (iso3,),
            lambda: contributor_page(iso3, core=core),
            f"/contributors/{iso3}",
        )

    @web.get("/contributors/{name}/tables/{table}.csv")
    def contributor_table(request: Request, name: str, table: str) -> Response:
        """One table of a contributor's page as CSV."""
        return table_csv(
            request,
            kind="contributor",
            key=(name,),
            build=lambda: contributor_page(name, core=core),
            name=table,
            filename=name,
        )

    @web.get("/go", response_model=None)
    def go(request: Request, q: str = "") -> Response:
        """Jump to the mission or contributor the registry resolves ``q`` to."""
        name = q.strip()
        if not name:
            return RedirectResponse("/", status_code=303)
        try:
            return RedirectResponse(f"/missions/{quote(resolve_mission(name), safe='')}", 303)
        except UnknownNameError as mission_error:
            try:
                return RedirectResponse(f"/contributors/{resolve_contributor(name)}", 303)
            except UnknownNameError as country_error:
                links = [(s, f"/missions/{quote(s, safe='')}") for s in mission_error.suggestions]
                links += [
                    (s, f"/contributors/{quote(s, safe='')}") for s in country_error.suggestions
                ]
                return render(
                    request,
                    "not_found.html",
                    {
                        "title": "Unknown mission or contributor",
                        "message": f"neither a mission nor a state is known as {name!r}",
                        "links": links,
                    },
                    status=404,
                )

    def scenario_key(draws: str | None, seed: str | None) -> tuple[int, int]:
        return (
            _whole_number(draws, "draws", SCENARIO_DRAWS),
            _whole_number(seed, "seed", SCENARIO_SEED),
        )

    @web.get("/scenarios", response_class=HTMLResponse)
    def scenarios(
        request: Request, draws: str | None = None, seed: str | None = None
    ) -> HTMLResponse:
        """The demo scenario's Monte Carlo: risk per requirement and the critical pledges."""
        try:
            n, s = scenario_key(draws, seed)
        except BluehelmetError as exc:
            return problem_page(request, exc, "scenario")
        return show(
            request,
            "scenarios",
            (n, s),
            lambda: scenarios_page(draws=n, seed=s),
            "/scenarios",
        )

    @web.get("/scenarios/tables/{table}.csv")
    def scenarios_table(
        request: Request, table: str, draws: str | None = None, seed: str | None = None
    ) -> Response:
        """One table of the scenarios page as CSV."""
        try:
            n, s = scenario_key(draws, seed)
        except BluehelmetError as exc:
            return problem_page(request, exc, "scenario")
        return table_csv(
            request,
            kind="scenarios",
            key=(n, s),
            build=lambda: scenarios_page(draws=n, seed=s),
            name=table,
            filename=f"scenarios-{n}-draws-seed-{s}",
        )

    @web.get("/forcegen", response_class=HTMLResponse)
    def forcegen(request: Request) -> HTMLResponse:
        """Force generation: requirements, pledges and plans as the signed-in key may see."""
        return render(request, "forcegen.html", {"title": "Force generation", "kind": "forcegen"})

    @web.get("/static/vega.js")
    def vega(request: Request) -> Response:
        """Vega, Vega-Lite and Vega-Embed, bundled offline by vl-convert."""
        from bluehelmet.web.bundle import vega_bundle

        body, etag = vega_bundle(core.home / "web")
        headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)

    @web.get("/static/world.json")
    def world() -> Response:
        """The world's countries (Natural Earth, simplified) as GeoJSON."""
        return Response(
            _world_json(),
            media_type="application/json",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @web.get("/static/{name}")
    def static(name: str) -> Response:
        """The dashboard's own scripts and stylesheet."""
        media = STATIC_TYPES.get(name)
        if media is None:
            return Response("not found", status_code=404, media_type="text/plain")
        body = (resources.files("bluehelmet.web") / "static" / name).read_bytes()
        return Response(body, media_type=media, headers={"Cache-Control": "no-cache"})

    return web

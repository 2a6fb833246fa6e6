"""The dashboard in Debian's Chromium: offline, charts drawn, figures equal, accessible."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from bluehelmet import analytics
from bluehelmet.services import data
from tests.web.conftest import LiveServer, axe_violations, open_page

MARK_COUNTS = """(id) => {
  const counts = {};
  const walk = (mark) => {
    if (mark.name) counts[mark.name] = (counts[mark.name] || 0) + mark.items.length;
    for (const item of mark.items) if (item.items) item.items.forEach(walk);
  };
  walk(window.bluehelmetViews[id].scenegraph().root);
  return counts;
}"""
PAINTED = """(canvas) => {
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let painted = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250)) painted++;
  }
  return painted;
}"""


def mark_counts(page: Any, chart_id: str) -> dict[str, int]:
    """Items per named mark in the chart's scene graph (whatever its renderer)."""
    counts: dict[str, int] = page.evaluate(MARK_COUNTS, chart_id)
    return counts


def painted_pixels(canvas: Any) -> int:
    """Pixels of a canvas that are neither transparent nor white."""
    painted: int = canvas.evaluate(PAINTED)
    return painted


PAGES = ["/", "/missions/UNMISS", "/missions/MONUSCO", "/contributors/GHA", "/contributors/NPL"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_with_its_charts(
    browser: Any, live_server: LiveServer, path: str
) -> None:
    visit = open_page(browser, live_server.url + path)
    page = visit.page
    try:
        expected = page.locator(".vega[data-spec]").count()
        assert expected >= 4
        assert page.evaluate("document.body.dataset.chartsRendered") == str(expected)
        assert page.locator('.vega[data-rendered="true"]').count() == expected
        for chart in page.locator(".vega[data-spec]").all():
            # a drawn chart is an SVG holding marks, or a canvas with paint on it
            if chart.get_attribute("data-renderer") == "canvas":
                assert chart.locator("canvas").count() == 1
                assert painted_pixels(chart.locator("canvas")) > 1000
            else:
                assert chart.locator("svg").count() == 1
                assert chart.locator("svg path, svg rect, svg line, svg circle").count() > 0
        assert visit.console_errors == []
        assert all(u.startswith(live_server.url) or u.startswith("data:") for u in visit.local)
        assert page.locator("figcaption").count() == expected
        for caption in page.locator("figcaption").all_inner_texts():
            assert "Source:" in caption and "Period:" in caption
    finally:
        page.context.close()


def test_pages_render_with_every_external_request_blocked(
    browser: Any, live_server: LiveServer
) -> None:
    visit = open_page(browser, live_server.url + "/")
    try:
        # nothing was even attempted off the loopback address
        assert visit.blocked == []
        assert any(u.endswith("/static/vega.js") for u in visit.local)
        assert any(u.endswith("/static/world.json") for u in visit.local)
    finally:
        visit.page.context.close()


def test_overview_map_shades_the_month_contributors(
    browser: Any, live_server: LiveServer, real_core: Any
) -> None:
    visit = open_page(browser, live_server.url + "/")
    page = visit.page
    try:
        rows = data.scan_contributions(core=real_core)
        latest = rows.select(pl.col("month").max()).collect().item()
        ranking = analytics.ranking(rows, latest)
        fact = page.locator('[data-fact="personnel"]').inner_text()
        assert fact == f"{int(ranking['total'].sum()):,}"
        # the map has one shaded shape per contributor the geometry knows, over the land
        marks = mark_counts(page, "chart-map")
        land, shaded = marks["layer_0_marks"], marks["layer_1_marks"]
        # one shaded country per contributor whose shape the simplified geometry keeps
        assert int(0.95 * ranking.height) <= shaded <= ranking.height
        assert land > shaded
        first = page.locator('table[data-table="top"] tbody tr').first
        assert first.locator('td[data-col="iso3"]').inner_text() == ranking["iso3"][0]
        assert first.locator('td[data-col="total"]').inner_text() == f"{ranking['total'][0]:,}"
    finally:
        page.context.close()


def test_mission_figures_equal_the_services(
    browser: Any, live_server: LiveServer, real_core: Any
) -> None:
    visit = open_page(browser, live_server.url + "/missions/UNMISS")
    page = visit.page
    try:
        rows = data.contributions(mission="UNMISS", core=real_core)
        ranking = analytics.ranking(rows, rows["month"].max(), missions="UNMISS")
        assert page.locator('[data-fact="personnel"]').inner_text() == (
            f"{int(ranking['total'].sum()):,}"
        )
        cells = page.locator('table[data-table="contributors"] td[data-col="iso3"]')
        assert cells.all_inner_texts()[:10] == ranking["iso3"].head(10).to_list()
        places = data.locations(core=real_core).filter(pl.col("mission") == "UNMISS")
        latest = places.filter(pl.col("month") == places["month"].max())
        located = latest.filter(pl.col("latitude").is_not_null()).height
        circles = mark_counts(page, "chart-locations")["layer_1_marks"]
        assert circles == located
    finally:
        page.context.close()


def test_not_found_page_offers_suggestions(browser: Any, live_server: LiveServer) -> None:
    visit = open_page(browser, live_server.url + "/missions/UNMISSS", wait_charts=False)
    page = visit.page
    try:
        assert page.locator("h1").inner_text() == "Unknown mission"
        page.locator("ul.suggestions a", has_text="UNMISS").first.click()
        page.wait_for_url("**/missions/UNMISS")
        page.wait_for_function("document.body.dataset.chartsRendered !== undefined")
    finally:
        page.context.close()


def test_csv_download_from_the_page(browser: Any, live_server: LiveServer) -> None:
    visit = open_page(browser, live_server.url + "/contributors/GHA")
    page = visit.page
    try:
        with page.expect_download() as info:
            page.locator("#memberships a.csv").click()
        download = info.value
        assert download.suggested_filename == "GHA-memberships.csv"
        text = Path(download.path()).read_text(encoding="utf-8")
        assert text.startswith("organization,joined,left")
        assert "ECOWAS" in text
    finally:
        page.context.close()


@pytest.mark.parametrize("path", [*PAGES, "/forcegen", "/missions/Atlantis"])
def test_no_serious_accessibility_violation(
    browser: Any, live_server: LiveServer, path: str
) -> None:
    charts = path not in ("/forcegen", "/missions/Atlantis")
    visit = open_page(browser, live_server.url + path, wait_charts=charts)
    try:
        assert axe_violations(visit.page) == []
    finally:
        visit.page.context.close()


def test_scenarios_page_draws_its_charts_accessibly(browser: Any, live_server: LiveServer) -> None:
    visit = open_page(browser, live_server.url + "/scenarios?draws=20&seed=1")
    page = visit.page
    try:
        assert page.locator(".vega[data-spec]").count() == 2
        assert page.evaluate("document.body.dataset.chartsRendered") == "2"
        risk = page.locator("#chart-requirements")
        assert risk.get_attribute("data-rendered") == "true"
        assert risk.locator("svg").count() == 1
        rows = page.locator('table[data-table="requirements"] tbody tr').count()
        assert rows > 0
        # one probability bar, one required bar, one mean-fill bar and one 5-95 % rule per
        # requirement, and one bar per critical pledge
        marks = mark_counts(page, "chart-requirements")
        assert marks["concat_0_marks"] == rows
        assert [marks[f"concat_1_layer_{i}_marks"] for i in range(3)] == [rows] * 3
        assert risk.locator("svg path").count() >= 3 * rows
        pledges = page.locator('table[data-table="pledges"] tbody tr').count()
        assert mark_counts(page, "chart-pledges")["marks"] == pledges > 0
        caption = page.locator("#chart-requirements-caption").inner_text()
        assert "bluehelmet demo scenario (illustrative)" in caption
        assert "20 Monte Carlo draws, seed 1" in caption and "ASSUMPTION" in caption
        assert page.locator('nav a[href="/scenarios"]').count() == 1
        assert visit.console_errors == []
        assert visit.blocked == []
        assert axe_violations(page) == []
    finally:
        page.context.close()

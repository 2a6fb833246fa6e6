"""The dashboard's routes in-process: pages, CSV tables, 404 pages, redirects and assets."""

from __future__ import annotations

import csv
import html as html_text
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient

from bluehelmet import analytics
from bluehelmet.api import create_app
from bluehelmet.services import data
from bluehelmet.services.core import Core


@pytest.fixture(scope="module")
def client(real_core: Any) -> Iterator[TestClient]:
    with TestClient(create_app(real_core), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def empty_client(tmp_path: Path) -> Iterator[TestClient]:
    with Core(home=tmp_path / "empty") as core, TestClient(create_app(core)) as test_client:
        yield test_client


def _fact(html: str, key: str) -> str:
    found = re.search(rf'data-fact="{key}">([^<]*)<', html)
    assert found is not None, f"no fact {key} on the page"
    return found.group(1).strip()


def _csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.text)))


# --------------------------------------------------------------------------- overview


def test_overview_figures_equal_the_services(client: TestClient, real_core: Core) -> None:
    html = client.get("/").text
    rows = data.scan_contributions(core=real_core)
    latest = rows.select(pl.col("month").max()).collect().item()
    ranking = analytics.ranking(rows, latest)
    assert _fact(html, "month") == latest.strftime("%Y-%m")
    assert _fact(html, "personnel") == f"{int(ranking['total'].sum()):,}"
    assert _fact(html, "contributors") == f"{ranking.height:,}"
    for name in ("map", "top", "categories", "regions", "organizations", "trend"):
        assert f'id="chart-{name}"' in html, name
        assert f"/tables/{name}.csv" in html, name
    assert "Source: " in html and "Period: " in html


def test_overview_of_another_month(client: TestClient, real_core: Core) -> None:
    html = client.get("/?month=2014-03").text
    ranking = analytics.ranking(data.scan_contributions(core=real_core), "2014-03")
    assert _fact(html, "personnel") == f"{int(ranking['total'].sum()):,}"
    top = _csv_rows(client.get("/tables/top.csv?month=2014-03"))
    assert [r["iso3"] for r in top] == ranking["iso3"].head(20).to_list()
    assert [int(r["total"]) for r in top] == ranking["total"].head(20).to_list()


def test_trend_csv_sums_the_mission_totals(client: TestClient, real_core: Core) -> None:
    trend = _csv_rows(client.get("/tables/trend.csv"))
    totals = data.mission_totals(core=real_core)
    assert trend[0]["month"] == "1990-11-30"
    first = totals.filter(pl.col("month") == totals["month"].min())["total"].sum()
    assert int(trend[0]["total"]) == first
    assert len(trend) == totals["month"].n_unique()


@pytest.mark.parametrize("month", ["1890-01", "2014-13", "March", "", "9" * 40])
def test_overview_month_that_is_not_stored_or_malformed(client: TestClient, month: str) -> None:
    response = client.get("/", params={"month": month})
    assert response.status_code == 400  # an empty month is a wrong month too, not the default
    assert "month" in response.text
    assert "Traceback" not in response.text


def test_unknown_table_is_a_clear_error(client: TestClient) -> None:
    response = client.get("/tables/nothing.csv")
    assert response.status_code == 400
    assert "no table 'nothing'" in html_text.unescape(response.text)
    assert "map" in response.text  # the known tables are named


# --------------------------------------------------------------------------- mission


def test_mission_page_figures_equal_the_services(client: TestClient, real_core: Core) -> None:
    html = client.get("/missions/UNMISS").text
    rows = data.contributions(mission="UNMISS", core=real_core)
    last = rows["month"].max()
    ranking = analytics.ranking(rows, last, missions="UNMISS")
    assert _fact(html, "personnel") == f"{int(ranking['total'].sum()):,}"
    assert _fact(html, "contributors") == f"{ranking.height:,}"
    deaths = data.fatalities(core=real_core).filter(pl.col("mission") == "UNMISS")
    assert _fact(html, "fatalities") == f"{deaths.height:,}"
    for name in ("strength", "categories", "contributors", "parity", "fatalities", "locations"):
        assert f'id="chart-{name}"' in html, name
    assert "South Sudan" in html
    contributors = _csv_rows(client.get("/missions/UNMISS/tables/contributors.csv"))
    assert [r["iso3"] for r in contributors] == ranking["iso3"].to_list()
    mandates = _csv_rows(client.get("/missions/UNMISS/tables/mandates.csv"))
    assert mandates and all(r["resolution"] for r in mandates)
    latest = data.fatalities(core=real_core)["date"].max()
    if deaths["date"].dt.year().max() == latest.year and (latest.month, latest.day) != (12, 31):
        assert f"{latest.year} is part-year: the data ends with an incident on {latest}" in html


def test_mission_name_redirects_to_its_acronym(client: TestClient) -> None:
    response = client.get("/missions/unmiss")
    assert response.status_code == 307
    assert response.headers["location"] == "/missions/UNMISS"


@pytest.mark.parametrize("name", ["UNMISSS", "Atlantis", "%3Cscript%3E", "x" * 300])
def test_unknown_mission_is_a_404_page_with_suggestions(client: TestClient, name: str) -> None:
    response = client.get(f"/missions/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Unknown mission" in response.text
    assert "<script>" not in response.text
    if name == "UNMISSS":
        assert 'href="/missions/UNMISS"' in response.text


# --------------------------------------------------------------------------- contributor


def test_contributor_page_figures_equal_the_services(client: TestClient, real_core: Core) -> None:
    html = client.get("/contributors/GHA").text
    rows = data.contributions(contributor="GHA", core=real_core).filter(
        pl.col("mission").is_not_null()
    )
    last = rows["month"].max()
    assert _fact(html, "personnel") == f"{rows.filter(pl.col('month') == last)['count'].sum():,}"
    deaths = data.fatalities(core=real_core).filter(pl.col("contributor") == "GHA")
    assert _fact(html, "fatalities") == f"{deaths.height:,}"
    council = _csv_rows(client.get("/contributors/GHA/tables/council.csv"))
    assert "2022" in [r["year"] for r in council]  # Ghana sat on the Council in 2022-2023
    members = _csv_rows(client.get("/contributors/GHA/tables/memberships.csv"))
    assert {"AU", "ECOWAS"} <= {r["organization"] for r in members}
    for name in ("deployments", "missions", "parity", "fatalities"):
        assert f'id="chart-{name}"' in html, name


@pytest.mark.parametrize(("name", "iso3"), [("Ghana", "GHA"), ("gha", "GHA"), ("France", "FRA")])
def test_contributor_names_redirect_to_iso3(client: TestClient, name: str, iso3: str) -> None:
    response = client.get(f"/contributors/{name}")
    assert response.status_code == 307
    assert response.headers["location"] == f"/contributors/{iso3}"


def test_unknown_contributor_is_a_404_page_with_suggestions(client: TestClient) -> None:
    response = client.get("/contributors/Ghanna")
    assert response.status_code == 404
    assert "Unknown country" in response.text or "Unknown" in response.text
    assert "/contributors/Ghana" in response.text


def test_go_resolves_missions_then_states(client: TestClient) -> None:
    assert client.get("/go", params={"q": "UNMISS"}).headers["location"] == "/missions/UNMISS"
    assert client.get("/go", params={"q": "Ghana"}).headers["location"] == "/contributors/GHA"
    assert client.get("/go", params={"q": ""}).headers["location"] == "/"
    missing = client.get("/go", params={"q": "Nowhereland"})
    assert missing.status_code == 404
    assert "neither a mission nor a state" in missing.text


# --------------------------------------------------------------------------- empty store


@pytest.mark.parametrize("path", ["/", "/missions/UNMISS", "/contributors/GHA"])
def test_empty_store_says_no_data_imported_yet(empty_client: TestClient, path: str) -> None:
    response = empty_client.get(path)
    assert response.status_code == 200
    assert "No data imported yet" in response.text
    assert "bluehelmet data import" in response.text


def test_empty_store_tables_are_errors_not_tracebacks(empty_client: TestClient) -> None:
    response = empty_client.get("/tables/top.csv")
    assert response.status_code == 400
    assert "no table 'top'" in html_text.unescape(response.text)


# --------------------------------------------------------------------------- assets


def test_static_assets_are_served_locally(client: TestClient) -> None:
    bundle = client.get("/static/vega.js")
    assert bundle.status_code == 200
    assert "window.vegaEmbed" in bundle.text
    again = client.get("/static/vega.js", headers={"If-None-Match": bundle.headers["etag"]})
    assert again.status_code == 304
    world = client.get("/static/world.json").json()
    assert world["type"] == "FeatureCollection"
    assert {f["properties"]["iso3"] for f in world["features"]} >= {"GHA", "SSD", "FRA"}
    assert client.get("/static/dashboard.js").status_code == 200
    assert client.get("/static/../routes.py").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404


def test_pages_reference_no_other_host(client: TestClient) -> None:
    for path in ("/", "/missions/UNMISS", "/contributors/GHA", "/forcegen"):
        html = client.get(path).text
        assert not re.search(r'(src|href)="(https?:)?//', html), path


def test_bundle_is_cached_in_the_data_folder(real_core: Core, client: TestClient) -> None:
    client.get("/static/vega.js")
    assert list((real_core.home / "web").glob("vega-bundle-*.js"))


# --------------------------------------------------------------------------- scenarios

SCENARIO_QUERY = {"draws": "20", "seed": "7"}


@pytest.fixture(scope="module")
def scenario_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over an empty store: the scenarios page needs no imported data."""
    home = tmp_path_factory.mktemp("scenario-home")
    with Core(home=home) as core, TestClient(create_app(core)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def demo_draws() -> Any:
    """``bluehelmet.scenarios``'s own Monte Carlo of the demo for the page's draws and seed."""
    from bluehelmet import scenarios
    from bluehelmet.forcegen import demo_scenario

    result = scenarios.run(demo_scenario(), draws=20, seed=7, scheduler="serial")
    assert result.draws is not None
    return result.draws


def test_scenarios_page_figures_equal_the_scenarios_package(
    scenario_client: TestClient, demo_draws: Any
) -> None:
    response = scenario_client.get("/scenarios", params=SCENARIO_QUERY)
    assert response.status_code == 200, response.text
    html = response.text
    assert _fact(html, "draws") == "20"
    assert _fact(html, "seed") == "7"
    requirements = demo_draws.requirements
    full = float((requirements["weight"] * requirements["required"]).sum())
    assert _fact(html, "expected_fill") == f"{demo_draws.fill_mean / full:.1%}"
    at_risk = requirements.filter(pl.col("p_unfilled") >= 0.5).height
    assert _fact(html, "at_risk") == str(at_risk)
    assert 'id="chart-requirements"' in html and 'id="chart-pledges"' in html
    caption = re.search(r'id="chart-requirements-caption">([^<]*)<', html)
    assert caption is not None
    text = html_text.unescape(caption.group(1))
    assert "bluehelmet demo scenario (illustrative)" in text
    assert "20 Monte Carlo draws, seed 7" in text
    assert "ASSUMPTION" in text
    cells = re.findall(r'data-col="p_unfilled">([^<]*)<', html)
    assert cells == [f"{p:.1%}" for p in requirements["p_unfilled"]]
    assert 'href="/scenarios"' in html  # the site navigation


def test_scenarios_csv_equal_the_scenarios_package(
    scenario_client: TestClient, demo_draws: Any
) -> None:
    rows = _csv_rows(
        scenario_client.get("/scenarios/tables/requirements.csv", params=SCENARIO_QUERY)
    )
    expected = demo_draws.requirements
    assert [r["requirement"] for r in rows] == expected["requirement"].to_list()
    assert [float(r["p_unfilled"]) for r in rows] == expected["p_unfilled"].to_list()
    assert [float(r["fill_mean"]) for r in rows] == expected["fill_mean"].to_list()
    assert [int(r["required"]) for r in rows] == expected["required"].to_list()
    pledges = _csv_rows(scenario_client.get("/scenarios/tables/pledges.csv", params=SCENARIO_QUERY))
    critical = demo_draws.criticality.head(10)
    assert [r["pledge"] for r in pledges] == critical["pledge"].to_list()
    assert [float(r["criticality"]) for r in pledges] == critical["criticality"].to_list()
    levels = _csv_rows(
        scenario_client.get("/scenarios/tables/uncertainty.csv", params=SCENARIO_QUERY)
    )
    assert {r["status"] for r in levels} == {"ASSUMPTION"}
    missing = scenario_client.get("/scenarios/tables/nothing.csv", params=SCENARIO_QUERY)
    assert missing.status_code == 400
    assert "requirements" in missing.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"draws": "0"}, "draws"),
        ({"draws": "-5"}, "draws"),
        ({"draws": "2001"}, "draws"),
        ({"draws": "9" * 40}, "draws"),
        ({"draws": "many"}, "draws"),
        ({"draws": ""}, "draws"),
        ({"draws": "1.5"}, "draws"),
        ({"seed": "-1"}, "seed"),
        ({"seed": "2" * 30}, "seed"),
        ({"seed": "<script>"}, "seed"),
    ],
)
def test_scenarios_bad_draws_or_seed_is_a_clear_400_page(
    scenario_client: TestClient, query: dict[str, str], field: str
) -> None:
    for path in ("/scenarios", "/scenarios/tables/requirements.csv"):
        response = scenario_client.get(path, params=query)
        assert response.status_code == 400, (path, query)
        assert response.headers["content-type"].startswith("text/html")
        assert f"{field} must be" in html_text.unescape(response.text)
        assert "Traceback" not in response.text
        assert "<script>" not in response.text

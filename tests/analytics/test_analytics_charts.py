"""Charts render offline to PNG, SVG, self-contained HTML and the Vega-Lite JSON."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import polars as pl
import pytest

from bluehelmet import analytics
from bluehelmet.analytics import charts
from bluehelmet.errors import InputError

RANKING = pl.DataFrame(
    {
        "rank": [1, 2, 3],
        "iso3": ["BGD", "RWA", "ETH"],
        "name": ["Bangladesh", "Rwanda", "Ethiopia"],
        "female": [317, 585, 708],
        "male": [6394, 5793, 5589],
        "unknown": [0, 0, 0],
        "total": [6711, 6378, 6297],
    }
)


def inline_values(spec: dict) -> list[dict]:  # type: ignore[type-arg]
    """The rows inlined in a chart spec (Altair moves them to top-level ``datasets``)."""
    data = spec["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket from Python fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        msg = "network access attempted"
        raise AssertionError(msg)

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.usefixtures("no_network")
def test_ranking_chart_in_every_format(tmp_path: Path) -> None:
    chart = charts.ranking_chart(RANKING, title="January 2021")
    png = charts.save_chart(chart, tmp_path / "r.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = charts.save_chart(chart, tmp_path / "r.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "Bangladesh" in svg
    html = charts.save_chart(chart, tmp_path / "r.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html), "HTML must inline its scripts"
    spec = json.loads(charts.save_chart(chart, tmp_path / "r.json").read_text(encoding="utf-8"))
    assert spec["mark"]["type"] == "bar"
    values = inline_values(spec)
    assert {v["name"] for v in values} == {"Bangladesh", "Rwanda", "Ethiopia"}
    assert sum(v["value"] for v in values) == 6711 + 6378 + 6297


def test_unknown_chart_suffix_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="must end in one of"):
        charts.save_chart(charts.ranking_chart(RANKING), tmp_path / "r.gif")


@pytest.mark.usefixtures("no_network")
def test_share_and_parity_charts_render(tmp_path: Path) -> None:
    trends = pl.DataFrame(
        {
            "year": [2020, 2020, 2021, 2021],
            "key": ["A", "B", "A", "B"],
            "share": [0.4, 0.6, 0.5, 0.5],
        }
    )
    assert "<svg" in charts.save_chart(charts.share_chart(trends), tmp_path / "s.svg").read_text()
    parity = pl.DataFrame(
        {
            "year": [2021, 2021],
            "key": ["BGD", "RWA"],
            "group": ["military_contingents"] * 2,
            "female": [5, 9],
            "male": [95, 91],
            "female_share": [0.05, 0.09],
            "target": [0.08, 0.08],
            "status": ["yellow", "green"],
        }
    )
    svg = charts.save_chart(charts.parity_chart(parity), tmp_path / "p.svg").read_text()
    assert charts.STATUS_COLOURS["green"] in svg and charts.STATUS_COLOURS["yellow"] in svg


@pytest.mark.usefixtures("no_network")
def test_world_map_uses_offline_natural_earth(tmp_path: Path) -> None:
    features = charts.world_geometry()
    codes = {f["properties"]["iso3"] for f in features}
    assert {"BGD", "RWA", "FRA", "NOR", "USA", "BRA", "CAN", "IND"} <= codes
    assert len(features) > 170
    chart = charts.world_map(RANKING, title="Uniformed personnel")
    spec = chart.to_dict()
    shaded = [
        f["properties"]["iso3"]
        for f in inline_values(spec)
        if f["properties"].get("total") is not None
    ]
    assert sorted(shaded) == ["BGD", "ETH", "RWA"]
    png = charts.save_chart(chart, tmp_path / "map.png")
    assert png.stat().st_size > 20_000


def test_parity_table_feeds_the_chart(tmp_path: Path) -> None:
    from tests.analytics.test_analytics import SAMPLE

    table = analytics.parity(SAMPLE, by="contributor", end="2021-01")
    spec = charts.parity_chart(table).to_dict()
    assert spec["facet"]["row"]["field"] == "group"


def test_line_and_bar_charts(tmp_path: Path) -> None:
    from datetime import date

    monthly = pl.DataFrame(
        {
            "month": [date(2021, 1, 31), date(2021, 2, 28)] * 2,
            "mission": ["UNIFIL", "UNIFIL", "UNMISS", "UNMISS"],
            "total": [10_000, 10_100, 14_000, 14_200],
        }
    )
    spec = charts.line_chart(monthly, x="month", y="total", colour="mission").to_dict()
    assert spec["encoding"]["x"]["type"] == "temporal"
    assert len(inline_values(spec)) == 4
    measures = charts.line_chart(
        pl.DataFrame({"month": [date(2021, 1, 31)], "hhi": [0.1], "gini": [0.7]}),
        x="month",
        y=["hhi", "gini"],
    ).to_dict()
    assert {v["measure"] for v in inline_values(measures)} == {"hhi", "gini"}
    counts = pl.DataFrame({"mission": ["A", "B", "A"], "fatalities": [1, 5, 2]})
    bars = charts.bar_chart(counts, category="mission", value="fatalities")
    assert sorted((v["mission"], v["fatalities"]) for v in inline_values(bars.to_dict())) == [
        ("A", 3),
        ("B", 5),
    ]
    assert "<svg" in charts.save_chart(bars, tmp_path / "b.svg").read_text()


def test_share_chart_of_one_year_is_a_bar_not_an_empty_area() -> None:
    one_year = pl.DataFrame({"year": [2012, 2012], "key": ["Africa", "Asia"], "share": [0.6, 0.4]})
    spec = charts.share_chart(one_year).to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["bar", "text"]  # a labelled bar
    years = pl.DataFrame({"year": [2012, 2015], "key": ["Asia", "Asia"], "share": [1.0, 1.0]})
    spec = charts.share_chart(years).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar"]  # never an area
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [2012, 2013, 2014, 2015]
    assert "no data for 2013-2014" in spec["title"]["subtitle"]

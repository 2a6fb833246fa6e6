"""Chart specs: time series never draw across months that hold no stored row."""

from __future__ import annotations

from datetime import date

import polars as pl

from bluehelmet.services.dashboard import Page, Table
from bluehelmet.web.charts import page_charts, stacked_area


def _deployments(months: list[date]) -> Table:
    frame = pl.DataFrame(
        {"month": months, "mission": ["UNIFIL"] * len(months), "personnel": [900] * len(months)}
    )
    return Table("deployments", "Personnel deployed per mission", frame, "test", "test")


def test_contiguous_months_are_stacked_areas() -> None:
    spec = stacked_area(
        _deployments([date(2013, 12, 31), date(2014, 1, 31), date(2014, 2, 28)]),
        x="month",
        y="personnel",
        colour="mission",
    )
    assert spec["mark"] == {"type": "area"}


def test_a_stretch_without_data_is_left_blank_not_interpolated() -> None:
    table = _deployments([date(2014, 1, 31), date(2014, 2, 28), date(2021, 1, 31)])
    spec = stacked_area(table, x="month", y="personnel", colour="mission")
    assert spec["mark"] == {"type": "bar"}
    assert spec["encoding"]["x"]["timeUnit"] == "yearmonth"
    one_month_missing = _deployments([date(2014, 1, 31), date(2014, 3, 31)])
    spec = stacked_area(one_month_missing, x="month", y="personnel", colour="mission")
    assert spec["mark"] == {"type": "bar"}


def test_more_than_ten_series_get_twenty_hues() -> None:
    months = [date(2014, 1, 31)] * 12
    frame = pl.DataFrame(
        {"month": months, "mission": [f"M{i}" for i in range(12)], "personnel": [1] * 12}
    )
    table = Table("deployments", "t", frame, "s", "p")
    spec = stacked_area(table, x="month", y="personnel", colour="mission")
    assert spec["encoding"]["color"]["scale"] == {"scheme": "tableau20"}
    few = stacked_area(
        _deployments([date(2014, 1, 31)]), x="month", y="personnel", colour="mission"
    )
    assert "scale" not in few["encoding"]["color"]


def test_a_chart_says_which_year_of_the_period_it_draws() -> None:
    frame = pl.DataFrame(
        {
            "year": [2012, 2012, 2021],
            "group": ["military_contingents", "individual_police", "uniformed"],
            "female": [30, 5, 40],
            "male": [970, 95, 460],
            "female_share": [0.03, 0.05, 0.08],
            "target": [None, None, None],
            "status": ["red", "yellow", "yellow"],
        },
        schema_overrides={"target": pl.Float64},
    )
    page = Page(title="Ghana")
    page.add("parity", "Women's share against the parity targets", frame, "test", "2012 to 2021")
    [chart] = page_charts("contributor", page).values()
    subtitle = chart.spec["title"]["subtitle"]
    assert subtitle[0] == "Source: test. Period: 2012 to 2021."
    assert any(line.startswith("year 2021") for line in subtitle[1:]), subtitle

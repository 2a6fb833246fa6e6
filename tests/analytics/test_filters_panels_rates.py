"""The one ContributionFilter, balanced panels with coverage, aligned fatalities, exact rates."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from bluehelmet import analytics
from bluehelmet.analytics._common import ContributionFilter, month_grid, month_ranges
from bluehelmet.analytics.fatalities import SMALL_EXPOSURE, poisson_interval
from bluehelmet.analytics.gender import strategy_targets
from bluehelmet.analytics.locations import deployment_locations
from bluehelmet.errors import InputError, UnknownNameError
from tests.analytics.test_analytics import FEB, JAN, SAMPLE, rows

# --- the filter ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Ghana", "gh", "GHA", "ghana", "Republic of Ghana", " GH "])
def test_contributor_names_resolve_like_the_registry(name: str) -> None:
    assert ContributionFilter.of(contributors=name).contributors == ("GHA",)


@pytest.mark.parametrize("name", ["MONUSCO", "monusco", "Monusco"])
def test_mission_names_resolve(name: str) -> None:
    assert ContributionFilter.of(missions=[name]).missions == ("MONUSCO",)


def test_categories_resolve_and_duplicates_collapse() -> None:
    where = ContributionFilter.of(
        categories=["Troops", "formed-police-units", "Formed police units"],
        contributors=["GHA", "gh"],
    )
    assert where.categories == ("troops", "formed_police_units")
    assert where.contributors == ("GHA",)


@pytest.mark.parametrize(
    ("kwargs", "kind", "suggestion"),
    [
        ({"contributors": "Ghanna"}, "contributor", "Ghana"),
        ({"contributors": "ZZ"}, "contributor", None),
        ({"missions": "MONUSKO"}, "mission", "MONUSCO"),
        ({"categories": "tanks"}, "personnel category", None),
    ],
)
def test_unknown_names_raise_with_suggestions(
    kwargs: dict[str, str], kind: str, suggestion: str | None
) -> None:
    with pytest.raises(UnknownNameError, match=f"unknown {kind}") as caught:
        ContributionFilter.of(**kwargs)  # type: ignore[arg-type]
    if suggestion is not None:
        assert suggestion in caught.value.suggestions


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start": "2013-01", "end": "2012-01"}, "starts \\(2013-01\\) after it ends"),
        ({"start": "2013-13"}, "YYYY-MM"),
        ({"end": "last year"}, "YYYY-MM"),
        ({"month": "2013-01", "start": "2012-01"}, "either one month or a period"),
    ],
)
def test_impossible_periods_are_errors(kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(InputError, match=match):
        ContributionFilter.of(**kwargs)  # type: ignore[arg-type]


def test_filter_applies_and_describes_itself() -> None:
    where = ContributionFilter.of(month="2021-01", contributors="Bangladesh")
    assert where.start == where.end == JAN
    assert where.apply(SAMPLE).collect()["count"].sum() == 110
    assert where.describe() == "2021-01; contributor BGD"
    assert ContributionFilter.of().describe() == "all rows"
    by_source = ContributionFilter.of(sources="hand").apply(SAMPLE).collect()
    assert by_source.height == SAMPLE.height
    assert ContributionFilter.of(sources="un_rank").apply(SAMPLE).collect().is_empty()


def test_shares_answer_a_name_as_they_answer_the_code() -> None:
    by_name = analytics.shares(SAMPLE, contributors="Rwanda")
    by_code = analytics.shares(SAMPLE, contributors="rwa")
    assert by_name.equals(by_code) and by_name["person_months"].item() == 110


def test_month_ranges_and_grid() -> None:
    months = [date(2009, 11, 30), date(2009, 12, 31), date(2010, 1, 31), date(2021, 1, 31)]
    assert month_ranges(months) == "2009-11 to 2010-01, 2021-01"
    assert month_ranges([]) == "none"
    assert month_grid(date(2020, 11, 30), date(2021, 2, 28)) == [
        date(2020, 11, 30),
        date(2020, 12, 31),
        date(2021, 1, 31),
        date(2021, 2, 28),
    ]


# --- balanced panels -------------------------------------------------------------------------

APR = date(2021, 4, 30)
GAPPED = pl.concat([SAMPLE, rows((APR, "BGD", "MINUSCA", "troops", "male", 70))])
DEATHS = pl.DataFrame(
    {
        "date": [date(2021, 1, 5), date(2021, 3, 10), date(2021, 4, 2), date(2021, 6, 1)],
        "mission": ["MINUSCA"] * 4,
        "contributor": ["BGD"] * 4,
        "personnel_type": ["Military"] * 4,
        "incident_type": ["Accident"] * 4,
    }
)


def test_month_panel_has_explicit_zeros_and_uncovered_months() -> None:
    frame = analytics.panel("contributor-month", GAPPED).frame
    assert frame.height == 4 * 5  # January to April x 5 contributors
    march = frame.filter(pl.col("month") == date(2021, 3, 31))
    assert not march["covered"].any() and march["personnel"].null_count() == 5
    april = {
        r["contributor"]: r["personnel"]
        for r in frame.filter(pl.col("month") == APR).rows(named=True)
    }
    assert april == {"BGD": 70, "RWA": 0, "FRA": 0, "NPL": 0, "ZAF": 0}


def test_year_panel_averages_over_covered_months_and_counts_deaths_there() -> None:
    panel = analytics.panel("contributor-year", GAPPED)
    bgd = panel.frame.filter(pl.col("contributor") == "BGD").to_dicts()[0]
    assert bgd["months_covered"] == 3  # January, February, April; March has no data
    assert bgd["personnel"] == pytest.approx((110 + 90 + 70) / 3)
    with_deaths = panel.add_fatalities(DEATHS).frame
    # the March and June deaths fall in months without personnel data: not counted
    assert with_deaths.filter(pl.col("contributor") == "BGD")["fatalities"].item() == 2


def test_month_panel_fatalities_are_null_where_not_covered() -> None:
    frame = analytics.panel("mission-month", GAPPED).add_fatalities(DEATHS).frame
    minusca = {
        r["month"]: r["fatalities"]
        for r in frame.filter(pl.col("mission") == "MINUSCA").rows(named=True)
    }
    assert minusca == {JAN: 1, FEB: 0, date(2021, 3, 31): None, APR: 1}


def test_a_period_beyond_the_data_is_uncovered_not_zero() -> None:
    frame = analytics.panel("mission-month", SAMPLE, start="2020-12", end="2021-02").frame
    december = frame.filter(pl.col("month") == date(2020, 12, 31))
    assert december.height == 2 and not december["covered"].any()
    assert december["personnel"].null_count() == 2


def test_panel_of_nothing_is_empty_and_typed() -> None:
    panel = analytics.panel("contributor-month", SAMPLE.clear())
    assert panel.frame.is_empty() and "covered" in panel.frame.columns


MANDATES = pl.DataFrame(
    {
        "mission": ["MINUSCA", "MINUSCA", "UNIFIL"],
        "month": [JAN, FEB, JAN],
        "resolution": ["2552", "2552", "2539"],
        "tasks": [
            ["humrts_monitor", "prociv", "humrts_protect", "election_assist"],
            ["humrts_monitor"],
            ["buffer_monitor", "humaid_assist"],
        ],
        "task_count": [4, 1, 2],
    }
)


def test_mandates_join_mission_months_and_years() -> None:
    months = analytics.panel("mission-month", SAMPLE).add_mandates(MANDATES).frame
    jan = months.filter((pl.col("mission") == "MINUSCA") & (pl.col("month") == JAN)).to_dicts()[0]
    assert (jan["mandate_resolution"], jan["mandate_tasks"], jan["mandate_coded"]) == (
        "2552",
        4,
        True,
    )
    assert (jan["mandate_monitor_tasks"], jan["mandate_assist_tasks"]) == (1, 1)
    assert (jan["mandate_protect_tasks"], jan["mandate_other_tasks"]) == (1, 1)
    unifil_feb = months.filter((pl.col("mission") == "UNIFIL") & (pl.col("month") == FEB))
    assert unifil_feb["mandate_coded"].item() is False
    years = analytics.panel("mission-year", SAMPLE).add_mandates(MANDATES).frame
    minusca = years.filter(pl.col("mission") == "MINUSCA").to_dicts()[0]
    assert (minusca["mandate_tasks"], minusca["months_covered"]) == (4, 2)
    assert minusca["personnel"] == pytest.approx((220 + 100) / 2)
    with pytest.raises(analytics.PanelKindError, match="has no mission"):
        analytics.panel("contributor-month", SAMPLE).add_mandates(MANDATES)


# --- rates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "exposure"), [(0, 10.0), (1, 80 / 1000), (7, 3.5), (120, 900.0)])
def test_poisson_interval_is_exact(k: int, exposure: float) -> None:
    from scipy.stats import poisson

    (low,), (high,) = poisson_interval([k], [exposure])
    assert low is not None and high is not None
    # the exact limits put 2.5 % of the Poisson mass beyond the count on each side
    assert poisson.cdf(k, high * exposure) == pytest.approx(0.025, abs=1e-9)
    if k == 0:
        assert low == 0.0
    else:
        assert poisson.sf(k - 1, low * exposure) == pytest.approx(0.025, abs=1e-9)
    assert poisson_interval([3], [0.0]) == ([None], [None])


def test_rates_carry_intervals_and_flag_small_exposure() -> None:
    deaths = pl.DataFrame(
        {
            "date": [date(2021, 1, 5)],
            "mission": ["MINUSCA"],
            "contributor": ["BGD"],
            "personnel_type": ["Military"],
            "incident_type": ["Accident"],
        }
    )
    table = analytics.fatality_rates(deaths, SAMPLE, by="contributor")
    bgd = table.filter(pl.col("contributor") == "BGD").to_dicts()[0]
    years = (110 + 90) / 12
    assert bgd["rate_per_1000"] == pytest.approx(1 / years * 1000)
    assert bgd["rate_low"] < bgd["rate_per_1000"] < bgd["rate_high"]
    assert bgd["small_exposure"] is (years < SMALL_EXPOSURE)
    assert (bgd["first_month"], bgd["last_month"], bgd["months"]) == (JAN, FEB, 2)


# --- parity targets over the Strategy, locations -----------------------------------------------


def test_every_year_of_the_strategy_has_a_target_or_says_why_not() -> None:
    table = strategy_targets()
    assert table["year"].unique().sort().to_list() == list(range(2018, 2029))
    assert table.height == 11 * 4
    unknown = table.filter(pl.col("target").is_null())
    assert unknown["target_note"].null_count() == 0
    assert table.filter(pl.col("target").is_not_null())["target_note"].null_count() == 6
    parity = analytics.parity(rows((date(2019, 5, 31), "BGD", "UNIFIL", "troops", "female", 5)))
    assert "2019 target for military_contingents is not sourced" in parity["target_note"][0]


def test_locations_take_each_missions_latest_map_in_the_period() -> None:
    locations = pl.DataFrame(
        {
            "mission": ["UNMIL", "UNMIL", "UNMIL", "UNOCI"],
            "month": [date(2010, 3, 31), date(2010, 8, 31), date(2010, 8, 31), date(2010, 5, 31)],
            "location": ["Monrovia", "Monrovia", "Buchanan", "Abidjan"],
            "country": ["Liberia", "Liberia", "Liberia", "Ivory Coast"],
            "latitude": [6.3, 6.3, 5.9, 5.3],
            "longitude": [-10.8, -10.8, -10.0, -4.0],
            "troops": [800, 900, None, 1200],
            "contributor_names": [["Ghana"], ["Ghana", "Nigeria"], [], ["Bangladesh", "Atlantis"]],
            "map_source": ["Map 1", "Map 2", "Map 2", "Map 3"],
        }
    )
    table = deployment_locations(locations, ContributionFilter.of(start="2010-01", end="2010-12"))
    assert table["month"].to_list() == [date(2010, 8, 31), date(2010, 8, 31), date(2010, 5, 31)]
    monrovia = table.filter(pl.col("location") == "Monrovia").to_dicts()[0]
    assert (monrovia["troops"], monrovia["contributors"]) == (900, ["GHA", "NGA"])
    abidjan = table.filter(pl.col("location") == "Abidjan").to_dicts()[0]
    assert abidjan["contributors"] == ["BGD", "Atlantis"]  # unknown names kept as written
    only = deployment_locations(locations, ContributionFilter.of(missions="unoci"))
    assert only["mission"].to_list() == ["UNOCI"]

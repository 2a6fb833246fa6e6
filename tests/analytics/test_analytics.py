"""Analytics on small hand-made frames: every figure here is worked out by hand."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluehelmet import analytics
from bluehelmet.analytics.panels import PanelKindError
from bluehelmet.domain.contributions import CONTRIBUTION_SCHEMA
from bluehelmet.errors import InputError, UnknownNameError

JAN = date(2021, 1, 31)
FEB = date(2021, 2, 28)
DEC20 = date(2020, 12, 31)


def rows(*items: tuple[date, str, str | None, str, str, int]) -> pl.DataFrame:
    """Contribution rows (month, contributor, mission, category, sex, count)."""
    data = [
        {
            "month": m,
            "contributor": c,
            "mission": mi,
            "category": cat,
            "sex": sex,
            "count": n,
            "source": "hand",
            "sha256": "0" * 64,
            "line": i + 2,
        }
        for i, (m, c, mi, cat, sex, n) in enumerate(items)
    ]
    return pl.DataFrame(data, schema=CONTRIBUTION_SCHEMA)


COUNTRIES = pl.DataFrame(
    {
        "iso3": ["BGD", "RWA", "FRA", "NPL", "CAF", "LBN", "USA", "ZAF"],
        "name": ["Bangladesh", "Rwanda", "France", "Nepal", "CAR", "Lebanon", "USA", "S. Africa"],
        "m49": [50, 646, 250, 524, 140, 422, 840, 710],
        "un_regional_group": [
            "Asia-Pacific",
            "African",
            "Western European and Others",
            "Asia-Pacific",
            "African",
            "Asia-Pacific",
            "Western European and Others",
            "African",
        ],
        "region": ["Asia", "Africa", "Europe", "Asia", "Africa", "Asia", "Americas", "Africa"],
        "subregion": ["S", "E", "W", "S", "M", "W", "N", "S"],
    }
)
HOSTS = pl.DataFrame(
    {"acronym": ["MINUSCA", "UNIFIL"], "hosts": [["CAF"], ["LBN"]]},
    schema={"acronym": pl.Utf8, "hosts": pl.List(pl.Utf8)},
)
MEMBERSHIPS = pl.DataFrame(
    {
        "organization": ["AU", "AU", "AU", "EU"],
        "iso3": ["RWA", "ZAF", "CAF", "FRA"],
        "joined": [date(2002, 7, 9), date(2021, 2, 1), date(2002, 7, 9), date(1958, 1, 1)],
        "left": [None, None, None, None],
    },
    schema={"organization": pl.Utf8, "iso3": pl.Utf8, "joined": pl.Date, "left": pl.Date},
)
COUNCIL = pl.DataFrame(
    {
        "year": [2021, 2021, 2021, 2020],
        "iso3": ["FRA", "USA", "NPL", "ZAF"],
        "permanent": [True, True, False, False],
    }
)

SAMPLE = rows(
    (JAN, "BGD", "MINUSCA", "troops", "male", 100),
    (JAN, "BGD", "MINUSCA", "troops", "female", 10),
    (JAN, "RWA", "MINUSCA", "troops", "male", 80),
    (JAN, "RWA", "MINUSCA", "staff_officers", "female", 30),
    (JAN, "FRA", "UNIFIL", "troops", "male", 40),
    (JAN, "NPL", None, "uniformed", "unknown", 5),
    (FEB, "BGD", "MINUSCA", "troops", "male", 90),
    (FEB, "ZAF", "MINUSCA", "troops", "male", 10),
)


# --- ranking ---------------------------------------------------------------------------


def test_ranking_counts_ties_and_names() -> None:
    table = analytics.ranking(SAMPLE, "2021-01", countries=COUNTRIES)
    assert table.select("rank", "iso3", "female", "male", "unknown", "total").rows() == [
        (1, "BGD", 10, 100, 0, 110),
        (1, "RWA", 30, 80, 0, 110),
        (3, "FRA", 0, 40, 0, 40),
        (4, "NPL", 0, 0, 5, 5),
    ]
    assert table["name"].to_list() == ["Bangladesh", "Rwanda", "France", "Nepal"]


def test_ranking_by_category_and_mission_filter() -> None:
    table = analytics.ranking(
        SAMPLE, date(2021, 1, 15), missions="MINUSCA", by_category=True, countries=COUNTRIES
    )
    assert table["iso3"].to_list() == ["BGD", "RWA"]
    assert table["troops"].to_list() == [110, 80]
    assert table["staff_officers"].to_list() == [0, 30]


def test_ranking_names_fall_back_to_the_code() -> None:
    table = analytics.ranking(
        SAMPLE, "2021-02", countries=COUNTRIES.filter(pl.col("iso3") != "ZAF")
    )
    assert table.filter(pl.col("iso3") == "ZAF")["name"].item() == "ZAF"


@pytest.mark.parametrize("bad", ["2021", "2021-13", "Jan 2021", "2021/01"])
def test_ranking_rejects_a_bad_month(bad: str) -> None:
    with pytest.raises(InputError, match="YYYY-MM"):
        analytics.ranking(SAMPLE, bad, countries=COUNTRIES)


def test_missing_columns_are_named() -> None:
    with pytest.raises(InputError, match="lacks column"):
        analytics.ranking(SAMPLE.drop("sex"), "2021-01", countries=COUNTRIES)


def test_unknown_category_is_rejected() -> None:
    with pytest.raises(UnknownNameError, match="unknown personnel category 'tanks'"):
        analytics.shares(SAMPLE, categories="tanks")


# --- shares and concentration ------------------------------------------------------------


def test_shares_by_contributor_are_person_month_shares() -> None:
    table = analytics.shares(SAMPLE)
    got = {r["key"]: r for r in table.to_dicts()}
    assert got["BGD"]["person_months"] == 200
    assert got["BGD"]["average_personnel"] == pytest.approx(100.0)  # 2 months
    assert got["BGD"]["share"] == pytest.approx(200 / 365)
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["key"].to_list()[0] == "BGD"


def test_shares_by_group_and_region() -> None:
    by_group = analytics.shares(SAMPLE, by="group", countries=COUNTRIES)
    got = dict(zip(by_group["key"], by_group["person_months"], strict=True))
    assert got == {"Asia-Pacific": 205, "African": 120, "Western European and Others": 40}
    by_region = analytics.shares(SAMPLE, by="region", end="2021-01", countries=COUNTRIES)
    got = dict(zip(by_region["key"], by_region["share"], strict=True))
    assert got["Africa"] == pytest.approx(110 / 265)


def test_shares_by_org_use_membership_at_that_month() -> None:
    table = analytics.shares(SAMPLE, by="org", org="au", memberships=MEMBERSHIPS)
    got = dict(zip(table["key"], table["person_months"], strict=True))
    # RWA in January (110) and ZAF, which joined on 1 February, in February (10)
    assert got == {"AU": 120, "not AU": 245}


def test_shares_by_p5_and_council_use_that_year() -> None:
    p5 = analytics.shares(SAMPLE, by="p5", council=COUNCIL)
    assert dict(zip(p5["key"], p5["person_months"], strict=True)) == {"P5": 40, "others": 325}
    seats = analytics.shares(SAMPLE, by="council", council=COUNCIL)
    # ZAF sat in 2020, not 2021
    assert dict(zip(seats["key"], seats["person_months"], strict=True)) == {
        "Council": 45,
        "non-members": 320,
    }


def test_shares_reject_unknown_grouping_and_missing_org() -> None:
    with pytest.raises(InputError, match="cannot group shares by 'planet'"):
        analytics.shares(SAMPLE, by="planet")
    with pytest.raises(InputError, match="organization code"):
        analytics.shares(SAMPLE, by="org")


def test_share_trends_year_on_year() -> None:
    frame = rows(
        (DEC20, "BGD", "MINUSCA", "troops", "male", 300),
        (DEC20, "RWA", "MINUSCA", "troops", "male", 100),
        (JAN, "BGD", "MINUSCA", "troops", "male", 100),
        (JAN, "FRA", "UNIFIL", "troops", "male", 100),
    )
    table = analytics.share_trends(frame)
    got = {(r["year"], r["key"]): r for r in table.to_dicts()}
    assert got[(2020, "BGD")]["share"] == pytest.approx(0.75)
    assert got[(2021, "BGD")]["share_change"] == pytest.approx(0.5 - 0.75)
    assert got[(2021, "BGD")]["growth"] == pytest.approx(100 / 300 - 1)
    assert got[(2021, "RWA")]["share"] == 0.0
    assert got[(2021, "RWA")]["growth"] == pytest.approx(-1.0)
    assert got[(2020, "FRA")]["share_change"] is None
    assert got[(2021, "FRA")]["growth"] is None  # nothing the year before


def test_concentration_by_hand() -> None:
    frame = rows(
        (JAN, "BGD", "MINUSCA", "troops", "male", 300),
        (JAN, "RWA", "MINUSCA", "troops", "male", 100),
    )
    result = analytics.concentration(frame).to_dicts()[0]
    assert result["hhi"] == pytest.approx(0.75**2 + 0.25**2)
    assert result["top5_share"] == pytest.approx(1.0)
    # Gini of (100, 300): mean absolute difference / (2 * mean) = 200 / 2 / (2 * 200) ... = 0.25
    assert result["gini"] == pytest.approx(0.25)
    assert result["contributors"] == 2
    monthly = analytics.concentration(SAMPLE, per_month=True)
    assert monthly["month"].to_list() == [JAN, FEB]
    assert monthly["hhi"].to_list()[1] == pytest.approx(0.9**2 + 0.1**2)


def test_equal_contributors_have_no_concentration() -> None:
    frame = rows(*[(JAN, c, "UNIFIL", "troops", "male", 50) for c in ["BGD", "RWA", "FRA", "NPL"]])
    result = analytics.concentration(frame).to_dicts()[0]
    assert result["gini"] == pytest.approx(0.0)
    assert result["hhi"] == pytest.approx(0.25)


# --- missions ------------------------------------------------------------------------------


def test_mission_months() -> None:
    table = analytics.mission_months(SAMPLE, countries=COUNTRIES, mission_hosts=HOSTS)
    got = {(r["mission"], r["month"]): r for r in table.to_dicts()}
    jan = got[("MINUSCA", JAN)]
    assert (jan["total"], jan["female"], jan["troops"], jan["staff_officers"]) == (220, 40, 190, 30)
    assert jan["contributors"] == 2
    assert jan["largest_contributor"] == "BGD"  # tie at 110 broken by code
    assert jan["largest_share"] == pytest.approx(0.5)
    assert jan["regional_share"] == pytest.approx(110 / 220)  # Rwanda is in Africa
    feb = got[("MINUSCA", FEB)]
    assert feb["regional_share"] == pytest.approx(10 / 100)
    assert got[("UNIFIL", JAN)]["regional_share"] == 0.0
    assert all(r["mission"] is not None for r in table.to_dicts())


def test_mission_months_without_known_hosts_give_null_regional_share() -> None:
    table = analytics.mission_months(
        SAMPLE, countries=COUNTRIES, mission_hosts=HOSTS.filter(pl.col("acronym") == "UNIFIL")
    )
    assert table.filter(pl.col("mission") == "MINUSCA")["regional_share"].null_count() == 2


# --- gender parity -------------------------------------------------------------------------


def test_parity_against_the_2021_targets() -> None:
    table = analytics.parity(SAMPLE, by="contributor", end="2021-01")
    got = {(r["key"], r["group"]): r for r in table.to_dicts()}
    bgd = got[("BGD", "military_contingents")]
    assert bgd["female_share"] == pytest.approx(10 / 110)
    assert bgd["target"] == pytest.approx(0.08)
    assert bgd["status"] == "green"
    rwa = got[("RWA", "military_observers_staff_officers")]
    assert (rwa["target"], rwa["status"]) == (pytest.approx(0.18), "green")
    assert got[("RWA", "military_contingents")]["status"] == "red"
    nepal = got[("NPL", "uniformed")]
    assert nepal["female_share"] is None and nepal["unknown"] == 5 and nepal["status"] is None


def test_parity_without_a_target_is_at_best_yellow() -> None:
    frame = rows((date(2019, 5, 31), "BGD", "UNIFIL", "troops", "female", 50))
    result = analytics.parity(frame).to_dicts()[0]
    assert result["target"] is None
    assert result["status"] == "yellow"


def test_parity_overall_and_by_mission() -> None:
    overall = analytics.parity(SAMPLE, start="2021-01", end="2021-01")
    contingents = overall.filter(pl.col("group") == "military_contingents").to_dicts()[0]
    assert (contingents["female"], contingents["male"]) == (10, 220)
    assert contingents["status"] == "yellow"
    by_mission = analytics.parity(SAMPLE, by="mission")
    assert "(none)" in by_mission["key"].to_list()
    with pytest.raises(InputError, match="cannot compute parity by"):
        analytics.parity(SAMPLE, by="planet")


def test_targets_table_carries_only_sourced_figures() -> None:
    table = analytics.targets_frame()
    assert table.height == 6
    assert set(table["year"].to_list()) == {2021, 2028}


# --- fatalities ------------------------------------------------------------------------------

FATALITIES = pl.DataFrame(
    {
        "incident_date": [date(2021, 1, 5), date(2021, 1, 20), date(2021, 2, 3), date(2019, 4, 1)],
        "mission_acronym": ["MINUSCA", "MINUSCA", "UNIFIL", "MINUSCA"],
        "isocode3": ["BGD", "RWA", "FRA", "BGD"],
        "casualty_personnel_type": ["Military", "Military", "Military", "Local "],
        "type_of_incident": ["Malicious Act", "Illness", "Accident", "Accident"],
    }
)


def test_fatality_counts_accept_the_data_hub_names() -> None:
    by_mission = analytics.fatality_counts(FATALITIES)
    assert by_mission.rows() == [("MINUSCA", 3), ("UNIFIL", 1)]
    by_two = analytics.fatality_counts(FATALITIES, by=["year", "incident_type"], start="2021-01")
    assert by_two.filter(pl.col("incident_type") == "Malicious Act")["fatalities"].item() == 1
    assert by_two["fatalities"].sum() == 3
    local = analytics.fatality_counts(FATALITIES, by="personnel_type", personnel_types="Local")
    assert local.rows() == [("Local", 1)]  # stray space stripped
    with pytest.raises(InputError, match="cannot group fatalities by 'weather'"):
        analytics.fatality_counts(FATALITIES, by="weather")


def test_fatality_counts_by_period_run_in_time_order() -> None:
    by_year = analytics.fatality_counts(FATALITIES, by="year")
    assert by_year.rows() == [(2019, 1), (2021, 3)]
    by_month = analytics.fatality_counts(FATALITIES, by=["month", "mission"])
    assert by_month["month"].to_list() == sorted(by_month["month"].to_list())
    assert by_month.rows()[-2:] == [
        (date(2021, 1, 31), "MINUSCA", 2),
        (date(2021, 2, 28), "UNIFIL", 1),
    ]


def test_a_period_the_data_ends_in_is_flagged_part_way() -> None:
    by_year = analytics.fatality_counts(FATALITIES, by="year")
    assert analytics.partial_period(by_year, ["year"], date(2021, 2, 3)) == (
        "2021 is part-year: the data ends with an incident on 2021-02-03"
    )
    assert analytics.partial_period(by_year, ["year"], date(2021, 12, 31)) is None
    assert analytics.partial_period(by_year, ["year"], date(2022, 3, 1)) is None  # ends earlier
    by_month = analytics.fatality_counts(FATALITIES, by="month")
    assert "2021-02 is part-month" in str(
        analytics.partial_period(by_month, ["month"], date(2021, 2, 3))
    )
    assert analytics.partial_period(by_month, ["month"], date(2021, 2, 28)) is None
    by_mission = analytics.fatality_counts(FATALITIES)
    assert analytics.partial_period(by_mission, ["mission"], date(2021, 2, 3)) is None


def test_fatality_rates_only_where_strength_is_known() -> None:
    by_mission = analytics.fatality_rates(FATALITIES, SAMPLE, by="mission")
    got = {r["mission"]: r for r in by_mission.to_dicts()}
    # MINUSCA: 2 deaths in January (strength 220) and 100 in February: 320 person-months
    assert got["MINUSCA"]["fatalities"] == 2
    assert got["MINUSCA"]["person_months"] == 320
    assert got["MINUSCA"]["rate_per_1000"] == pytest.approx(2 / (320 / 12) * 1000)
    # UNIFIL's February death falls in a month without UNIFIL strength: not counted
    assert got["UNIFIL"]["fatalities"] == 0
    by_year = analytics.fatality_rates(FATALITIES, SAMPLE, by="year")
    assert by_year.rows()[0][:3] == (2021, 3, 365)
    with pytest.raises(InputError):
        analytics.fatality_rates(FATALITIES, SAMPLE, by="incident_type")


def test_fatality_rows_need_their_columns() -> None:
    with pytest.raises(InputError, match="fatality rows lacks column"):
        analytics.fatality_counts(FATALITIES.drop("type_of_incident"))


# --- panels ------------------------------------------------------------------------------------


def test_contributor_month_panel_with_verbs() -> None:
    panel = (
        analytics.panel("contributor-month", SAMPLE)
        .add_region(COUNTRIES)
        .add_council_seat(COUNCIL)
        .add_org_membership("AU", MEMBERSHIPS)
        .add_fatalities(FATALITIES)
        .add_gender_share()
    )
    got = {(r["month"], r["contributor"]): r for r in panel.frame.to_dicts()}
    rwa = got[(JAN, "RWA")]
    assert (rwa["personnel"], rwa["female"], rwa["region"], rwa["au_member"]) == (
        110,
        30,
        "Africa",
        True,
    )
    assert rwa["fatalities"] == 1
    assert rwa["female_share"] == pytest.approx(30 / 110)
    assert got[(JAN, "FRA")]["permanent_member"] is True
    assert got[(JAN, "FRA")]["fatalities"] == 0  # the French death was in February
    assert got[(FEB, "ZAF")]["au_member"] is True
    assert got[(JAN, "NPL")]["council_member"] is True
    # balanced: 2 months x 5 contributors, explicit zeros where a contributor deployed nobody
    assert panel.frame.height == 10
    assert (got[(FEB, "RWA")]["personnel"], got[(FEB, "RWA")]["covered"]) == (0, True)
    assert got[(FEB, "FRA")]["fatalities"] == 1
    assert len(panel.citations()) == 5


def test_panel_kinds_and_their_keys() -> None:
    mm = analytics.panel("mission-month", SAMPLE)
    assert mm.frame.columns[:2] == ["month", "mission"]
    assert mm.frame.height == 4  # 2 months x 2 missions; the NPL row has no mission
    unifil = mm.frame.filter((pl.col("mission") == "UNIFIL") & (pl.col("month") == FEB))
    assert unifil["personnel"].item() == 0 and unifil["contributors"].item() == 0
    assert mm.add_fatalities(FATALITIES).frame["fatalities"].sum() == 3
    cmm = analytics.panel("contributor-mission-month", SAMPLE)
    assert cmm.frame.height == 8  # 4 contributor-mission pairs x 2 months
    cy = analytics.panel("contributor-year", SAMPLE)
    bgd = cy.frame.filter(pl.col("contributor") == "BGD").to_dicts()[0]
    assert bgd["personnel"] == pytest.approx(100.0)  # (110 + 90) / 2 months
    zaf = cy.frame.filter(pl.col("contributor") == "ZAF").to_dicts()[0]
    assert zaf["personnel"] == pytest.approx(5.0)  # 10 in February, 0 in January
    seats = cy.add_council_seat(COUNCIL)
    assert seats.frame.filter(pl.col("contributor") == "NPL")["council_member"].item() is True


def test_panel_verbs_that_do_not_fit_raise() -> None:
    mm = analytics.panel("mission-month", SAMPLE)
    for verb in (
        lambda: mm.add_region(COUNTRIES),
        lambda: mm.add_council_seat(COUNCIL),
        lambda: mm.add_org_membership("AU", MEMBERSHIPS),
    ):
        with pytest.raises(PanelKindError, match="does not fit a mission-month panel"):
            verb()
    with pytest.raises(InputError, match="unknown panel kind"):
        analytics.panel("country-decade", SAMPLE)


def test_panel_exports(tmp_path: object) -> None:
    from pathlib import Path

    from openpyxl import load_workbook

    folder = Path(str(tmp_path))
    panel = analytics.panel("contributor-month", SAMPLE).add_gender_share()
    csv_back = pl.read_csv(panel.to_csv(folder / "p.csv"), try_parse_dates=True)
    assert csv_back["personnel"].to_list() == panel.frame["personnel"].to_list()
    assert pl.read_parquet(panel.to_parquet(folder / "p.parquet")).equals(panel.frame)
    book = load_workbook(panel.to_excel(folder / "p.xlsx"))
    values = list(book["panel"].values)
    assert list(values[0]) == panel.frame.columns
    assert len(values) == panel.frame.height + 1
    assert values[1][3] == panel.frame["personnel"][0]
    assert [r[0] for r in list(book["sources"].values)[1:]] == ["contributions"]
    codebook = dict(list(book["codebook"].values)[1:])
    assert set(codebook) == set(panel.frame.columns)
    assert all(codebook.values()), codebook


# --- properties ----------------------------------------------------------------------------

CODES = st.sampled_from(["BGD", "RWA", "FRA", "NPL", "ZAF", "USA"])
ROW = st.tuples(
    st.sampled_from([DEC20, JAN, FEB]),
    CODES,
    st.sampled_from(["MINUSCA", "UNIFIL", None]),
    st.sampled_from(["troops", "staff_officers", "individual_police"]),
    st.sampled_from(["female", "male", "unknown"]),
    st.integers(min_value=0, max_value=5000),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=40))
def test_properties_of_shares_ranking_and_concentration(items: list[tuple]) -> None:  # type: ignore[type-arg]
    frame = rows(*items)
    total = sum(i[5] for i in items)
    table = analytics.shares(frame)
    if total == 0:
        return
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["person_months"].sum() == total
    conc = analytics.concentration(frame).to_dicts()[0]
    n = conc["contributors"]
    assert 1 / n - 1e-9 <= conc["hhi"] <= 1 + 1e-9
    assert -1e-9 <= conc["gini"] <= 1 - 1 / n + 1e-9
    ranking = analytics.ranking(frame, JAN, countries=COUNTRIES)
    for r in ranking.to_dicts():
        assert r["rank"] == 1 + (ranking["total"] > r["total"]).sum()
        assert r["female"] + r["male"] + r["unknown"] == r["total"]


def test_shares_by_income_need_recorded_income_groups() -> None:
    with_income = COUNTRIES.with_columns(
        income_group=pl.when(pl.col("iso3").is_in(["FRA", "USA"]))
        .then(pl.lit("High income"))
        .otherwise(pl.lit("Low income"))
    )
    table = analytics.shares(SAMPLE, by="income", countries=with_income)
    assert dict(zip(table["key"], table["person_months"], strict=True)) == {
        "Low income": 325,
        "High income": 40,
    }
    empty = COUNTRIES.with_columns(income_group=pl.lit(None, dtype=pl.Utf8))
    with pytest.raises(InputError, match="records no income_group"):
        analytics.shares(SAMPLE, by="income", countries=empty)


def test_every_analytics_command_and_option_is_documented() -> None:
    import typer

    from bluehelmet.cli import analytics as cli_analytics
    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "analytics.md").read_text(encoding="utf-8")
    app = typer.Typer()
    cli_analytics.register(app)
    group = typer.main.get_group(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert {"rank", "shares", "panel"} <= set(commands)
    for name, command in commands.items():
        assert f"bluehelmet {name}" in doc, name
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in ("--help", "--format", "--from", "--to"):
                    assert opt in doc, f"{name} {opt}"


@pytest.mark.parametrize("bad", ["0000-01", "0000-01-31", "2012-13", "12-2012", ""])
def test_month_end_names_the_field_for_impossible_months(bad: str) -> None:
    from bluehelmet.domain.months import month_end
    from bluehelmet.errors import InputError

    with pytest.raises(InputError, match="field 'when'"):
        month_end(bad, field="when")

"""Analytics on the real files in ../shared/data, checked against sums computed with csv.

The rows go through the contribution importer (``bluehelmet.sources.import_files``) into a
store, and the analytics read them back; the expected figures are computed here from the
published files with the csv module alone.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from bluehelmet import analytics
from tests.conftest import real_file

pytestmark = pytest.mark.realdata

RANK = "un_rank/Rank_2021-01.csv"
IPI = "ipi_tcc/Gender.Full.csv"
FATALITIES = "un_fatalities/DPPADPOSS-FATALITIES.csv"
IPI_CATEGORIES = ("Individual Police", "Formed Police Units", "Experts on Mission", "Troops")
UNIFORMED = {"Military", "Military Observer", "Police"}


def _importer() -> Any:
    try:
        from bluehelmet.sources import import_files
    except ImportError as exc:
        pytest.skip(f"the contribution importer bluehelmet.sources.import_files is missing: {exc}")
    return import_files


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    """The three real files imported into one store, read back as frames."""
    import_files = _importer()
    paths = [real_file(RANK), real_file(IPI), real_file(FATALITIES)]
    home = tmp_path_factory.mktemp("realdata-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BLUEHELMET_HOME", str(home))
        patch.delenv("BLUEHELMET_DATABASE_URL", raising=False)
        import_files(paths, skip_unknown=True)
        from bluehelmet.services import data

        return {
            "contributions": data.scan_contributions().collect(),
            "fatalities": data.fatalities(),
        }


def _csv_rows(relative: str) -> list[dict[str, str]]:
    with real_file(relative).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_ranking_of_january_2021_reproduces_the_official_ranks(
    store: dict[str, pl.DataFrame],
) -> None:
    official = {r["ISOCode3"]: r for r in _csv_rows(RANK)}
    table = analytics.ranking(store["contributions"], "2021-01")
    assert table.height == len(official) == 122
    for row in table.to_dicts():
        published = official[row["iso3"]]
        assert row["rank"] == int(published["Personnel_Contribution_Rank"]), row["iso3"]
        assert row["female"] == int(published["Female_Personnel"]), row["iso3"]
        assert row["male"] == int(published["Male_Personnel"]), row["iso3"]
        assert row["total"] == int(published["Total_Uniformed_Personnel"]), row["iso3"]
    assert table["name"].null_count() == 0


def _ipi_sums(month: str) -> dict[str, tuple[int, int]]:
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in _csv_rows(IPI):
        if r["Date"] != month:
            continue
        for category in IPI_CATEGORIES:
            sums[r["Contributor ISO-3"]][0] += int(r[f"{category} Female"])
            sums[r["Contributor ISO-3"]][1] += int(r[f"{category} Male"])
    return {k: (f, m) for k, (f, m) in sums.items() if f + m > 0}


@pytest.mark.parametrize("month", ["2012-03-31", "2013-12-31"])
def test_ipi_month_totals_per_contributor(store: dict[str, pl.DataFrame], month: str) -> None:
    expected = _ipi_sums(month)
    table = analytics.ranking(store["contributions"], month[:7])
    got = {r["iso3"]: (r["female"], r["male"]) for r in table.to_dicts()}
    assert got == expected
    shares = analytics.shares(store["contributions"], start=month[:7], end=month[:7])
    assert shares["person_months"].sum() == sum(f + m for f, m in expected.values())


def test_ipi_year_of_person_months_and_concentration(store: dict[str, pl.DataFrame]) -> None:
    totals: dict[str, int] = defaultdict(int)
    for r in _csv_rows(IPI):
        if r["Date"].startswith("2012-"):
            totals[r["Contributor ISO-3"]] += sum(
                int(r[f"{c} {s}"]) for c in IPI_CATEGORIES for s in ("Female", "Male")
            )
    table = analytics.shares(store["contributions"], start="2012-01", end="2012-12")
    got = dict(zip(table["key"], table["person_months"], strict=True))
    assert got == {k: v for k, v in totals.items() if v > 0}
    overall = sum(totals.values())
    hhi = sum((v / overall) ** 2 for v in totals.values())
    result = analytics.concentration(store["contributions"], start="2012-01", end="2012-12")
    assert result["hhi"].item() == pytest.approx(hhi)
    top5 = sum(sorted(totals.values(), reverse=True)[:5]) / overall
    assert result["top5_share"].item() == pytest.approx(top5)


def test_fatality_rates_per_year_over_the_ipi_months(store: dict[str, pl.DataFrame]) -> None:
    strength: dict[str, int] = defaultdict(int)
    for r in _csv_rows(IPI):
        strength[r["Date"][:7]] += sum(
            int(r[f"{c} {s}"]) for c in IPI_CATEGORIES for s in ("Female", "Male")
        )
    deaths: dict[int, int] = defaultdict(int)
    for r in _csv_rows(FATALITIES):
        month = r["incident_date"][:7]
        if r["casualty_personnel_type"].strip() in UNIFORMED and strength.get(month, 0) > 0:
            deaths[int(month[:4])] += 1
    table = analytics.fatality_rates(
        store["fatalities"], store["contributions"], by="year", start="2010-01", end="2013-12"
    )
    for row in table.to_dicts():
        year = row["year"]
        person_months = sum(v for k, v in strength.items() if k.startswith(f"{year}-"))
        assert row["person_months"] == person_months
        assert row["fatalities"] == deaths[year], year
        assert row["rate_per_1000"] == pytest.approx(deaths[year] / (person_months / 12) * 1000)
    assert table["year"].to_list() == [2010, 2011, 2012, 2013]


def test_fatality_counts_by_mission_match_the_file(store: dict[str, pl.DataFrame]) -> None:
    expected = sum(1 for r in _csv_rows(FATALITIES) if r["mission_acronym"] == "UNIFIL")
    table = analytics.fatality_counts(store["fatalities"], missions="UNIFIL")
    assert table.rows() == [("UNIFIL", expected)]


def test_panel_on_real_rows(store: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    panel = (
        analytics.panel("contributor-year", store["contributions"], start="2010-01", end="2013-12")
        .add_region()
        .add_council_seat()
        .add_org_membership("AU")
        .add_gender_share()
    )
    frame = panel.frame
    assert frame["year"].unique().sort().to_list() == [2010, 2011, 2012, 2013]
    assert frame["region"].null_count() == 0
    assert frame.filter(pl.col("permanent_member"))["contributor"].unique().len() <= 5
    assert frame.filter(pl.col("contributor") == "RWA")["au_member"].all()
    assert panel.to_parquet(tmp_path / "p.parquet").stat().st_size > 0


# --- the commands, on a store holding the January 2021 ranking --------------------------------


def _invoke(*args: str) -> Any:
    from typer.testing import CliRunner

    from bluehelmet.cli import app

    return CliRunner().invoke(app, list(args))


def test_rank_command_json_and_chart(tmp_path: Path) -> None:
    _importer()([real_file(RANK)])
    chart = tmp_path / "rank.png"
    result = _invoke("rank", "--month", "2021-01", "--format", "json", "--chart", str(chart))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout.splitlines()[0])
    assert {"rank", "iso3", "name", "female", "male", "total"} <= set(rows[0])
    first = rows[0]
    assert (first["rank"], first["iso3"], first["total"]) == (1, "BGD", 6711)
    assert [r["rank"] for r in rows if r["iso3"] in ("LVA", "QAT")] == [121, 121]
    assert chart.read_bytes()[:4] == b"\x89PNG"


def test_shares_and_panel_commands(tmp_path: Path) -> None:
    _importer()([real_file(RANK)])
    result = _invoke("shares", "--by", "region", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("key,person_months")
    assert {line.split(",")[0] for line in lines[1:]} >= {"Africa", "Asia", "Europe"}
    out = tmp_path / "panel.csv"
    result = _invoke("panel", "contributor-month", "--out", str(out), "--add", "region")
    assert result.exit_code == 0, result.output
    panel = pl.read_csv(out)
    assert panel.height == 122 and "region" in panel.columns


def test_commands_fail_cleanly_on_bad_input() -> None:
    result = _invoke("rank", "--month", "January")
    assert result.exit_code != 0
    assert "YYYY-MM" in result.output
    result = _invoke("shares", "--by", "planet")
    assert result.exit_code != 0
    assert "cannot group shares by 'planet'" in result.output


def test_parity_missions_concentration_and_fatality_commands(tmp_path: Path) -> None:
    _importer()([real_file(RANK), real_file(FATALITIES)], skip_unknown=True)
    result = _invoke("parity", "--by", "contributor", "--month", "2021-01", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["key"]: r for r in json.loads(result.stdout.splitlines()[0])}
    bgd = rows["BGD"]
    assert (bgd["female"], bgd["male"]) == (317, 6394)
    assert bgd["female_share"] == pytest.approx(317 / 6711)
    result = _invoke("concentration", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0])[0]["contributors"] == 122
    result = _invoke("missions", "--format", "json")  # the ranking has no missions
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0]) == []
    expected = sum(1 for r in _csv_rows(FATALITIES) if r["incident_date"].startswith("2013-"))
    result = _invoke(
        "fatalities", "--by", "year", "--from", "2013-01", "--to", "2013-12", "-f", "csv"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[1] == f"2013,{expected}"
    result = _invoke(
        "fatalities", "--rates", "--by", "year", "--from", "2021-01", "--to", "2021-01"
    )
    assert result.exit_code == 0, result.output
    result = _invoke("fatalities", "--by", "weather")
    assert result.exit_code != 0 and "cannot group fatalities by 'weather'" in result.output


def test_rank_check_against_the_stored_official_ranking() -> None:
    _importer()([real_file(RANK)])
    from bluehelmet.services import data

    comparison = analytics.compare_with_official(
        data.scan_contributions(), data.official_ranking(), "2021-01"
    )
    assert comparison.height == 122 and comparison["matches"].all()
    result = _invoke("rank", "--month", "2021-01", "--check", "--format", "csv")
    assert result.exit_code == 0, result.output
    result = _invoke("rank", "--month", "2020-12", "--check")
    assert result.exit_code != 0 and "no official ranking is stored for 2020-12" in result.output


def test_compare_with_official_flags_a_difference() -> None:
    _importer()([real_file(RANK)])
    from bluehelmet.services import data

    official = data.official_ranking().with_columns(
        rank=pl.when(pl.col("contributor") == "QAT").then(120).otherwise(pl.col("rank"))
    )
    comparison = analytics.compare_with_official(data.scan_contributions(), official, "2021-01")
    assert comparison.filter(~pl.col("matches"))["iso3"].to_list() == ["QAT"]


def test_empty_store_and_empty_month_are_explained() -> None:
    result = _invoke("rank", "--month", "2013-12")
    assert result.exit_code == 1
    assert "no contribution data is stored" in result.output
    assert "bluehelmet data import" in result.output
    _importer()([real_file(RANK)], skip_unknown=True)
    result = _invoke("rank", "--month", "2013-12")
    assert result.exit_code == 1
    assert "no contributions are stored for 2013-12" in result.output

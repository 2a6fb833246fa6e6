"""Every real published file imports; the stored figures equal the source's own."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from bluehelmet.services import data
from bluehelmet.services.data import import_files
from bluehelmet.sources import UnreconciledError
from tests.conftest import real_file

pytestmark = pytest.mark.realdata

CATEGORIES = ("Individual Police", "Formed Police Units", "Experts on Mission", "Troops")


def _source_totals(path: str, month: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["Date"] == month:
                totals[row["Contributor ISO-3"]] += int(row["Total Total"])
    return dict(totals)


def test_gender_full_month_totals_match_source_exactly() -> None:
    path = real_file("ipi_tcc/Gender.Full.csv")
    [result] = import_files([path])
    assert result.status == "imported"
    assert result.rows_read == 29115
    for month in ("2012-03-31", "2013-12-31"):
        expected = _source_totals(str(path), month)
        got = (
            data.contributions(months=date.fromisoformat(month))
            .group_by("contributor")
            .agg(pl.col("count").sum())
        )
        assert dict(got.iter_rows()) == {k: v for k, v in expected.items() if v}
    # per category and sex, the whole file
    frame = data.contributions()
    with Path(path).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    troops_f = sum(int(r["Troops Female"]) for r in rows)
    stored = frame.filter((pl.col("category") == "troops") & (pl.col("sex") == "female"))
    assert stored["count"].sum() == troops_f
    assert frame["count"].sum() == sum(int(r["Total Total"]) for r in rows)


def test_reimport_is_a_noop() -> None:
    path = real_file("ipi_tcc/Gender.Full.csv")
    import_files([path])
    before = data.data_status()
    frame = data.contributions()
    [again] = import_files([path])
    assert again.status == "unchanged"
    assert data.data_status() == before
    assert data.contributions().equals(frame)


def test_current_month_and_ranking() -> None:
    cm = real_file("ipi_ppp/ppp_files/current_month/current_month.csv")
    rank = real_file("un_rank/Rank_2021-01.csv")
    import_files([cm, rank])
    march = data.contributions(months=date(2014, 3, 31))
    with cm.open(encoding="utf-8", newline="") as fh:
        expected = sum(int(r["Total"]) for r in csv.DictReader(fh))
    assert march["count"].sum() == expected
    assert set(march["sex"].unique()) == {"unknown"}
    jan = data.contributions(months=date(2021, 1, 31), source="un_rank")
    assert jan["mission"].null_count() == jan.height
    assert set(jan["category"].unique()) == {"uniformed"}
    ranking = data.official_ranking()
    assert ranking.height == 122
    bgd = ranking.filter(pl.col("contributor") == "BGD").row(0, named=True)
    assert (bgd["rank"], bgd["female"], bgd["male"], bgd["total"]) == (1, 317, 6394, 6711)
    per = jan.group_by("contributor").agg(pl.col("count").sum())
    joined = ranking.join(per, on="contributor", how="left").with_columns(
        pl.col("count").fill_null(0)
    )
    assert (joined["count"] == joined["total"]).all()


@pytest.mark.parametrize(
    ("relative", "dataset"),
    [
        ("ipi_ppp/ppp_files/data_mission.csv", "mission_totals"),
        ("un_fatalities/DPPADPOSS-FATALITIES.csv", "fatalities"),
        ("un_missions/DPPADPOSS-PKO.csv", "missions"),
        ("tamm/TAMM.csv", "mandates"),
        ("geopko/geopko.csv", "locations"),
    ],
)
def test_other_real_files_import(relative: str, dataset: str) -> None:
    path = real_file(relative)
    try:
        [result] = import_files([path])
    except UnreconciledError as exc:
        # names the registry does not hold (e.g. political missions) are reported, not lost
        assert exc.report()
        [result] = import_files([path], skip_unknown=True)
        assert result.rows_skipped_unknown > 0
    assert result.rows_stored > 0
    frame = data.scan(dataset).collect()
    assert frame.height == result.rows_stored
    assert frame["sha256"].unique().to_list() == [result.sha256]


def test_fatalities_duplicate_casualties_counted_once() -> None:
    path = real_file("un_fatalities/DPPADPOSS-FATALITIES.csv")
    [result] = import_files([path], skip_unknown=True)
    dup = [i for i in result.issues if i.kind == "duplicate"]
    assert dup and len(dup[0].lines) == 6
    frame = data.fatalities()
    assert frame["casualty_id"].is_unique().all()


def test_fatalities_coverage_is_recorded_and_their_last_year_flagged_part_year() -> None:
    from bluehelmet.services import analytics

    import_files([real_file("un_fatalities/DPPADPOSS-FATALITIES.csv")], skip_unknown=True)
    [status] = [r for r in data.data_status() if r["dataset"] == "fatalities"]
    latest = data.fatalities()["date"].max()
    assert isinstance(latest, date)
    assert status["month_first"] == date(1948, 7, 31)
    assert status["month_last"].strftime("%Y-%m") == latest.strftime("%Y-%m")
    answer = analytics.fatalities(by="year", start="2015-01")
    assert answer.table["year"].to_list() == sorted(answer.table["year"].to_list())
    if (latest.month, latest.day) != (12, 31):
        assert f"{latest.year} is part-year" in " ".join(answer.notes)
    assert not analytics.fatalities(by="year", end=f"{latest.year - 1}-12").notes


def test_mission_renames_stay_apart() -> None:
    path = real_file("ipi_tcc/Gender.Full.csv")
    import_files([path])
    missions = set(data.contributions()["mission"].unique().to_list())
    assert {"MONUC", "MONUSCO"} <= missions
    monuc = data.contributions(mission="MONUC")
    assert monuc["month"].max() <= date(2010, 6, 30)

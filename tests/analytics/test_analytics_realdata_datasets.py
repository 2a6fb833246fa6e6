"""Mission totals, mandates, locations, aligned panels, rate intervals and every chart kind,
on the real files in ../shared/data, checked against figures computed here with csv alone."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bluehelmet.services import analytics as service
from bluehelmet.services.core import Core
from tests.conftest import real_file

pytestmark = pytest.mark.realdata

FILES = {
    "rank": "un_rank/Rank_2021-01.csv",
    "ipi": "ipi_tcc/Gender.Full.csv",
    "fatalities": "un_fatalities/DPPADPOSS-FATALITIES.csv",
    "totals": "ipi_ppp/ppp_files/data_mission.csv",
    "tamm": "tamm/TAMM.csv",
    "geopko": "geopko/geopko.csv",
}
UNIFORMED = {"Military", "Military Observer", "Police"}
IPI_CATEGORIES = ("Individual Police", "Formed Police Units", "Experts on Mission", "Troops")


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    """All six real files imported into one store."""
    from bluehelmet.services.data import import_files

    paths = [real_file(f) for f in FILES.values()]
    with Core(home=tmp_path_factory.mktemp("realdata-all")) as built:
        import_files(paths, skip_unknown=True, core=built)
        yield built


def _rows(key: str) -> list[dict[str, str]]:
    with real_file(FILES[key]).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_mission_strength_from_1995_to_2017_with_its_source(core: Core) -> None:
    answer = service.missions(start="1995-01", end="2017-12", missions="UNIFIL", core=core)
    table = answer.table
    ipi_months = {r["Date"][:7] for r in _rows("ipi") if r["Mission"] == "UNIFIL"}
    published = {
        r["Date"][:7]: int(r["Total"]) for r in _rows("totals") if r["Mission"] == "UNIFIL"
    }
    expected_months = {m for m in published if "1995-01" <= m <= "2017-12"} | ipi_months
    got = {f"{r['month']:%Y-%m}": r for r in table.to_dicts()}
    assert set(got) == expected_months
    for month, row in got.items():
        if month in ipi_months:
            assert row["source"] == "ipi_gender_full", month
        else:
            assert (row["source"], row["total"]) == ("ipi_mission_totals", published[month])
    ipi_sum: dict[str, int] = defaultdict(int)
    for r in _rows("ipi"):
        if r["Mission"] == "UNIFIL" and r["Date"].startswith("2012-06"):
            ipi_sum["2012-06"] += sum(
                int(r[f"{c} {s}"]) for c in IPI_CATEGORIES for s in ("Female", "Male")
            )
    assert got["2012-06"]["total"] == ipi_sum["2012-06"]
    assert any("ipi_mission_totals: 1995-01 to" in note for note in answer.notes)


def test_mandates_join_the_mission_months(core: Core) -> None:
    tamm = {(int(r["year"]), int(r["month"])): r for r in _rows("tamm") if r["mission"] == "UNMIL"}
    panel = service.panel(
        "mission-month",
        add=["mandates"],
        missions="UNMIL",
        start="2010-01",
        end="2010-12",
        core=core,
    ).frame
    assert panel.height == 12
    for row in panel.to_dicts():
        source = tamm.get((row["month"].year, row["month"].month))
        if source is None:
            assert row["mandate_coded"] is False
            continue
        assert row["mandate_coded"] is True
        assert row["mandate_resolution"] == source["unsc_resolution"]
        assert row["mandate_tasks"] == (
            row["mandate_monitor_tasks"]
            + row["mandate_assist_tasks"]
            + row["mandate_protect_tasks"]
            + row["mandate_other_tasks"]
        )
        monitor = sum(1 for k, v in source.items() if k.endswith("_monitor") and v == "1")
        assert row["mandate_monitor_tasks"] == monitor


def test_locations_are_the_latest_map_of_the_period(core: Core) -> None:
    rows = [r for r in _rows("geopko") if r["Mission"] == "MONUSCO" and r["year"] == "2015"]
    latest = max(int(r["month"]) for r in rows)
    on_map = [r for r in rows if int(r["month"]) == latest and r["latitude"] not in ("", "NA")]
    answer = service.locations(missions="monusco", start="2015-01", end="2015-12", core=core)
    table = answer.table
    assert table["month"].unique().to_list() == [date(2015, latest, _last(2015, latest))]
    assert table.height == len(on_map)
    troops = sum(int(r["No.troops"]) for r in on_map if r["No.troops"] not in ("", "NA"))
    assert table["troops"].fill_null(0).sum() == troops


def _last(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


def test_panel_fatalities_cover_the_same_months_as_personnel(core: Core) -> None:
    panel = service.panel("mission-year", add=["fatalities"], missions="UNMIL", core=core).frame
    ipi_months = {r["Date"][:7] for r in _rows("ipi") if r["Mission"] == "UNMIL"}
    deaths: dict[int, int] = defaultdict(int)
    for r in _rows("fatalities"):
        month = r["incident_date"][:7]
        if (
            r["mission_acronym"] == "UNMIL"
            and r["casualty_personnel_type"].strip() in UNIFORMED
            and month in ipi_months
        ):
            deaths[int(month[:4])] += 1
    by_year = {r["year"]: r for r in panel.to_dicts()}
    assert by_year[2009]["months_covered"] == 2  # November and December 2009 only
    for year, row in by_year.items():
        if row["months_covered"]:
            assert row["fatalities"] == deaths[year], year
        else:
            assert row["fatalities"] is None, year


def test_rate_intervals_on_the_real_files(core: Core) -> None:
    from scipy.stats import poisson

    answer = service.fatalities(by="mission", rates=True, start="2012-01", end="2012-12", core=core)
    for row in answer.table.to_dicts():
        exposure = row["personnel_years"] / 1000
        assert poisson.cdf(row["fatalities"], row["rate_high"] * exposure) == pytest.approx(0.025)
        if row["fatalities"]:
            assert poisson.sf(row["fatalities"] - 1, row["rate_low"] * exposure) == pytest.approx(
                0.025
            )
        assert row["small_exposure"] is (row["personnel_years"] < 1000)
    assert answer.table["small_exposure"].any()
    assert answer.notes and "small exposure" in answer.notes[0]


def test_every_chart_kind_renders_from_the_real_data(core: Core, tmp_path: Path) -> None:
    from bluehelmet.analytics.charts import save_chart

    charts = {
        "rank": service.rank("2021-01", chart=True, core=core).chart,
        "map": service.rank("2021-01", world_map=True, core=core).map,
        "shares": service.shares(by="region", chart=True, core=core).chart,
        "shares-one-year": service.shares(
            start="2012-01", end="2012-12", chart=True, core=core
        ).chart,
        "concentration": service.concentration(chart=True, core=core).chart,
        "concentration-one-month": service.concentration(
            start="2021-01", end="2021-01", chart=True, core=core
        ).chart,
        "missions": service.missions(start="1995-01", end="2017-03", chart=True, core=core).chart,
        "missions-one-month": service.missions(
            start="2013-06", end="2013-06", chart=True, core=core
        ).chart,
        "parity": service.parity(
            by="contributor", start="2013-01", end="2013-12", chart=True, core=core
        ).chart,
        "fatalities": service.fatalities(by="year,incident_type", chart=True, core=core).chart,
        "fatalities-by-mission": service.fatalities(by="mission", chart=True, core=core).chart,
        "fatalities-by-month": service.fatalities(
            by="month", start="2013-01", end="2013-12", chart=True, core=core
        ).chart,
        "rates": service.fatalities(by="year", rates=True, chart=True, core=core).chart,
        "locations": service.locations(
            missions="MONUSCO", start="2015-01", end="2015-12", chart=True, core=core
        ).map,
    }
    for name, chart in charts.items():
        png = save_chart(chart, tmp_path / f"{name}.png", scale=1.0)
        assert png.read_bytes()[:4] == b"\x89PNG", name
        assert png.stat().st_size > 5_000, name
    spec = charts["shares"].to_dict()
    assert "no data for 2015-2020" in spec["title"]["subtitle"]
    years = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert years == list(range(2009, 2022))
    breakdown = charts["fatalities"].to_dict()
    assert breakdown["encoding"]["color"]["field"] == "incident_type"

"""The analytics use cases, called directly: loading, checking the question, answering."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from bluehelmet.errors import InputError, UnknownNameError
from bluehelmet.services import analytics as service
from bluehelmet.services.core import Core
from bluehelmet.services.data import import_files
from tests._data_helpers import gender_row, sample_gender, write_gender


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Core]:
    """A store holding two months of a small Gender.Full file (2012-03 and 2012-05)."""
    with Core(home=tmp_path / "svc") as built:
        import_files([sample_gender(tmp_path / "march.csv")], core=built)
        may = write_gender(
            tmp_path / "may.csv",
            [gender_row(1, "2012-05-31", "Ghana", "GHA", "UNMIL", troops=(600, 30))],
        )
        import_files([may], core=built)
        yield built


def test_an_empty_store_is_an_error_saying_how_to_import(tmp_path: Path) -> None:
    with Core(home=tmp_path / "empty") as empty:
        for call in (
            lambda: service.rank("2012-03", core=empty),
            lambda: service.shares(core=empty),
            lambda: service.concentration(core=empty),
            lambda: service.parity(core=empty),
            lambda: service.panel("contributor-month", core=empty),
        ):
            with pytest.raises(service.NoDataError, match="bluehelmet data import"):
                call()
        with pytest.raises(service.NoDataError, match="no mission strength is stored"):
            service.missions(core=empty)
        with pytest.raises(service.NoDataError, match="no fatalities are stored"):
            service.fatalities(core=empty)
        with pytest.raises(service.NoDataError, match="no deployment locations"):
            service.locations(core=empty)


def test_rank_names_the_stored_months(core: Core) -> None:
    with pytest.raises(InputError, match="stored months: 2012-03, 2012-05"):
        service.rank(core=core)
    with pytest.raises(service.NoDataError, match="stored for 2012-04; stored months: 2012-03"):
        service.rank("2012-04", core=core)
    with pytest.raises(InputError, match="at least 1"):
        service.rank("2012-03", top=0, core=core)
    answer = service.rank("2012-03", chart=True, world_map=True, core=core)
    assert answer.table["iso3"].to_list() == ["GHA", "ALB"]
    assert answer.chart is not None and answer.map is not None


def test_names_resolve_in_every_use_case(core: Core) -> None:
    by_name = service.shares(contributors=["Ghana"], core=core).table
    by_iso2 = service.shares(contributors=["gh"], core=core).table
    assert by_name.equals(by_iso2) and by_name["key"].to_list() == ["GHA"]
    ranked = service.rank("2012-03", missions="unmil", core=core).table
    assert ranked["total"].to_list() == [765, 13]
    with pytest.raises(UnknownNameError, match="did you mean"):
        service.shares(contributors=["Ghanna"], core=core)


def test_empty_or_impossible_periods_are_errors(core: Core) -> None:
    with pytest.raises(service.NoDataError, match="2016-01 to 2016-12; stored months"):
        service.concentration(start="2016-01", end="2016-12", core=core)
    with pytest.raises(InputError, match="after it ends"):
        service.shares(start="2012-05", end="2012-03", core=core)
    with pytest.raises(service.NoDataError, match="no rows match"):
        service.shares(contributors="France", core=core)  # known, but never deployed here
    with pytest.raises(service.NoDataError, match="no rows match"):
        service.concentration(missions="UNIFIL", core=core)


def test_panel_dispatches_its_additions(core: Core) -> None:
    panel = service.panel("contributor-month", add=["region", "gender", "org:au"], core=core)
    assert {"region", "female_share", "au_member", "covered"} <= set(panel.frame.columns)
    april = panel.frame.filter(pl.col("month").dt.month() == 4)
    assert april.height == 2 and not april["covered"].any()
    with pytest.raises(InputError, match="unknown panel addition 'weather'"):
        service.panel("contributor-month", add=["weather"], core=core)
    with pytest.raises(InputError, match="unknown panel addition 'org'"):
        service.panel("contributor-month", add=["org"], core=core)
    with pytest.raises(InputError, match="unknown panel kind"):
        service.panel("country-decade", core=core)


def test_compare_ranking_needs_an_official_ranking(core: Core) -> None:
    with pytest.raises(service.NoDataError, match="no official ranking is stored for 2012-03"):
        service.compare_ranking("2012-03", core=core)
    with pytest.raises(InputError, match="official rankings are stored for: none"):
        service.compare_ranking(None, core=core)


def test_missions_state_the_source_of_each_month(core: Core) -> None:
    answer = service.missions(core=core, chart=True)
    assert set(answer.table["source"].to_list()) == {"ipi_gender_full"}
    assert answer.notes == ("ipi_gender_full: 2012-03, 2012-05",)
    assert answer.chart is not None

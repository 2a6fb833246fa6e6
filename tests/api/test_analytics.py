"""Open-data analytics endpoints against the service's own answers on real imported files."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bluehelmet.api import create_app
from bluehelmet.services import analytics as service
from bluehelmet.services.access import ensure_store
from bluehelmet.services.core import Core
from bluehelmet.services.data import import_files
from tests.api.conftest import PROBLEM
from tests.conftest import real_file

V1 = "/api/v1/analytics"
REAL_FILES = (
    "ipi_tcc/Gender.Full.csv",
    "un_rank/Rank_2021-01.csv",
    "un_fatalities/DPPADPOSS-FATALITIES.csv",
    "ipi_ppp/ppp_files/data_mission.csv",
    "geopko/geopko.csv",
)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Core, TestClient]]:
    """A store holding the real IPI, UN ranking, fatality, mission-total and Geo-PKO files."""
    paths = [real_file(name) for name in REAL_FILES]
    root = tmp_path_factory.mktemp("analytics")
    core = Core(home=root / "home", database_url=f"sqlite:///{root / 'store.sqlite'}")
    ensure_store(core)
    import_files(paths, skip_unknown=True, core=core)
    with core, TestClient(create_app(core)) as client:
        yield core, client


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _rows(answer: service.Answer, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    return [
        {k: _plain(v) for k, v in row.items()}
        for row in answer.table.slice(offset, limit).to_dicts()
    ]


def _same_rows(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    """Equal rows; floats equal to 1e-9 (the service's parallel sums may differ in the last bit)."""
    assert len(got) == len(want)
    for one, other in zip(got, want, strict=True):
        assert one.keys() == other.keys()
        for key, value in other.items():
            if isinstance(value, float):
                assert one[key] == pytest.approx(value, rel=1e-9), key
            else:
                assert one[key] == value, key


CASES: list[tuple[str, dict[str, Any], Any]] = [
    ("rankings", {"month": "2012-03"}, lambda c: service.rank("2012-03", core=c)),
    (
        "rankings",
        {"month": "2013-06", "mission": "UNMISS", "top": 5},
        lambda c: service.rank("2013-06", missions=["UNMISS"], top=5, core=c),
    ),
    (
        "rankings/official",
        {"month": "2021-01"},
        lambda c: service.compare_ranking("2021-01", core=c),
    ),
    (
        "shares",
        {"by": "region", "from": "2012-01", "to": "2012-12"},
        lambda c: service.shares(by="region", start="2012-01", end="2012-12", core=c),
    ),
    (
        "shares",
        {"by": "p5", "contributor": ["gh", "Nepal", "CHN"]},
        lambda c: service.shares(by="p5", contributors=["gh", "Nepal", "CHN"], core=c),
    ),
    ("shares", {"by": "income"}, lambda c: service.shares(by="income", core=c)),
    (
        "shares",
        {"by": "org", "org": "AU"},
        lambda c: service.shares(by="org", org="AU", core=c),
    ),
    (
        "concentration",
        {"per_month": "true", "from": "2013-01"},
        lambda c: service.concentration(per_month=True, start="2013-01", core=c),
    ),
    (
        "parity",
        {"by": "contributor", "month": "2013-01"},
        lambda c: service.parity(by="contributor", month="2013-01", core=c),
    ),
    (
        "fatalities",
        {"by": "year,incident_type"},
        lambda c: service.fatalities(by="year,incident_type", core=c),
    ),
    (
        "fatalities",
        {"by": "mission", "rates": "true"},
        lambda c: service.fatalities(by="mission", rates=True, core=c),
    ),
    (
        "missions",
        {"mission": "MONUSCO", "from": "2012-01"},
        lambda c: service.missions(missions=["MONUSCO"], start="2012-01", core=c),
    ),
    (
        "locations",
        {"mission": "UNMISS", "from": "2015-01", "to": "2016-12"},
        lambda c: service.locations(missions=["UNMISS"], start="2015-01", end="2016-12", core=c),
    ),
]


@pytest.mark.parametrize(("path", "params", "expected"), CASES)
def test_each_endpoint_answers_what_the_service_answers(
    real: tuple[Core, TestClient], path: str, params: dict[str, Any], expected: Any
) -> None:
    core, client = real
    answer = expected(core)
    got = client.get(f"{V1}/{path}", params=params)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["title"] == answer.title
    assert body["total"] == answer.table.height > 0
    assert body["columns"] == answer.table.columns
    _same_rows(body["rows"], _rows(answer))
    assert body["source"], "the answer names the files it comes from"
    assert all(len(s["sha256"]) == 64 for s in body["source"])
    for note in answer.notes:
        assert note in body["notes"]


def test_official_comparison_names_the_mismatch_in_notes(real: tuple[Core, TestClient]) -> None:
    core, client = real
    answer = service.compare_ranking("2021-01", core=core)
    body = client.get(f"{V1}/rankings/official", params={"month": "2021-01"}).json()
    if answer.problem:
        assert answer.problem in body["notes"]
    assert {s["dataset"] for s in body["source"]} >= {"official_ranking"}


def test_pages_walk_the_whole_table(real: tuple[Core, TestClient]) -> None:
    core, client = real
    answer = service.rank("2012-03", core=core)
    seen: list[dict[str, Any]] = []
    offset = 0
    while offset < answer.table.height:
        body = client.get(
            f"{V1}/rankings", params={"month": "2012-03", "limit": 40, "offset": offset}
        ).json()
        assert body["limit"] == 40 and body["offset"] == offset
        seen.extend(body["rows"])
        offset += 40
    _same_rows(seen, _rows(answer, 0, answer.table.height))
    beyond = client.get(f"{V1}/rankings", params={"month": "2012-03", "offset": 100_000})
    assert beyond.status_code == 200 and beyond.json()["rows"] == []


def test_csv_is_the_same_page_as_text(real: tuple[Core, TestClient]) -> None:
    core, client = real
    answer = service.rank("2012-03", core=core)
    got = client.get(f"{V1}/rankings", params={"month": "2012-03", "format": "csv", "limit": 5})
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/csv")
    assert got.headers["x-total-count"] == str(answer.table.height)
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [r["iso3"] for r in rows] == answer.table["iso3"].head(5).to_list()
    assert [int(r["total"]) for r in rows] == answer.table["total"].head(5).to_list()


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("rankings", {}, "month"),
        ("rankings", {"month": "2012-13-01"}, "month"),
        ("rankings", {"month": "march"}, "month"),
        ("rankings", {"month": "0000-01"}, "month"),
        ("rankings", {"month": "2012-03", "top": 0}, "top"),
        ("rankings", {"month": "2012-03", "top": 10**12}, "top"),
        ("rankings", {"month": "2012-03", "mission": "Atlantis"}, "mission"),
        ("rankings", {"month": "2012-03", "category": "wizards"}, "category"),
        ("rankings", {"month": "2012-03", "format": "xml"}, "format"),
        ("rankings", {"month": "2012-03", "limit": 0}, "limit"),
        ("rankings", {"month": "2012-03", "limit": 10**9}, "limit"),
        ("rankings", {"month": "2012-03", "offset": -1}, "offset"),
        ("shares", {"by": "nonsense"}, "by"),
        ("shares", {"contributor": "Gahna"}, "contributor"),
        ("shares", {"contributor": ["GHA"] * 51}, "contributor"),
        ("shares", {"contributor": "x" * 81}, "contributor"),
        ("shares", {"from": "2014-01", "to": "2012-01"}, "from"),
        ("shares", {"from": "2012-02-30"}, "from"),
        ("shares", {"by": "b" * 41}, "by"),
        ("concentration", {"per_month": "perhaps"}, "per_month"),
        ("parity", {"by": "planet"}, "by"),
        ("parity", {"month": "2012-03", "from": "2012-01"}, "month"),
        ("fatalities", {"by": "mission,year", "rates": "true"}, "by"),
        ("fatalities", {"by": "weather"}, "by"),
        ("missions", {"mission": "\u0000"}, "mission"),
        ("locations", {"mission": "NATO-KFOR-ZZ"}, "mission"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(
    real: tuple[Core, TestClient], path: str, params: dict[str, Any], field: str
) -> None:
    _, client = real
    got = client.get(f"{V1}/{path}", params=params)
    assert got.status_code == 422, got.text
    assert got.headers["content-type"] == PROBLEM
    body = got.json()
    named = {body.get("field")} | {e["field"].split(".")[-1] for e in body.get("errors", [])}
    assert field in named, body
    assert body["detail"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("rankings", {"month": "1999-01"}),
        ("rankings/official", {"month": "2012-03"}),
        ("shares", {"from": "1960-01", "to": "1960-12"}),
        ("fatalities", {"from": "2090-01"}),
        ("locations", {"month": "2030-01"}),
    ],
)
def test_a_question_without_stored_data_is_404_naming_the_stored_months(
    real: tuple[Core, TestClient], path: str, params: dict[str, Any]
) -> None:
    _, client = real
    got = client.get(f"{V1}/{path}", params=params)
    assert got.status_code == 404, got.text
    assert got.headers["content-type"] == PROBLEM
    assert "stored" in got.json()["detail"]


def test_an_empty_store_says_how_to_import(tmp_path: Path) -> None:
    core = Core(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 's.sqlite'}")
    ensure_store(core)
    with core, TestClient(create_app(core)) as client:
        for path, params in (
            ("rankings", {"month": "2012-03"}),
            ("shares", {}),
            ("concentration", {}),
            ("parity", {}),
            ("fatalities", {}),
            ("missions", {}),
            ("locations", {}),
        ):
            got = client.get(f"{V1}/{path}", params=params)
            assert got.status_code == 404, (path, got.text)
            assert "bluehelmet data import" in got.json()["detail"]

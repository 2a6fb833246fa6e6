"""The reference registry against the real published files in ../shared/data."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import bluehelmet.reference as ref
from tests.conftest import real_file

pytestmark = pytest.mark.realdata

# Names in the files that must not resolve to one state, with the reason.
UNRESOLVABLE_NAMES = {
    "Ireland and Scotland": "Geo-PKO, UNMIL 2005: a battalion shared by Ireland and Sweden",
    "MA": "two-letter token in Geo-PKO name.of.TCC8 of unknown meaning (Morocco? Malawi?)",
    "NA": "missing-value marker",
    "unknown": "missing-value marker",
    "ZZ [Undetermined]": "the UN fatalities file's own 'undetermined nationality' code",
}
# Mission codes in the files that are not missions, with the reason.
UNRESOLVABLE_MISSIONS = {
    "UNSecretariat": "UN fatalities file: staff of the Secretariat, not a mission",
    "UNMAO": "UN fatalities file (2011): the UN Mine Action Office, not a mission",
    "UNFOR": "official list entry with neither start nor end date; left out of the registry",
}

# (file, columns holding country names or codes)
NAME_COLUMNS = [
    ("ipi_tcc/Gender.Full.csv", ["Contributor", "Contributor ISO-3"]),
    (
        "ipi_ppp/ppp_files/current_month/current_month.csv",
        ["Contributor", "Contributor_ISO-3", "Mission_Country", "Mission_Country_ISO-3"],
    ),
    ("un_rank/Rank_2021-01.csv", ["ISOCode3", "Contributing_Country"]),
    ("un_fatalities/DPPADPOSS-FATALITIES.csv", ["casualty_nationality", "isocode3"]),
    ("un_rank/CountryByYear_derived.csv", ["Country"]),
    ("ipi_ppp/ppp_files/data_mission.csv", ["Country of Mission", "Country of Mission ISO-3"]),
    ("geopko/geopko.csv", ["country", *[f"name.of.TCC{i}" for i in range(1, 15)]]),
    ("pact/ipi_continent.csv", ["Mission_Country"]),
]
# (file, name column, ISO-3 column): both must resolve to the same state
NAME_CODE_PAIRS = [
    ("ipi_tcc/Gender.Full.csv", "Contributor", "Contributor ISO-3"),
    ("ipi_ppp/ppp_files/current_month/current_month.csv", "Contributor", "Contributor_ISO-3"),
    (
        "ipi_ppp/ppp_files/current_month/current_month.csv",
        "Mission_Country",
        "Mission_Country_ISO-3",
    ),
    ("un_rank/Rank_2021-01.csv", "Contributing_Country", "ISOCode3"),
    ("un_fatalities/DPPADPOSS-FATALITIES.csv", "casualty_nationality", "isocode3"),
    ("ipi_ppp/ppp_files/data_mission.csv", "Country of Mission", "Country of Mission ISO-3"),
]
MISSION_COLUMNS = [
    ("ipi_tcc/Gender.Full.csv", "Mission"),
    ("ipi_ppp/ppp_files/current_month/current_month.csv", "Mission"),
    ("un_fatalities/DPPADPOSS-FATALITIES.csv", "mission_acronym"),
    ("un_rank/CountryByYear_derived.csv", "Mission"),
    ("ipi_ppp/ppp_files/data_mission.csv", "Mission"),
    ("geopko/geopko.csv", "Mission"),
    ("tamm/TAMM.csv", "mission"),
    ("pact/PKOlist_start_end.csv", "Acronym"),
    ("pact/ipi_continent.csv", "Mission"),
    ("un_missions/DPPADPOSS-PKO.csv", "mission_acronym"),
]


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy")


def _distinct(path: Path, columns: list[str]) -> set[str]:
    frame = _read(path)
    values: set[str] = set()
    for column in columns:
        values |= {v for v in frame[column].to_list() if v is not None and v.strip()}
    return values


@pytest.mark.parametrize(("relative", "columns"), NAME_COLUMNS, ids=[f for f, _ in NAME_COLUMNS])
def test_every_country_name_in_real_files_resolves(relative: str, columns: list[str]) -> None:
    unresolved = {
        name for name in _distinct(real_file(relative), columns) if ref.find_country(name) is None
    }
    assert unresolved <= set(UNRESOLVABLE_NAMES), sorted(unresolved - set(UNRESOLVABLE_NAMES))


@pytest.mark.parametrize(
    ("relative", "name_col", "code_col"),
    NAME_CODE_PAIRS,
    ids=[f"{f}:{n}" for f, n, _ in NAME_CODE_PAIRS],
)
def test_names_resolve_to_the_code_the_file_gives(
    relative: str, name_col: str, code_col: str
) -> None:
    frame = _read(real_file(relative)).select(name_col, code_col).unique().drop_nulls()
    wrong = []
    for name, code in frame.iter_rows():
        by_name, by_code = ref.find_country(name), ref.find_country(code)
        if by_name is None or by_code is None or by_name.iso3 != by_code.iso3:
            wrong.append((name, code))
    assert not wrong


def test_m49_codes_match_the_un_ranking() -> None:
    frame = _read(real_file("un_rank/Rank_2021-01.csv")).drop_nulls("ISOCode3")
    for iso3, m49 in frame.select("ISOCode3", "M49_Code").iter_rows():
        assert ref.country(iso3).m49 == int(m49), iso3


@pytest.mark.parametrize(
    ("relative", "column"), MISSION_COLUMNS, ids=[f for f, _ in MISSION_COLUMNS]
)
def test_every_mission_in_real_files_resolves(relative: str, column: str) -> None:
    unresolved = {
        name for name in _distinct(real_file(relative), [column]) if ref.find_mission(name) is None
    }
    assert unresolved <= set(UNRESOLVABLE_MISSIONS), sorted(unresolved - set(UNRESOLVABLE_MISSIONS))


# Deliberate differences from the official list (see the note column of missions.csv).
OFFICIAL_DIFFERENCES = {
    ("DOMREP", "mission_name"): "name truncated in the official file; completed",
    ("MINUSMA", "end_date"): "closed 31 Dec 2023 (S/RES/2690 (2023)); the official file has no end",
    ("UNSCOB", "start_date"): "no start in the official file; A/RES/109 (II) of 21 Oct 1947",
    ("UNOHCI", "start_date"): "no start in the official file; UN-Iraq MOU of 18 Apr 1991",
}
OFFICIAL_OMITTED = {"UNFOR": "no start or end date in the official file; not identified"}


def test_registry_matches_the_official_mission_list() -> None:
    path = real_file("un_missions/DPPADPOSS-PKO.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 81
    for row in rows:
        acronym = row["mission_acronym"].strip()
        if acronym in OFFICIAL_OMITTED:
            assert ref.find_mission(acronym) is None
            continue
        mission = ref.mission(acronym)
        assert mission.acronym == acronym
        assert mission.lead == "UN"
        if (acronym, "mission_name") not in OFFICIAL_DIFFERENCES:
            assert mission.name == row["mission_name"].strip(), acronym
        start = date.fromisoformat(row["start_date"]) if row["start_date"] else None
        end = date.fromisoformat(row["end_date"]) if row["end_date"] else None
        if (acronym, "start_date") not in OFFICIAL_DIFFERENCES:
            assert mission.start == start, acronym
        if (acronym, "end_date") not in OFFICIAL_DIFFERENCES:
            assert mission.end == end, acronym
    assert ref.mission("MINUSMA").end == date(2023, 12, 31)
    assert ref.mission("DOMREP").name.endswith("Dominican Republic")


# The registry records Kosovo (XKX) as UNMIK's host; the PACT file names Serbia.
HOST_DIFFERENCES = {("UNMIK", "Serbia")}


def test_hosts_agree_with_the_pact_continent_file() -> None:
    frame = _read(real_file("pact/ipi_continent.csv"))
    disagreements = []
    for acronym, country_name in frame.select("Mission", "Mission_Country").iter_rows():
        if acronym in UNRESOLVABLE_MISSIONS:
            continue
        mission, state = ref.find_mission(acronym), ref.find_country(country_name)
        assert mission is not None and state is not None, (acronym, country_name)
        if (acronym, country_name) in HOST_DIFFERENCES:
            continue
        if mission.hosts and state.iso3 not in mission.hosts:
            disagreements.append((acronym, country_name, mission.hosts))
    assert not disagreements

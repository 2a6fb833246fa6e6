"""``bluehelmet init`` and ``bluehelmet registry ...`` through Typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bluehelmet.cli import app
from bluehelmet.store import engine

runner = CliRunner()

P5_2020 = {"CHN", "FRA", "GBR", "RUS", "USA"}
# Elected members sitting in 2020: those elected by the General Assembly in 2018 (term
# 2019-2020) and in 2019 (term 2020-2021).
ELECTED_2020 = {"BEL", "DOM", "DEU", "IDN", "ZAF", "EST", "NER", "VCT", "TUN", "VNM"}


def _json(*args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output + str(result.exception)
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def _fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code != 0
    assert result.stdout == ""
    return " ".join(result.stderr.split())


def test_countries_json_has_stable_keys() -> None:
    rows = _json("registry", "countries")
    assert len(rows) >= 193
    assert {"iso3", "name", "un_member", "region"} <= set(rows[0])
    by_iso3 = {r["iso3"]: r for r in rows}
    assert by_iso3["GHA"]["un_member"] is True
    assert by_iso3["GHA"]["region"] == "Africa"
    members = _json("registry", "countries", "--un-member")
    assert len(members) == 193
    assert all(r["un_member"] for r in members)


def test_countries_region_filter_and_unknown_region() -> None:
    africa = _json("registry", "countries", "--region", "africa")
    assert africa
    assert {r["region"] for r in africa} == {"Africa"}
    assert "Africa" in _fails("registry", "countries", "--region", "Afrika")


def test_country_detail_by_alias() -> None:
    (row,) = _json("registry", "country", "DR Congo")
    assert row["iso3"] == "COD"
    assert "MONUSCO" in row["missions_hosted"]
    assert "AU" in row["memberships"]


def test_unknown_country_suggests() -> None:
    err = _fails("registry", "country", "Frnace")
    assert "unknown country" in err
    assert "France" in err


def test_missions_filters() -> None:
    rows = _json("registry", "missions")
    assert {"acronym", "name", "start", "end", "hosts", "lead"} <= set(rows[0])
    by_acronym = {r["acronym"]: r for r in rows}
    assert by_acronym["UNMIL"]["hosts"] == ["LBR"]
    assert by_acronym["UNMIL"]["end"] == "2018-03-01"
    active = {r["acronym"] for r in _json("registry", "missions", "--active")}
    assert "MINUSCA" in active
    assert "UNMIL" not in active
    assert all(
        r["end"] is None or date.fromisoformat(r["end"]) >= date.today()
        for r in _json("registry", "missions", "--active")
    )
    au = _json("registry", "missions", "--org", "au")
    assert au
    assert {r["lead"] for r in au} == {"AU"}
    assert "AMISOM" in {r["acronym"] for r in au}
    in_2010 = {r["acronym"] for r in _json("registry", "missions", "--org", "UN", "--year", "2010")}
    assert {"UNMIL", "MONUSCO", "UNMIS"} <= in_2010
    assert "MINUSCA" not in in_2010
    assert "MINUSMA" not in in_2010


def test_missions_by_host() -> None:
    mali = _json("registry", "missions", "--host", "Mali")
    assert {"MINUSMA", "AFISMA"} <= {r["acronym"] for r in mali}
    assert all("MLI" in r["hosts"] for r in mali)
    assert "unknown country" in _fails("registry", "missions", "--host", "Malli Republik")


def test_missions_unknown_org_suggests() -> None:
    err = _fails("registry", "missions", "--org", "NATOO")
    assert "unknown organization" in err
    assert "NATO" in err


def test_mission_detail_and_unknown_mission() -> None:
    (row,) = _json("registry", "mission", "MINUSMA")
    assert row["acronym"] == "MINUSMA"
    assert row["hosts"] == ["MLI"]
    assert row["host_names"] == ["Mali"]
    assert row["predecessor"] == "AFISMA"
    assert any(m["resolution"] == "S/RES/2100 (2013)" for m in row["mandates"])
    err = _fails("registry", "mission", "MINUSMAA")
    assert "MINUSMA" in err


def test_council_2020() -> None:
    rows = _json("registry", "council", "--year", "2020")
    assert {"iso3", "name", "permanent"} <= set(rows[0])
    assert {r["iso3"] for r in rows if r["permanent"]} == P5_2020
    assert {r["iso3"] for r in rows if not r["permanent"]} == ELECTED_2020
    assert [r["permanent"] for r in rows[:5]] == [True] * 5


@pytest.mark.parametrize("year", [1946, 1965, 1966, 1971, 1972, 1991, 1992, 2023])
def test_council_every_year_has_its_size(year: int) -> None:
    rows = _json("registry", "council", "--year", str(year))
    assert sum(r["permanent"] for r in rows) == 5
    assert len(rows) == (11 if year < 1966 else 15)


def test_council_unknown_year_fails() -> None:
    err = _fails("registry", "council", "--year", "1930")
    assert "1946" in err


def test_organizations_and_members() -> None:
    orgs = {r["code"]: r for r in _json("registry", "organizations")}
    assert {"UN", "AU", "EU", "NATO", "OSCE", "ECOWAS"} <= set(orgs)
    assert orgs["UN"]["members"] == 193
    assert orgs["OSCE"]["members"] == 57
    assert orgs["MFO"]["members"] is None  # not recorded in the registry
    assert "not recorded" in _fails("registry", "members", "MFO")
    eu_2019 = {r["iso3"] for r in _json("registry", "members", "EU", "--year", "2019")}
    eu_now = {r["iso3"] for r in _json("registry", "members", "eu")}
    assert "GBR" in eu_2019
    assert "GBR" not in eu_now
    assert len(eu_now) == 27
    err = _fails("registry", "members", "ECOWASS")
    assert "ECOWAS" in err
    by_name = runner.invoke(app, ["registry", "members", "european union"])
    assert by_name.exit_code == 0, by_name.output
    assert "27 members of EU today" in by_name.output
    assert {r["lead"] for r in _json("registry", "missions", "--org", "African Union")} == {"AU"}


def test_csv_and_table_formats() -> None:
    result = runner.invoke(app, ["registry", "council", "--year", "2020", "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 15
    assert rows[0]["permanent"] == "true"  # CSV is data; "yes" is for the table
    table = runner.invoke(app, ["registry", "council", "--year", "2020"])
    assert table.exit_code == 0
    assert "Tunisia" in table.stdout


def test_init_twice_changes_nothing(database_url: str) -> None:
    first = runner.invoke(app, ["init", "--database-url", database_url, "--format", "json"])
    assert first.exit_code == 0, first.output + str(first.exception)
    tables = {r["table"]: r for r in json.loads(first.stdout)}
    assert tables["country"]["inserted"] >= 193
    assert tables["mission"]["inserted"] >= 81
    eng = engine(database_url)
    try:
        with eng.connect() as conn:
            n = conn.execute(sa.text("select count(*) from council_seat where year = 2020"))
            assert n.scalar() == 15
    finally:
        eng.dispose()
    second = runner.invoke(app, ["init", "--database-url", database_url])
    assert second.exit_code == 0, second.output
    text = " ".join(second.stdout.split())
    assert "0 inserted, 0 updated, 0 deleted" in text
    assert "nothing changed" in text


def test_init_uses_bluehelmet_home_by_default(bluehelmet_home: Any) -> None:
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert (bluehelmet_home / "bluehelmet.sqlite").is_file()


def test_init_reports_an_unreachable_database() -> None:
    err = _fails("init", "--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert "cannot create or upgrade the store" in err


def test_every_registry_command_and_option_is_documented() -> None:
    import typer.main

    from bluehelmet.cli import registry as registry_cli

    doc = (Path(__file__).resolve().parents[2] / "docs" / "cli-registry.md").read_text()
    group = typer.Typer()
    registry_cli.register(group)
    click_group = typer.main.get_command(group)
    assert hasattr(click_group, "commands")
    registry_group = click_group.commands["registry"]
    assert hasattr(registry_group, "commands")
    for name, command in [*registry_group.commands.items(), ("init", click_group.commands["init"])]:
        prefix = "bluehelmet init" if name == "init" else f"bluehelmet registry {name}"
        assert f"`{prefix}" in doc, f"{prefix} is not documented"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt not in {"--help"}:
                    assert opt in doc, f"{prefix} {opt} is not documented"

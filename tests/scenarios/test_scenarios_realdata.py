"""Withdrawals and cuts on the real IPI file, checked against csv and DuckDB computations.

The file goes through the contribution importer into a store; the expected figures are
computed here from the published file with the csv module and DuckDB alone.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from bluehelmet.cli import app
from tests.conftest import real_file

pytestmark = pytest.mark.realdata

IPI = "ipi_tcc/Gender.Full.csv"
CATEGORIES = {
    "Individual Police": "individual_police",
    "Formed Police Units": "formed_police_units",
    "Experts on Mission": "experts_on_mission",
    "Troops": "troops",
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data home holding the real IPI file, imported once for the module."""
    from bluehelmet.services.core import Core
    from bluehelmet.services.data import import_files

    path = real_file(IPI)
    home = tmp_path_factory.mktemp("scenario-realdata-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("BLUEHELMET_DATABASE_URL", raising=False)
        with Core(home=home) as core:
            import_files([path], skip_unknown=True, core=core)
    return home


@pytest.fixture
def use_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BLUEHELMET_HOME", str(home))
    monkeypatch.delenv("BLUEHELMET_DATABASE_URL", raising=False)
    return home


def _csv_mission(mission: str, day: str) -> dict[str, dict[str, dict[str, int]]]:
    """contributor -> category -> {male, female, total} from the csv, for one mission-month."""
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    with real_file(IPI).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Mission"] != mission or row["Date"] != day:
                continue
            for label, cat in CATEGORIES.items():
                out[row["Contributor ISO-3"]][cat] = {
                    "male": int(row[f"{label} Male"]),
                    "female": int(row[f"{label} Female"]),
                    "total": int(row[f"{label} Total"]),
                }
    return out


@pytest.mark.parametrize(
    ("who", "iso3", "mission", "month"),
    [("Ghana", "GHA", "UNMIL", "2012-03"), ("ind", "IND", "MONUSCO", "2013-06")],
)
def test_withdrawal_matches_the_csv(
    use_home: Path, who: str, iso3: str, mission: str, month: str
) -> None:
    from bluehelmet.services.scenarios import withdraw

    day = {"2012-03": "2012-03-31", "2013-06": "2013-06-30"}[month]
    rows = _csv_mission(mission, day)
    result = withdraw(who, mission, month)
    assert result.contributor == iso3
    mine = rows[iso3]
    for cat in CATEGORIES.values():
        before = sum(r[cat]["total"] for r in rows.values())
        lost = mine[cat]["total"]
        if before:
            assert result.before[cat] == before
            assert result.lost[cat] == lost
            assert result.remaining[cat] == before - lost
    total_before = sum(r[c]["total"] for r in rows.values() for c in CATEGORIES.values())
    total_lost = sum(mine[c]["total"] for c in CATEGORIES.values())
    assert result.lost["total"] == total_lost > 0
    assert result.remaining["total"] == total_before - total_lost
    assert result.share_lost["total"] == pytest.approx(total_lost / total_before)
    present = [c for c, r in rows.items() if sum(v["total"] for v in r.values()) > 0]
    assert result.diversity["contributors_before"] == len(present)
    assert result.diversity["contributors_after"] == len(present) - 1
    women = sum(r[c]["female"] for r in rows.values() for c in CATEGORIES.values() if c in r)
    known = women + sum(r[c]["male"] for r in rows.values() for c in CATEGORIES.values())
    assert result.diversity["women_share_before"] == pytest.approx(women / known)
    assert result.women_lost == sum(mine[c]["female"] for c in CATEGORIES.values())


def test_capacity_matches_duckdb(use_home: Path) -> None:
    from bluehelmet.services.scenarios import withdraw

    result = withdraw("GHA", "UNMIL", "2012-03", top=5)
    expected = duckdb.sql(
        f"""
        select "Contributor ISO-3" as contributor, max(t) as peak, count(*) as months
        from (
            select "Contributor ISO-3", "Date", sum("Troops Total") as t
            from read_csv('{real_file(IPI)}', header = true, all_varchar = false)
            where "Date" <= DATE '2012-03-31' and "Contributor ISO-3" <> 'GHA'
            group by all
        ) where t > 0
        group by 1 order by peak desc, contributor limit 5
        """
    ).fetchall()
    troops = result.capacity.filter(result.capacity["category"] == "troops")
    assert [
        tuple(r) for r in troops.select("contributor", "peak_monthly", "months_seen").rows()
    ] == [(c, int(p), int(m)) for c, p, m in expected]


def test_cut_matches_duckdb(use_home: Path) -> None:
    from bluehelmet.services.scenarios import cut

    result = cut(0.25, "proportional")
    figures = duckdb.sql(
        f"""
        select "Mission", sum(n), count(*) filter (where n > 0)
        from (
            select "Mission", "Contributor ISO-3", sum("Individual Police Total"
                + "Formed Police Units Total" + "Experts on Mission Total" + "Troops Total") as n
            from read_csv('{real_file(IPI)}', header = true)
            where "Date" = DATE '2014-02-28' group by all
        ) group by 1
        """
    ).fetchall()
    per_mission = {m: int(n) for m, n, _ in figures}
    contingents = {m: int(k) for m, _, k in figures}
    total = int(sum(per_mission.values()))
    assert result.month.isoformat() == "2014-02-28"
    assert result.before == total
    assert result.removed == result.target == round(total * 0.25)
    got = {r["mission"]: r for r in result.missions.to_dicts()}
    for mission, before in per_mission.items():
        if before:
            assert got[mission]["before"] == before
            # each contingent loses a quarter, rounded: a mission is off by under one per contingent
            assert abs(got[mission]["lost"] - before * 0.25) < contingents[mission]
    lifo = cut(0.25, "lifo")
    assert lifo.removed == result.removed
    assert {r["mission"]: r["lost"] for r in lifo.missions.to_dicts()} == pytest.approx(
        {m: before * 0.25 for m, before in per_mission.items() if before}, abs=1
    )


def test_cli_withdraw_json_and_errors(use_home: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        app,
        [
            "scenario",
            "withdraw",
            "--contributor",
            "gha",
            "--mission",
            "UNMIL",
            "--month",
            "2012-03",
            "--format",
            "json",
        ],
    )
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.stdout)
    assert data["lost"]["total"] == 718 and data["remaining"]["total"] == 9195 - 718
    assert {"share_lost", "diversity", "capacity", "assumptions"} <= set(data)
    table = runner.invoke(
        app, ["scenario", "withdraw", "-c", "Ghana", "-m", "UNMIL", "--month", "2012-03"]
    )
    assert table.exit_code == 0 and "GHA leaves UNMIL" in table.stdout
    for args, message in (
        (["--contributor", "Ghanna"], "did you mean"),
        (["--contributor", "GHA", "--mission", "UNMILL"], "did you mean"),
        (["--month", "2020-01"], "2009-11 to 2014-02"),
        (["--month", "2012-13"], "not of the form"),
        (["--contributor", "FJI", "--mission", "MONUSCO"], "had no personnel"),
    ):
        base = {"--contributor": "GHA", "--mission": "UNMIL", "--month": "2012-03"}
        base.update(dict(zip(args[::2], args[1::2], strict=True)))
        bad = runner.invoke(app, ["scenario", "withdraw", *[x for kv in base.items() for x in kv]])
        assert bad.exit_code != 0
        assert message in bad.output


def test_cli_cut_json(use_home: Path) -> None:
    result = CliRunner().invoke(
        app, ["scenario", "cut", "--share", "0.25", "--rule", "lifo", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["month"] == "2014-02" and data["rule"] == "lifo"
    assert data["reference"]["source"].startswith("press reports of UN briefings")
    assert sum(m["lost"] for m in data["missions"]) == data["removed"]
    assert sum(c["lost"] for c in data["contributors"]) == data["removed"]

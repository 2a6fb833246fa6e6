"""The ``bluehelmet data`` commands, and the store on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bluehelmet.cli import app
from bluehelmet.services import data
from bluehelmet.services.core import Core
from bluehelmet.services.data import import_files
from bluehelmet.store.contributions import ReplaceRefusedError
from tests._data_helpers import gender_row, sample_gender, write_gender

runner = CliRunner()


def test_import_then_status_json(tmp_path: Path) -> None:
    path = sample_gender(tmp_path / "g.csv")
    result = runner.invoke(app, ["data", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Import summary" in result.output
    result = runner.invoke(app, ["data", "status", "--format", "json"])
    assert result.exit_code == 0
    [row] = json.loads(result.stdout)
    assert row["file"] == "g.csv" and row["months"] == 1 and row["month_first"] == "2012-03-31"
    again = runner.invoke(app, ["data", "import", str(path), "-o", "json"])
    assert json.loads(again.stdout)[0]["status"] == "unchanged"


def test_import_refusal_shows_report(tmp_path: Path) -> None:
    path = write_gender(
        tmp_path / "u.csv", [gender_row(1, "2012-04-30", "Atlantis", "ATL", "UNMIL", ip=(1, 0))]
    )
    result = runner.invoke(app, ["data", "import", str(path)])
    assert result.exit_code == 1
    assert "ATL" in result.output and "Reconciliation report" in result.output
    ok = runner.invoke(app, ["data", "import", str(path), "--skip-unknown"])
    assert ok.exit_code == 0 and "skipped" in ok.output


def test_names_from_a_file_are_printed_as_written(tmp_path: Path) -> None:
    path = write_gender(
        tmp_path / "[red]u.csv",
        [gender_row(1, "2012-04-30", "Atlantis", "ATL", "UNMIL", ip=(1, 0))],
    )
    ok = runner.invoke(app, ["data", "import", str(path), "--skip-unknown"], env={"COLUMNS": "200"})
    assert ok.exit_code == 0, ok.output
    assert "unknown country 'ATL' in [red]u.csv" in ok.output


def test_bad_file_exits_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["data", "import", str(path)])
    assert result.exit_code == 1 and "unrecognised format" in result.output


def test_store_on_each_database(database_url: str, tmp_path: Path) -> None:
    core = Core(database_url=database_url, home=tmp_path / "home")
    path = sample_gender(tmp_path / "g.csv")
    [first] = import_files([path], core=core)
    [second] = import_files([path], core=core)
    assert (first.status, second.status) == ("imported", "unchanged")
    [status] = data.data_status(core=core)
    assert status["rows"] == first.rows_stored
    assert data.contributions(core=core)["count"].sum() == 13 + 765 + 510
    core.close()


def test_duckdb_views_and_filters(tmp_path: Path) -> None:
    from datetime import date

    import_files([sample_gender(tmp_path / "g.csv")])
    rel = data.sql("SELECT contributor, sum(count) AS n FROM contributions GROUP BY 1 ORDER BY 1")
    assert rel.fetchall() == [("ALB", 13), ("GHA", 1275)]
    assert data.sql("SELECT count(*) FROM fatalities").fetchall() == [(0,)]
    ghana = data.contributions(
        months=(date(2012, 1, 1), None), contributor="GHA", category=["troops"]
    )
    assert ghana["count"].sum() == 1250
    assert data.contributions(mission="UNOCI")["count"].sum() == 510
    assert data.scan_contributions().collect().height == data.contributions().height


def test_replacement_on_each_database(database_url: str, tmp_path: Path) -> None:
    core = Core(database_url=database_url, home=tmp_path / "home")
    import_files([sample_gender(tmp_path / "a.csv", month="2012-03-31")], core=core)
    import_files([sample_gender(tmp_path / "b.csv", month="2012-04-30")], core=core)
    newer = write_gender(
        tmp_path / "c.csv", [gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(2, 2))]
    )
    with pytest.raises(ReplaceRefusedError) as refused:
        import_files([newer], core=core)
    assert "2012-04-30 GHA" in str(refused.value)
    assert {s["file"] for s in data.data_status(core=core)} == {"a.csv", "b.csv"}
    [result] = import_files([newer], core=core, replace=True)
    assert [r["file"] for r in result.replaced] == [str(tmp_path / "b.csv")]
    files = {s["file"]: s["rows"] for s in data.data_status(core=core)}
    assert set(files) == {"a.csv", "c.csv"}
    assert data.contributions(core=core)["count"].sum() == 13 + 765 + 510 + 4
    core.close()


def test_concurrent_imports_of_one_month_never_double_count(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    files = [
        write_gender(
            tmp_path / f"{n}.csv",
            [gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(n, 0))],
        )
        for n in (1, 2, 3, 4)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda f: import_files([f]), files))
    [status] = data.data_status()
    total = data.contributions()["count"].sum()
    assert total == int(status["file"].removesuffix(".csv"))


def test_replace_and_check_commands(tmp_path: Path, bluehelmet_home: Path) -> None:
    full = sample_gender(tmp_path / "full.csv")
    part = write_gender(
        tmp_path / "part.csv", [gender_row(1, "2012-03-31", "Albania", "ALB", "UNMIL", ip=(2, 2))]
    )
    assert runner.invoke(app, ["data", "import", str(full)]).exit_code == 0
    refused = runner.invoke(app, ["data", "import", str(part)])
    assert refused.exit_code == 1 and "--replace" in refused.output and "GHA" in refused.output
    assert data.contributions()["count"].sum() == 1288
    done = runner.invoke(app, ["data", "import", str(part), "--replace"])
    assert done.exit_code == 0, done.output
    odd = write_gender(
        tmp_path / "odd.csv",
        [gender_row(1, "2012-03-31", "Albania", "ALB", "UNMIL", ip=(2, 2), total=5)],
    )
    shown = runner.invoke(app, ["data", "import", str(odd)])
    assert shown.exit_code == 0, shown.output
    assert "inconsistent_total" in shown.output and "line 2: month=2012-03-31" in shown.output
    healthy = runner.invoke(app, ["data", "check"])
    assert healthy.exit_code == 0 and "healthy" in healthy.output
    folder = bluehelmet_home / "contributions" / "contributions"
    for stored in folder.glob("*.parquet"):
        stored.unlink()
    sick = runner.invoke(app, ["data", "check", "--format", "json"])
    assert sick.exit_code == 1 and "--repair" in sick.output
    assert any(p["kind"] == "missing" for p in json.loads(sick.stdout))
    read = runner.invoke(app, ["rank", "--month", "2012-03"])
    assert read.exit_code == 1 and "data check --repair" in read.output
    repaired = runner.invoke(app, ["data", "check", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert data.contributions()["count"].sum() == 4


def test_forcing_a_format_on_the_wrong_file_is_a_message(tmp_path: Path) -> None:
    path = sample_gender(tmp_path / "g.csv")
    for name in ("un_rank", "un_fatalities", "tamm", "geopko", "un_datahub_contributions"):
        result = runner.invoke(app, ["data", "import", str(path), "--format", name])
        assert result.exit_code == 1, (name, result.output)
        assert "Traceback" not in result.output and "g.csv" in result.output


def test_schema_at_an_unknown_revision_is_a_message(tmp_path: Path) -> None:
    import sqlalchemy as sa

    core = Core(home=tmp_path / "home")
    import_files([sample_gender(tmp_path / "g.csv")], core=core)
    with core.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    core.close()
    result = runner.invoke(
        app,
        ["data", "import", str(sample_gender(tmp_path / "h.csv", month="2012-05-31"))],
        env={"BLUEHELMET_HOME": str(tmp_path / "home")},
    )
    assert result.exit_code == 1 and "schema" in result.output
    assert "Traceback" not in result.output


def test_a_home_that_cannot_be_written_is_a_message(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(
        app,
        ["data", "import", str(sample_gender(tmp_path / "g.csv"))],
        env={
            "BLUEHELMET_HOME": str(blocker / "home"),
            "BLUEHELMET_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        },
    )
    assert result.exit_code == 1, result.output
    assert "cannot write" in result.output and "Traceback" not in result.output


def test_a_database_down_or_of_an_unknown_kind_is_a_message(tmp_path: Path) -> None:
    path = sample_gender(tmp_path / "g.csv")
    for url, expected in (
        ("postgresql+psycopg://postgres@127.0.0.1:1/none", "database failed"),
        ("nosuchdb://somewhere/x", "database failed"),
    ):
        for args in (["data", "status"], ["data", "import", str(path)], ["data", "check"]):
            result = runner.invoke(
                app, args, env={"BLUEHELMET_DATABASE_URL": url, "BLUEHELMET_HOME": str(tmp_path)}
            )
            assert result.exit_code == 1, (url, args, result.output)
            assert expected in result.output and "Traceback" not in result.output

"""The ``bluehelmet data`` commands, and the store on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bluehelmet.cli import app
from bluehelmet.services import data
from bluehelmet.sources import import_files
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


def test_bad_file_exits_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["data", "import", str(path)])
    assert result.exit_code == 1 and "unrecognised format" in result.output


def test_store_on_each_database(database_url: str, tmp_path: Path) -> None:
    path = sample_gender(tmp_path / "g.csv")
    [first] = import_files([path], url=database_url)
    [second] = import_files([path], url=database_url)
    assert (first.status, second.status) == ("imported", "unchanged")
    [status] = data.data_status(url=database_url)
    assert status["rows"] == first.rows_stored
    assert data.contributions(url=database_url)["count"].sum() == 13 + 765 + 510


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
    import_files([sample_gender(tmp_path / "a.csv", month="2012-03-31")], url=database_url)
    import_files([sample_gender(tmp_path / "b.csv", month="2012-04-30")], url=database_url)
    newer = write_gender(
        tmp_path / "c.csv", [gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(2, 2))]
    )
    [result] = import_files([newer], url=database_url)
    assert [r["file"] for r in result.replaced] == [str(tmp_path / "b.csv")]
    files = {s["file"]: s["rows"] for s in data.data_status(url=database_url)}
    assert set(files) == {"a.csv", "c.csv"}
    assert data.contributions(url=database_url)["count"].sum() == 13 + 765 + 510 + 4


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

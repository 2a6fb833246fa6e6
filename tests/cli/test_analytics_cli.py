"""The analytics commands: forgiving names, strict answers, CSV/JSON as data, tables that fit."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bluehelmet.cli import app
from tests._data_helpers import gender_row, sample_gender, write_gender


def _run(*args: str, columns: int = 200) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


@pytest.fixture
def stored(tmp_path: Path) -> None:
    """The default store holds 2012-03 (three rows) and 2012-05 (one row)."""
    from bluehelmet.services.data import import_files

    import_files([sample_gender(tmp_path / "march.csv")])
    may = write_gender(
        tmp_path / "may.csv",
        [gender_row(1, "2012-05-31", "Ghana", "GHA", "UNMIL", troops=(600, 30))],
    )
    import_files([may])


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize("name", ["Ghana", "gh", "GHA", "ghana"])
def test_shares_resolve_contributor_names(name: str) -> None:
    result = _run("shares", "-c", name, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["key"] for r in rows] == ["GHA"]
    assert rows[0]["person_months"] == str(25 + 740 + 510 + 630)


@pytest.mark.usefixtures("stored")
def test_unknown_names_exit_non_zero_with_suggestions() -> None:
    result = _run("shares", "-c", "Ghanna")
    assert result.exit_code == 1 and "did you mean: Ghana" in result.output
    result = _run("rank", "--month", "2012-03", "--mission", "UNMILL")
    assert result.exit_code == 1 and "unknown mission 'UNMILL'" in result.output
    result = _run("concentration", "--category", "tanks")
    assert result.exit_code == 1 and "unknown personnel category" in result.output


@pytest.mark.usefixtures("stored")
def test_periods_that_cannot_be_answered_name_the_stored_months() -> None:
    result = _run("rank")
    assert result.exit_code == 1 and "stored months: 2012-03, 2012-05" in result.output
    result = _run("concentration", "--from", "2016-01", "--to", "2016-12")
    assert result.exit_code == 1
    assert "no contributions are stored for 2016-01 to 2016-12" in result.output
    result = _run("shares", "--from", "2012-05", "--to", "2012-03")
    assert result.exit_code == 1 and "swap --from and --to" in result.output
    result = _run(
        "panel", "contributor-month", "--out", "p.csv", "--from", "1990-01", "--to", "1990-12"
    )
    assert result.exit_code == 1 and "stored months" in result.output


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize(
    "args",
    [
        ("rank", "--month", "2012-3x"),
        ("rank", "--month", ""),
        ("shares", "--from", "March"),
        ("parity", "--by", "planet"),
        ("fatalities", "--by", ""),
        ("rank", "--month", "2012-03", "--top", "-5"),
        ("panel", "contributor-month", "--out", "p.txt"),
        ("panel", "contributor-month", "--out", "p.csv", "--add", "weather"),
    ],
)
def test_malformed_input_is_a_message_not_a_traceback(args: tuple[str, ...]) -> None:
    result = _run(*args)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_empty_store_is_explained() -> None:
    for args in (
        ("rank", "--month", "2012-03"),
        ("shares",),
        ("panel", "mission-month", "-o", "p.csv"),
    ):
        result = _run(*args)
        assert result.exit_code == 1 and "bluehelmet data import" in result.output


@pytest.mark.usefixtures("stored")
def test_csv_and_json_are_plain_numbers_at_full_precision() -> None:
    result = _run("shares", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    ghana = next(r for r in rows if r["key"] == "GHA")
    assert ghana["average_personnel"] == repr((25 + 740 + 510 + 630) / 2)  # 952.5
    assert "," not in ghana["person_months"]
    share = float(ghana["share"])
    assert share == pytest.approx(1905 / 1918, rel=1e-15)
    data = json.loads(_run("shares", "--format", "json").stdout)
    assert next(r for r in data if r["key"] == "GHA")["share"] == share  # same full precision
    assert len(ghana["share"]) > 12  # not rounded to 4 digits


def test_a_huge_store_answers(tmp_path: Path) -> None:
    from bluehelmet.services.data import import_files

    lines = [
        gender_row(
            i,
            f"{2010 + m // 12}-{m % 12 + 1:02d}-28",
            "Ghana",
            "GHA",
            "UNMIL",
            troops=(900_000 + i, i),
        )
        for i, m in enumerate(range(24))
    ]
    import_files([write_gender(tmp_path / "big.csv", lines)], skip_unknown=True)
    result = _run("concentration", "--per-month", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 24 and rows[-1]["personnel"] == repr(float(900_000 + 23 + 23))


@pytest.mark.usefixtures("stored")
def test_tables_fit_a_narrow_terminal_without_clipping() -> None:
    result = _run("missions", columns=80)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "2012-03-31" in result.stdout and "…" not in result.stdout
    assert result.stdout.count("month") >= 2  # the key column is repeated in each part


@pytest.mark.usefixtures("stored")
def test_charts_and_panels_are_written(tmp_path: Path) -> None:
    chart = tmp_path / "c.svg"
    result = _run("concentration", "--per-month", "--chart", str(chart))
    assert result.exit_code == 0, result.output
    assert "<svg" in chart.read_text(encoding="utf-8")
    out = tmp_path / "panel.xlsx"
    result = _run("panel", "contributor-year", "-o", str(out), "--add", "region")
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    assert load_workbook(out).sheetnames == ["panel", "sources", "codebook"]


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_panel_into_a_missing_folder_names_the_path(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / "no-such-folder" / f"panel{suffix}"
    result = _run("panel", "contributor-month", "--out", str(out))
    assert result.exit_code == 1, result.output
    message = " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert "no-such-folder" in message and "No such file or directory" in message, message

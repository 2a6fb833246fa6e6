"""``bluehelmet scenario run|withdraw|cut`` from the command line (the JSON contract)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bluehelmet.cli import app

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["scenario", *args])
    return result.exit_code, result.stdout, result.output


def _shock(tmp_path: Path, text: str, name: str = "shock.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_run_json_baseline_shocked_and_draws(tmp_path: Path) -> None:
    shock = _shock(
        tmp_path,
        "shocks:\n  - {kind: withdraw, contributor: BGD}\n"
        "  - {kind: budget_cut, share: 0.15}\n"
        "uncertainty:\n  levels:\n    rapid: {p_deploy: 0.9, delay_mean_days: 5}\n",
    )
    code, out, output = _run(
        "run",
        "--demo",
        "--no-explain",
        "--shock",
        shock,
        "--draws",
        "30",
        "--seed",
        "7",
        "--scheduler",
        "serial",
        "--format",
        "json",
    )
    assert code == 0, output
    data = json.loads(out)
    assert {"baseline", "shocked", "draws"} <= set(data)
    assert data["shocked"]["shocks"] == [
        "BGD withdraws from every mission",
        "budget cut by 15%",
    ]
    assert data["shocked"]["units_lost"] > 0
    req = data["draws"]["requirements"]
    assert len(req) == 16
    for row in req:
        assert 0 <= row["fill_mean"] <= row["required"]
        assert 0 <= row["p_unfilled"] <= 1
    assert data["draws"]["n"] == 30 and data["draws"]["seed"] == 7
    levels = {r["readiness"]: r for r in data["draws"]["uncertainty"]}
    assert levels["rapid"]["p_deploy"] == 0.9 and levels["level_1"]["status"] == "ASSUMPTION"
    robust = data["draws"]["robust"]["summary"]
    assert robust["plan_fill_mean"] <= robust["robust_fill_mean"]
    assert robust["backup_units"] >= 0
    assert data["draws"]["marginal"], "marginal value rows expected"


def test_run_without_shocks_or_draws_has_only_the_baseline() -> None:
    code, out, output = _run("run", "--demo", "--no-explain", "--format", "json")
    assert code == 0, output
    data = json.loads(out)
    assert "baseline" in data and "shocked" not in data and "draws" not in data
    assert data["baseline"]["objective"]["fill"] > 0


def test_run_table_renders(tmp_path: Path) -> None:
    shock = _shock(tmp_path, "shocks:\n  - {kind: withdraw, contributor: RWA, mission: MINUSCA}\n")
    code, out, output = _run(
        "run", "--demo", "--no-explain", "--shock", shock, "--draws", "10", "--scheduler", "serial"
    )
    assert code == 0, output
    for text in (
        "baseline",
        "after shocks",
        "Fill per requirement",
        "robust planning",
        "Marginal value",
        "ASSUMPTION",
    ):
        assert text in out
    code, out, _ = _run(
        "run", "--demo", "--no-explain", "--draws", "5", "--scheduler", "serial", "--format", "csv"
    )
    assert code == 0 and out.splitlines()[0].startswith("requirement,mission")


def test_run_json_through_a_process_pool_keeps_stdout_clean() -> None:
    """Pool workers must not print (HiGHS prints a banner when first used in a process)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bluehelmet.cli import main; main()",
            "scenario",
            "run",
            "--demo",
            "--no-explain",
            "--draws",
            "60",
            "--workers",
            "2",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["draws"]["scheduler"] == "processes" and data["draws"]["n"] == 60


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--demo", "--draws", "-1"], "--draws"),
        (["run", "--demo", "--draws", "2000000"], "--draws"),
        (["run", "--demo", "--scheduler", "nowhere"], "unknown scheduler"),
        (["run", "--demo", "--shock", "/nonexistent/shock.yaml"], "cannot read shock file"),
        (["run", "/nonexistent/scenario.yaml"], "cannot read scenario"),
        (["run", "--demo", "--seed", "x"], "--seed"),
        (["run", "--demo", "--workers", "0"], "--workers"),
    ],
)
def test_run_bad_arguments(args: list[str], message: str) -> None:
    code, _, output = _run(*args)
    assert code != 0
    assert message in output


def test_run_scenario_and_demo_together(tmp_path: Path) -> None:
    code, _, output = _run("run", str(tmp_path / "x.yaml"), "--demo")
    assert code != 0 and "not both" in output


def test_run_malformed_and_empty_shock_files(tmp_path: Path) -> None:
    bad = _shock(tmp_path, "shocks:\n  - kind: withdraw\n    contributor: [\n")
    code, _, output = _run("run", "--demo", "--no-explain", "--shock", bad)
    assert code != 0 and "not valid YAML" in output and "shock.yaml" in output
    empty = _shock(tmp_path, "", "empty.yaml")
    code, _, output = _run("run", "--demo", "--no-explain", "--shock", empty)
    assert code != 0 and "must hold a mapping" in output
    unknown = _shock(tmp_path, "shocks:\n  - {kind: withdraw, contributor: ZZZ}\n", "u.yaml")
    code, _, output = _run("run", "--demo", "--no-explain", "--shock", unknown)
    assert code != 0 and "line 2" in output and "shocks[0].contributor" in output


def test_an_error_names_a_long_path_on_one_line_and_shows_brackets_as_typed(
    tmp_path: Path,
) -> None:
    deep = tmp_path / ("a-folder-deep-enough-to-pass-eighty-columns-" * 2) / "[bold]x"
    deep.mkdir(parents=True)
    unknown = _shock(deep, "shocks:\n  - {kind: withdraw, contributor: ZZZ}\n", "u.yaml")
    code, _, output = _run("run", "--demo", "--no-explain", "--shock", unknown)
    assert code == 1
    assert f"{unknown}, line 2, field 'shocks[0].contributor'" in output


def test_withdraw_and_cut_on_an_empty_store() -> None:
    code, _, output = _run(
        "withdraw", "--contributor", "GHA", "--mission", "UNMIL", "--month", "2012-03"
    )
    assert code != 0 and "no contribution data is stored" in output
    code, _, output = _run("cut", "--share", "0.25")
    assert code != 0 and "no contribution data is stored" in output


def test_withdraw_unknown_names_exit_with_suggestions() -> None:
    code, _, output = _run(
        "withdraw", "--contributor", "Gahna", "--mission", "UNMIL", "--month", "2012-03"
    )
    assert code != 0 and "Ghana" in output
    code, _, output = _run(
        "withdraw", "--contributor", "GHA", "--mission", "UNMLI", "--month", "2012-03"
    )
    assert code != 0 and "did you mean" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--share", "0"], "share must be"),
        (["--share", "7"], "share must be"),
        (["--rule", "planner"], "unknown rule"),
        (["--month", "last"], "not of the form"),
    ],
)
def test_cut_bad_arguments(args: list[str], message: str) -> None:
    code, _, output = _run("cut", *args)
    assert code != 0
    assert message in output

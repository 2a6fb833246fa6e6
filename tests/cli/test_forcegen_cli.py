"""``bluehelmet plan`` command."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from bluehelmet.cli import app

runner = CliRunner()


def test_plan_without_scenario_plans_the_demo_as_tables() -> None:
    result = runner.invoke(app, ["plan"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Plan: demo" in out
    assert "Gaps and why" in out
    assert "LP bound" in out
    assert "greedy baseline" in out
    assert "illustrative" in out
    data = json.loads(runner.invoke(app, ["plan", "--format", "json", "--no-explain"]).stdout)
    spend = sum(a["cost_usd"] for a in data["assignments"])
    assert f"spend USD {spend / 1e6:,.1f}M of a budget of USD 100.0M" in out


def test_plan_demo_json_has_the_documented_keys() -> None:
    result = runner.invoke(app, ["plan", "--demo", "--format", "json", "--no-explain"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"assignments", "gaps", "objective", "bound", "gap", "baseline"} <= set(data)
    assert data["objective"]["fill"] <= data["bound"] + 1e-6
    assert data["assignments"][0]["arrival"].count("-") == 2


def test_plan_file_and_errors(tmp_path: Path) -> None:
    demo = Path(__file__).resolve().parents[2] / "src" / "bluehelmet" / "forcegen" / "demo.yaml"
    data = yaml.safe_load(demo.read_text(encoding="utf-8"))
    data["pledges"][0]["units"] = -1
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(app, ["plan", str(bad)])
    assert result.exit_code == 1
    assert "pledges[0].units" in result.output
    result = runner.invoke(app, ["plan", str(demo), "--demo"])
    assert result.exit_code == 1
    result = runner.invoke(app, ["plan", str(demo), "--format", "csv", "--no-explain"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("pledge,requirement,contributor")


def _strict(text: str) -> dict:
    def refuse(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def test_plan_json_is_strict_and_reports_every_stage_under_a_short_limit() -> None:
    result = runner.invoke(app, ["plan", "--demo", "--format", "json", "--time-limit", "0.1"])
    assert result.exit_code == 0, result.output
    data = _strict(result.stdout)
    stages = data["quality"]["stages"]
    assert [s["name"] for s in stages] == ["fill", "legitimacy", "cost"]
    for s in stages:
        assert s["status"]
        if s["bound"] is not None and s["sense"] == "max":
            assert s["objective"] <= s["bound"] + 1e-9
    assert data["objective"]["fill"] >= data["baseline"]["fill"]
    assert data["quality"]["time_limit"] == 0.1


def test_plan_table_shows_stage_bounds_and_explanation_status() -> None:
    result = runner.invoke(app, ["plan", "--demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "upper bound" in result.output
    assert "lower bound" in result.output
    assert "gap explanations: complete" in result.output


def test_plan_bad_files_and_limits_give_messages(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: d\u00e9mo\n".encode("latin-1"))
    result = runner.invoke(app, ["plan", str(latin)])
    assert result.exit_code == 1
    assert "UTF-8" in result.output
    assert "latin.yaml" in result.output
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["plan", str(empty)])
    assert result.exit_code == 1
    assert "mapping" in result.output
    result = runner.invoke(app, ["plan", "--demo", "--time-limit", "0"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["plan", "--demo", "--time-limit", "1e12"])
    assert result.exit_code == 2


def test_plan_tables_show_names_with_brackets_as_written(tmp_path: Path) -> None:
    demo = Path(__file__).resolve().parents[2] / "src" / "bluehelmet" / "forcegen" / "demo.yaml"
    data = yaml.safe_load(demo.read_text(encoding="utf-8"))
    data["name"] = "demo [bold]x[/bold]"
    data["requirements"][0]["id"] = "R[red]01"
    marked = tmp_path / "marked.yaml"
    marked.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(app, ["plan", str(marked), "--no-explain"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Plan: demo [bold]x[/bold]" in result.output
    assert "R[red]01" in result.output


def test_the_plan_table_shows_every_date_and_mission_whole_at_any_width() -> None:
    demo = json.loads(runner.invoke(app, ["plan", "--format", "json", "--no-explain"]).stdout)
    arrivals = {a["arrival"] for a in demo["assignments"]}
    missions = {a["mission"] for a in demo["assignments"]}
    for width in (50, 60, 80, 100, 160):
        result = runner.invoke(app, ["plan", "--no-explain"], env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert max(len(line) for line in lines) <= width, width
        assert "…" not in result.output, width
        assert all(a in result.output for a in arrivals | missions), width
        table = [ln.rstrip() for ln in lines if ln[:1] and ln[:1] in "┏┃┡│└"]
        assert all(ln[-1] in "┓┃┩│┘" for ln in table), width

"""``bluehelmet users``, ``bluehelmet plan --save`` and ``bluehelmet plans`` (CliRunner)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bluehelmet.cli import app
from bluehelmet.services.access import authenticate
from bluehelmet.services.core import Core

runner = CliRunner()


def _fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code != 0, result.output
    return " ".join(result.stderr.split())


def test_users_add_prints_a_working_key_on_its_last_line() -> None:
    result = runner.invoke(
        app, ["users", "add", "ghana", "--role", "delegation", "--country", "GHA"]
    )
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    with Core() as core:
        principal = authenticate(core, key)
    assert (principal.name, principal.role.value, principal.iso3) == ("ghana", "delegation", "GHA")
    partner = runner.invoke(app, ["users", "add", "au-desk", "--role", "partner", "--org", "AU"])
    assert partner.exit_code == 0, partner.output
    listed = runner.invoke(app, ["users", "list", "--format", "json"])
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["country"], r["organization"]) for r in rows] == [
        ("ghana", "GHA", None),
        ("au-desk", None, "AU"),
    ]
    assert "key" not in listed.stdout


def test_users_add_refuses_bad_input() -> None:
    assert "unknown role" in _fails("users", "add", "x", "--role", "emperor")
    assert "country" in _fails("users", "add", "x", "--role", "delegation")
    assert "country" in _fails("users", "add", "x", "--role", "delegation", "--country", "Atlantis")
    assert "organization" in _fails("users", "add", "x", "--role", "partner")
    assert "not bound" in _fails("users", "add", "x", "--role", "planner", "--country", "GHA")
    assert "1 to 120" in _fails("users", "add", " ", "--role", "admin")
    assert "1 to 120" in _fails("users", "add", "x" * 500, "--role", "admin")
    runner.invoke(app, ["users", "add", "dup", "--role", "admin"])
    assert "already exists" in _fails("users", "add", "dup", "--role", "analyst")


def test_plan_save_then_plans_list_show_compare() -> None:
    for name in ("one", "two"):
        result = runner.invoke(
            app,
            [
                "plan",
                "--demo",
                "--save",
                "--name",
                name,
                "--time-limit",
                "10",
                "--no-explain",
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 0, result.output
        assert "saved plan" in result.stderr
    listed = json.loads(runner.invoke(app, ["plans", "list", "--format", "json"]).stdout)
    assert [p["name"] for p in listed] == ["two", "one"]
    shown = json.loads(runner.invoke(app, ["plans", "show", "one", "--format", "json"]).stdout)
    assert shown["assignments"]
    assert shown["source"] == "scenario"
    by_id = json.loads(
        runner.invoke(app, ["plans", "show", str(shown["id"]), "--format", "json"]).stdout
    )
    assert by_id["name"] == "one"
    compared = runner.invoke(app, ["plans", "compare", "one", "two", "--format", "json"])
    body = json.loads(compared.stdout)
    assert body["objectives"][0]["first"] == body["objectives"][0]["second"]
    assert "already exists" in _fails(
        "plan", "--demo", "--save", "--name", "one", "--time-limit", "5", "--no-explain"
    )
    assert "no plan" in _fails("plans", "show", "nope")
    assert "no plan" in _fails("plans", "compare", "one", "999")
    assert "--save" in _fails("plan", "--demo", "--name", "x")
    assert "one of" in _fails("plan", "--demo", "--stored")
    assert "requirements" in _fails("plan", "--stored")


def test_users_add_in_a_fresh_process_binds_a_state_by_name(tmp_path: Path) -> None:
    """A new process (only the modules ``users add`` imports) stores a delegation and a partner.

    The foreign keys of ``app_user`` name the registry's tables; a process that had not
    imported them failed with ``NoReferencedTableError``.
    """
    cli = str(Path(sys.executable).with_name("bluehelmet"))
    env = {**os.environ, "BLUEHELMET_HOME": str(tmp_path)}
    env.pop("BLUEHELMET_DATABASE_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [cli, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    assert run("init").returncode == 0
    made = run("users", "add", "paris", "--role", "delegation", "--country", "France")
    assert made.returncode == 0, made.stderr
    assert "for FRA" in " ".join(made.stdout.split())
    partner = run("users", "add", "au-desk", "--role", "partner", "--org", "au")
    assert partner.returncode == 0, partner.stderr

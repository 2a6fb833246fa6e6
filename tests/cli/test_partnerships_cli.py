"""``bluehelmet plan`` with partnership offers: --no-partnerships, --offers, the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bluehelmet.cli import app

runner = CliRunner()


def test_demo_json_lists_activated_partnerships() -> None:
    result = runner.invoke(app, ["plan", "--demo", "--format", "json", "--no-explain"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["partnerships"]
    for offer in data["partnerships"]:
        assert {"partner", "kind", "beneficiary", "assignments"} <= set(offer)
        assert offer["kind"] in {"training", "equipment", "logistics"}
        assert offer["assignments"]
    relied = {o for a in data["assignments"] for o in a["offers"]}
    assert relied == {o["offer"] for o in data["partnerships"]}
    assert data["without_partnerships"]["objective"]["fill"] < data["objective"]["fill"]


def test_no_partnerships_plans_with_no_offer() -> None:
    result = runner.invoke(
        app, ["plan", "--demo", "--format", "json", "--no-explain", "--no-partnerships"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["partnerships"] == []
    assert all(a["offers"] == [] for a in data["assignments"])
    assert data["without_partnerships"] is None


def test_table_shows_recovered_fill_and_partnership_gaps() -> None:
    result = runner.invoke(app, ["plan"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Partnerships the plan relies on" in result.output
    assert "partnerships recover" in result.output
    bare = runner.invoke(app, ["plan", "--no-partnerships"], env={"COLUMNS": "200"})
    assert bare.exit_code == 0, bare.output
    assert "need lift; planned without partnerships" in bare.output


def test_offers_option(tmp_path: Path) -> None:
    offers = tmp_path / "offers.csv"
    offers.write_text(
        "id,partner,kind,capacity,unit,status,beneficiary_unit_types\n"
        "ISR-2,JPN,training,10,seats,accepted,ISR_UAS\n",
        encoding="utf-8",
    )

    def partnership_reasons(*extra: str) -> list[str]:
        result = runner.invoke(app, ["plan", "--format", "json", *extra])
        assert result.exit_code == 0, result.output
        gaps = json.loads(result.stdout)["gaps"]
        return [r["detail"] for g in gaps for r in g["reasons"] if r["cause"] == "partnership"]

    before = partnership_reasons()
    assert any("ISR-COURSE (JPN) offered, not accepted" in d for d in before)
    # with an accepted C4ISR course the trained unit no longer waits for training
    assert not any("URY P32" in d for d in partnership_reasons("--offers", str(offers)))
    bad = tmp_path / "bad.csv"
    bad.write_text("id,partner,kind,capacity,unit\nZ,Narnia,training,1,seats\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", "--offers", str(bad)])
    assert result.exit_code == 1
    assert "bad.csv" in result.output and "line 2" in result.output
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["plan", "--offers", str(empty)])
    assert result.exit_code == 1
    assert "empty offers file" in result.output
    result = runner.invoke(app, ["plan", "--offers", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert "cannot read" in result.output and "No such file" in result.output

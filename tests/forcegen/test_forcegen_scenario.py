"""Scenario files: YAML and JSON load; bad files raise InputError naming file, line, field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bluehelmet.domain.planning import ReadinessLevel
from bluehelmet.errors import InputError
from bluehelmet.forcegen import load_scenario, scenario_from_dict
from bluehelmet.forcegen.scenario import demo_scenario

DEMO = Path(__file__).resolve().parents[2] / "src" / "bluehelmet" / "forcegen" / "demo.yaml"


def demo_dict() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def test_demo_loads_with_typed_objects() -> None:
    sc = demo_scenario()
    assert sc.name == "demo"
    assert sc.illustrative
    assert len(sc.requirements) == 16
    assert sc.pledges[0].readiness is ReadinessLevel.LEVEL_3
    assert sc.policy.lead_time(ReadinessLevel.RAPID) == 60


def test_json_file_loads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(demo_dict(), default=str), encoding="utf-8")
    assert load_scenario(path) == demo_scenario()


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_bad_readiness_names_field_and_line(tmp_path: Path) -> None:
    data = demo_dict()
    data["pledges"][3]["readiness"] = "level_9"
    path = write(tmp_path, data)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    err = info.value
    assert err.field == "pledges[3].readiness"
    assert err.file == str(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert err.line is not None
    assert "level_9" in lines[err.line - 1]


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (
            lambda d: d["requirements"][0].update(mission="MINUSMAX"),
            "requirements[0].mission",
            "unknown mission",
        ),
        (
            lambda d: d["requirements"][1].update(units=0),
            "requirements[1].units",
            "greater than or equal",
        ),
        (
            lambda d: d["pledges"][0].update(women_share=1.5),
            "pledges[0].women_share",
            "less than or equal",
        ),
        (
            lambda d: d["pledges"][2].update(unit_type="TANK"),
            "pledges[2].unit_type",
            "unknown unit type",
        ),
        (
            lambda d: d["requirements"][2].update(priority=7),
            "requirements[2].priority",
            "no weight",
        ),
        (lambda d: d["policy"].pop("request_date"), "policy.request_date", "required"),
        (
            lambda d: d["policy"].update(max_contributor_share=0),
            "policy.max_contributor_share",
            "greater than",
        ),
        (lambda d: d["pledges"][1].update(colour="blue"), "pledges[1].colour", "not permitted"),
        (lambda d: d["pledges"].append(dict(d["pledges"][0])), "pledges[32]", "duplicate"),
        (
            lambda d: d["policy"]["lead_time_days"].pop("level_2"),
            "policy",
            "lead_time_days lacks level_2",
        ),
    ],
)
def test_bad_scenarios_name_the_field(tmp_path: Path, edit, field: str, words: str) -> None:
    data = demo_dict()
    edit(data)
    with pytest.raises(InputError) as info:
        load_scenario(write(tmp_path, data))
    assert info.value.field == field
    assert words in str(info.value)
    assert info.value.line is not None


def test_missing_coordinates_are_reported_for_the_cost_model() -> None:
    data = demo_dict()
    data["contributors"] = [c for c in data["contributors"] if c["iso3"] != "BGD"]
    with pytest.raises(InputError, match="capital coordinates") as info:
        scenario_from_dict(data)
    assert info.value.field == "pledges[0].cost_per_unit"


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_scenario(tmp_path / "absent.yaml")
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: x\npolicy: [1, 2\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML") as info:
        load_scenario(bad)
    assert info.value.line is not None
    seq = tmp_path / "list.yaml"
    seq.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(InputError, match="mapping"):
        load_scenario(seq)

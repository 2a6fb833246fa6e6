"""Bad scenario files and scenarios built in Python: a message with file and field, never a
traceback; names checked against the registry."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from bluehelmet.errors import InputError, UnknownNameError
from bluehelmet.forcegen import check_scenario, demo_scenario, load_scenario, plan
from bluehelmet.forcegen.costs import unit_cost

DEMO = Path(__file__).resolve().parents[2] / "src" / "bluehelmet" / "forcegen" / "demo.yaml"


def demo_text() -> str:
    return DEMO.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str | bytes, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.file == str(path)
    return info.value


def test_non_utf8_text_is_refused_with_its_line(tmp_path: Path) -> None:
    raw = demo_text().encode("utf-8").replace(b"Bangladesh", b"Bangl\xe9desh")
    err = load_error(write(tmp_path, raw))
    assert "not UTF-8" in str(err)
    assert err.line is not None and err.line > 1


def test_utf16_text_is_refused(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, demo_text().encode("utf-16")))
    assert "UTF-16" in str(err)


def test_utf8_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = write(tmp_path, demo_text().encode("utf-8-sig"))
    assert load_scenario(path) == demo_scenario()


def test_an_impossible_date_names_its_field(tmp_path: Path) -> None:
    text = demo_text().replace("request_date: 2026-01-15", "request_date: 2026-02-30", 1)
    assert text != demo_text()
    err = load_error(write(tmp_path, text))
    assert err.field == "policy.request_date"
    assert err.line is not None


def test_an_infinite_budget_is_refused(tmp_path: Path) -> None:
    text = demo_text().replace("budget: 1.0e8", "budget: .inf", 1)
    err = load_error(write(tmp_path, text))
    assert err.field == "policy.budget"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("rapid: 60,", "rapid: 99999999999,", "policy.lead_time_days.rapid"),
        ("budget: 1.0e8", "budget: 1.0e8\n  allow_late_days: 3000000", "policy.allow_late_days"),
    ],
)
def test_days_that_overflow_dates_are_refused(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    text = demo_text().replace(old, new, 1)
    assert text != demo_text()
    err = load_error(write(tmp_path, text))
    assert err.field == field


def test_deeply_nested_brackets_are_refused(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "name: x\npolicy: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert "nested" in str(err)


def test_duplicate_keys_are_refused_naming_the_key_and_line(tmp_path: Path) -> None:
    text = demo_text().replace("name: demo", "name: demo\nname: again", 1)
    err = load_error(write(tmp_path, text))
    assert "duplicate key 'name'" in str(err)
    assert err.line == 7


def test_booleans_are_not_numbers(tmp_path: Path) -> None:
    text = demo_text().replace(
        "contributor: BGD, unit_type: INF_BN, units: 2,",
        "contributor: BGD, unit_type: INF_BN, units: true,",
        1,
    )
    assert text != demo_text()
    err = load_error(write(tmp_path, text))
    assert err.field == "pledges[0].units"
    assert "boolean" in str(err)


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(11 * 1024 * 1024)
    err = load_error(path)
    assert "MB" in str(err)


def test_an_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 14)]
    err = load_error(write(tmp_path, "\n".join(lines) + "\n"))
    assert "aliases" in str(err)


def test_empty_file_and_huge_numbers(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, ""))
    assert "mapping" in str(err)
    text = demo_text().replace(
        "contributor: BGD, unit_type: INF_BN, units: 2,",
        "contributor: BGD, unit_type: INF_BN, units: 1e400,",
        1,
    )
    err = load_error(write(tmp_path, text))
    assert err.field == "pledges[0].units"


def test_unknown_contributor_in_python_is_an_unknown_name_with_suggestions() -> None:
    demo = demo_scenario()
    bad = replace(demo, pledges=(replace(demo.pledges[0], contributor="XYZ"), *demo.pledges[1:]))
    with pytest.raises(UnknownNameError) as info:
        plan(bad)
    assert info.value.name == "XYZ"
    assert "pledges[0].contributor" in str(info.value)
    typo = replace(demo, pledges=(replace(demo.pledges[0], contributor="BGX"), *demo.pledges[1:]))
    with pytest.raises(UnknownNameError) as info:
        plan(typo)
    assert "BGD" in info.value.suggestions


def test_unknown_host_is_an_unknown_name() -> None:
    demo = demo_scenario()
    site = replace(demo.missions[0], hosts=("ZZZ",))
    with pytest.raises(UnknownNameError, match="ZZZ"):
        check_scenario(replace(demo, missions=(site, *demo.missions[1:])))


def test_scenarios_built_in_python_are_checked_like_files() -> None:
    demo = demo_scenario()
    with pytest.raises(InputError, match="whole number") as info:
        plan(replace(demo, pledges=(replace(demo.pledges[0], units=0), *demo.pledges[1:])))
    assert info.value.field == "pledges[0].units"
    late = replace(demo.policy, lead_time_days={**demo.policy.lead_time_days})
    late = replace(late, request_date=date(9999, 12, 1))
    with pytest.raises(InputError, match="overflows") as info:
        plan(replace(demo, policy=late))
    with pytest.raises(InputError, match="budget"):
        plan(replace(demo, policy=replace(demo.policy, budget=float("inf"))))


def test_cost_model_without_coordinates_is_an_input_error() -> None:
    demo = demo_scenario()
    pledge = replace(demo.pledges[0], cost_per_unit=None)
    with pytest.raises(InputError, match="coordinates"):
        unit_cost(pledge, demo.unit_types[0], None, demo.missions[0], demo.policy)


def test_yaml_dates_stay_dates_after_the_loader_change(tmp_path: Path) -> None:
    data = yaml.safe_load(demo_text())
    assert load_scenario(DEMO).policy.request_date == data["policy"]["request_date"]

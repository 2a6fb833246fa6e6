"""Shock files: validation with file, line and field; what each shock does; composition."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bluehelmet import forcegen, scenarios
from bluehelmet.domain.planning import ReadinessLevel, Scenario
from bluehelmet.errors import InputError
from bluehelmet.forcegen.rules import arrival
from bluehelmet.scenarios.shocks import describe


@pytest.fixture(scope="module")
def demo() -> Scenario:
    return forcegen.demo_scenario()


def _write(tmp_path: Path, text: str, name: str = "shock.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _apply(sc: Scenario, *shocks: dict[str, object], spend: float | None = None) -> Scenario:
    return scenarios.apply_shocks(
        sc, scenarios.shocks_from_dict({"shocks": list(shocks)}), baseline_spend=spend
    )


def test_withdraw_from_every_mission_removes_the_pledges(demo: Scenario) -> None:
    after = _apply(demo, {"kind": "withdraw", "contributor": "BGD"})
    assert not [p for p in after.pledges if p.contributor == "BGD"]
    assert len(after.pledges) == len(demo.pledges) - 3


def test_withdraw_from_one_mission_adds_a_caveat(demo: Scenario) -> None:
    after = _apply(demo, {"kind": "withdraw", "contributor": "BGD", "mission": "MINUSCA"})
    mine = [p for p in after.pledges if p.contributor == "BGD"]
    assert mine and all("MINUSCA" in p.excluded_missions for p in mine)
    plan = forcegen.plan(after, explain=False)
    assert not [a for a in plan.assignments if a.contributor == "BGD" and a.mission == "MINUSCA"]


def test_caveat_on_one_pledge(demo: Scenario) -> None:
    after = _apply(
        demo,
        {"kind": "caveat", "contributor": "PAK", "pledge": "P19", "excluded_hosts": ["SSD"]},
    )
    changed = {p.id for p, q in zip(demo.pledges, after.pledges, strict=True) if p != q}
    assert changed == {"P19"}
    assert "SSD" in after.pledges[18].excluded_hosts


def test_budget_cut_of_the_baseline_spend_when_no_budget(demo: Scenario) -> None:
    after = _apply(demo, {"kind": "budget_cut", "share": 0.15})
    assert after.policy.budget == pytest.approx(demo.policy.budget * 0.85)
    from dataclasses import replace

    open_budget = replace(demo, policy=replace(demo.policy, budget=None))
    with pytest.raises(InputError, match="no budget"):
        _apply(open_budget, {"kind": "budget_cut", "share": 0.15})
    assert (
        _apply(open_budget, {"kind": "budget_cut", "share": 0.5}, spend=10.0).policy.budget == 5.0
    )


def test_readiness_slip_by_level_and_by_contributor(demo: Scenario) -> None:
    after = _apply(demo, {"kind": "readiness_slip", "days": 30, "level": "level_2"})
    assert (
        after.policy.lead_time(ReadinessLevel.LEVEL_2)
        == demo.policy.lead_time(ReadinessLevel.LEVEL_2) + 30
    )
    assert after.policy.lead_time(ReadinessLevel.RAPID) == demo.policy.lead_time(
        ReadinessLevel.RAPID
    )
    later = _apply(demo, {"kind": "readiness_slip", "days": 45, "contributor": "RWA"})
    for p, q in zip(demo.pledges, later.pledges, strict=True):
        shift = 45 if p.contributor == "RWA" else 0
        assert arrival(q, later.policy) == arrival(p, demo.policy) + timedelta(days=shift)


def test_requirements_grow_shrink_and_vanish(demo: Scenario) -> None:
    grown = _apply(demo, {"kind": "requirements", "mission": "MINUSCA", "factor": 1.5})
    assert [r.units for r in grown.requirements[:4]] == [3, 3, 2, 3]
    assert grown.requirements[4:] == demo.requirements[4:]
    gone = _apply(demo, {"kind": "requirements", "mission": "UNIFIL", "units": -5})
    assert not [r for r in gone.requirements if r.mission == "UNIFIL"]
    one = _apply(
        demo, {"kind": "requirements", "mission": "MINUSCA", "unit_type": "FPU", "units": 1}
    )
    assert one.requirements[3].units == 3


def test_neighbours_become_parties(demo: Scenario) -> None:
    after = _apply(demo, {"kind": "neighbours_become_parties", "mission": "MONUSCO"})
    assert set(after.mission("MONUSCO").parties) == set(demo.mission("MONUSCO").neighbours)
    plan = forcegen.plan(after, explain=False)
    neighbours = set(demo.mission("MONUSCO").neighbours)
    assert not [
        a for a in plan.assignments if a.mission == "MONUSCO" and a.contributor in neighbours
    ]


def test_shocks_compose_in_order(demo: Scenario) -> None:
    both = _apply(
        demo,
        {"kind": "withdraw", "contributor": "IND"},
        {"kind": "requirements", "mission": "MONUSCO", "factor": 2},
    )
    step = _apply(
        _apply(demo, {"kind": "withdraw", "contributor": "IND"}),
        {"kind": "requirements", "mission": "MONUSCO", "factor": 2},
    )
    assert both == step
    a = scenarios.shocks_from_dict({"shocks": [{"kind": "withdraw", "contributor": "IND"}]})
    b = scenarios.shocks_from_dict(
        {"shocks": [{"kind": "requirements", "mission": "MONUSCO", "factor": 2}]}
    )
    assert scenarios.apply_shocks(demo, a + b) == both


def test_run_reports_lost_resourced_and_gaps(demo: Scenario) -> None:
    # the contributor the baseline plan relies on most withdraws
    sent: dict[str, int] = {}
    for a in forcegen.plan(demo, explain=False).assignments:
        sent[a.contributor] = sent.get(a.contributor, 0) + a.units
    who = max(sorted(sent), key=lambda c: sent[c])
    shocks = scenarios.shocks_from_dict({"shocks": [{"kind": "withdraw", "contributor": who}]})
    result = scenarios.run(demo, shocks, explain=True, marginal_candidates=2)
    table = result.comparison
    assert table is not None and result.shocked is not None
    lost_units = sum(a.units for a in result.baseline.assignments if a.contributor == who)
    assert table["lost"].sum() >= lost_units > 0
    after = dict(zip(table["requirement"], table["filled_after"], strict=True))
    for g in result.shocked.gaps:
        assert after[g.requirement] == g.filled
    short = table.filter(table["missing_after"] > 0)
    assert (short["reasons"].str.len_chars() > 0).all()
    data = result.to_dict()
    assert data["shocked"]["units_lost"] == table["lost"].sum()
    assert data["shocked"]["shocks"] == [f"{who} withdraws from every mission"]


# -- bad input ---------------------------------------------------------------------------------
def test_partner_withdraws_its_offers(demo: Scenario) -> None:
    """A partner withdrawing its lift: the offer is gone, no plan or draw can activate it, and
    fill never rises; naming the partner by its registry name works too."""
    lift = next(o for o in demo.partnerships if o.kind.value == "logistics")
    after = _apply(demo, {"kind": "partner_withdraws", "partner": lift.partner})
    assert lift.partner not in {o.partner for o in after.partnerships}
    one = _apply(demo, {"kind": "partner_withdraws", "partner": "JPN", "offer": "ISR-COURSE"})
    assert {o.id for o in demo.partnerships} - {o.id for o in one.partnerships} == {"ISR-COURSE"}
    by_name = _apply(demo, {"kind": "partner_withdraws", "partner": "United States"})
    assert by_name == after
    before = forcegen.plan(demo, explain=False)
    plan = forcegen.plan(after, explain=False)
    assert lift.id in {o.offer for o in before.partnerships}
    assert lift.id not in {o.offer for o in plan.partnerships}
    assert plan.quality.objective.fill <= before.quality.objective.fill
    assert scenarios.DrawModel(after).solve().fill == plan.quality.objective.fill
    text = describe(
        scenarios.shocks_from_dict(
            {"shocks": [{"kind": "partner_withdraws", "partner": "USA"}]}
        ).shocks[0]
    )
    assert text == "USA withdraws its partnership offers"


@pytest.mark.parametrize(
    ("partner", "offer", "match", "field"),
    [
        ("GHA", None, "unknown partner with offers in the scenario 'GHA'", "shocks[0].partner"),
        ("JPN", "LIFT-C17", "offer of JPN", "shocks[0].offer"),
        ("Atlantis", None, "Atlantis", "shocks[0].partner"),
    ],
)
def test_partner_withdraws_names_unknown_partners_and_offers(
    demo: Scenario, partner: str, offer: str | None, match: str, field: str
) -> None:
    shock = {"kind": "partner_withdraws", "partner": partner}
    if offer is not None:
        shock["offer"] = offer
    with pytest.raises(InputError, match=match) as info:
        _apply(demo, shock)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("text", "match", "line", "field"),
    [
        (
            "shocks:\n  - kind: withdraw\n    contributer: GHA\n",
            "Field required",
            2,
            "shocks[0].contributor",
        ),
        (
            "shocks:\n  - kind: withdraw\n    contributor: GHA\n    when: 2025\n",
            "Extra inputs",
            4,
            "shocks[0].when",
        ),
        ("shocks:\n  - kind: explode\n", "explode", 2, "shocks[0]"),
        (
            "shocks:\n  - kind: budget_cut\n    share: 1.5\n",
            "less than or equal",
            3,
            "shocks[0].share",
        ),
        ("shocks:\n  - kind: requirements\n    mission: X\n", "exactly one", 2, "shocks[0]"),
        ("shocks:\n  - kind: caveat\n    contributor: GHA\n", "caveat needs", 2, "shocks[0]"),
        ("shocks: 3\n", "valid tuple", 1, "shocks"),
        ("shocks:\n  - kind: partner_withdraws\n", "Field required", 2, "shocks[0].partner"),
        (
            "shocks:\n  - kind: partner_withdraws\n    partner: ''\n",
            "at least 1 character",
            3,
            "shocks[0].partner",
        ),
        (
            "uncertainty:\n  levels:\n    level_9: {p_deploy: 1, delay_mean_days: 0}\n",
            "level_9",
            3,
            None,
        ),
    ],
)
def test_bad_shock_files_name_file_line_and_field(
    tmp_path: Path, text: str, match: str, line: int, field: str | None
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=match) as info:
        scenarios.load_shocks(path)
    assert info.value.file == str(path)
    assert info.value.line == line
    if field is not None:
        assert info.value.field == field


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "must hold a mapping"),
        ("- a\n- b\n", "must hold a mapping"),
        ("shocks: [\n", "not valid YAML"),
    ],
)
def test_empty_and_malformed_files(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        scenarios.load_shocks(_write(tmp_path, text))


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        scenarios.load_shocks(tmp_path / "absent.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(InputError, match="not a text file"):
        scenarios.load_shocks(binary)


def test_unknown_references_name_the_line_and_suggest(tmp_path: Path, demo: Scenario) -> None:
    path = _write(
        tmp_path,
        "shocks:\n  - kind: withdraw\n    contributor: BGD\n"
        "  - kind: withdraw\n    contributor: BGD\n    mission: MINUSKA\n",
    )
    shocks = scenarios.load_shocks(path)
    with pytest.raises(InputError, match="MINUSCA") as info:
        scenarios.apply_shocks(demo, shocks)
    assert (info.value.file, info.value.line, info.value.field) == (
        str(path),
        4,
        "shocks[1].mission",
    )
    bad_pledge = _write(tmp_path, "uncertainty:\n  pledges:\n    P99: {p_deploy: 0.5}\n", "u.yaml")
    with pytest.raises(InputError, match="P99") as info:
        scenarios.uncertainty_of(scenarios.load_shocks(bad_pledge), demo)
    assert info.value.line == 3


def test_huge_shock_file_fails_fast_on_the_first_unknown(tmp_path: Path, demo: Scenario) -> None:
    lines = ["shocks:"] + [f"  - {{kind: withdraw, contributor: X{k:05d}}}" for k in range(5_000)]
    shocks = scenarios.load_shocks(_write(tmp_path, "\n".join(lines) + "\n"))
    assert len(shocks.shocks) == 5_000
    with pytest.raises(InputError, match="X00000") as info:
        scenarios.apply_shocks(demo, shocks)
    assert info.value.line == 2


def test_uncertainty_overrides(tmp_path: Path, demo: Scenario) -> None:
    path = _write(
        tmp_path,
        "uncertainty:\n  levels:\n    rapid: {p_deploy: 0.2, delay_mean_days: 5}\n"
        "  pledges:\n    P01: {p_deploy: 0.0}\n",
    )
    u = scenarios.uncertainty_of(scenarios.load_shocks(path), demo)
    p, mean = u.arrays(demo)
    assert p[0] == 0.0
    rapid = [i for i, q in enumerate(demo.pledges) if q.readiness is ReadinessLevel.RAPID]
    assert all(p[i] == 0.2 and mean[i] == 5 for i in rapid)
    sample = scenarios.draw(demo, u, 50, 1)
    assert not sample.deployed[:, 0].any()
    table = u.table()
    assert table.filter(table["readiness"] == "rapid")["status"].item() == "shock file"
    assert set(table.filter(table["readiness"] != "rapid")["status"]) == {"ASSUMPTION"}

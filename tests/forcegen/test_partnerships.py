"""Partnership offers in scenarios and plans: effects, validation, tables and the demo."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluehelmet.domain.planning import (
    Beneficiary,
    GapCause,
    MissionSite,
    OfferStatus,
    PartnershipKind,
    PartnershipOffer,
    Pledge,
    PledgeNeed,
    Policy,
    ReadinessLevel,
    Requirement,
    Scenario,
    UnitSpec,
)
from bluehelmet.errors import InputError
from bluehelmet.forcegen import demo_scenario, load_scenario, plan, plan_to_dict
from bluehelmet.forcegen.partnerships import (
    effective_pledge,
    offers_from_csv_text,
    offers_from_records,
    offers_from_yaml_text,
    offers_to_csv_text,
    offers_to_yaml_text,
    partner_code,
    variants,
    with_offers,
)
from bluehelmet.testing import assert_plan_feasible

DEMO = Path(__file__).resolve().parents[2] / "src" / "bluehelmet" / "forcegen" / "demo.yaml"
REQUEST = date(2026, 1, 1)
TRAINING = PartnershipKind.TRAINING
EQUIPMENT = PartnershipKind.EQUIPMENT
LIFT = PartnershipKind.LOGISTICS


def _policy(**kw: Any) -> Policy:
    return Policy(request_date=REQUEST, reimbursement_rate=1428.0, **kw)


def _offer(kind: PartnershipKind, unit: str, **kw: Any) -> PartnershipOffer:
    base: dict[str, Any] = {
        "id": f"{kind.value}-1",
        "partner": "JPN",
        "capacity": 10.0,
        "status": OfferStatus.ACCEPTED,
    }
    base.update(kw)
    return PartnershipOffer(kind=kind, unit=unit, **base)


def _scenario(needs: tuple[PledgeNeed, ...], offers: tuple[PartnershipOffer, ...]) -> Scenario:
    """One engineer requirement needed by day 120 and one level_1 pledge with ``needs``."""
    return Scenario(
        name="tiny",
        policy=_policy(),
        unit_types=(UnitSpec("ENG", "engineers", 100),),
        missions=(MissionSite("M1", ("CAF",)),),
        requirements=(Requirement("R1", "M1", "ENG", 1, REQUEST + timedelta(days=120)),),
        pledges=(
            Pledge(
                "P1",
                "KEN",
                "ENG",
                1,
                ReadinessLevel.LEVEL_1,
                REQUEST,
                cost_per_unit=1e6,
                needs=needs,
            ),
        ),
        partnerships=offers,
    )


def test_training_raises_readiness_after_the_course() -> None:
    need = PledgeNeed(TRAINING, 20, "seats", readiness=ReadinessLevel.LEVEL_3)
    course = _offer(TRAINING, "seats", lead_time_days=20, capacity=40)
    pledge = Pledge("P", "KEN", "ENG", 1, ReadinessLevel.LEVEL_1, REQUEST, needs=(need,))
    trained = effective_pledge(pledge, [course], _policy())
    assert trained is not None
    assert trained.readiness is ReadinessLevel.LEVEL_3
    # course (20 days) then the level_3 lead time (90 days)
    assert trained.available_from == REQUEST + timedelta(days=110)
    assert effective_pledge(pledge, [None], _policy()) == pledge


def test_equipment_completes_and_lift_shortens() -> None:
    pledge = Pledge(
        "P",
        "KEN",
        "ENG",
        1,
        ReadinessLevel.RAPID,
        REQUEST,
        needs=(
            PledgeNeed(EQUIPMENT, 12, "APC"),
            PledgeNeed(LIFT, 50, "flight_hours", delay_days=100),
        ),
    )
    policy = _policy()
    assert effective_pledge(pledge, [None, None], policy) is None  # incomplete
    apc = _offer(EQUIPMENT, "APC", lead_time_days=30, capacity=12)
    lift = _offer(LIFT, "flight_hours", lead_time_days=10, capacity=50)
    by_sea = effective_pledge(pledge, [apc, None], policy)
    by_air = effective_pledge(pledge, [apc, lift], policy)
    assert by_sea is not None and by_air is not None
    assert by_air.available_from == REQUEST + timedelta(days=30)
    assert by_sea.available_from == REQUEST + timedelta(days=60 + 100)  # rapid, then by sea


def test_lift_without_surface_option_is_required() -> None:
    pledge = Pledge(
        "P",
        "KEN",
        "ENG",
        1,
        ReadinessLevel.RAPID,
        REQUEST,
        needs=(PledgeNeed(LIFT, 5, "flight_hours"),),
    )
    assert effective_pledge(pledge, [None], _policy()) is None


def test_variants_use_only_accepted_matching_offers() -> None:
    need = PledgeNeed(TRAINING, 20, "seats", readiness=ReadinessLevel.LEVEL_3)
    offers = (
        _offer(TRAINING, "seats", id="ok"),
        _offer(TRAINING, "seats", id="offered", status=OfferStatus.OFFERED),
        _offer(TRAINING, "hours", id="other-unit"),
        _offer(TRAINING, "seats", id="other-state", beneficiary=Beneficiary(("RWA",))),
        _offer(EQUIPMENT, "seats", id="other-kind"),
        _offer(TRAINING, "seats", id="delivered", status=OfferStatus.DELIVERED),
    )
    sc = _scenario((need,), offers)
    used = [tuple(sc.partnerships[o].id for o in v.offers) for v in variants(sc)]
    assert used == [(), ("ok",), ("delivered",)]
    assert [v.offers for v in variants(sc, partnerships=False)] == [()]


def test_planner_activates_training_only_when_it_fills_a_gap() -> None:
    need = PledgeNeed(TRAINING, 20, "seats", readiness=ReadinessLevel.LEVEL_3)
    course = _offer(TRAINING, "seats", lead_time_days=20, capacity=40, cost_usd=5e5)
    sc = _scenario((need,), (course,))
    p = plan(sc)
    assert_plan_feasible(sc, p)
    assert [a.offers for a in p.assignments] == [("training-1",)]
    assert [(o.offer, o.partner, o.used, o.assignments) for o in p.partnerships] == [
        ("training-1", "JPN", 20.0, (("P1", "R1", 1),))
    ]
    assert p.quality.without_partnerships is not None
    assert p.quality.without_partnerships.fill == 0
    assert p.quality.units_without_partnerships == 0
    bare = plan(sc, partnerships=False)
    assert not bare.assignments and not bare.partnerships
    reasons = [r for g in bare.gaps for r in g.reasons if r.cause is GapCause.PARTNERSHIP]
    assert reasons and "needs training; planned without partnerships" in reasons[0].detail
    # a course too small for the unit's 20 trainees is not used
    small = _scenario((need,), (replace(course, capacity=10),))
    assert not plan(small, explain=False).assignments


def test_partner_budget_and_offer_capacity_bind() -> None:
    need = PledgeNeed(TRAINING, 20, "seats", readiness=ReadinessLevel.LEVEL_3)
    course = _offer(TRAINING, "seats", capacity=40, cost_usd=5e5)
    sc = _scenario((need,), (course,))
    poor = replace(sc, policy=_policy(partner_budgets={"JPN": 1e5}))
    assert not plan(poor, explain=False).assignments
    rich = replace(sc, policy=_policy(partner_budgets={"JPN": 5e5}))
    assert plan(rich, explain=False).partnerships


def test_gap_names_a_partnership_not_on_offer() -> None:
    need = PledgeNeed(LIFT, 60, "flight_hours")
    offered = _offer(LIFT, "flight_hours", id="C17", partner="USA", status=OfferStatus.OFFERED)
    sc = _scenario((need,), (offered,))
    gap = plan(sc).gaps[0]
    details = [r.detail for r in gap.reasons if r.cause is GapCause.PARTNERSHIP]
    assert "1 ENG unit (KEN P1) needs lift; no lift accepted (C17 (USA) offered, not accepted)" in (
        details
    )
    none = _scenario((need,), ())
    details = [r.detail for g in plan(none).gaps for r in g.reasons]
    assert "1 ENG unit (KEN P1) needs lift; no lift offered" in details


def test_demo_offers_recover_fill_and_json_contract() -> None:
    sc = demo_scenario()
    assert {o.id for o in sc.partnerships} >= {"TPP-HEAVY-ENG", "EQUIP-APC", "LIFT-C17"}
    assert all(o.illustrative for o in sc.partnerships)
    p = plan(sc, explain=False)
    assert_plan_feasible(sc, p)
    without = p.quality.without_partnerships
    assert without is not None
    assert p.quality.objective.fill > without.fill
    data = plan_to_dict(p)
    assert data["partnerships"]
    for o in data["partnerships"]:
        assert {"partner", "kind", "beneficiary", "assignments"} <= set(o)
        assert o["assignments"]
        for a in o["assignments"]:
            match = [
                x
                for x in data["assignments"]
                if x["pledge"] == a["pledge"] and x["requirement"] == a["requirement"]
            ]
            assert any(o["offer"] in x["offers"] for x in match)
    assert data["without_partnerships"]["objective"]["fill"] == without.fill
    assert plan_to_dict(plan(sc, explain=False, partnerships=False))["partnerships"] == []


# -- scenario files ----------------------------------------------------------------------------
def _demo() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _set(path: list[Any], value: Any) -> Any:
    def edit(d: dict[str, Any]) -> None:
        node: Any = d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def _offer_index(data: dict[str, Any], offer: str) -> int:
    return next(i for i, o in enumerate(data["partnerships"]) if o["id"] == offer)


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (_set(["partnerships", 0, "partner"], "Japn"), "partnerships[0].partner", "unknown"),
        (_set(["partnerships", 0, "kind"], "hugs"), "partnerships[0].kind", "Input should be"),
        (_set(["partnerships", 0, "capacity"], -1), "partnerships[0].capacity", "greater"),
        (_set(["partnerships", 0, "capacity"], "lots"), "partnerships[0].capacity", "number"),
        (_set(["partnerships", 0, "status"], "maybe"), "partnerships[0].status", "Input"),
        (_set(["partnerships", 0, "colour"], "red"), "partnerships[0].colour", "Extra"),
        (
            _set(["partnerships", 0, "beneficiary"], {"unit_types": ["TANK"]}),
            "partnerships[0].beneficiary.unit_types[0]",
            "unknown unit type",
        ),
        (
            _set(["partnerships", 0, "beneficiary"], {"missions": ["MINURSO"]}),
            "partnerships[0].beneficiary.missions[0]",
            "unknown mission",
        ),
        (_set(["partnerships", 1, "id"], "TPP-HEAVY-ENG"), "partnerships[1].id", "duplicate"),
        (
            _set(["policy", "partner_budgets"], {"Atlantis": 1.0}),
            "policy.partner_budgets",
            "unknown",
        ),
        (
            _set(["pledges", 28, "needs"], [{"kind": "training", "amount": 1, "unit": "seats"}]),
            "pledges[28].needs[0]",
            "readiness",
        ),
        (
            _set(["pledges", 28, "needs"], [{"kind": "funding", "amount": 1, "unit": "USD"}]),
            "pledges[28].needs[0]",
            "can need",
        ),
        (
            _set(
                ["pledges", 28, "needs"],
                [{"kind": "equipment", "amount": 1, "unit": "APC", "delay_days": 3}],
            ),
            "pledges[28].needs[0]",
            "delay_days",
        ),
        (
            _set(
                ["pledges", 28, "needs"],
                [
                    {"kind": "equipment", "amount": 1, "unit": "APC"},
                    {"kind": "equipment", "amount": 2, "unit": "APC"},
                ],
            ),
            "pledges[28].needs[1]",
            "one per kind",
        ),
        (
            _set(["pledges", 28, "needs"], [{"kind": "equipment", "amount": 0, "unit": "APC"}]),
            "pledges[28].needs[0].amount",
            "greater",
        ),
        (_set(["partnerships"], "none"), "partnerships", "tuple"),
    ],
)
def test_bad_partnerships_name_the_field(tmp_path: Path, edit: Any, field: str, words: str) -> None:
    data = _demo()
    assert data["pledges"][28]["id"] == "P29"
    edit(data)
    with pytest.raises(InputError) as info:
        load_scenario(_write(tmp_path, data))
    assert info.value.field is not None and info.value.field.startswith(field)
    assert words.lower() in str(info.value).lower()
    assert info.value.line is not None


def test_partner_names_resolve_against_the_registry(tmp_path: Path) -> None:
    data = _demo()
    data["partnerships"][_offer_index(data, "LIFT-C17")]["partner"] = "United States"
    data["partnerships"][_offer_index(data, "EQUIP-APC")]["partner"] = "eu"
    data["policy"]["partner_budgets"] = {"Japan": 2.0e6}
    sc = load_scenario(_write(tmp_path, data))
    assert {o.partner for o in sc.partnerships} == {"JPN", "EU", "USA"}
    assert dict(sc.policy.partner_budgets) == {"JPN": 2.0e6}
    assert partner_code("au") == "AU"


# -- tables -------------------------------------------------------------------------------------
def test_offers_round_trip_csv_and_yaml() -> None:
    offers = demo_scenario().partnerships
    assert offers_from_csv_text(offers_to_csv_text(offers)) == offers
    assert offers_from_yaml_text(offers_to_yaml_text(offers)) == offers
    assert offers_from_yaml_text("") == ()
    assert offers_from_yaml_text("partnerships: []") == ()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty offers file"),
        ("id,partner\nA,JPN\n", 1, "lacks kind, capacity, unit"),
        ("id,partner,kind,capacity,unit\nA,JPN,training,5,seats,extra\n", 2, "more values"),
        ("id,partner,kind,capacity,unit\nA,Narnia,training,5,seats\n", 2, "unknown partner"),
        ("id,partner,kind,capacity,unit\nA,JPN,hugs,5,seats\n", 2, "kind"),
        ("id,partner,kind,capacity,unit\nA,JPN,training,many,seats\n", 2, "not a number"),
        ("id,partner,kind,capacity,unit\nA,JPN,training,inf,seats\n", 2, "finite"),
        ("id,partner,kind,capacity,unit\nA,JPN,training,-3,seats\n", 2, "finite"),
        ("id,partner,kind,capacity,unit\nA,JPN,training,,seats\n", 2, "capacity: missing"),
        (
            "id,partner,kind,capacity,unit,status\nA,JPN,training,5,seats,maybe\n",
            2,
            "status",
        ),
        (
            "id,partner,kind,capacity,unit\nA,JPN,training,5,seats\nA,EU,equipment,1,APC\n",
            3,
            "duplicate",
        ),
        (
            "id,partner,kind,capacity,unit,lead_time_days\nA,JPN,training,5,seats,1.5\n",
            2,
            "whole days",
        ),
        (
            "id,partner,kind,capacity,unit,illustrative\nA,JPN,training,5,seats,perhaps\n",
            2,
            "illustrative",
        ),
    ],
)
def test_bad_offer_tables_name_row_and_field(text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as info:
        offers_from_csv_text(text, file="offers.csv")
    assert info.value.line == line
    assert words in str(info.value)
    assert "offers.csv" in str(info.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[1, 2]", "mapping"),
        ("partnerships: 3", "list of offers"),
        ("{a: [", "not valid YAML"),
        ("- {id: A, partner: JPN, kind: training, capacity: 1, unit: seats, foo: 1}", "unknown"),
        ("- {id: A, partner: JPN, kind: training, capacity: 1, unit: s, beneficiary: 3}", "mapp"),
        (
            "- {id: A, partner: JPN, kind: training, capacity: 1, unit: s, "
            "beneficiary: {states: [X]}}",
            "unknown field",
        ),
    ],
)
def test_bad_offer_yaml(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        offers_from_yaml_text(text)


def test_many_offers_and_adding_them_to_a_scenario() -> None:
    rows = [
        {"id": f"O{k}", "partner": "JPN", "kind": "training", "capacity": k, "unit": "seats"}
        for k in range(5000)
    ]
    offers = offers_from_records(rows)
    assert len(offers) == 5000 and offers[-1].capacity == 4999
    sc = demo_scenario()
    bigger = with_offers(sc, offers[:3])
    assert len(bigger.partnerships) == len(sc.partnerships) + 3
    with pytest.raises(InputError, match="already in scenario"):
        with_offers(sc, sc.partnerships[:1])

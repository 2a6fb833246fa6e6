"""Values added to the reference data from named public sources (see each row's source)."""

from __future__ import annotations

from datetime import date

import pytest

import bluehelmet.reference as ref
from bluehelmet.analytics import gender
from bluehelmet.domain.registry import PersonnelCategory


@pytest.mark.parametrize(
    ("code", "size", "enabler"),
    [
        ("QRF_COY", 250, False),  # MINUSMA SUR (250), 2020; S/2021/657
        ("CBT_ENG_COY", 117, True),  # S/2021/657
        ("HOSP_L2", 57, True),  # Medical Support Manual 1999, secondary summary
        ("HOSP_L3", 90, True),
    ],
)
def test_sourced_unit_types(code: str, size: int, enabler: bool) -> None:
    unit = ref.unit_type(code)
    assert unit.typical_size == size
    assert unit.enabler is enabler
    assert unit.category is PersonnelCategory.TROOPS
    assert str(size) in unit.source


def test_unit_type_codes_are_unique() -> None:
    codes = [u.code for u in ref.unit_types()]
    assert len(codes) == len(set(codes))


def test_unowa_spans_its_sourced_months_and_precedes_unowas() -> None:
    unowa = ref.mission("UNOWA")
    assert (unowa.start, unowa.end) == (date(2002, 1, 1), date(2016, 1, 1))
    assert unowa.kind == "political"
    assert unowa.hosts == ("SEN",)
    assert unowa.successor == "UNOWAS"
    assert ref.mission(unowa.successor).start == date(2016, 1, 1)


def test_special_envoy_offices_resolve_with_sourced_starts() -> None:
    yemen = ref.find_mission("OSESGY")
    assert yemen is not None
    assert (yemen.start, yemen.end, yemen.hosts) == (date(2012, 6, 18), None, ("YEM",))
    assert {m.resolution for m in yemen.mandates} == {"S/RES/2014 (2011)", "S/RES/2051 (2012)"}
    syria = ref.find_mission("OSESyria")
    assert syria is not None
    assert (syria.start, syria.end, syria.hosts) == (date(2014, 7, 10), None, ("SYR",))
    assert ref.find_mission("OSE-Syria") == syria  # the fatality file's casualty-id spelling
    assert {m.acronym for m in ref.active_missions(date(2021, 2, 5), lead="UN")} >= {
        "OSESGY",
        "OSESyria",
    }


def test_un_entities_of_the_official_files_resolve() -> None:
    unmao = ref.find_mission("UNMAO")  # UN Mine Action Office in Sudan, part of UNMIS
    secretariat = ref.find_mission("UNSecretariat")
    assert unmao is not None and unmao.kind == "un_entity" and unmao.hosts == ("SDN",)
    assert secretariat is not None and secretariat.kind == "un_entity"
    unfor = ref.find_mission("UNFOR")  # the Peace Forces headquarters, Zagreb
    assert unfor is not None and unfor.acronym == "UNPF"


def test_parity_targets_carry_only_year_stated_figures() -> None:
    targets = gender.PARITY_TARGETS
    assert targets[(2021, "military_contingents")] == 0.08
    assert targets[(2021, "military_observers_staff_officers")] == 0.18
    assert targets[(2028, "formed_police_units")] == 0.20
    assert targets[(2028, "individual_police")] == 0.30
    assert {year for year, _ in targets} == {2021, 2028}
    assert (2022, "formed_police_units") not in targets  # year not stated by the source
    assert ref.parity_target(2022, "formed_police_units") is None
    note = ref.parity_target_note(2022, "formed_police_units")
    assert note is not None and "not sourced" in note
    for target in ref.parity_targets():
        assert target.source.startswith(("UN DPO", "Elsie Initiative Fund")), target
    assert ref.parity_target(2028, "individual_police").target == 0.30  # type: ignore[union-attr]

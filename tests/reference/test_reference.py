"""The reference registry: countries, organizations, Council, missions, units, rates."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bluehelmet.reference as ref
from bluehelmet.domain.registry import PersonnelCategory, UNRegionalGroup
from bluehelmet.errors import BluehelmetError, UnknownNameError
from bluehelmet.reference._load import name_key

# --- countries -------------------------------------------------------------------------


def test_193_current_un_members_and_51_original() -> None:
    current = [c for c in ref.countries() if c.un_member]
    assert len(current) == 193
    assert len([c for c in ref.countries() if c.is_un_member_on(date(1945, 12, 31))]) == 51
    assert len({c.iso3 for c in ref.countries()}) == len(ref.countries())


def test_regional_groups_have_their_sizes() -> None:
    sizes = Counter(c.un_regional_group for c in ref.countries() if c.un_member)
    assert sizes == {
        UNRegionalGroup.AFRICAN: 54,
        UNRegionalGroup.ASIA_PACIFIC: 53,
        UNRegionalGroup.EASTERN_EUROPEAN: 23,
        UNRegionalGroup.LATIN_AMERICAN_CARIBBEAN: 33,
        UNRegionalGroup.WESTERN_EUROPEAN_OTHERS: 29,
        None: 1,  # Kiribati belongs to no group
    }
    assert ref.country("Kiribati").un_regional_group is None


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("DR Congo", "COD"),
        ("Democratic Republic of the Congo", "COD"),
        ("Zaire", "COD"),
        ("Congo", "COG"),
        ("Cote d'Ivoire", "CIV"),
        ("Côte d'Ivoire", "CIV"),
        ("Côte d’Ivoire", "CIV"),
        ("Cote D'ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("South Sudan'", "SSD"),
        ("  Nepal ", "NPL"),
        ("Viet Nam", "VNM"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Bolivia (Plurinational State of)", "BOL"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("United Republic of Tanzania", "TZA"),
        ("Tanzania, United Republic of", "TZA"),
        ("U.K.", "GBR"),
        ("United States of America", "USA"),
        ("Korea (ROK)", "KOR"),
        ("Republic of Korea", "KOR"),
        ("The former Yugoslav Republic o", "MKD"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("Czechoslovakia", "CSK"),
        ("USSR", "SUN"),
        ("Russia", "RUS"),
        ("Yugoslavia", "YUG"),
        ("Serbia and Montenegro", "SCG"),
        ("East Germany", "DDR"),
        ("South Yemen", "YMD"),
        ("State of Palestine", "PSE"),
        ("Holy See", "VAT"),
        ("Kosovo", "XKX"),
        ("Western Sahara", "ESH"),
        ("bgd", "BGD"),
        ("Eswatini", "SWZ"),
        ("Swaziland", "SWZ"),
    ],
)
def test_find_country_resolves_aliases(name: str, iso3: str) -> None:
    found = ref.find_country(name)
    assert found is not None, name
    assert found.iso3 == iso3


@pytest.mark.parametrize(
    "name",
    ["all", "Total", "TOTAL", "European Union", "African Union", "NA", "", "unknown", "ZZ"],
)
def test_aggregates_and_missing_markers_do_not_resolve(name: str) -> None:
    assert ref.find_country(name) is None


def test_country_unknown_raises_with_suggestions() -> None:
    with pytest.raises(UnknownNameError) as err:
        ref.country("Bangladseh")
    assert "Bangladesh" in err.value.suggestions


def test_historical_seat_holders() -> None:
    ussr = ref.country("SUN")
    assert not ussr.un_member
    assert ussr.is_un_member_on(date(1990, 1, 1))
    assert not ussr.is_un_member_on(date(1992, 1, 1))
    assert ref.country("RUS").is_un_member_on(date(1992, 1, 1))
    roc = ref.country("Republic of China")
    assert roc.iso3 == "TWN" and roc.un_member_until == date(1971, 10, 25)
    assert not ref.country("Kosovo").un_member
    assert ref.country("XKX").m49 is None


def test_codes_and_regions() -> None:
    bgd = ref.country("Bangladesh")
    assert (bgd.iso3, bgd.m49, bgd.region, bgd.subregion) == ("BGD", 50, "Asia", "Southern Asia")
    assert bgd.un_member_since == date(1974, 9, 17)
    assert ref.country_by_m49(566).iso3 == "NGA"
    assert ref.country("Switzerland").un_member_since == date(2002, 9, 10)
    assert ref.country("South Sudan").un_member_since == date(2011, 7, 14)
    with pytest.raises(UnknownNameError):
        ref.country_by_m49(999)


@settings(max_examples=60, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=10_000),
    upper=st.booleans(),
    quote=st.sampled_from(["", "'", '"', "’"]),
    pad=st.sampled_from(["", " ", "  "]),
)
def test_find_country_tolerates_case_quotes_and_spaces(
    index: int, upper: bool, quote: str, pad: str
) -> None:
    state = ref.countries()[index % len(ref.countries())]
    text = state.name.upper() if upper else state.name.lower()
    found = ref.find_country(f"{pad}{text}{quote}{pad}")
    assert found is not None and found.iso3 == state.iso3


def test_name_key() -> None:
    assert name_key("Côte d’Ivoire") == name_key("Cote d Ivoire") == "cotedivoire"
    assert name_key("Bosnia & Herzegovina") == name_key("Bosnia and Herzegovina")


# --- organizations ---------------------------------------------------------------------


def test_organizations_listed() -> None:
    codes = {o.code for o in ref.organizations()}
    assert {"UN", "AU", "EU", "NATO", "OSCE", "ECOWAS", "SADC", "ECCAS", "IGAD", "CSTO"} <= codes
    assert {"ASEAN", "OAS", "LAS", "OAU"} <= codes
    assert ref.organization("nato").code == "NATO"
    assert ref.organization("African Union").code == "AU"
    assert ref.organization("economic community of west african states").code == "ECOWAS"
    with pytest.raises(UnknownNameError) as err:
        ref.organization("Afrcan Union")
    assert "African Union" in err.value.suggestions
    with pytest.raises(UnknownNameError):
        ref.organization("NATOO")


def _isos(org: str, on: date | None = None) -> set[str]:
    return {c.iso3 for c in ref.members(org, on)}


def test_memberships_over_time() -> None:
    assert "GBR" in _isos("EU", date(2020, 1, 30))
    assert "GBR" not in _isos("EU", date(2020, 2, 1))
    assert len(_isos("EU")) == 27
    assert "FIN" not in _isos("NATO", date(2023, 4, 3))
    assert "FIN" in _isos("NATO", date(2023, 4, 4))
    assert "SWE" not in _isos("NATO", date(2024, 3, 6))
    assert "SWE" in _isos("NATO", date(2024, 3, 7))
    assert len(_isos("NATO")) == 32
    assert "MAR" not in _isos("AU", date(2016, 12, 31))
    assert "MAR" in _isos("AU", date(2017, 2, 1))
    assert len(_isos("AU")) == 55
    assert "MRT" in _isos("ECOWAS", date(1999, 1, 1))
    assert "MRT" not in _isos("ECOWAS", date(2001, 1, 1))
    assert {"BFA", "MLI", "NER"}.isdisjoint(_isos("ECOWAS"))
    assert len(_isos("ASEAN")) == 11


def test_un_membership_comes_from_countries() -> None:
    assert len(_isos("UN")) == 193
    assert _isos("UN", date(1960, 1, 1)) == {
        c.iso3 for c in ref.countries() if c.is_un_member_on(date(1960, 1, 1))
    }
    assert "CHN" not in _isos("UN", date(1960, 1, 1))
    assert "TWN" in _isos("UN", date(1960, 1, 1))


def test_more_regional_memberships_over_time() -> None:
    assert len(_isos("OSCE", date(1975, 8, 1))) == 35  # Helsinki Final Act signatories
    assert len(_isos("OSCE", date(1999, 11, 18))) == 54  # Istanbul Summit, FR Yugoslavia not yet in
    assert len(_isos("OSCE", date(2000, 11, 10))) == 55
    assert len(_isos("OSCE")) == 57
    assert "YUG" not in _isos("OSCE", date(1993, 1, 1))
    assert "SCG" not in _isos("OSCE", date(2000, 11, 9))
    assert {"SRB", "MNE", "MNG", "AND"} <= _isos("OSCE")
    assert "RUS" in _isos("OSCE") and "SUN" not in _isos("OSCE")
    assert len(_isos("SADC")) == 16
    assert "SYC" in _isos("SADC", date(2004, 6, 30))
    assert "SYC" not in _isos("SADC", date(2004, 7, 1))
    assert "SYC" in _isos("SADC")
    assert "MDG" in _isos("SADC", date(2010, 1, 1))  # suspended 2009-2014, still a member
    assert "COM" not in _isos("SADC", date(2017, 1, 1))
    assert len(_isos("ECCAS", date(2020, 1, 1))) == 11
    assert len(_isos("ECCAS")) == 10  # Rwanda withdrew again in June 2025
    assert "RWA" not in _isos("ECCAS", date(2010, 1, 1))
    assert "RWA" in _isos("ECCAS", date(2015, 5, 25))
    assert "RWA" not in _isos("ECCAS")
    assert len(_isos("IGAD", date(2020, 1, 1))) == 8  # Eritrea's self-suspension is not leaving
    assert len(_isos("IGAD")) == 7  # Eritrea withdrew in December 2025
    assert "ERI" in _isos("IGAD", date(2025, 12, 11))
    assert "ERI" not in _isos("IGAD")
    assert "SSD" not in _isos("IGAD", date(2011, 11, 24))
    assert "SSD" in _isos("IGAD", date(2011, 11, 25))
    assert len(_isos("CSTO", date(2020, 1, 1))) == 6
    assert len(_isos("CSTO", date(1995, 1, 1))) == 9
    assert {"AZE", "GEO", "UZB"}.isdisjoint(_isos("CSTO", date(2000, 1, 1)))
    assert "UZB" in _isos("CSTO", date(2010, 1, 1))
    assert "UZB" not in _isos("CSTO", date(2012, 12, 19))
    assert "ARM" in _isos("CSTO")  # froze its participation in 2024: not leaving
    assert len(_isos("OAS", date(1948, 4, 30))) == 21
    assert len(_isos("OAS", date(2018, 1, 1))) == 35
    assert "CUB" in _isos("OAS", date(2018, 1, 1))  # excluded from participation, still a member
    assert "VEN" in _isos("OAS", date(2019, 4, 26))
    assert "VEN" not in _isos("OAS", date(2019, 4, 27))
    assert "NIC" in _isos("OAS", date(2023, 11, 18))
    assert "NIC" not in _isos("OAS", date(2023, 11, 19))
    assert len(_isos("LAS")) == 22
    assert "SYR" in _isos("LAS", date(2015, 1, 1))  # suspended 2011-2023, still a member
    assert "YMD" not in _isos("LAS", date(1990, 5, 22))
    assert "COM" not in _isos("LAS", date(1993, 1, 1))


def test_recorded_membership_rows_are_well_formed() -> None:
    rows = ref.memberships()
    for org in ("OSCE", "SADC", "ECCAS", "IGAD", "CSTO", "OAS", "LAS"):
        assert ref.membership_recorded(org), org
        spans: dict[str, list[tuple[date, date | None]]] = {}
        for m in (r for r in rows if r.organization == org):
            spans.setdefault(m.iso3, []).append((m.joined, m.left))
        for iso3, periods in spans.items():
            periods.sort()
            for (_, left), (joined, _) in pairwise(periods):
                assert left is not None and left <= joined, (org, iso3)


def test_unrecorded_membership_raises() -> None:
    assert not ref.membership_recorded("MFO")
    assert not ref.membership_recorded("OAU")
    with pytest.raises(BluehelmetError, match="not recorded"):
        ref.members("MFO")


def test_every_membership_names_a_known_state() -> None:
    known = {c.iso3 for c in ref.countries()}
    for m in ref.memberships():
        assert m.iso3 in known
        assert m.left is None or m.left > m.joined


# --- Security Council ------------------------------------------------------------------


@pytest.mark.parametrize("year", range(1946, 2027))
def test_council_composition_every_year(year: int) -> None:
    seats = ref.council(year)
    permanent = [s for s in seats if s.permanent]
    elected = [s for s in seats if not s.permanent]
    assert len(permanent) == 5
    assert len(elected) == (6 if year <= 1965 else 10)
    assert len({s.iso3 for s in seats}) == len(seats)
    for seat in seats:
        state = ref.country(seat.iso3)
        assert state.is_un_member_on(date(year, 6, 30)), (year, seat.iso3)


def test_council_spot_checks() -> None:
    def elected(year: int) -> set[str]:
        return {s.iso3 for s in ref.council(year) if not s.permanent}

    def permanent(year: int) -> set[str]:
        return {s.iso3 for s in ref.council(year) if s.permanent}

    assert permanent(1971) == {"TWN", "FRA", "SUN", "GBR", "USA"}
    assert permanent(1972) == {"CHN", "FRA", "SUN", "GBR", "USA"}
    assert permanent(1992) == {"CHN", "FRA", "RUS", "GBR", "USA"}
    assert elected(1946) == {"AUS", "BRA", "EGY", "MEX", "NLD", "POL"}
    assert elected(2024) == {"DZA", "ECU", "GUY", "JPN", "MLT", "MOZ", "KOR", "SLE", "SVN", "CHE"}
    assert {"DDR"} <= elected(1980)
    assert "CSK" in elected(1978)
    with pytest.raises(BluehelmetError):
        ref.council(1945)


# --- missions --------------------------------------------------------------------------


def test_mission_lookup() -> None:
    assert ref.mission("MONUSCO").predecessor == "MONUC"
    assert ref.mission("MONUC").successor == "MONUSCO"
    assert ref.find_mission("ONUCI") == ref.mission("UNOCI")
    assert ref.find_mission("UNEF 1") == ref.mission("UNEF I")
    assert ref.find_mission("United Nations Mission in Liberia") == ref.mission("UNMIL")
    assert ref.mission("UNMISS").hosts == ("SSD",)
    assert ref.mission("UNFICYP").mandates[0].resolution == "S/RES/186 (1964)"
    with pytest.raises(UnknownNameError) as err:
        ref.mission("MONUSKO")
    assert "MONUSCO" in err.value.suggestions


@pytest.mark.parametrize(
    ("host", "first"), [("Mali", "MINUSMA"), ("DR Congo", "MONUSCO"), ("south sudan", "UNMISS")]
)
def test_a_host_country_given_as_mission_suggests_its_missions(host: str, first: str) -> None:
    with pytest.raises(UnknownNameError) as err:
        ref.mission(host)
    assert err.value.suggestions[0] == first
    iso3 = ref.country(host).iso3
    assert all(iso3 in ref.mission(s).hosts for s in err.value.suggestions)


def test_non_un_operations_with_lead_organization() -> None:
    leads = {
        "AMISOM": "AU", "ATMIS": "AU", "AUSSOM": "AU", "AMIS": "AU", "MISCA": "AU",
        "AFISMA": "AU", "EUFOR Althea": "EU", "Artemis": "EU", "EUFOR RCA": "EU",
        "EUTM Mali": "EU", "IFOR": "NATO", "SFOR": "NATO", "KFOR": "NATO", "ISAF": "NATO",
        "Resolute Support": "NATO", "SMM Ukraine": "OSCE", "ECOMIG": "ECOWAS",
        "ECOMIL": "ECOWAS", "SAMIM": "SADC", "SAMIDRC": "SADC", "MFO": "MFO",
    }  # fmt: skip
    for acronym, lead in leads.items():
        assert ref.mission(acronym).lead == lead, acronym
    assert ref.mission("SMM Ukraine").end == date(2022, 3, 31)


def test_mission_hosts_and_leads_are_known() -> None:
    known = {c.iso3 for c in ref.countries()}
    orgs = {o.code for o in ref.organizations()} | {"ad hoc"}
    for m in ref.missions():
        assert set(m.hosts) <= known, m.acronym
        assert m.lead in orgs, m.acronym
        if m.predecessor:
            assert ref.mission(m.predecessor).acronym == m.predecessor


def test_active_missions() -> None:
    active = {m.acronym for m in ref.active_missions(date(2021, 1, 31), lead="UN")}
    assert {"MONUSCO", "MINUSMA", "UNMISS", "UNIFIL", "UNTSO"} <= active
    assert "UNAMID" not in active  # ended 31 Dec 2020
    assert "MONUC" not in active


# --- units and rates -------------------------------------------------------------------


def test_units_and_categories() -> None:
    assert ref.unit_type("inf_bn").typical_size == 850
    assert ref.unit_type("FPU").typical_size == 140
    assert all(u.source for u in ref.unit_types())
    assert PersonnelCategory.TROOPS in ref.personnel_categories()
    assert ref.personnel_category_description("troops")
    with pytest.raises(UnknownNameError):
        ref.unit_type("TANK_BN")


def test_troop_reimbursement_rate() -> None:
    assert ref.troop_reimbursement_rate(date(2018, 7, 1)).usd_per_person_month == 1428
    assert ref.troop_reimbursement_rate(date(2025, 1, 1)).source == "A/RES/72/285"
    assert ref.troop_reimbursement_rate(date(2018, 6, 30)).usd_per_person_month == 1410
    assert ref.troop_reimbursement_rate(date(2014, 7, 1)).usd_per_person_month == 1332
    assert [r.usd_per_person_month for r in ref.reimbursement_rates()] == [1332, 1365, 1410, 1428]
    with pytest.raises(BluehelmetError, match="no sourced"):
        ref.troop_reimbursement_rate(date(2014, 6, 30))


# --- documentation ---------------------------------------------------------------------


def test_docs_example_runs() -> None:
    """The Python example in docs/reference.md runs as written."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "reference.md").read_text("utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "docs/reference.md", "exec"), {})


def test_an_unknown_name_lists_a_short_known_list_when_nothing_is_close() -> None:
    from bluehelmet.errors import SHORT_LIST

    short = [f"format_{i}" for i in range(SHORT_LIST)]
    assert str(UnknownNameError("format", "nope", short)).endswith("known: " + ", ".join(short))
    assert "known:" not in str(UnknownNameError("format", "nope", [*short, "one_more"]))
    close = UnknownNameError("format", "format_1x", short)
    assert "did you mean" in str(close) and "known:" not in str(close)

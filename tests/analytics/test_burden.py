"""Burden sharing beyond troops: personnel beside training, equipment, lift and funding."""

from __future__ import annotations

import csv
from datetime import date

import polars as pl
import pytest

from bluehelmet.analytics.burden import QUANTITIES, burden_sharing, offer_totals
from bluehelmet.errors import InputError
from bluehelmet.forcegen import demo_scenario
from bluehelmet.forcegen.partnerships import offers_to_records
from tests.conftest import real_file

COUNTRIES = pl.DataFrame(
    {
        "iso3": ["JPN", "RWA", "KEN", "USA"],
        "region": ["Asia", "Africa", "Africa", "Americas"],
        "un_regional_group": ["Asia-Pacific", "African", "African", "WEOG"],
    }
)


def _contributions(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "month": date.fromisoformat(month),
                "contributor": who,
                "mission": "UNMISS",
                "category": "Military",
                "sex": "unknown",
                "count": n,
            }
            for month, who, n in rows
        ],
        schema={
            "month": pl.Date,
            "contributor": pl.Utf8,
            "mission": pl.Utf8,
            "category": pl.Utf8,
            "sex": pl.Utf8,
            "count": pl.Int64,
        },
    )


OFFERS = pl.DataFrame(
    {
        "partner": ["JPN", "JPN", "EU", "USA", "AU", "USA", "EU"],
        "kind": [
            "training",
            "training",
            "equipment",
            "logistics",
            "funding",
            "intelligence",
            "funding",
        ],
        "capacity": [40.0, 20.0, 12.0, 150.0, 2.0e6, 1.0, 5.0e6],
        "unit": ["seats", "seats", "APC", "flight_hours", "USD", "team", "USD"],
        "status": [
            "accepted",
            "offered",
            "delivered",
            "accepted",
            "accepted",
            "ACCEPTED",
            "offered",
        ],
        "cost_usd": [1.2e6, 8e5, 6.0e6, 2.5e6, None, 3e5, 0.0],
    }
)


def test_side_by_side_per_party() -> None:
    contributions = _contributions(
        [("2026-01-31", "RWA", 5000), ("2026-02-28", "RWA", 5000), ("2026-01-31", "JPN", 10)]
    )
    out = burden_sharing(contributions, OFFERS, countries=COUNTRIES)
    rows = {r["party"]: r for r in out.to_dicts()}
    assert set(rows) == {"RWA", "JPN", "EU", "USA", "AU"}
    assert rows["RWA"]["personnel_months"] == 10_000
    assert rows["JPN"]["personnel_months"] == 10
    assert rows["JPN"]["training_seats"] == 40  # the merely offered course is not counted
    assert rows["EU"]["equipment_offers"] == 1 and rows["EU"]["equipment_usd"] == 6.0e6
    assert rows["EU"]["funding_usd"] == 0  # offered only
    assert rows["USA"]["lift_flight_hours"] == 150 and rows["USA"]["intelligence_offers"] == 1
    assert rows["AU"]["funding_usd"] == 2.0e6 and rows["AU"]["partnership_cost_usd"] == 0
    assert rows["AU"]["party_kind"] == "organization"
    assert rows["JPN"]["party_kind"] == "state" and rows["USA"]["party_kind"] == "state"
    assert rows["RWA"]["personnel_months_share"] == pytest.approx(10_000 / 10_010)
    assert rows["JPN"]["training_seats_share"] == 1.0
    assert rows["RWA"]["training_seats_share"] == 0.0
    assert out["party"][0] == "RWA"  # ordered by personnel
    for q in QUANTITIES:
        shares = out[f"{q}_share"].drop_nulls()
        assert shares.is_empty() or shares.sum() == pytest.approx(1.0)


def test_every_status_and_filters() -> None:
    contributions = _contributions([("2025-12-31", "RWA", 7), ("2026-01-31", "KEN", 3)])
    out = burden_sharing(contributions, OFFERS, statuses=None, start="2026-01", countries=COUNTRIES)
    rows = {r["party"]: r for r in out.to_dicts()}
    assert rows["JPN"]["training_seats"] == 60
    assert rows["EU"]["funding_usd"] == 5.0e6
    assert "RWA" not in rows  # filtered out by the period, and no offers
    assert rows["KEN"]["personnel_months"] == 3


def test_grouped_by_region_keeps_organizations_apart() -> None:
    contributions = _contributions([("2026-01-31", "RWA", 100), ("2026-01-31", "KEN", 50)])
    out = burden_sharing(contributions, OFFERS, by="region", countries=COUNTRIES)
    rows = {r["party"]: r for r in out.to_dicts()}
    assert rows["Africa"]["personnel_months"] == 150
    assert rows["Africa"]["party_kind"] == "group"
    assert rows["Asia"]["training_seats"] == 40
    assert rows["EU"]["party_kind"] == "organization"
    group = burden_sharing(contributions, OFFERS, by="group", countries=COUNTRIES)
    assert "WEOG" in group["party"].to_list()


def test_grouped_by_organization_and_council() -> None:
    contributions = _contributions([("2026-01-31", "RWA", 100), ("2026-01-31", "KEN", 50)])
    memberships = pl.DataFrame(
        {
            "organization": ["AU", "AU"],
            "iso3": ["RWA", "KEN"],
            "joined": [date(2002, 7, 9), date(2026, 2, 1)],
            "left": [None, None],
        },
        schema={"organization": pl.Utf8, "iso3": pl.Utf8, "joined": pl.Date, "left": pl.Date},
    )
    out = burden_sharing(
        contributions, OFFERS, by="org", org="AU", countries=COUNTRIES, memberships=memberships
    )
    rows = {r["party"]: r for r in out.to_dicts()}
    assert rows["AU members"]["personnel_months"] == 100  # KEN joins only in February
    assert rows["not AU"]["personnel_months"] == 50
    assert rows["not AU"]["training_seats"] == 40  # JPN
    assert rows["AU members"]["party_kind"] == "group"
    assert rows["AU"]["funding_usd"] == 2.0e6 and rows["AU"]["party_kind"] == "organization"
    later = burden_sharing(
        contributions,
        OFFERS,
        by="org",
        org="AU",
        on="2026-03",
        countries=COUNTRIES,
        memberships=memberships,
    )
    assert {r["party"] for r in later.to_dicts()} >= {"AU members", "not AU", "AU", "EU"}
    council = pl.DataFrame(
        {"year": [2026, 2026], "iso3": ["USA", "KEN"], "permanent": [True, False]},
        schema={"year": pl.Int32, "iso3": pl.Utf8, "permanent": pl.Boolean},
    )
    out = burden_sharing(contributions, OFFERS, by="p5", countries=COUNTRIES, council=council)
    rows = {r["party"]: r for r in out.to_dicts()}
    assert rows["P5"]["lift_flight_hours"] == 150 and rows["P5"]["personnel_months"] == 0
    assert rows["others"]["personnel_months"] == 150
    out = burden_sharing(contributions, OFFERS, by="council", countries=COUNTRIES, council=council)
    rows = {r["party"]: r for r in out.to_dicts()}
    assert rows["Council"]["personnel_months"] == 50
    with pytest.raises(InputError, match="needs an organization code"):
        burden_sharing(contributions, OFFERS, by="org", countries=COUNTRIES)


def test_empty_and_wrong_frames() -> None:
    empty = _contributions([])
    no_offers = OFFERS.clear()
    out = burden_sharing(empty, no_offers, countries=COUNTRIES)
    assert out.is_empty()
    assert offer_totals(no_offers).collect().is_empty()
    with pytest.raises(InputError, match="offers frame lacks column"):
        burden_sharing(empty, OFFERS.drop("unit"), countries=COUNTRIES)
    with pytest.raises(InputError, match="lacks column status"):
        burden_sharing(empty, OFFERS.drop("status"), countries=COUNTRIES)
    assert not burden_sharing(
        empty, OFFERS.drop("status"), statuses=None, countries=COUNTRIES
    ).is_empty()
    with pytest.raises(InputError, match="cannot group shares by"):
        burden_sharing(empty, OFFERS, by="planet", countries=COUNTRIES)
    with pytest.raises(InputError, match="countries frame lacks"):
        burden_sharing(empty, OFFERS, countries=COUNTRIES.drop("iso3"))
    with pytest.raises(InputError, match="countries frame lacks"):
        burden_sharing(empty, OFFERS, by="region", countries=COUNTRIES.drop("region"))
    with pytest.raises(InputError):
        burden_sharing(empty.drop("count"), OFFERS, countries=COUNTRIES)


def test_many_offers_are_summed() -> None:
    n = 100_000
    big = pl.DataFrame(
        {
            "partner": ["JPN"] * n,
            "kind": ["training"] * n,
            "capacity": [1.0] * n,
            "unit": ["seats"] * n,
            "status": ["accepted"] * n,
        }
    )
    out = burden_sharing(_contributions([]), big, countries=COUNTRIES)
    assert out.filter(pl.col("party") == "JPN")["training_seats"].item() == n


def test_demo_offers_and_the_real_ranking_file() -> None:
    path = real_file("un_rank/Rank_2021-01.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        ranks = list(csv.DictReader(fh))
    contributions = _contributions(
        [("2021-01-31", r["ISOCode3"], int(r["Total_Uniformed_Personnel"])) for r in ranks]
    )
    offers = pl.DataFrame(offers_to_records(demo_scenario().partnerships))
    out = burden_sharing(contributions, offers)
    rows = {r["party"]: r for r in out.to_dicts()}
    total = sum(int(r["Total_Uniformed_Personnel"]) for r in ranks)
    assert out["personnel_months"].sum() == total
    assert rows["BGD"]["personnel_months"] == 6711
    assert rows["JPN"]["training_seats"] == 40  # the accepted TPP-style course only
    assert rows["USA"]["lift_flight_hours"] == 150
    assert rows["EU"]["party_kind"] == "organization"

"""Withdrawals and cuts on contribution frames (small hand-made frames: exact figures)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from bluehelmet import scenarios
from bluehelmet.domain.contributions import CONTRIBUTION_SCHEMA
from bluehelmet.errors import InputError

JAN, FEB, MAR = date(2020, 1, 31), date(2020, 2, 29), date(2020, 3, 31)


def _frame(rows: list[tuple[date, str, str | None, str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "month": m,
                "contributor": c,
                "mission": mi,
                "category": cat,
                "sex": sex,
                "count": n,
                "source": "test",
                "sha256": "0" * 64,
                "line": k + 2,
            }
            for k, (m, c, mi, cat, sex, n) in enumerate(rows)
        ],
        schema=CONTRIBUTION_SCHEMA,
    )


@pytest.fixture
def record() -> pl.DataFrame:
    return _frame(
        [
            (JAN, "GHA", "UNMIL", "troops", "male", 500),
            (JAN, "NGA", "UNMIL", "troops", "male", 300),
            (JAN, "KEN", "UNMISS", "individual_police", "female", 40),
            (FEB, "GHA", "UNMIL", "troops", "male", 600),
            (FEB, "GHA", "UNMIL", "troops", "female", 100),
            (FEB, "GHA", "UNMIL", "individual_police", "female", 20),
            (FEB, "NGA", "UNMIL", "troops", "male", 300),
            (FEB, "PAK", "UNMIL", "individual_police", "male", 80),
            (FEB, "JOR", "UNMISS", "individual_police", "male", 60),
            (FEB, "JOR", "UNMISS", "troops", "male", 1000),
            (FEB, "GHA", None, "uniformed", "unknown", 9999),  # contributor totals: ignored
        ]
    )


def test_withdraw_figures(record: pl.DataFrame) -> None:
    w = scenarios.withdraw(record, "GHA", "UNMIL", FEB)
    assert w.lost == {"individual_police": 20, "troops": 700, "total": 720}
    assert w.before == {"individual_police": 100, "troops": 1000, "total": 1100}
    assert w.remaining == {"individual_police": 80, "troops": 300, "total": 380}
    assert w.share_lost["total"] == pytest.approx(720 / 1100)
    assert w.women_lost == 120
    d = w.diversity
    assert (d["contributors_before"], d["contributors_after"]) == (3, 2)
    assert d["hhi_before"] == pytest.approx(
        (720 / 1100) ** 2 + (300 / 1100) ** 2 + (80 / 1100) ** 2
    )
    assert d["hhi_after"] == pytest.approx((300 / 380) ** 2 + (80 / 380) ** 2)
    assert d["women_share_before"] == pytest.approx(120 / 1100)
    assert d["women_share_after"] == 0.0
    cap = w.capacity
    police = cap.filter(pl.col("category") == "individual_police")
    assert police["contributor"].to_list() == ["PAK", "JOR", "KEN"]  # by peak monthly strength
    assert police["in_mission"].to_list() == [80, 0, 0]
    assert police["months_seen"].to_list() == [1, 1, 1]
    troops = cap.filter(pl.col("category") == "troops")
    assert troops["contributor"].to_list() == ["JOR", "NGA"]
    assert "GHA" not in cap["contributor"].to_list()
    assert any("capacity, not willingness" in a for a in w.assumptions)
    data = w.to_dict()
    assert data["month"] == "2020-02" and data["lost"]["total"] == 720


def test_withdraw_errors_name_what_is_stored(record: pl.DataFrame) -> None:
    with pytest.raises(InputError, match="2020-01 to 2020-02") as info:
        scenarios.withdraw(record, "GHA", "UNMIL", MAR)
    assert info.value.field == "month"
    with pytest.raises(InputError, match="missions stored that month: UNMIL, UNMISS"):
        scenarios.withdraw(record, "GHA", "MONUSCO", FEB)
    with pytest.raises(InputError, match="contributors there: GHA, NGA, PAK"):
        scenarios.withdraw(record, "KEN", "UNMIL", FEB)
    with pytest.raises(InputError, match="nothing is stored"):
        scenarios.withdraw(record.clear(), "GHA", "UNMIL", FEB)


def test_proportional_cut_is_exact(record: pl.DataFrame) -> None:
    c = scenarios.cut(record, 0.25, "proportional")
    assert c.month == FEB
    assert c.before == 2160 and c.target == 540 and c.removed == 540
    missions = {r["mission"]: r for r in c.missions.to_dicts()}
    assert missions["UNMIL"]["lost"] + missions["UNMISS"]["lost"] == 540
    assert missions["UNMISS"]["lost"] == 265  # 1060 * 0.25
    contributors = {r["contributor"]: r for r in c.contributors.to_dicts()}
    assert contributors["GHA"]["lost"] == 180
    assert contributors["GHA"]["missions"] == ["UNMIL"]
    assert sum(r["lost"] for r in contributors.values()) == 540


def test_lifo_cut_sends_the_newest_home_first(record: pl.DataFrame) -> None:
    c = scenarios.cut(record, 0.25, "lifo")
    contributors = {r["contributor"]: r for r in c.contributors.to_dicts()}
    # UNMIL loses 275: PAK (arrived in February) first, then the smaller of GHA and NGA (both
    # there since January): NGA
    assert contributors["PAK"]["lost"] == 80
    assert contributors["NGA"]["lost"] == 195
    assert contributors["GHA"]["lost"] == 0
    assert contributors["JOR"]["lost"] == 265  # JOR arrived in UNMISS after KEN left
    assert c.removed == 540


def test_cut_of_a_chosen_month_and_bad_arguments(record: pl.DataFrame) -> None:
    assert scenarios.cut(record, 0.5, month=JAN).removed == 420
    for share in (0.0, -0.1, 1.01):
        with pytest.raises(InputError, match="share must be"):
            scenarios.cut(record, share)
    with pytest.raises(InputError, match="unknown rule 'planner'"):
        scenarios.cut(record, 0.25, "planner")
    with pytest.raises(InputError, match="not in the stored record"):
        scenarios.cut(record, 0.25, month=MAR)
    with pytest.raises(InputError, match="no contribution rows by mission"):
        scenarios.cut(record.clear(), 0.25)
    assert scenarios.cut(record, 1.0).removed == 2160


def test_a_month_stored_only_as_contributor_totals_is_named_as_such(record: pl.DataFrame) -> None:
    totals = pl.concat([record, _frame([(MAR, "GHA", None, "troops", "male", 700)])])
    for call in (
        lambda: scenarios.withdraw(totals, "GHA", "UNMISS", MAR),
        lambda: scenarios.cut(totals, 0.25, month=MAR),
    ):
        with pytest.raises(InputError) as err:
            call()
        assert "2020-03 is stored only as totals per contributor, without missions (test)" in str(
            err.value
        )
        assert "months stored by mission: 2020-01 to 2020-02" in str(err.value)

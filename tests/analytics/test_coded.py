"""The coded path (bincounts over key codes, for DataFrames) answers as the polars path
(group-bys over the text keys, for LazyFrames), on random rows with nulls, zeros and ties."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import date

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bluehelmet import analytics
from bluehelmet.analytics import _coded
from bluehelmet.analytics._coded import coded_rows, keep_codes
from bluehelmet.errors import InputError

CONTRIBUTORS = ["GHA", "IND", "BGD", "PAK", "NPL", "RWA", "FRA", "CHN", "URY", "FJI", "EGY"]
MISSIONS = ["MONUSCO", "UNMISS", "MINUSCA", "UNIFIL", "MINURSO", "UNFICYP"]
CATEGORIES = ["troops", "staff_officers", "experts_on_mission", "formed_police_units"]


def random_rows(n: int = 4000, seed: int = 3, *, zeros: bool = True) -> pl.DataFrame:
    """Contribution rows with null missions, zero counts (unless not ``zeros``: then cells
    are found by their sums) and equal totals (ties)."""
    rng = np.random.default_rng(seed)
    months = pl.date_range(date(2018, 1, 1), date(2021, 6, 1), "1mo", eager=True).dt.month_end()
    missions = pl.Series([*MISSIONS, None], dtype=pl.String)
    return pl.DataFrame(
        {
            "month": months.gather(rng.integers(0, len(months), n)),
            "contributor": pl.Series(CONTRIBUTORS).gather(rng.integers(0, len(CONTRIBUTORS), n)),
            "mission": missions.gather(rng.integers(0, len(missions), n)),
            "category": pl.Series(CATEGORIES).gather(rng.integers(0, len(CATEGORIES), n)),
            "sex": pl.Series(["female", "male", "unknown"]).gather(rng.integers(0, 3, n)),
            # few distinct values: many zero cells and ties for the largest contributor
            "count": rng.choice([0, 0, 1, 2, 5, 10] if zeros else [1, 2, 5, 10], n).astype(
                np.int64
            ),
            "source": pl.Series(["ipi_gender_full", "un_rank"]).gather(rng.integers(0, 2, n)),
        }
    )


def fatality_rows(seed: int = 4) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n = 300
    days = pl.date_range(date(2017, 6, 1), date(2021, 12, 31), "1d", eager=True)
    return pl.DataFrame(
        {
            "date": days.gather(rng.integers(0, len(days), n)),
            "mission": pl.Series(MISSIONS).gather(rng.integers(0, len(MISSIONS), n)),
            "contributor": pl.Series(CONTRIBUTORS).gather(rng.integers(0, len(CONTRIBUTORS), n)),
            "personnel_type": pl.Series(["Military", "Police ", "Civilian"]).gather(
                rng.integers(0, 3, n)
            ),
            "incident_type": "Accident",
        }
    )


Question = Callable[[pl.DataFrame | pl.LazyFrame], pl.DataFrame]
DEATHS = fatality_rows()
PERIOD = {"start": "2019-03", "end": "2020-08"}

QUESTIONS: dict[str, Question] = {
    "ranking": lambda f: analytics.ranking(f, "2020-05"),
    "ranking by category, missions": lambda f: analytics.ranking(
        f, "2019-11", missions=["UNMISS", "MINUSCA"], by_category=True
    ),
    "shares by region": lambda f: analytics.shares(f, by="region", **PERIOD),
    "shares by contributor, missions": lambda f: analytics.shares(
        f, missions=["MONUSCO", "unifil"]
    ),
    "share trends": analytics.share_trends,
    "share trends, categories": lambda f: analytics.share_trends(
        f, by="group", categories=["troops"]
    ),
    "concentration": lambda f: analytics.concentration(f, contributors=["GHA", "IND", "FRA"]),
    "concentration per month": lambda f: analytics.concentration(f, per_month=True, **PERIOD),
    "missions": analytics.mission_months,
    "missions, filtered": lambda f: analytics.mission_months(
        f, contributors=["GHA", "BGD"], categories=["troops", "staff_officers"], **PERIOD
    ),
    "parity overall": analytics.parity,
    "parity by contributor": lambda f: analytics.parity(f, by="contributor", **PERIOD),
    "parity by mission": lambda f: analytics.parity(f, by="mission"),
    "fatality rates by mission": lambda f: analytics.fatality_rates(DEATHS, f),
    "fatality rates by contributor": lambda f: analytics.fatality_rates(
        DEATHS, f, by="contributor", **PERIOD
    ),
    "fatality rates by year": lambda f: analytics.fatality_rates(
        DEATHS, f, by="year", missions=["UNMISS"]
    ),
    **{
        f"panel {kind.value}": (
            lambda f, kind=kind: analytics.panel(kind, f, contributors=["GHA", "IND"]).frame
        )
        for kind in analytics.PanelKind
    },
    "panel mission-month, period": lambda f: (
        analytics.panel("mission-month", f, categories=["troops"], **PERIOD).frame
    ),
}


@pytest.mark.parametrize("zeros", [True, False], ids=["with zero counts", "all positive"])
@pytest.mark.parametrize("name", list(QUESTIONS))
def test_coded_path_answers_as_the_text_path(name: str, zeros: bool) -> None:
    rows = keep_codes(random_rows(zeros=zeros))
    coded = coded_rows(rows)
    assert coded is not None and coded_rows(rows.lazy()) is None
    assert coded.positive() is not zeros
    answer = QUESTIONS[name](rows)
    text = QUESTIONS[name](rows.lazy())
    assert not text.is_empty()
    assert_frame_equal(answer, text)


@pytest.mark.parametrize("name", ["missions", "parity by contributor", "panel contributor-month"])
def test_kept_codes_answer_as_fresh_ones(name: str) -> None:
    rows = keep_codes(random_rows(seed=11), now=True)
    assert_frame_equal(QUESTIONS[name](rows), QUESTIONS[name](rows.lazy()))
    # a second question uses the kept codes and still agrees
    assert_frame_equal(QUESTIONS[name](rows), QUESTIONS[name](rows.lazy()))


def test_codes_are_dense_sorted_with_null_last() -> None:
    rows = pl.DataFrame(
        {
            "month": [date(2020, 3, 31), date(2020, 1, 31), None, date(2020, 3, 31)],
            "contributor": ["IND", "BGD", "IND", "GHA"],
            "mission": [None, "UNMISS", "MONUSCO", None],
            "category": ["troops"] * 4,
            "sex": ["male"] * 4,
            "count": [1, 2, 3, 4],
        }
    )
    coded = coded_rows(keep_codes(rows))
    assert coded is not None
    contributor = coded.key("contributor")
    assert contributor.values.to_list() == ["BGD", "GHA", "IND"]
    assert contributor.codes.tolist() == [2, 0, 2, 1]
    mission = coded.key("mission")
    assert mission.values.to_list() == ["MONUSCO", "UNMISS", None]
    assert mission.codes.tolist() == [2, 1, 0, 2]
    month = coded.key("month")
    assert month.values.to_list() == [date(2020, 1, 31), date(2020, 3, 31), None]
    assert month.codes.tolist() == [1, 0, 2, 1]
    assert coded.key("year").values.to_list() == [2020, None]
    cells = coded.cells(("contributor",), weights={"count": coded.count()})
    assert cells.frame().to_dicts() == [
        {"contributor": "BGD", "count": 2},
        {"contributor": "GHA", "count": 4},
        {"contributor": "IND", "count": 4},
    ]


def test_sparse_cells_are_counted_by_sorting(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = keep_codes(random_rows(seed=5))
    dense = analytics.mission_months(rows)
    monkeypatch.setattr(_coded, "_DENSE_CELLS", 0)
    assert_frame_equal(analytics.mission_months(keep_codes(random_rows(seed=5))), dense)


@pytest.mark.parametrize("name", ["missions, filtered", "parity by mission", "share trends"])
def test_a_large_frame_is_coded_per_call(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    rows = random_rows(seed=8)
    assert coded_rows(rows) is None  # small and not kept: polars
    monkeypatch.setattr(_coded, "CODE_PER_CALL_ROWS", rows.height)
    assert coded_rows(rows) is not None and coded_rows(rows) is not coded_rows(rows)
    assert_frame_equal(QUESTIONS[name](rows), QUESTIONS[name](rows.lazy()))


def test_kept_codes_go_with_their_frame() -> None:
    rows = keep_codes(random_rows(seed=6))
    assert coded_rows(rows) is coded_rows(rows)
    key = id(rows)
    del rows
    gc.collect()
    assert key not in _coded._KEPT


def test_other_month_or_count_types_take_the_text_path() -> None:
    rows = keep_codes(random_rows())
    as_text = keep_codes(rows.with_columns(pl.col("count").cast(pl.String)))
    assert coded_rows(as_text) is None
    as_datetime = keep_codes(rows.with_columns(pl.col("month").cast(pl.Datetime)))
    assert coded_rows(as_datetime) is None
    assert_frame_equal(
        analytics.share_trends(as_datetime), analytics.share_trends(as_datetime.lazy())
    )


def test_a_frame_without_the_columns_takes_the_text_path_and_its_error() -> None:
    rows = keep_codes(random_rows().drop("sex"))
    assert coded_rows(rows) is None
    with pytest.raises(InputError, match="lacks column"):
        analytics.share_trends(rows)

"""Property: whatever valid figures a file holds, the stored sums equal the file's totals."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.services import data
from bluehelmet.sources import import_files
from tests._data_helpers import gender_row, write_gender

PAIRS = [("ALB", "Albania"), ("GHA", "Ghana"), ("NPL", "Nepal"), ("FRA", "France")]
MISSIONS = ["UNMIL", "UNOCI", "UNIFIL"]

cell = st.tuples(st.integers(0, 300), st.integers(0, 50))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    figures=st.dictionaries(
        st.tuples(st.sampled_from(PAIRS), st.sampled_from(MISSIONS)),
        st.tuples(cell, cell),
        min_size=1,
        max_size=8,
    )
)
def test_stored_sums_equal_file_totals(tmp_path: Path, figures: dict) -> None:
    rows = [
        gender_row(i, "2013-12-31", name, iso, mission, ip=ip, troops=troops)
        for i, (((iso, name), mission), (ip, troops)) in enumerate(figures.items(), 1)
    ]
    path = write_gender(tmp_path / f"{uuid4().hex}.csv", rows)
    import_files([path])
    # every example covers the same month: each newer file replaces the previous one
    expected: dict[str, int] = {}
    for ((iso, _), _), (ip, troops) in figures.items():
        expected[iso] = expected.get(iso, 0) + sum(ip) + sum(troops)
    got = dict(data.contributions().group_by("contributor").agg(pl.col("count").sum()).iter_rows())
    assert got == {k: v for k, v in expected.items() if v}


def test_all_zero_newer_file_still_replaces_its_months(tmp_path: Path) -> None:
    """A newer file whose cells are all zero covers its month: older figures must go."""
    older = write_gender(
        tmp_path / "older.csv",
        [gender_row(1, "2013-12-31", "Albania", "ALB", "UNOCI", ip=(5, 1), troops=(3, 0))],
    )
    newer = write_gender(
        tmp_path / "newer.csv",
        [gender_row(1, "2013-12-31", "Albania", "ALB", "UNOCI", ip=(0, 0), troops=(0, 0))],
    )
    import_files([older])
    assert data.contributions().height > 0
    (result,) = import_files([newer])
    assert result.months == ["2013-12-31"]
    assert [r["months"] for r in result.replaced] == [["2013-12-31"]]
    assert data.contributions().height == 0

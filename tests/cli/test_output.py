"""Tables in the terminal: every line fits the width, numbers and dates are never folded."""

from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from bluehelmet.cli import _output
from bluehelmet.cli._output import OutputFormat, emit

KEY = st.text(alphabet="abcdefghij_", min_size=1, max_size=24).filter(lambda k: k.strip("_"))
VALUE = st.one_of(
    st.integers(-(10**9), 10**9),
    st.text(alphabet="ABCdef xyz_-", max_size=30),
    st.dates(date(1990, 1, 1), date(2030, 12, 31)),
    st.none(),
)


def _whole(text: str, width: int) -> bool:
    """Every line within ``width`` and every table line closed by its right border (rich crops
    a table wider than the console, so a cut table shows as a line without its border)."""
    lines = text.splitlines()
    table = [ln.rstrip() for ln in lines if ln[:1] and ln[:1] in "┏┃┡│└"]
    return max(len(ln) for ln in lines) <= width and all(ln[-1] in "┓┃┩│┘" for ln in table)


def _printed(rows: list[dict[str, object]], width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    out = io.StringIO()
    monkeypatch.setattr(_output, "console", Console(file=out, width=width, color_system=None))
    emit(rows, OutputFormat.TABLE, title="t")
    return out.getvalue()


def test_the_withdrawal_capacity_table_fits_eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    row = {
        "category": "experts_on_mission",
        "contributor": "ETH",
        "peak_monthly": 159,
        "months_seen": 29,
        "deployed_in_month": 110,
        "in_mission": 9,
    }
    text = _printed([row], 80, monkeypatch)
    assert _whole(text, 80), text
    assert "experts_on_mission" in text and "110" in text and "9 │" in text


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(KEY, min_size=1, max_size=9, unique=True),
    values=st.lists(st.lists(VALUE, min_size=9, max_size=9), min_size=1, max_size=4),
    width=st.integers(40, 160),
)
def test_every_table_line_fits_the_terminal_and_numbers_stay_whole(
    keys: list[str], values: list[list[object]], width: int
) -> None:
    rows = [dict(zip(keys, v, strict=False)) for v in values]
    with pytest.MonkeyPatch.context() as monkeypatch:
        text = _printed(rows, width, monkeypatch)
    assert _whole(text, width), text
    for row in rows:
        for v in row.values():
            if isinstance(v, int | date):
                assert _output._cell(v) in text


WORDS = st.lists(st.text(alphabet="abcdefXYZ-_0123456789", min_size=1, max_size=14), max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.lists(WORDS.map(" ".join), min_size=5, max_size=5), min_size=1, max_size=5),
    width=st.integers(30, 140),
)
def test_a_fitted_table_fits_or_says_it_cannot(cells: list[list[str]], width: int) -> None:
    headers = ["req.", "mission", "unit type", "filled", "reasons given"]
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(_output, "console", Console(file=out, width=width, color_system=None))
        table = _output.fitted_table("t", headers, cells, folding={"reasons given": 6})
        if table is None:
            return
        _output.console.print(table)
    text = out.getvalue()
    assert _whole(text, width), text
    words = {w for row in cells for c in row[:4] for w in c.split()}
    assert all(w in text for w in words)  # only the folding column may break a word

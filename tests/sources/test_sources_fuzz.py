"""Fuzz: every adapter on every real file and on mutated samples ends in success or a named
error, never a traceback, and a refused import leaves the store unchanged."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.errors import BluehelmetError
from bluehelmet.services import data
from bluehelmet.services.data import import_files
from bluehelmet.sources import FORMATS, prepare_files
from tests.conftest import SHARED_DATA, real_file

REAL_FILES = [
    "ipi_tcc/Gender.Full.csv",
    "ipi_ppp/ppp_files/current_month/current_month.csv",
    "ipi_ppp/ppp_files/data_mission.csv",
    "un_rank/Rank_2021-01.csv",
    "un_rank/CountryByYear_derived.csv",
    "un_fatalities/DPPADPOSS-FATALITIES.csv",
    "un_missions/DPPADPOSS-PKO.csv",
    "tamm/TAMM.csv",
    "geopko/geopko.csv",
    "pact/PKOlist_start_end.csv",
    "ipi_tcc/Data.Mission.csv",
]


@pytest.mark.parametrize("relative", REAL_FILES)
def test_every_adapter_on_every_real_file(relative: str) -> None:
    path = real_file(relative)
    for name in FORMATS:
        try:
            prepare_files([path], format=name, skip_unknown=True)
        except BluehelmetError as exc:
            assert str(exc), (relative, name)


def _samples() -> list[tuple[str, str]]:
    """The first 25 lines of each real file (header included), skipped when absent."""
    out = []
    for relative in REAL_FILES:
        path = SHARED_DATA / relative
        if path.is_file():
            with path.open(encoding="utf-8-sig", errors="replace") as handle:
                head = [next(handle, "") for _ in range(25)]
            out.append((relative, "".join(head)))
    return out


SAMPLES = _samples()
CELLS = st.one_of(
    st.sampled_from(
        ["", "NA", "-", "0.0", "12.5", "1e3", str(10**17 + 7), "-3", "all", '"', "x" * 300]
    ),
    st.text(max_size=12),
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    relative, text = draw(st.sampled_from(SAMPLES))
    lines = text.splitlines()
    kind = draw(st.sampled_from(["cell", "drop_column", "truncate", "duplicate", "header"]))
    row = draw(st.integers(1, max(1, len(lines) - 1)))
    cells = lines[row].split(",") if row < len(lines) else [""]
    if kind == "cell":
        cells[draw(st.integers(0, len(cells) - 1))] = draw(CELLS)
        lines[row] = ",".join(cells)
    elif kind == "drop_column":
        index = draw(st.integers(0, len(lines[0].split(",")) - 1))
        lines = [",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines]
    elif kind == "truncate":
        lines[row] = lines[row][: draw(st.integers(0, len(lines[row])))]
    elif kind == "duplicate":
        lines.append(lines[row])
    else:
        header = lines[0].split(",")
        header[draw(st.integers(0, len(header) - 1))] = draw(CELLS)
        lines[0] = ",".join(header)
    return relative, "\n".join(lines) + "\n"


@pytest.mark.skipif(not SAMPLES, reason=f"real data folder {SHARED_DATA} is absent")
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=mutated(), forced=st.sampled_from([None, *FORMATS]))
def test_mutated_files_succeed_or_fail_with_a_message(
    tmp_path: Path, case: tuple[str, str], forced: str | None
) -> None:
    relative, text = case
    path = tmp_path / f"{uuid4().hex}-{Path(relative).name}"
    path.write_text(text, encoding="utf-8")
    before = (data.data_status(), data.contributions())
    try:
        import_files([path], format=forced, skip_unknown=True, replace=True)
    except BluehelmetError as exc:
        assert str(exc)
        status, rows = data.data_status(), data.contributions()
        assert status == before[0] and rows.equals(before[1])  # a refusal changes nothing


def test_a_200_kb_quoted_field_is_read_or_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(
        "ISOCode3,M49_Code,Contributing_Country,Personnel_Contribution_Rank,Female_Personnel,"
        "Male_Personnel,Total_Uniformed_Personnel,Last_Reporting_Date\n"
        f'BGD,50,"{"B" * 200_000}",1,317,6394,6711,31-Jan-21\n',
        encoding="utf-8",
    )
    [result] = import_files([path])
    assert data.contributions()["count"].sum() == 6711
    assert result.status == "imported"

"""Annual targets of the UN Uniformed Gender Parity Strategy 2018-2028, as sourced.

Read from ``reference/data/parity_targets.csv``, which cites where each year's figures are
restated. A year of the Strategy without a sourced figure for a group has no target: the
registry says so (``parity_target`` returns None, ``parity_target_note`` names the gap).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bluehelmet.errors import InputError
from bluehelmet.reference._load import data_file, read_rows

FILE = "parity_targets.csv"

#: The years the Strategy covers.
STRATEGY_YEARS: tuple[int, ...] = tuple(range(2018, 2029))

#: The Strategy's groups of uniformed personnel that the contribution data can be mapped to.
PARITY_GROUPS: tuple[str, ...] = (
    "military_contingents",
    "military_observers_staff_officers",
    "formed_police_units",
    "individual_police",
)

STRATEGY = (
    "United Nations, Department of Peace Operations, Uniformed Gender Parity Strategy "
    "2018-2028 (2018), annual targets."
)


@dataclass(frozen=True, slots=True)
class ParityTarget:
    """The Strategy's target share of women for one group in one year, with its source."""

    year: int
    group: str
    target: float
    source: str


@cache
def parity_targets() -> tuple[ParityTarget, ...]:
    """Every sourced (year, group) target, by year then group."""
    out: list[ParityTarget] = []
    seen: set[tuple[int, str]] = set()
    for line, row in read_rows(FILE):
        try:
            year = int(row["year"])
            target = float(row["target"])
        except ValueError:
            msg = f"year and target must be numbers (got {row['year']!r}, {row['target']!r})"
            raise InputError(msg, file=FILE, line=line) from None
        if year not in STRATEGY_YEARS:
            msg = f"year {year} is outside the Strategy (2018-2028)"
            raise InputError(msg, file=FILE, line=line, field="year")
        if row["group"] not in PARITY_GROUPS:
            msg = f"unknown group {row['group']!r} (known: {', '.join(PARITY_GROUPS)})"
            raise InputError(msg, file=FILE, line=line, field="group")
        if not 0 < target < 1:
            msg = f"target {target} is not a share between 0 and 1"
            raise InputError(msg, file=FILE, line=line, field="target")
        if (year, row["group"]) in seen:
            msg = f"{year} {row['group']} is listed twice"
            raise InputError(msg, file=FILE, line=line)
        seen.add((year, row["group"]))
        out.append(ParityTarget(year, row["group"], target, _source(row["source"], FILE, line)))
    return tuple(sorted(out, key=lambda t: (t.year, t.group)))


@cache
def _sources() -> dict[str, str]:
    """Source key -> citation, from the file's comment lines (``#  - key: citation``)."""
    out: dict[str, str] = {}
    for text in data_file(FILE).splitlines():
        if text.startswith("#  - ") and ":" in text:
            key, _, citation = text[5:].partition(":")
            out[key.strip()] = citation.strip()
    return out


def _source(key: str, file: str, line: int) -> str:
    citation = _sources().get(key)
    if citation is None:
        msg = f"source {key!r} is not cited in the file's header"
        raise InputError(msg, file=file, line=line, field="source")
    return citation


def parity_target(year: int, group: str) -> ParityTarget | None:
    """The sourced target of ``group`` in ``year``, or None where the figure is unknown."""
    for target in parity_targets():
        if target.year == year and target.group == group:
            return target
    return None


def parity_target_note(year: int, group: str) -> str | None:
    """Why ``group`` has no target in ``year`` (None when the target is known)."""
    if parity_target(year, group) is not None:
        return None
    if group not in PARITY_GROUPS:
        return f"the Strategy sets no target for {group}"
    if year not in STRATEGY_YEARS:
        return f"{year} is outside the Strategy (2018-2028)"
    return f"the Strategy's {year} target for {group} is not sourced in bluehelmet"

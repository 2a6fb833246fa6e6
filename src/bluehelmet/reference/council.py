"""Security Council composition by calendar year, from 1946 to the last fully known year."""

from __future__ import annotations

from functools import cache

from bluehelmet.domain.registry import CouncilSeat
from bluehelmet.errors import BluehelmetError, InputError
from bluehelmet.reference._load import read_rows
from bluehelmet.reference.countries import _by_iso3

FILE = "council_elected.csv"
FIRST_YEAR = 1946


def permanent_members(year: int) -> tuple[str, ...]:
    """ISO-3 of the five permanent members in ``year`` (UN Charter, Article 23).

    The China seat is held by the Republic of China (TWN) to 1971 and by the People's Republic
    (CHN) from 1972 (GA res 2758 (XXVI) of 25 October 1971); the Soviet seat by the USSR (SUN)
    to 1991 and by the Russian Federation (RUS) from 1992.
    """
    china = "TWN" if year <= 1971 else "CHN"
    russia = "SUN" if year <= 1991 else "RUS"
    return tuple(sorted((china, "FRA", russia, "GBR", "USA")))


def elected_count(year: int) -> int:
    """Number of elected seats: 6 to 1965, 10 from 1966 (Charter amendment, A/RES/1991 (XVIII))."""
    return 6 if year < 1966 else 10


@cache
def _elected() -> dict[int, tuple[str, ...]]:
    known = _by_iso3()
    by_year: dict[int, list[str]] = {}
    for line, row in read_rows(FILE):
        if row["iso3"] not in known:
            msg = f"unknown ISO-3 code {row['iso3']!r}"
            raise InputError(msg, file=FILE, line=line, field="iso3")
        first, last = int(row["first_year"]), int(row["last_year"])
        if last < first:
            msg = f"last_year {last} before first_year {first}"
            raise InputError(msg, file=FILE, line=line, field="last_year")
        for year in range(first, last + 1):
            by_year.setdefault(year, []).append(row["iso3"])
    return {year: tuple(sorted(isos)) for year, isos in by_year.items()}


def last_year() -> int:
    """The last year whose elected members are all recorded."""
    elected = _elected()
    year = FIRST_YEAR
    while len(elected.get(year + 1, ())) == elected_count(year + 1):
        year += 1
    return year


@cache
def council(year: int) -> tuple[CouncilSeat, ...]:
    """The fifteen (eleven to 1965) members of the Security Council in ``year``: permanent first."""
    if not FIRST_YEAR <= year <= last_year():
        msg = (
            f"Security Council composition is recorded for {FIRST_YEAR}..{last_year()}, not {year}"
        )
        raise BluehelmetError(msg)
    permanent = [CouncilSeat(year, iso3, permanent=True) for iso3 in permanent_members(year)]
    elected = [CouncilSeat(year, iso3, permanent=False) for iso3 in _elected()[year]]
    return tuple(permanent + elected)

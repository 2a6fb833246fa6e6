"""The registry of adapters and format detection from a file's header."""

from __future__ import annotations

from pathlib import Path

from bluehelmet.errors import InputError, UnknownNameError
from bluehelmet.sources._adapter import Adapter
from bluehelmet.sources._common import RawFile
from bluehelmet.sources.geopko import GeoPko
from bluehelmet.sources.ipi_current_month import IpiCurrentMonth
from bluehelmet.sources.ipi_gender import IpiGenderFull
from bluehelmet.sources.ipi_mission_totals import IpiMissionTotals
from bluehelmet.sources.tamm import Tamm
from bluehelmet.sources.un_datahub import UnDataHubContributions
from bluehelmet.sources.un_fatalities import UnFatalities
from bluehelmet.sources.un_missions import UnMissionList
from bluehelmet.sources.un_rank import UnRanking

ADAPTERS: tuple[type[Adapter], ...] = (
    IpiGenderFull,
    IpiCurrentMonth,
    IpiMissionTotals,
    UnRanking,
    UnFatalities,
    UnMissionList,
    Tamm,
    GeoPko,
    UnDataHubContributions,
)
FORMATS: tuple[str, ...] = tuple(a.name for a in ADAPTERS)


def adapter(name: str, *, aliases: Path | None = None) -> Adapter:
    """The adapter called ``name`` (raises UnknownNameError with suggestions)."""
    for cls in ADAPTERS:
        if cls.name == name:
            return UnDataHubContributions(aliases) if cls is UnDataHubContributions else cls()
    raise UnknownNameError("format", name, FORMATS)


def detect(raw: RawFile, *, aliases: Path | None = None) -> Adapter:
    """The adapter whose signature best matches the file's header."""
    best: tuple[int, Adapter] | None = None
    for cls in ADAPTERS:
        candidate = UnDataHubContributions(aliases) if cls is UnDataHubContributions else cls()
        score = candidate.score(raw.header)
        # the fixed formats win over the alias-based one at equal score
        if score and (best is None or score > best[0]):
            best = (score, candidate)
    if best is None:
        shown = ", ".join(raw.header[:12]) + (", ..." if len(raw.header) > 12 else "")
        msg = (
            f"unrecognised format (header: {shown}); pass --format with one of {', '.join(FORMATS)}"
        )
        raise InputError(msg, file=raw.path, line=1)
    return best[1]

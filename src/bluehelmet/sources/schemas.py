"""Declared schemas of the datasets the adapters produce (contributions is in the domain)."""

from __future__ import annotations

import polars as pl

from bluehelmet.domain.contributions import CONTRIBUTION_COLUMNS, Column

_PROVENANCE = (
    Column("source", pl.Utf8, "Adapter that read the row."),
    Column("sha256", pl.Utf8, "SHA-256 of the source file."),
    Column("line", pl.Int64, "Line number in the source file (1 = header)."),
)

OFFICIAL_RANKING_COLUMNS: tuple[Column, ...] = (
    Column("month", pl.Date, "Reporting date of the ranking (last day of the month)."),
    Column("contributor", pl.Utf8, "ISO-3 code of the contributing state."),
    Column("rank", pl.Int64, "Rank published by the UN (1 = largest contributor)."),
    Column("female", pl.Int64, "Female uniformed personnel, as published."),
    Column("male", pl.Int64, "Male uniformed personnel, as published."),
    Column("total", pl.Int64, "Total uniformed personnel, as published."),
    *_PROVENANCE,
)

MISSION_TOTAL_COLUMNS: tuple[Column, ...] = (
    Column("month", pl.Date, "Reporting date (last day of the month)."),
    Column("mission", pl.Utf8, "Registry acronym of the mission."),
    Column("host", pl.Utf8, "ISO-3 code of the host country as published.", nullable=True),
    Column("contributors", pl.Int64, "Number of contributing states.", nullable=True),
    Column("troops", pl.Int64, "Troops (null where not reported).", nullable=True),
    Column("police", pl.Int64, "Police (null where not reported).", nullable=True),
    Column("observers", pl.Int64, "Military observers (null where not reported).", nullable=True),
    Column("total", pl.Int64, "Total uniformed personnel."),
    *_PROVENANCE,
)

FATALITY_COLUMNS: tuple[Column, ...] = (
    Column("casualty_id", pl.Utf8, "UN casualty identifier."),
    Column("date", pl.Date, "Date of the incident."),
    Column("month", pl.Date, "Month of the incident (last day of the month)."),
    Column("mission", pl.Utf8, "Registry acronym of the mission."),
    Column("contributor", pl.Utf8, "ISO-3 of the casualty's nationality.", nullable=True),
    Column("nationality", pl.Utf8, "Nationality as published.", nullable=True),
    Column("personnel_type", pl.Utf8, "Military, Police, Military Observer, ... as published."),
    Column("incident_type", pl.Utf8, "Malicious Act, Accident, Illness, ... as published."),
    Column("sex", pl.Utf8, "female, male or unknown."),
    *_PROVENANCE,
)

MISSION_LIST_COLUMNS: tuple[Column, ...] = (
    Column("acronym", pl.Utf8, "Mission acronym as published by the UN Data Hub."),
    Column("name", pl.Utf8, "Mission name."),
    Column("lead_department", pl.Utf8, "Lead department (DPO, DPPA).", nullable=True),
    Column("active", pl.Boolean, "Whether the mission is active at the last update."),
    Column("start", pl.Date, "Start date.", nullable=True),
    Column("end", pl.Date, "End date; null while active.", nullable=True),
    Column("location", pl.Utf8, "Headquarters location.", nullable=True),
    Column("longitude", pl.Float64, "Headquarters longitude.", nullable=True),
    Column("latitude", pl.Float64, "Headquarters latitude.", nullable=True),
    *_PROVENANCE,
)

MANDATE_COLUMNS: tuple[Column, ...] = (
    Column("mission", pl.Utf8, "Registry acronym of the mission."),
    Column("month", pl.Date, "Month (last day) the coding applies to."),
    Column("resolution", pl.Utf8, "Governing Security Council resolution number.", nullable=True),
    Column("tasks", pl.List(pl.Utf8), "TAMM task indicators set to 1 that month."),
    Column("task_count", pl.Int64, "Number of mandated tasks."),
    *_PROVENANCE,
)

LOCATION_COLUMNS: tuple[Column, ...] = (
    Column("mission", pl.Utf8, "Registry acronym of the mission."),
    Column("month", pl.Date, "Month (last day) of the deployment map."),
    Column("location", pl.Utf8, "Place name as on the map."),
    Column("country", pl.Utf8, "Host country as published.", nullable=True),
    Column("latitude", pl.Float64, "Latitude.", nullable=True),
    Column("longitude", pl.Float64, "Longitude.", nullable=True),
    Column("troops", pl.Int64, "Troops at the location as coded.", nullable=True),
    Column("contributor_names", pl.List(pl.Utf8), "Contributors on the map, as published."),
    Column("map_source", pl.Utf8, "UN map number and revision.", nullable=True),
    *_PROVENANCE,
)

DATASETS: dict[str, tuple[Column, ...]] = {
    "contributions": CONTRIBUTION_COLUMNS,
    "official_ranking": OFFICIAL_RANKING_COLUMNS,
    "mission_totals": MISSION_TOTAL_COLUMNS,
    "fatalities": FATALITY_COLUMNS,
    "missions": MISSION_LIST_COLUMNS,
    "mandates": MANDATE_COLUMNS,
    "locations": LOCATION_COLUMNS,
}

MONTHLY_DATASETS = frozenset({"contributions", "official_ranking", "mission_totals"})
"""Datasets where a newer file replaces only the months it covers; the others are snapshots."""


IDENTITY: dict[str, list[str]] = {
    "contributions": ["month", "contributor"],
    "official_ranking": ["month", "contributor"],
    "mission_totals": ["month", "mission"],
    "fatalities": ["casualty_id"],
    "missions": ["acronym"],
    "mandates": ["mission", "month"],
    "locations": ["mission", "month"],
}
"""The unit a row reports on: a newer file that no longer lists a stored unit would remove it."""


def schema(dataset: str) -> dict[str, pl.DataType | type[pl.DataType]]:
    """Polars schema of ``dataset``."""
    return {c.name: c.dtype for c in DATASETS[dataset]}


def conform(dataset: str, frame: pl.DataFrame, *, keep_categorical: bool = False) -> pl.DataFrame:
    """Select and cast ``frame`` to the declared columns of ``dataset``, in order.

    With ``keep_categorical``, text columns held as categoricals stay so (they are written
    dictionary-encoded and read back as text).
    """
    coded = (pl.Categorical, pl.Enum)
    return frame.select(
        [
            pl.col(c.name)
            if keep_categorical and c.dtype == pl.Utf8 and isinstance(frame.schema[c.name], coded)
            else pl.col(c.name).cast(c.dtype)
            for c in DATASETS[dataset]
        ]
    )

"""Gender parity: women's share per personnel category against the UN's targets.

Targets: the annual targets of the UN Uniformed Gender Parity Strategy 2018-2028, read from
the reference registry (``bluehelmet.reference.parity_targets``; the file cites where each
year's figures are restated). A year or group without a sourced figure has no target
(``target`` null, ``target_note`` says why), and its status can then only be ``yellow`` or
``red``.

Status colours follow DPO's monthly parity report: ``green`` meets the target, ``yellow``
has some women but is below the target (or has no target), ``red`` has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

import polars as pl

from bluehelmet.analytics._coded import CodedRows, coded_rows
from bluehelmet.analytics._common import ContributionFilter, Frame, sum_where
from bluehelmet.errors import InputError
from bluehelmet.reference.parity import (
    PARITY_GROUPS,
    STRATEGY,
    STRATEGY_YEARS,
    parity_target_note,
    parity_targets,
)

SOURCE = STRATEGY


class TargetGroup(StrEnum):
    """The strategy's categories of uniformed personnel that carry a target."""

    MILITARY_CONTINGENTS = "military_contingents"
    MILITARY_OBSERVERS_STAFF_OFFICERS = "military_observers_staff_officers"
    FORMED_POLICE_UNITS = "formed_police_units"
    INDIVIDUAL_POLICE = "individual_police"


#: Personnel category of the normalized rows -> strategy group. Experts on mission are
#: counted with the military observers, as the UN's contribution reports list them.
CATEGORY_GROUP: dict[str, str] = {
    "troops": TargetGroup.MILITARY_CONTINGENTS.value,
    "staff_officers": TargetGroup.MILITARY_OBSERVERS_STAFF_OFFICERS.value,
    "experts_on_mission": TargetGroup.MILITARY_OBSERVERS_STAFF_OFFICERS.value,
    "observers": TargetGroup.MILITARY_OBSERVERS_STAFF_OFFICERS.value,
    "formed_police_units": TargetGroup.FORMED_POLICE_UNITS.value,
    "individual_police": TargetGroup.INDIVIDUAL_POLICE.value,
    "police": "police",
    "uniformed": "uniformed",
}

#: (year, group) -> target share of women, as the reference registry carries them.
PARITY_TARGETS: dict[tuple[int, str], float] = {
    (t.year, t.group): t.target for t in parity_targets()
}


class ParityBy(StrEnum):
    """Units of the parity table."""

    OVERALL = "overall"
    CONTRIBUTOR = "contributor"
    MISSION = "mission"


def targets_frame(targets: dict[tuple[int, str], float] | None = None) -> pl.DataFrame:
    """The sourced targets as a frame (year, group, target)."""
    table = PARITY_TARGETS if targets is None else targets
    return pl.DataFrame(
        [{"year": y, "group": g, "target": t} for (y, g), t in sorted(table.items())],
        schema={"year": pl.Int32, "group": pl.Utf8, "target": pl.Float64},
    )


def strategy_targets(targets: dict[tuple[int, str], float] | None = None) -> pl.DataFrame:
    """Every year of the Strategy x group: ``target`` (null where unknown) and ``target_note``."""
    table = PARITY_TARGETS if targets is None else targets
    rows = [
        {
            "year": year,
            "group": group,
            "target": table.get((year, group)),
            "target_note": None if (year, group) in table else parity_target_note(year, group),
        }
        for year in STRATEGY_YEARS
        for group in PARITY_GROUPS
    ]
    schema = {"year": pl.Int32, "group": pl.Utf8, "target": pl.Float64, "target_note": pl.Utf8}
    return pl.DataFrame(rows, schema=schema)


def parity(
    contributions: Frame,
    *,
    by: ParityBy | str = ParityBy.OVERALL,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
    targets: dict[tuple[int, str], float] | None = None,
) -> pl.DataFrame:
    """Women's share per year, unit (overall, contributor or mission) and strategy group.

    Shares are of person-months with a known sex (rows with sex ``unknown`` are left out
    and counted in ``unknown``). Columns: ``year``, ``key``, ``group``, ``female``,
    ``male``, ``unknown``, ``female_share``, ``target``, ``gap`` (share minus target),
    ``status`` (green / yellow / red) and ``target_note`` (why a target is unknown).
    """
    try:
        unit = ParityBy(by)
    except ValueError:
        known = ", ".join(b.value for b in ParityBy)
        msg = f"cannot compute parity by {by!r} (known: {known})"
        raise InputError(msg, field="by") from None
    where = ContributionFilter.of(
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
    )
    coded = coded_rows(contributions)
    by_category = (
        _coded_by_category(coded, where, unit)
        if coded is not None
        else _by_category(where.apply(contributions), unit)
    )
    table = (
        by_category
        # map the (few) aggregated categories to the strategy's groups, then add them up
        .with_columns(
            group=pl.col("category").replace_strict(CATEGORY_GROUP, default=pl.col("category"))
        )
        .group_by("year", "key", "group")
        .agg(pl.col("female", "male", "unknown").sum())
        .join(targets_frame(targets).lazy(), on=["year", "group"], how="left")
        .with_columns(
            female_share=pl.when(pl.col("female") + pl.col("male") > 0).then(
                pl.col("female") / (pl.col("female") + pl.col("male"))
            )
        )
        .with_columns(
            gap=pl.col("female_share") - pl.col("target"),
            status=pl.when(pl.col("female_share").is_null())
            .then(pl.lit(None, dtype=pl.Utf8))
            .when(pl.col("target").is_not_null() & (pl.col("female_share") >= pl.col("target")))
            .then(pl.lit("green"))
            .when(pl.col("female") > 0)
            .then(pl.lit("yellow"))
            .otherwise(pl.lit("red")),
        )
        .select(
            "year",
            "key",
            "group",
            "female",
            "male",
            "unknown",
            "female_share",
            "target",
            "gap",
            "status",
        )
        .sort("year", "key", "group")
    ).collect()
    # one note per (year, group) without a target, not one per row
    found: dict[tuple[int, str], str | None] = {}

    def note(year: int, group: str) -> str | None:
        if (year, group) not in found:
            found[(year, group)] = parity_target_note(year, group)
        return found[(year, group)]

    notes = [
        None if known else note(year, group)
        for year, group, known in zip(
            table["year"].to_list(),
            table["group"].to_list(),
            table["target"].is_not_null().to_list(),
            strict=True,
        )
    ]
    return table.with_columns(target_note=pl.Series(notes, dtype=pl.Utf8))


def _by_category(rows: pl.LazyFrame, unit: ParityBy) -> pl.LazyFrame:
    """Women, men and unknown per year, unit and personnel category (polars group-by)."""
    key = pl.lit("all") if unit is ParityBy.OVERALL else pl.col(unit.value).fill_null("(none)")
    sex = pl.col("sex")
    return (
        rows.with_columns(year=pl.col("month").dt.year().cast(pl.Int32), key=key)
        .group_by("year", "key", "category")
        .agg(
            female=sum_where(sex == "female"),
            male=sum_where(sex == "male"),
            unknown=sum_where(sex == "unknown"),
        )
    )


def _coded_by_category(coded: CodedRows, where: ContributionFilter, unit: ParityBy) -> pl.LazyFrame:
    """``_by_category`` from the coded rows (bincounts over the key codes)."""
    keys = ("year", "category") if unit is ParityBy.OVERALL else ("year", unit.value, "category")
    by_sex = coded.cells((*keys, "sex"), rows=coded.select(where), total="count")
    cells, sexes = by_sex.split_last("count", ("female", "male", "unknown"))
    dtype = coded.sum_dtype()
    frame = cells.frame({}).with_columns(
        pl.Series(sex, column).cast(dtype) for sex, column in sexes.items()
    )
    if unit is ParityBy.OVERALL:
        frame = frame.with_columns(key=pl.lit("all"))
    else:
        frame = frame.rename({unit.value: "key"}).with_columns(pl.col("key").fill_null("(none)"))
    return frame.select("year", "key", "category", "female", "male", "unknown").lazy()

"""Gender parity: women's share per personnel category against the UN's targets.

Targets: United Nations, Department of Peace Operations, *Uniformed Gender Parity Strategy
2018–2028* (2018), table of annual targets for the share of women per category of uniformed
personnel. The strategy's own table was not found in a stored copy, so only the annual figures
that a public page restates are carried (see ``TARGET_SOURCES``):
2021 — military contingents 8 %, military observers and staff officers 18 % (DPO,
"Acknowledging Uniformed Gender Parity Target Achievers", 2021; individual military positions
are the military observers and staff officers);
2028 — military contingents 15 %, military observers and staff officers 25 %, formed police
units 20 %, individual police officers 30 % (Elsie Initiative Fund, "UN strategies"; Global
News Pakistan, 29 May 2020).
A year or category without a carried figure has no target (``target`` null), and its status
can then only be ``yellow`` or ``red``. Not carried: a formed police unit target of 12 % that
UN Police cites next to the 2022 share without naming its year (see ``UNCARRIED_TARGETS``), and
the justice and corrections targets, which no group of the contribution data maps to.

Status colours follow DPO's monthly parity report: ``green`` meets the target, ``yellow``
has some women but is below the target (or has no target), ``red`` has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

import polars as pl

from bluehelmet.analytics._common import Frame, filter_rows, sum_where
from bluehelmet.errors import InputError

SOURCE = (
    "United Nations, Department of Peace Operations, Uniformed Gender Parity Strategy "
    "2018-2028 (2018), annual targets."
)


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

#: (year, group) -> target share of women, from the strategy (see the module docstring).
PARITY_TARGETS: dict[tuple[int, str], float] = {
    (2021, TargetGroup.MILITARY_CONTINGENTS.value): 0.08,
    (2021, TargetGroup.MILITARY_OBSERVERS_STAFF_OFFICERS.value): 0.18,
    (2028, TargetGroup.MILITARY_CONTINGENTS.value): 0.15,
    (2028, TargetGroup.MILITARY_OBSERVERS_STAFF_OFFICERS.value): 0.25,
    (2028, TargetGroup.FORMED_POLICE_UNITS.value): 0.20,
    (2028, TargetGroup.INDIVIDUAL_POLICE.value): 0.30,
}

#: Year -> where the UGPS targets of that year are restated, with the phrase quoted.
TARGET_SOURCES: dict[int, str] = {
    2021: (
        "UN DPO, 'Acknowledging Uniformed Gender Parity Target Achievers' (2021; the text "
        "cites April 2021 figures), read in a copy at http://dd-floors.com/en/delegate/"
        "acknowledging-uniformed-gender-parity-target-achievers: 'For 2021, the target for "
        "the military component is 8 per cent women in troops and 18 per cent women in "
        "individual military positions.'"
    ),
    2028: (
        "Elsie Initiative Fund, 'UN strategies', https://elsiefund.org/un-strategies-eifund/: "
        "'UN DPO's ambition for its UGPS is to reach the following numbers by 2028:', then "
        "the list items '15% female military peacekeepers in troop contingents', '20% female "
        "police in formed police units (FPU)', '25% female military observers and staff "
        "officers', '30% individual police officers'; the same four figures in Global News "
        "Pakistan, 'UN Celebrates Women in Peace Keeping on International UN Peacekeeping "
        "Day' (29 May 2020)."
    ),
}

#: Figures found but not carried, because the source does not state their year.
UNCARRIED_TARGETS: tuple[str, ...] = (
    "formed police units 12 % (year not stated): UN Police, 'UNPOL component in the UN "
    "Assistance Mission in Somalia surpasses the gender parity targets for 2028' (2022), "
    "https://police.un.org/en/unpol-component-un-assistance-mission-somalia-surpasses-gender-"
    "parity-targets-2028: women members of FPUs rose 'from 6% in 2015 to 14.4% in 2022, "
    "surpassing the target of 12% set out in the United Nations Uniformed Gender Parity "
    "Strategy 2018-2028'.",
)


class ParityBy(StrEnum):
    """Units of the parity table."""

    OVERALL = "overall"
    CONTRIBUTOR = "contributor"
    MISSION = "mission"


def targets_frame(targets: dict[tuple[int, str], float] | None = None) -> pl.DataFrame:
    """The targets as a frame (year, group, target)."""
    table = PARITY_TARGETS if targets is None else targets
    return pl.DataFrame(
        [{"year": y, "group": g, "target": t} for (y, g), t in sorted(table.items())],
        schema={"year": pl.Int32, "group": pl.Utf8, "target": pl.Float64},
    )


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
    ``status`` (green / yellow / red).
    """
    try:
        unit = ParityBy(by)
    except ValueError:
        known = ", ".join(b.value for b in ParityBy)
        msg = f"cannot compute parity by {by!r} (known: {known})"
        raise InputError(msg, field="by") from None
    rows = filter_rows(
        contributions,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
    )
    key = pl.lit("all") if unit is ParityBy.OVERALL else pl.col(unit.value).fill_null("(none)")
    sex = pl.col("sex")
    table = (
        rows.with_columns(year=pl.col("month").dt.year().cast(pl.Int32), key=key)
        .group_by("year", "key", "category")
        .agg(
            female=sum_where(sex == "female"),
            male=sum_where(sex == "male"),
            unknown=sum_where(sex == "unknown"),
        )
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
    )
    return table.collect()

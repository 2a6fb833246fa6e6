"""Shocks on the real contribution record: one contributor leaves a mission, or a cut
repatriates a share of all uniformed personnel. Frames in (``CONTRIBUTION_COLUMNS``), frames
and plain figures out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import polars as pl

from bluehelmet.errors import InputError

#: The resource shock of October 2025, as reported (press reports of UN briefings, 8–9 October
#: 2025): about a quarter of uniformed peacekeepers (13,000–14,000 people) to be repatriated
#: and mission budgets cut by 15% for want of paid assessments.
OCTOBER_2025_CUT = {
    "personnel_share": 0.25,
    "personnel": "13,000-14,000",
    "budget_share": 0.15,
    "source": "press reports of UN briefings, 8-9 October 2025",
}

CUT_RULES = ("proportional", "lifo")


def _one_source(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Mission rows, one source per (month, mission): the one with the most rows."""
    rows = frame.filter(pl.col("mission").is_not_null())
    if rows.is_empty():
        return rows, []
    counts = rows.group_by("month", "mission", "source").agg(pl.len().alias("n"))
    best = counts.sort(["n", "source"], descending=[True, False]).unique(
        ["month", "mission"], keep="first", maintain_order=True
    )
    dropped = counts.join(best, on=["month", "mission", "source"], how="anti")
    kept = rows.join(best.select("month", "mission", "source"), on=["month", "mission", "source"])
    notes = []
    if not dropped.is_empty():
        notes.append(
            f"{dropped.height} (month, mission) pairs are covered by several sources; the "
            "source with the most rows is used for each"
        )
    return kept, notes


def _first(months: pl.Series) -> date:
    return cast(date, months.min())


def _last(months: pl.Series) -> date:
    return cast(date, months.max())


def _stored_range(frame: pl.DataFrame) -> str:
    if frame.is_empty():
        return "nothing is stored"
    months = frame.filter(pl.col("mission").is_not_null())["month"].drop_nulls()
    if months.is_empty():
        return "no month is stored by mission"
    return f"months stored by mission: {_first(months):%Y-%m} to {_last(months):%Y-%m}"


def _month_missing(frame: pl.DataFrame, month: date) -> InputError:
    """The error for a month the mission rows lack, saying when it is stored without missions."""
    totals = frame.filter((pl.col("month") == month) & pl.col("mission").is_null())
    if totals.is_empty():
        msg = f"month {month:%Y-%m} is not in the stored record ({_stored_range(frame)})"
    else:
        sources = ", ".join(sorted(totals["source"].unique().to_list()))
        msg = (
            f"month {month:%Y-%m} is stored only as totals per contributor, without missions "
            f"({sources}); import a file by mission for it, such as IPI's Gender.Full.csv or "
            f"the UN Data Hub's contributions ({_stored_range(frame)})"
        )
    return InputError(msg, field="month")


def _by_category(rows: pl.DataFrame) -> dict[str, int]:
    out = {
        str(k): int(v)
        for k, v in rows.group_by("category")
        .agg(pl.col("count").sum())
        .sort("category")
        .iter_rows()
    }
    out["total"] = sum(out.values())
    return out


def _hhi(rows: pl.DataFrame) -> float:
    per = rows.group_by("contributor").agg(pl.col("count").sum())["count"]
    total = per.sum()
    if not total:
        return 0.0
    return float(((per / total) ** 2).sum())


def _women_share(rows: pl.DataFrame) -> float | None:
    known = rows.filter(pl.col("sex").is_in(["female", "male"]))
    total = int(known["count"].sum())
    if not total:
        return None
    return int(known.filter(pl.col("sex") == "female")["count"].sum()) / total


@dataclass(frozen=True)
class Withdrawal:
    """What a mission loses when one contributor leaves it in one month."""

    contributor: str
    mission: str
    month: date
    lost: dict[str, int]  # personnel by category and total
    before: dict[str, int]
    remaining: dict[str, int]
    share_lost: dict[str, float]
    women_lost: int
    diversity: dict[str, Any]  # contributors and HHI before/after, women's share before/after
    capacity: pl.DataFrame  # other contributors with that category in the record
    assumptions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the JSON of ``bluehelmet scenario withdraw``)."""
        return {
            "contributor": self.contributor,
            "mission": self.mission,
            "month": self.month.strftime("%Y-%m"),
            "lost": self.lost,
            "before": self.before,
            "remaining": self.remaining,
            "share_lost": self.share_lost,
            "women_lost": self.women_lost,
            "diversity": self.diversity,
            "capacity": self.capacity.to_dicts(),
            "assumptions": self.assumptions,
        }


def withdraw(
    frame: pl.DataFrame, contributor: str, mission: str, month: date, *, top: int = 10
) -> Withdrawal:
    """``contributor`` leaves ``mission`` in ``month``, computed on the contribution rows.

    ``frame``: contribution rows (all stored months: the capacity search looks at every month
    up to ``month``). Raises InputError when the month is not stored, or when the contributor
    had nobody in the mission that month.
    """
    rows, notes = _one_source(frame)
    in_month = rows.filter(pl.col("month") == month)
    if in_month.is_empty():
        raise _month_missing(frame, month)
    mission_rows = in_month.filter(pl.col("mission") == mission)
    if mission_rows.is_empty():
        there = sorted(in_month["mission"].unique().to_list())
        msg = (
            f"no personnel of mission {mission} are stored for {month:%Y-%m} "
            f"(missions stored that month: {', '.join(there)})"
        )
        raise InputError(msg, field="mission")
    mine = mission_rows.filter(pl.col("contributor") == contributor)
    if mine["count"].sum() == 0:
        present = (
            mission_rows.group_by("contributor")
            .agg(pl.col("count").sum())
            .filter(pl.col("count") > 0)
            .sort("contributor")["contributor"]
            .to_list()
        )
        msg = (
            f"{contributor} had no personnel in {mission} in {month:%Y-%m} "
            f"(contributors there: {', '.join(present)})"
        )
        raise InputError(msg, field="contributor")
    rest = mission_rows.filter(pl.col("contributor") != contributor)
    before = _by_category(mission_rows)
    own = _by_category(mine)
    lost = {k: own.get(k, 0) for k in before}
    remaining = {k: before[k] - lost[k] for k in before}
    share = {k: (lost[k] / v if v else 0.0) for k, v in before.items()}
    present_before = mission_rows.group_by("contributor").agg(pl.col("count").sum())
    diversity = {
        "contributors_before": int((present_before["count"] > 0).sum()),
        "contributors_after": int((present_before["count"] > 0).sum()) - 1,
        "hhi_before": _hhi(mission_rows),
        "hhi_after": _hhi(rest),
        "women_share_before": _women_share(mission_rows),
        "women_share_after": _women_share(rest),
    }
    categories = [k for k, v in lost.items() if k != "total" and v > 0]
    history = rows.filter(
        (pl.col("month") <= month)
        & (pl.col("contributor") != contributor)
        & pl.col("category").is_in(categories)
    )
    monthly = history.group_by("contributor", "category", "month").agg(pl.col("count").sum())
    here = rest.group_by("contributor", "category").agg(pl.col("count").sum().alias("in_mission"))
    capacity = (
        monthly.filter(pl.col("count") > 0)
        .group_by("contributor", "category")
        .agg(
            pl.col("count").max().alias("peak_monthly"),
            pl.len().alias("months_seen"),
            pl.col("count").filter(pl.col("month") == month).sum().alias("deployed_in_month"),
        )
        .join(here, on=["contributor", "category"], how="left")
        .with_columns(pl.col("in_mission").fill_null(0))
        .sort(["category", "peak_monthly", "contributor"], descending=[False, True, False])
        .group_by("category", maintain_order=True)
        .head(top)
    )
    first, last = _first(rows["month"]), _last(rows["month"])
    assumptions = [
        "figures are the stored monthly deployments (personnel on the ground at month end), "
        "not authorized strengths",
        "the contributor's personnel leave at once and nobody replaces them",
        "women's share counts only rows with a reported sex",
        f"capacity: other contributors that deployed personnel of the category in any mission "
        f"in the stored record from {first:%Y-%m} to {month:%Y-%m} (stored: up to {last:%Y-%m}); "
        "past deployment shows capacity, not willingness",
        "HHI: sum of squared contributor shares of the mission's personnel (0-1 scale)",
        *notes,
    ]
    return Withdrawal(
        contributor,
        mission,
        month,
        lost,
        before,
        remaining,
        share,
        int(mine.filter(pl.col("sex") == "female")["count"].sum()),
        diversity,
        capacity.select(
            "category",
            "contributor",
            "peak_monthly",
            "months_seen",
            "deployed_in_month",
            "in_mission",
        ),
        assumptions,
    )


@dataclass(frozen=True)
class Cut:
    """What each mission and contributor loses in a personnel cut."""

    month: date
    share: float
    rule: str
    target: int
    before: int
    removed: int
    missions: pl.DataFrame  # mission, before, lost, after, share_lost
    contributors: pl.DataFrame  # contributor, before, lost, after, share_lost, missions
    assumptions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the JSON of ``bluehelmet scenario cut``)."""
        return {
            "month": self.month.strftime("%Y-%m"),
            "share": self.share,
            "rule": self.rule,
            "target": self.target,
            "before": self.before,
            "removed": self.removed,
            "reference": OCTOBER_2025_CUT,
            "missions": self.missions.to_dicts(),
            "contributors": self.contributors.to_dicts(),
            "assumptions": self.assumptions,
        }


def _largest_remainder(values: list[float], total: int) -> list[int]:
    floors = [math.floor(v) for v in values]
    rest = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    for i in order[: max(0, rest)]:
        floors[i] += 1
    return floors


def check_cut(share: float, rule: str) -> None:
    """Raise InputError unless 0 < ``share`` <= 1 and ``rule`` is one of :data:`CUT_RULES`."""
    if not 0 < share <= 1:
        msg = f"share must be in (0, 1], not {share}"
        raise InputError(msg, field="share")
    if rule not in CUT_RULES:
        msg = f"unknown rule {rule!r}: one of {', '.join(CUT_RULES)}"
        raise InputError(msg, field="rule")


def cut(
    frame: pl.DataFrame, share: float, rule: str = "proportional", month: date | None = None
) -> Cut:
    """Repatriate ``share`` of the uniformed personnel deployed in ``month`` (default: the
    latest stored month) under ``rule``.

    ``proportional``: every contingent (contributor in a mission) loses the same share, rounded
    by largest remainder so the total is exact. ``lifo`` (last in, first out): every mission
    loses the same share, and in each mission the contingents that arrived most recently in
    the record leave first, whole, the last one partly.
    """
    check_cut(share, rule)
    rows, notes = _one_source(frame)
    if rows.is_empty():
        msg = (
            "no contribution rows by mission are stored (only totals per contributor); import "
            "a file by mission, such as IPI's Gender.Full.csv or the UN Data Hub's contributions"
        )
        raise InputError(msg, field="month")
    when = _last(rows["month"]) if month is None else month
    in_month = rows.filter(pl.col("month") == when)
    if in_month.is_empty():
        raise _month_missing(frame, when)
    contingents = (
        in_month.group_by("mission", "contributor")
        .agg(pl.col("count").sum().alias("before"))
        .filter(pl.col("before") > 0)
        .sort("mission", "contributor")
    )
    before = int(contingents["before"].sum())
    target = math.floor(share * before + 0.5)
    sizes = contingents["before"].to_list()
    if rule == "proportional":
        lost = _largest_remainder([s * share for s in sizes], target)
        order_note = "every contingent loses the same share (largest-remainder rounding)"
    else:
        arrived = (
            rows.filter(pl.col("month") <= when)
            .group_by("mission", "contributor")
            .agg(pl.col("month").min().alias("arrived"))
        )
        ranked = contingents.join(
            arrived, on=["mission", "contributor"], how="left"
        ).with_row_index("i")
        per_mission = contingents.group_by("mission", maintain_order=True).agg(
            pl.col("before").sum()
        )
        quota = dict(
            zip(
                per_mission["mission"].to_list(),
                _largest_remainder([b * share for b in per_mission["before"].to_list()], target),
                strict=True,
            )
        )
        order = ranked.sort(
            ["mission", "arrived", "before", "contributor"],
            descending=[False, True, False, False],
        )
        lost = [0] * len(sizes)
        for i, m in order.select("i", "mission").iter_rows():
            take = min(sizes[i], quota[m])
            lost[i] = take
            quota[m] -= take
        order_note = (
            "last in, first out within each mission: each mission loses the same share, and "
            "its contingents leave in reverse order of arrival, whole, the last one partly; a "
            "contingent's arrival is its first month in the mission in the stored record (from "
            f"{_first(rows['month']):%Y-%m}; earlier arrivals are not seen, so contingents "
            "present since then tie and the smaller leaves first)"
        )
    table = contingents.with_columns(pl.Series("lost", lost, dtype=pl.Int64))
    missions = (
        table.group_by("mission")
        .agg(pl.col("before").sum(), pl.col("lost").sum())
        .with_columns(
            (pl.col("before") - pl.col("lost")).alias("after"),
            (pl.col("lost") / pl.col("before")).alias("share_lost"),
        )
        .sort(["lost", "mission"], descending=[True, False])
    )
    contributors = (
        table.group_by("contributor")
        .agg(
            pl.col("before").sum(),
            pl.col("lost").sum(),
            pl.col("mission").filter(pl.col("lost") > 0).sort().alias("missions"),
        )
        .with_columns(
            (pl.col("before") - pl.col("lost")).alias("after"),
            (pl.col("lost") / pl.col("before")).alias("share_lost"),
        )
        .select("contributor", "before", "lost", "after", "share_lost", "missions")
        .sort(["lost", "contributor"], descending=[True, False])
    )
    assumptions = [
        f"applies a cut of {share:.0%} of uniformed personnel to {when:%Y-%m}, the "
        f"{'latest stored' if month is None else 'chosen'} month; the October 2025 cut "
        f"(about 25%, {OCTOBER_2025_CUT['personnel']} people, and 15% of mission budgets; "
        f"{OCTOBER_2025_CUT['source']}) is the real case this reproduces",
        order_note,
        "the budget share of the cut is not modelled: the record holds personnel, not budgets",
        "personnel counted per mission from the stored rows of every category",
        *notes,
    ]
    return Cut(
        when, share, rule, target, before, int(sum(lost)), missions, contributors, assumptions
    )

"""Analytics commands: rank, shares, concentration, missions, parity, fatalities, panel.

Thin: each parses its options, loads the stored rows, calls ``bluehelmet.analytics`` and
renders the result with ``emit``; ``--chart FILE`` writes a chart (.png, .svg, .html, .json).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import typer

from bluehelmet.cli._output import FormatOption, OutputFormat, emit, fail

FromOption = typer.Option(None, "--from", help="First month, YYYY-MM.")
ToOption = typer.Option(None, "--to", help="Last month, YYYY-MM.")
MissionOption = typer.Option(None, "--mission", "-m", help="Only this mission (repeatable).")
ContributorOption = typer.Option(
    None, "--contributor", "-c", help="Only this contributor, ISO-3 (repeatable)."
)
CategoryOption = typer.Option(None, "--category", help="Only this personnel category (repeatable).")
ChartOption = typer.Option(None, "--chart", help="Also write a chart: .png, .svg, .html or .json.")


def load_contributions() -> pl.LazyFrame:
    """The stored contribution rows, lazily."""
    from bluehelmet.services.data import scan_contributions

    return scan_contributions()


def _require_stored_data() -> None:
    """Raise a clear error when no contribution data has been imported yet."""
    from bluehelmet.config import get_settings
    from bluehelmet.errors import BluehelmetError

    if load_contributions().select(pl.len()).collect().item() == 0:
        msg = (
            f"no contribution data is stored in {get_settings().home}; "
            "import files first with `bluehelmet data import PATH...`"
        )
        raise BluehelmetError(msg)


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows to print; an empty answer from an empty store is an error that says so."""
    if frame.is_empty():
        _require_stored_data()
    return frame.to_dicts()


def _save(chart: Any, path: Path | None) -> None:
    if path is None:
        return
    from bluehelmet.analytics.charts import save_chart

    written = save_chart(chart, path)
    typer.echo(f"chart written to {written}", err=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("rank")(rank)
    app.command("shares")(shares)
    app.command("concentration")(concentration)
    app.command("missions")(missions)
    app.command("parity")(parity)
    app.command("fatalities")(fatalities)
    app.command("panel")(panel)


def rank(
    *,
    month: str = typer.Option(..., "--month", help="Month to rank, YYYY-MM."),
    mission: list[str] | None = MissionOption,
    category: list[str] | None = CategoryOption,
    by_category: bool = typer.Option(False, "--by-category", help="One column per category."),
    top: int | None = typer.Option(None, "--top", help="Only the first N ranks."),
    fmt: OutputFormat = FormatOption,
    chart: Path | None = ChartOption,
    world_map: Path | None = typer.Option(None, "--map", help="Also write a world map file."),
    check: bool = typer.Option(
        False, "--check", help="Compare with the stored official UN ranking of that month."
    ),
) -> None:
    """Rank contributors by uniformed personnel in a month, as the UN does (ties share a rank)."""
    from bluehelmet import analytics
    from bluehelmet.errors import BluehelmetError

    try:
        if check:
            from bluehelmet.services.data import official_ranking as load_official_ranking

            comparison = analytics.compare_with_official(
                load_contributions(), load_official_ranking(), month
            )
            if comparison["official_rank"].null_count() == comparison.height:
                raise fail(f"no official ranking is stored for {month}")
            emit(_rows(comparison), fmt, title=f"Computed against official ranking, {month}")
            wrong = comparison.filter(~pl.col("matches")).height
            if wrong:
                total = comparison.height
                raise fail(f"{wrong} of {total} contributors differ from the official ranking")
            return
        table = analytics.ranking(
            load_contributions(),
            month,
            missions=mission,
            categories=category,
            by_category=by_category,
        )
        if table.is_empty():
            _require_stored_data()
            raise fail(f"no contributions are stored for {month}; see `bluehelmet data status`")
        if top is not None:
            table = table.filter(pl.col("rank") <= top)
        emit(_rows(table), fmt, title=f"Ranking of contributors, {month}")
        if chart is not None:
            from bluehelmet.analytics.charts import ranking_chart

            _save(ranking_chart(table, top=top or 20, title=f"Uniformed personnel, {month}"), chart)
        if world_map is not None:
            from bluehelmet.analytics.charts import world_map as map_chart

            _save(map_chart(table, title=f"Uniformed personnel by contributor, {month}"), world_map)
    except BluehelmetError as exc:
        raise fail(str(exc)) from exc


def shares(
    *,
    by: str = typer.Option(
        "contributor",
        "--by",
        help="contributor, group, region, subregion, income, org, p5 or council.",
    ),
    org: str | None = typer.Option(None, "--org", help="Organization code for --by org."),
    start: str | None = FromOption,
    end: str | None = ToOption,
    contributor: list[str] | None = ContributorOption,
    mission: list[str] | None = MissionOption,
    category: list[str] | None = CategoryOption,
    trend: bool = typer.Option(False, "--trend", help="Shares per year, with yearly changes."),
    fmt: OutputFormat = FormatOption,
    chart: Path | None = ChartOption,
) -> None:
    """Shares of personnel over a period by contributor or group (person-months)."""
    from bluehelmet import analytics
    from bluehelmet.errors import BluehelmetError

    try:
        rows = load_contributions()
        options: dict[str, Any] = {
            "by": by,
            "org": org,
            "start": start,
            "end": end,
            "contributors": contributor,
            "missions": mission,
            "categories": category,
        }
        trends = analytics.share_trends(rows, **options) if trend or chart else None
        if trend and trends is not None:
            emit(_rows(trends), fmt, title=f"Shares by {by}, per year")
        else:
            emit(_rows(analytics.shares(rows, **options)), fmt, title=f"Shares by {by}")
        if chart is not None and trends is not None:
            from bluehelmet.analytics.charts import share_chart

            _save(share_chart(trends, title=f"Share of personnel by {by}"), chart)
    except BluehelmetError as exc:
        raise fail(str(exc)) from exc


def concentration(
    *,
    start: str | None = FromOption,
    end: str | None = ToOption,
    mission: list[str] | None = MissionOption,
    category: list[str] | None = CategoryOption,
    per_month: bool = typer.Option(False, "--per-month", help="One row per month."),
    fmt: OutputFormat = FormatOption,
    chart: Path | None = ChartOption,
) -> None:
    """Concentration of personnel among contributors: HHI, top-5/top-10 shares, Gini."""
    from bluehelmet import analytics
    from bluehelmet.errors import BluehelmetError

    try:
        table = analytics.concentration(
            load_contributions(),
            start=start,
            end=end,
            missions=mission,
            categories=category,
            per_month=per_month,
        )
        emit(_rows(table), fmt, title="Concentration among contributors")
        if chart is not None:
            from bluehelmet.analytics.charts import line_chart

            monthly = (
                table
                if per_month
                else analytics.concentration(
                    load_contributions(),
                    start=start,
                    end=end,
                    missions=mission,
                    categories=category,
                    per_month=True,
                )
            )
            measures = ["hhi", "top5_share", "top10_share", "gini"]
            _save(line_chart(monthly, x="month", y=measures, title="Concentration"), chart)
    except BluehelmetError as exc:
        raise fail(str(exc)) from exc


def missions(
    *,
    start: str | None = FromOption,
    end: str | None = ToOption,
    mission: list[str] | None = MissionOption,
    category: list[str] | None = CategoryOption,
    fmt: OutputFormat = FormatOption,
    chart: Path | None = ChartOption,
) -> None:
    """Per mission and month: strength by category, contributors, largest and regional shares."""
    from bluehelmet import analytics
    from bluehelmet.errors import BluehelmetError

    try:
        table = analytics.mission_months(
            load_contributions(), start=start, end=end, missions=mission, categories=category
        )
        emit(_rows(table), fmt, title="Missions by month")
        if chart is not None:
            from bluehelmet.analytics.charts import line_chart

            _save(
                line_chart(table, x="month", y="total", colour="mission", title="Strength"), chart
            )
    except BluehelmetError as exc:
        raise fail(str(exc)) from exc


def parity(
    *,
    by: str = typer.Option("overall", "--by", help="overall, contributor or mission."),
    month: str | None = typer.Option(None, "--month", help="One month, YYYY-MM."),
    start: str | None = FromOption,
    end: str | None = ToOption,
    contributor: list[str] | None = ContributorOption,
    mission: list[str] | None = MissionOption,
    fmt: OutputFormat = FormatOption,
    chart: Path | None = ChartOption,
) -> None:
    """Women's share per category against the UN Uniformed Gender Parity Strategy targets."""
    from bluehelmet import analytics
    from bluehelmet.errors import BluehelmetError

    try:
        table = analytics.parity(
            load_contributions(),
            by=by,
            start=month or start,
            end=month or end,
            contributors=contributor,
            missions=mission,
        )
        emit(_rows(table), fmt, title=f"Gender parity by {by}")
        if chart is not None:
            from bluehelmet.analytics.charts import parity_chart

            _save(parity_chart(table), chart)
    except BluehelmetError as exc:
        raise fail(str(exc)) from exc


def fatalities(
    *,
    by: str = typer.Option(
        "mission",
        "--by",
        help="Comma-separated keys: mission, contributor, year, month, incident_type, "
        "personnel_type.",
    ),
    rates: bool = typer.Option(
        False, "--rates", help="Rates per 1,000 personnel-years (by mission, contributor or year)."
    ),
    start: str | None = FromOption,
    end: str | None = ToOption,
    contributor: list[str] | None = ContributorOption,
    mission: list[str] | None = MissionOption,
    fmt: OutputFormat = FormatOption,
    chart: Path | None = ChartOption,
) -> None:
    """Peacekeeper fatalities: counts by any keys, or rates where strength is known."""
    from bluehelmet import analytics
    from bluehelmet.errors import BluehelmetError
    from bluehelmet.services.data import fatalities as load_fatalities

    keys = [k.strip() for k in by.split(",") if k.strip()]
    try:
        if rates:
            if len(keys) != 1:
                msg = "--rates takes one key in --by (mission, contributor or year)"
                raise fail(msg)
            table = analytics.fatality_rates(
                load_fatalities(),
                load_contributions(),
                by=keys[0],
                start=start,
                end=end,
                contributors=contributor,
                missions=mission,
            )
        else:
            table = analytics.fatality_counts(
                load_fatalities(),
                by=keys,
                start=start,
                end=end,
                contributors=contributor,
                missions=mission,
            )
        emit(_rows(table), fmt, title="Fatalities")
        if chart is not None:
            from bluehelmet.analytics.charts import bar_chart

            value = "rate_per_1000" if rates else "fatalities"
            _save(bar_chart(table, category=keys[0], value=value, title="Fatalities"), chart)
    except BluehelmetError as exc:
        raise fail(str(exc)) from exc


def panel(
    *,
    kind: str = typer.Argument(
        ...,
        help="contributor-month, mission-month, contributor-mission-month or contributor-year.",
    ),
    out: Path = typer.Option(..., "--out", "-o", help="File to write: .csv, .parquet or .xlsx."),
    add: list[str] | None = typer.Option(
        None,
        "--add",
        help="Add columns (repeatable): region, council, gender, fatalities, org:CODE.",
    ),
    start: str | None = FromOption,
    end: str | None = ToOption,
    contributor: list[str] | None = ContributorOption,
    mission: list[str] | None = MissionOption,
) -> None:
    """Write a research panel (peacesciencer-style) with the chosen additions."""
    from bluehelmet import analytics
    from bluehelmet.errors import BluehelmetError, InputError

    writers = {".csv": "to_csv", ".parquet": "to_parquet", ".xlsx": "to_excel"}
    try:
        writer = writers.get(out.suffix.lower())
        if writer is None:
            msg = f"panel file {out} must end in .csv, .parquet or .xlsx"
            raise InputError(msg, field="out")
        result = analytics.panel(
            kind, start=start, end=end, contributors=contributor, missions=mission
        )
        for verb in add or []:
            name, _, arg = verb.partition(":")
            if name == "region":
                result = result.add_region()
            elif name == "council":
                result = result.add_council_seat()
            elif name == "gender":
                result = result.add_gender_share()
            elif name == "fatalities":
                result = result.add_fatalities()
            elif name == "org" and arg:
                result = result.add_org_membership(arg)
            else:
                known = "region, council, gender, fatalities, org:CODE"
                msg = f"unknown panel addition {verb!r} (known: {known})"
                raise InputError(msg, field="add")
        getattr(result, writer)(out)
        typer.echo(f"{len(result)} rows x {len(result.frame.columns)} columns written to {out}")
        for line in result.citations():
            typer.echo(f"cite: {line}")
    except BluehelmetError as exc:
        raise fail(str(exc)) from exc

"""Analytics commands: rank, shares, concentration, missions, parity, fatalities, panel,
locations.

Thin: each parses its options, calls ``bluehelmet.services.analytics`` and renders the answer
with ``emit``; ``--chart FILE`` (``--map FILE``) writes a chart (.png, .svg, .html, .json).
Errors are mapped to messages and exit codes once, by the root group.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from bluehelmet.cli._output import FormatOption, OutputFormat, emit, err_console

if TYPE_CHECKING:
    from bluehelmet.services.analytics import Answer

FromOption = typer.Option(None, "--from", help="First month, YYYY-MM.")
ToOption = typer.Option(None, "--to", help="Last month, YYYY-MM.")
MissionOption = typer.Option(
    None, "--mission", "-m", help="Only this mission: acronym or name, any case (repeatable)."
)
ContributorOption = typer.Option(
    None,
    "--contributor",
    "-c",
    help="Only this contributor: name, ISO-3 or ISO-2 code, any case (repeatable).",
)
CategoryOption = typer.Option(None, "--category", help="Only this personnel category (repeatable).")
ChartOption = typer.Option(None, "--chart", help="Also write a chart: .png, .svg, .html or .json.")
TopOption = typer.Option(8, "--top", help="Series drawn in a chart; the rest become 'others'.")


def _save(chart: Any, path: Path | None) -> None:
    if path is None or chart is None:
        return
    from bluehelmet.services.analytics import save_chart

    written = save_chart(chart, path)
    typer.echo(f"chart written to {written}", err=True)


def _show(answer: Answer, fmt: OutputFormat, chart: Path | None = None) -> None:
    """Print the answer's table and notes, write its chart, and fail when it has a problem."""
    from bluehelmet.errors import BluehelmetError

    emit(answer.table.to_dicts(), fmt, title=answer.title)
    for note in answer.notes:
        err_console.print(f"[dim]note: {escape(note)}[/]")
    _save(answer.chart, chart)
    if answer.problem:
        raise BluehelmetError(answer.problem)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("rank")(rank)
    app.command("shares")(shares)
    app.command("concentration")(concentration)
    app.command("missions")(missions)
    app.command("parity")(parity)
    app.command("fatalities")(fatalities)
    app.command("panel")(panel)
    app.command("locations")(locations)


def rank(
    *,
    month: str | None = typer.Option(
        None, "--month", help="Month to rank, YYYY-MM (without it, the stored months are named)."
    ),
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
    from bluehelmet.services import analytics as service

    if check:
        _show(service.compare_ranking(month), fmt)
        return
    answer = service.rank(
        month,
        missions=mission,
        categories=category,
        by_category=by_category,
        top=top,
        chart=chart is not None,
        world_map=world_map is not None,
    )
    _show(answer, fmt, chart)
    _save(answer.map, world_map)


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
    top: int = TopOption,
) -> None:
    """Shares of personnel over a period by contributor or group (person-months)."""
    from bluehelmet.services import analytics as service

    answer = service.shares(
        by=by,
        org=org,
        start=start,
        end=end,
        contributors=contributor,
        missions=mission,
        categories=category,
        trend=trend,
        chart=chart is not None,
        top=top,
    )
    _show(answer, fmt, chart)


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
    from bluehelmet.services import analytics as service

    answer = service.concentration(
        start=start,
        end=end,
        missions=mission,
        categories=category,
        per_month=per_month,
        chart=chart is not None,
    )
    _show(answer, fmt, chart)


def missions(
    *,
    start: str | None = FromOption,
    end: str | None = ToOption,
    mission: list[str] | None = MissionOption,
    category: list[str] | None = CategoryOption,
    fmt: OutputFormat = FormatOption,
    chart: Path | None = ChartOption,
    top: int = TopOption,
) -> None:
    """Per mission and month: strength (1990 onward), contributors, shares, mandate."""
    from bluehelmet.services import analytics as service

    answer = service.missions(
        start=start,
        end=end,
        missions=mission,
        categories=category,
        chart=chart is not None,
        top=top,
    )
    _show(answer, fmt, chart)


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
    top: int = typer.Option(25, "--top", help="Units drawn per group in the chart."),
) -> None:
    """Women's share per category against the UN Uniformed Gender Parity Strategy targets."""
    from bluehelmet.services import analytics as service

    answer = service.parity(
        by=by,
        month=month,
        start=start,
        end=end,
        contributors=contributor,
        missions=mission,
        chart=chart is not None,
        top=top,
    )
    _show(answer, fmt, chart)


def fatalities(
    *,
    by: str = typer.Option(
        "mission",
        "--by",
        help="Comma-separated keys: mission, contributor, year, month, incident_type, "
        "personnel_type.",
    ),
    rates: bool = typer.Option(
        False,
        "--rates",
        help="Rates per 1,000 personnel-years with exact Poisson intervals "
        "(by mission, contributor or year).",
    ),
    start: str | None = FromOption,
    end: str | None = ToOption,
    contributor: list[str] | None = ContributorOption,
    mission: list[str] | None = MissionOption,
    fmt: OutputFormat = FormatOption,
    chart: Path | None = ChartOption,
    top: int = TopOption,
) -> None:
    """Peacekeeper fatalities: counts by any keys, or rates where strength is known."""
    from bluehelmet.services import analytics as service

    answer = service.fatalities(
        by=by,
        rates=rates,
        start=start,
        end=end,
        contributors=contributor,
        missions=mission,
        chart=chart is not None,
        top=top,
    )
    _show(answer, fmt, chart)


def locations(
    *,
    mission: list[str] | None = MissionOption,
    month: str | None = typer.Option(None, "--month", help="Maps of this month, YYYY-MM."),
    start: str | None = FromOption,
    end: str | None = ToOption,
    fmt: OutputFormat = FormatOption,
    world_map: Path | None = typer.Option(
        None, "--map", help="Also write a map of the locations (.png, .svg, .html, .json)."
    ),
) -> None:
    """Deployment locations (Geo-PKO): each mission's latest map in the period."""
    from bluehelmet.services import analytics as service

    answer = service.locations(
        missions=mission, month=month, start=start, end=end, chart=world_map is not None
    )
    _show(answer, fmt)
    _save(answer.map, world_map)


def panel(
    *,
    kind: str = typer.Argument(
        ...,
        help="contributor-month, mission-month, contributor-mission-month, contributor-year "
        "or mission-year.",
    ),
    out: Path = typer.Option(..., "--out", "-o", help="File to write: .csv, .parquet or .xlsx."),
    add: list[str] | None = typer.Option(
        None,
        "--add",
        help="Add columns (repeatable): region, council, gender, fatalities, mandates, org:CODE.",
    ),
    start: str | None = FromOption,
    end: str | None = ToOption,
    contributor: list[str] | None = ContributorOption,
    mission: list[str] | None = MissionOption,
) -> None:
    """Write a balanced research panel (peacesciencer-style) with the chosen additions."""
    from bluehelmet.errors import InputError
    from bluehelmet.services import analytics as service

    writers = {".csv": "to_csv", ".parquet": "to_parquet", ".xlsx": "to_excel"}
    writer = writers.get(out.suffix.lower())
    if writer is None:
        msg = f"panel file {out} must end in .csv, .parquet or .xlsx"
        raise InputError(msg, field="out")
    result = service.panel(
        kind, add=add or [], start=start, end=end, contributors=contributor, missions=mission
    )
    getattr(result, writer)(out)
    typer.echo(f"{len(result)} rows x {len(result.frame.columns)} columns written to {out}")
    for line in result.citations():
        typer.echo(f"cite: {line}")

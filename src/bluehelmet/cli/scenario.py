"""``bluehelmet scenario run|withdraw|cut``: shocks, uncertainty and cuts, rendered.

Thin: parse, call :mod:`bluehelmet.services.scenarios`, render (table, json or csv).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.panel import Panel

from bluehelmet.cli._output import FormatOption, OutputFormat, console, emit, fail, progress_bar
from bluehelmet.errors import BluehelmetError

scenario_app = typer.Typer(
    help="What-if analysis: shocks, pledge uncertainty (Monte Carlo, Dask), withdrawals, cuts.",
    no_args_is_help=True,
)


def _json(data: Any) -> None:
    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    sys.stdout.write(json.dumps(clean(data), ensure_ascii=False) + "\n")


@scenario_app.command("run")
def run(
    scenario: Annotated[
        Path | None,
        typer.Argument(help="Scenario file (YAML or JSON). Without it: the demo scenario."),
    ] = None,
    *,
    demo: Annotated[bool, typer.Option("--demo", help="Use the illustrative demo.")] = False,
    shock: Annotated[
        list[Path] | None,
        typer.Option("--shock", help="Shock file (YAML or JSON); repeatable, applied in order."),
    ] = None,
    draws: Annotated[
        int, typer.Option("--draws", min=0, max=1_000_000, help="Monte Carlo draws (0: none).")
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the draws.")] = 0,
    scheduler: Annotated[
        str,
        typer.Option(
            "--scheduler",
            help="processes (default: a local process pool), serial, local (a Dask "
            "LocalCluster) or a Dask scheduler address tcp://HOST:PORT.",
        ),
    ] = "processes",
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, max=256, help="Pool or LocalCluster size."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Solver seconds per plan.")
    ] = 60.0,
    explain: Annotated[
        bool, typer.Option("--explain/--no-explain", help="Compute the reasons of each gap.")
    ] = True,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Plan a scenario, re-plan it after shocks, and draw pledge uncertainty."""
    from bluehelmet.services.scenarios import run_scenario

    if scenario is not None and demo:
        raise fail("give a SCENARIO file or --demo, not both")
    try:
        with progress_bar("planning") as progress:
            result = run_scenario(
                scenario,
                shocks=shock or (),
                draws=draws,
                seed=seed,
                scheduler=scheduler,
                workers=workers,
                time_limit=time_limit,
                explain=explain,
                progress=progress,
            )
    except BluehelmetError as exc:
        raise fail(str(exc)) from exc
    data = result.to_dict()
    if fmt is OutputFormat.JSON:
        _json(data)
        return
    if fmt is OutputFormat.CSV:
        if result.draws is not None:
            emit(result.draws.requirements.to_dicts(), fmt)
        elif result.comparison is not None:
            emit(result.comparison.to_dicts(), fmt)
        else:
            emit(data["baseline"]["assignments"], fmt)
        return
    _render_run(result)


def _fill_line(plan: dict[str, Any]) -> str:
    o = plan["objective"]
    proven = "proven optimal" if plan["quality"]["optimal"] else plan["quality"]["status"]
    gaps = sum(g["missing"] for g in plan["gaps"])
    return (
        f"fill {o['fill']:g} (LP bound {plan['bound']:,.2f}, {proven}), "
        f"legitimacy {o['legitimacy']:,.2f}, cost USD {o['cost'] / 1e6:,.1f}M, "
        f"{gaps} units missing"
    )


def _render_run(result: Any) -> None:
    data = result.to_dict()
    lines = [f"[bold]baseline[/] {_fill_line(data['baseline'])}"]
    if "shocked" in data:
        s = data["shocked"]
        lines.append(f"[bold]after shocks[/] {_fill_line(s)}")
        lines.append(
            f"[bold]units lost[/] {s['units_lost']}, [bold]re-sourced[/] {s['units_resourced']}"
        )
        for name in s["shocks"]:
            lines.append(f"  [dim]shock:[/] {name}")
    console.print(Panel("\n".join(lines), title=result.scenario.name, title_align="left"))
    if result.comparison is not None:
        changed = result.comparison.filter(
            (result.comparison["lost"] > 0)
            | (result.comparison["resourced"] > 0)
            | (result.comparison["missing_after"] > 0)
        )
        cols = ["requirement", "mission", "unit_type", "required_after", "filled_before"]
        cols += ["filled_after", "lost", "resourced", "missing_after"]
        emit(
            changed.to_dicts(),
            OutputFormat.TABLE,
            title="Requirements the shocks touch",
            columns=cols,
        )
        for row in changed.filter(changed["reasons"] != "").iter_rows(named=True):
            console.print(f"[bold]{escape(row['requirement'])}[/] gap: {escape(row['reasons'])}")
    if result.draws is None:
        if result.marginal is not None and not result.marginal.is_empty():
            emit(
                result.marginal.to_dicts(),
                OutputFormat.TABLE,
                title="Marginal value of one extra unit (weighted fill recovered)",
            )
        return
    d = result.draws
    console.print(
        f"[bold]{d.n} draws[/] (seed {d.seed}, {d.scheduler}): weighted fill mean "
        f"{d.fill_mean:,.2f} (5-95%: {d.fill_p05:,.1f}-{d.fill_p95:,.1f}); "
        f"{d.fractional_draws} draws had a fractional LP optimum (integer optimum sought)"
    )
    cols = ["requirement", "mission", "unit_type", "required", "fill_mean", "fill_p05"]
    cols += ["p_unfilled", "expected_shortfall"]
    emit(d.requirements.to_dicts(), OutputFormat.TABLE, title="Fill per requirement", columns=cols)
    emit(d.missions.to_dicts(), OutputFormat.TABLE, title="Fill per mission")
    emit(
        d.criticality.head(10).to_dicts(),
        OutputFormat.TABLE,
        title="Pledges whose loss most often creates a gap",
    )
    r = d.robust_summary
    console.print(
        Panel(
            f"deterministic plan, as committed: mean weighted fill {r['plan_fill_mean']:,.2f}\n"
            f"with {r['backup_units']:g} backup units asked: {r['robust_fill_mean']:,.2f}\n"
            f"re-planning every draw (every rule enforced): {r['replanned_fill_mean']:,.2f}",
            title="robust planning on the same draws",
            title_align="left",
            expand=False,
        )
    )
    emit(
        d.marginal.to_dicts(),
        OutputFormat.TABLE,
        title="Marginal value of one extra unit (mean weighted fill recovered)",
    )
    console.print("[dim]pledge uncertainty: ASSUMPTIONS unless set in a shock file[/]")
    emit(d.uncertainty.to_dicts(), OutputFormat.TABLE)


@scenario_app.command("withdraw")
def withdraw(
    *,
    contributor: Annotated[
        str, typer.Option("--contributor", "-c", help="Contributing state: ISO-3, name or code.")
    ],
    mission: Annotated[str, typer.Option("--mission", "-m", help="Mission acronym or name.")],
    month: Annotated[str, typer.Option("--month", help="Month, YYYY-MM.")],
    top: Annotated[
        int, typer.Option("--top", min=1, max=1000, help="Other contributors listed per category.")
    ] = 10,
    fmt: OutputFormat = FormatOption,
) -> None:
    """A contributor leaves a mission in a month of the stored contribution record."""
    from bluehelmet.services.scenarios import withdraw as service_withdraw

    try:
        result = service_withdraw(contributor, mission, month, top=top)
    except (BluehelmetError, LookupError) as exc:
        raise fail(str(exc)) from exc
    data = result.to_dict()
    if fmt is OutputFormat.JSON:
        _json(data)
        return
    rows = [
        {
            "category": k,
            "before": result.before[k],
            "lost": result.lost.get(k, 0),
            "remaining": result.remaining[k],
            "share_lost": result.share_lost[k],
        }
        for k in result.before
    ]
    if fmt is OutputFormat.CSV:
        emit(rows, fmt)
        return
    title = f"{result.contributor} leaves {result.mission}, {data['month']}"
    emit(rows, fmt, title=title)
    dv = result.diversity

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.1%}"

    console.print(
        f"contributors {dv['contributors_before']} → {dv['contributors_after']}; "
        f"HHI {dv['hhi_before']:.3f} → {dv['hhi_after']:.3f}; women's share "
        f"{pct(dv['women_share_before'])} → {pct(dv['women_share_after'])} "
        f"({result.women_lost} women leave)"
    )
    emit(
        result.capacity.to_dicts(),
        fmt,
        title="Other contributors with capacity of that category in the record",
    )
    for line in result.assumptions:
        console.print(f"[dim]assumption: {escape(line)}[/]")


@scenario_app.command("cut")
def cut(
    *,
    share: Annotated[
        float, typer.Option("--share", help="Share of uniformed personnel repatriated, 0-1.")
    ] = 0.25,
    rule: Annotated[
        str, typer.Option("--rule", help="proportional or lifo (last in, first out).")
    ] = "proportional",
    month: Annotated[
        str | None, typer.Option("--month", help="Month, YYYY-MM (default: the latest stored).")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows shown per table.")] = 20,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Apply a personnel cut like October 2025's (about a quarter) to a stored month."""
    from bluehelmet.services.scenarios import cut as service_cut

    try:
        result = service_cut(share, rule, month)
    except BluehelmetError as exc:
        raise fail(str(exc)) from exc
    if fmt is OutputFormat.JSON:
        _json(result.to_dict())
        return
    if fmt is OutputFormat.CSV:
        emit(result.missions.to_dicts(), fmt)
        return
    console.print(
        f"[bold]{result.rule}[/] cut of {result.share:.0%} in {result.month:%Y-%m}: "
        f"{result.removed:,} of {result.before:,} uniformed personnel repatriated"
    )
    emit(result.missions.head(top).to_dicts(), fmt, title="What each mission loses")
    emit(result.contributors.head(top).to_dicts(), fmt, title="What each contributor loses")
    for line in result.assumptions:
        console.print(f"[dim]assumption: {escape(line)}[/]")


def register(app: typer.Typer) -> None:
    """Add the ``scenario`` command group to ``app``."""
    app.add_typer(scenario_app, name="scenario")

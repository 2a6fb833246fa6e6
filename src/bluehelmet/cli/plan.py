"""``bluehelmet plan``: plan force generation for a scenario (or the demo) and show the result."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from bluehelmet.cli._output import (
    FormatOption,
    OutputFormat,
    console,
    emit,
    fail,
    fitted_table,
    progress_bar,
)
from bluehelmet.domain.planning import Beneficiary, Plan


def _money(usd: float) -> str:
    return f"USD {usd / 1e6:,.1f}M"


def _spend_line(p: Plan, budget: float | None) -> str:
    spend = sum(a.cost_usd for a in p.assignments)
    limit = f" of a budget of {_money(budget)}" if budget is not None else " (no budget set)"
    return f"[bold]spend[/] {_money(spend)}{limit}\n"


def _number(value: float | None, stage: str) -> str:
    if value is None:
        return "none proven"
    return _money(value) if stage == "cost" else f"{value:,.2f}"


def _quality_line(p: Plan, budget: float | None = None) -> str:
    q = p.quality
    share = q.baseline.fill / q.objective.fill if q.objective.fill else 1.0
    lines = []
    for s in q.stages:
        state = "proven optimal" if s.optimal else s.status
        gap = f"gap {s.gap:.2%}" if s.gap is not None else "gap unknown"
        lines.append(
            f"[bold]{s.name}[/] {_number(s.objective, s.name)}  "
            f"({'upper' if s.sense == 'max' else 'lower'} bound {_number(s.bound, s.name)}, "
            f"{gap}, {state})"
        )
    lp = f"{q.lp_bound:,.2f}" if q.lp_bound is not None else "none (did not finish)"
    return (
        _spend_line(p, budget)
        + "\n".join(lines)
        + f"\n[bold]LP bound[/] of fill {lp}; gap explanations: {q.explanations}\n"
        f"[bold]greedy baseline[/] fill {q.baseline.fill:g} ({share:.0%} of the plan), "
        f"legitimacy {q.baseline.legitimacy:,.2f}, cost {_money(q.baseline.cost)}\n"
        + _partnership_line(p)
        + f"[dim]solved as {q.method} in {q.solve_seconds:.2f} s "
        f"(LP relaxation {q.lp_seconds:.3f} s); whole call {q.seconds:.2f} s"
        + (f" of a {q.time_limit:g} s limit" if q.time_limit is not None else "")
        + "; the cost objective adds the value of deployment time to the spend[/]"
    )


def _partnership_line(p: Plan) -> str:
    q = p.quality
    if q.without_partnerships is None or q.units_without_partnerships is None:
        return ""
    units = sum(a.units for a in p.assignments) - q.units_without_partnerships
    fill = q.objective.fill - q.without_partnerships.fill
    offers = len(p.partnerships)
    return (
        f"[bold]partnerships[/] recover {units} unit{'s' if units != 1 else ''} of fill "
        f"(weighted fill +{fill:g}; {q.without_partnerships.fill:g} without) with {offers} "
        f"activated offer{'s' if offers != 1 else ''}\n"
    )


def _beneficiary(b: Beneficiary) -> str:
    parts = [", ".join(v) if v else "any" for v in (b.contributors, b.unit_types, b.missions)]
    return " / ".join(parts)


def _render_partnerships(p: Plan) -> None:
    headers = ["offer", "partner", "kind", "beneficiary", "used", "relied on by"]
    rows = [
        [
            escape(o.offer),
            escape(o.partner),
            o.kind.value,
            escape(_beneficiary(o.beneficiary)),
            escape(f"{o.used:g} of {o.capacity:g} {o.unit}"),
            escape(", ".join(f"{pl}->{rq} ({n})" for pl, rq, n in o.assignments)),
        ]
        for o in p.partnerships
    ]
    folding = {"offer": 8, "beneficiary": 8}
    table = fitted_table("Partnerships the plan relies on", headers, rows, folding=folding)
    if table is None:
        keys = [h.replace(" ", "_") for h in headers]
        emit([dict(zip(keys, r, strict=True)) for r in rows], OutputFormat.TABLE)
    else:
        console.print(table)


def _render_assignments(p: Plan) -> None:
    """The plan's assignments by mission, fitted to the terminal (``fitted_table``); split
    into parts by columns when even the borderless layout does not fit."""
    headers = ["mission", "req.", "unit type", "contributor", "units", "personnel"]
    headers += ["arrives", "cost USD", "relies on"]
    right = {"units", "personnel", "cost USD"}
    folding = {"unit type": 6, "relies on": 6}
    rows: list[list[str]] = []
    records: list[dict[str, object]] = []  # the same, plain, for the split layout
    breaks: list[bool] = []
    last = None
    for a in sorted(p.assignments, key=lambda a: (a.mission, a.requirement, a.contributor)):
        late = f" (+{a.late_days} d late)" if a.late_days else ""
        cost = f"{a.cost_usd / 1e6:,.1f}M"
        offers = ", ".join(a.offers)
        breaks.append(last is not None and a.mission != last)
        rows.append(
            [
                escape(a.mission) if a.mission != last else "",
                escape(a.requirement),
                escape(a.unit_type),
                escape(a.contributor),
                str(a.units),
                f"{a.personnel:,}",
                a.arrival.isoformat() + (f" [red]{late.strip()}[/]" if late else ""),
                cost,
                escape(offers),
            ]
        )
        records.append(
            {
                "req": a.requirement,
                "from": a.contributor,
                "mission": a.mission,
                "unit_type": a.unit_type,
                "units": a.units,
                "personnel": a.personnel,
                "arrives": a.arrival.isoformat() + late,
                "cost_usd": cost,
                "relies_on": offers,
            }
        )
        last = a.mission
    title = f"Plan: {escape(p.scenario)}"
    table = fitted_table(title, headers, rows, right=right, folding=folding, sections=breaks)
    if table is None or not table.show_edge:
        # Short of room: the contributor's 3-letter codes go under a shorter header.
        headers[3] = "from"
        table = fitted_table(title, headers, rows, right=right, folding=folding, sections=breaks)
    if table is not None:
        console.print(table)
    else:
        # Too narrow for one table: the generic tables, split by columns, each part led by
        # the requirement and the contributor (which name an assignment).
        emit(records, OutputFormat.TABLE, title=f"Plan: {p.scenario}")


def _render(p: Plan, budget: float | None = None) -> None:
    _render_assignments(p)
    if p.partnerships:
        _render_partnerships(p)
    if p.gaps:
        headers = ["req.", "mission", "unit type", "filled"]
        headers += ["reasons (units recovered if the rule were relaxed)"]
        rows: list[list[str]] = []
        for g in p.gaps:
            reasons = "\n".join(
                f"[bold]{r.cause.value}[/]: {escape(r.detail)}"
                + (f" [dim](+{r.recoverable_units})[/]" if r.recoverable_units else "")
                for r in g.reasons
            )
            if g.explanation not in ("complete", "not requested"):
                reasons += ("\n" if reasons else "") + f"[yellow]{g.explanation}[/]"
            filled = f"{g.filled}/{g.required}" + (f", {g.late_units} late" if g.late_units else "")
            rows.append(
                [
                    escape(g.requirement),
                    escape(g.mission),
                    escape(g.unit_type),
                    filled,
                    reasons or "[dim]—[/]",
                ]
            )
        folding = {"unit type": 6, headers[-1]: 12}
        gaps = fitted_table(
            "Gaps and why", headers, rows, right={"filled"}, folding=folding, show_lines=True
        )
        if gaps is None:
            keys = ["req", "mission", "unit_type", "filled", "reasons"]
            plain = [[Text.from_markup(c).plain for c in r] for r in rows]
            emit([dict(zip(keys, r, strict=True)) for r in plain], OutputFormat.TABLE)
        else:
            console.print(gaps)
    else:
        console.print("[green]Every requirement is filled on time.[/]")
    console.print(
        Panel(_quality_line(p, budget), title="quality", title_align="left", expand=False)
    )
    for note in p.notes:
        console.print(f"[dim]note: {escape(note)}[/]")


def plan(
    scenario: Annotated[
        Path | None,
        typer.Argument(help="Scenario file (YAML or JSON). Without it: the demo scenario."),
    ] = None,
    *,
    demo: Annotated[bool, typer.Option("--demo", help="Plan the illustrative demo.")] = False,
    fmt: OutputFormat = FormatOption,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=0.1,
            max=86_400.0,
            help="Seconds for the whole plan: the three stages and the gap explanations.",
        ),
    ] = 60.0,
    explain: Annotated[
        bool,
        typer.Option("--explain/--no-explain", help="Compute the reasons of each gap."),
    ] = True,
    partnerships: Annotated[
        bool,
        typer.Option(
            "--partnerships/--no-partnerships",
            help="Let the plan activate accepted partnership offers (training, equipment, "
            "lift); --no-partnerships plans with none, for comparison.",
        ),
    ] = True,
    offers: Annotated[
        list[Path] | None,
        typer.Option(
            "--offers",
            help="Add the partnership offers of this CSV or YAML file to the scenario "
            "(repeatable).",
        ),
    ] = None,
    stored: Annotated[
        bool,
        typer.Option("--stored", help="Plan the store's pledges and requirements."),
    ] = False,
    save: Annotated[
        bool, typer.Option("--save", help="Save the plan in the store (see `plans`).")
    ] = False,
    name: Annotated[
        str | None,
        typer.Option("--name", help="Name of the saved plan (default: scenario and time)."),
    ] = None,
) -> None:
    """Match pledged units to mission requirements, explain the gaps, report the quality."""
    from bluehelmet.services import planning
    from bluehelmet.services.partnership_planning import scenario_with_offer_files

    if sum((scenario is not None, demo, stored)) > 1:
        raise fail("give one of a SCENARIO file, --demo or --stored")
    if name is not None and not save:
        raise fail("--name names a saved plan: add --save")
    core = None
    if stored or save:
        from bluehelmet.services.access import ensure_store
        from bluehelmet.services.core import Core

        core = Core()
        ensure_store(core)
    try:
        if stored and core is not None:
            sc = planning.stored_scenario(core)
        else:
            sc = planning.demo_scenario() if scenario is None else planning.load_scenario(scenario)
        if offers:
            sc = scenario_with_offer_files(sc, offers)
        with progress_bar(f"planning {sc.name}") as progress:
            result = planning.run_plan(
                sc,
                time_limit=time_limit,
                explain=explain,
                progress=progress,
                partnerships=partnerships,
                cap=None,
            )
        if save and core is not None:
            from datetime import UTC, datetime

            label = name or f"{sc.name} {datetime.now(UTC):%Y-%m-%d %H:%M:%S}"
            saved = planning.save_plan(
                core,
                result,
                name=label,
                source="store" if stored else "scenario",
                budget=sc.policy.budget,
            )
            typer.echo(f"saved plan {saved['id']}: {saved['name']}", err=True)
    finally:
        if core is not None:
            core.close()
    if fmt is OutputFormat.JSON:
        sys.stdout.write(
            json.dumps(planning.plan_to_dict(result), ensure_ascii=False, allow_nan=False) + "\n"
        )
    elif fmt is OutputFormat.CSV:
        emit(planning.plan_to_dict(result)["assignments"], fmt)
    else:
        _render(result, sc.policy.budget)


plans_app = typer.Typer(help="Saved force-generation plans.", no_args_is_help=True)


def plans_list(fmt: OutputFormat = FormatOption) -> None:
    """List the saved plans, newest first."""
    from bluehelmet.services.access import ensure_store
    from bluehelmet.services.core import Core
    from bluehelmet.services.planning import list_plans

    with Core() as core:
        ensure_store(core)
        rows, _ = list_plans(core, limit=None)
    emit(
        rows,
        fmt,
        title="Saved plans",
        columns=["id", "name", "status", "source", "created_at", "fill", "legitimacy", "cost_usd"],
    )


def plans_show(
    plan_id: Annotated[str, typer.Argument(help="Id or name of a saved plan.")],
    fmt: OutputFormat = FormatOption,
) -> None:
    """Show a saved plan: its quality, assignments and gaps."""
    from bluehelmet.services.access import ensure_store
    from bluehelmet.services.core import Core
    from bluehelmet.services.planning import get_plan

    with Core() as core:
        ensure_store(core)
        detail = get_plan(core, None, plan_id)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(json.dumps(detail, default=str, ensure_ascii=False) + "\n")
        return
    if fmt is OutputFormat.CSV:
        emit(detail["assignments"], fmt)
        return
    summary = [
        {"field": k, "value": v}
        for k, v in detail.items()
        if k not in ("assignments", "gaps", "notes")
    ]
    emit(summary, fmt, title=f"Plan {detail['id']}: {detail['name']}")
    emit(detail["assignments"], fmt, title="Assignments")
    gaps = [g | {"reasons": [r["cause"] for r in g["reasons"]]} for g in detail["gaps"]]
    emit(gaps, fmt, title="Gaps")


def plans_compare(
    first: Annotated[str, typer.Argument(help="Id or name of the first plan.")],
    second: Annotated[str, typer.Argument(help="Id or name of the second plan.")],
    fmt: OutputFormat = FormatOption,
) -> None:
    """Compare two saved plans: objectives and changed assignments."""
    from bluehelmet.services.access import ensure_store
    from bluehelmet.services.core import Core
    from bluehelmet.services.planning import compare_plans

    with Core() as core:
        ensure_store(core)
        result = compare_plans(core, None, first, second)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(json.dumps(result, default=str, ensure_ascii=False) + "\n")
        return
    emit(
        result["objectives"], fmt, title=f"{result['first']['name']} vs {result['second']['name']}"
    )
    if fmt is OutputFormat.TABLE:
        emit(result["assignments"], fmt, title="Changed assignments")
        emit(result["gaps"], fmt, title="Missing units")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command(name="plan")(plan)
    plans_app.command("list")(plans_list)
    plans_app.command("show")(plans_show)
    plans_app.command("compare")(plans_compare)
    app.add_typer(plans_app, name="plans")

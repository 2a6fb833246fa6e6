"""``bluehelmet data import|status|sync|check``: contribution data (thin over services.data)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from bluehelmet.cli._output import (
    FormatOption,
    OutputFormat,
    console,
    emit,
    fail,
    progress_bar,
)

data_app = typer.Typer(help="Contribution data: import, status, sync, check.", no_args_is_help=True)

MappingOption = Annotated[
    Path | None,
    typer.Option("--mapping", help="YAML file resolving unknown names (countries:, missions:)."),
]
SkipOption = Annotated[
    bool,
    typer.Option("--skip-unknown", help="Skip (and report) rows whose names stay unresolved."),
]
ReplaceOption = Annotated[
    bool,
    typer.Option(
        "--replace",
        help="Replace the months a file covers even where stored contributors it does not "
        "list would be removed (refused without it, with a report).",
    ),
]
OutputOption = Annotated[
    OutputFormat, typer.Option("--output", "-o", help="Summary as table, json or csv.")
]


def _summary_rows(results: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        d = r.as_dict()
        rows.append(
            {
                "file": Path(d["file"]).name,
                "format": d["format"],
                "status": d["status"],
                "rows_read": d["rows_read"],
                "rows_stored": d["rows_stored"],
                "rows_rejected": d["rows_rejected"],
                "rows_skipped": d["rows_skipped_unknown"],
                "replaced": len(d["replaced"]),
                "months": f"{d['month_first'][:7]}..{d['month_last'][:7]}"
                if d["month_first"]
                else "",
                "totals": ", ".join(f"{k}={v:,}" for k, v in d["totals"].items()),
            }
        )
    return rows


def _render(results: list[Any], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.JSON:
        import json
        import sys

        sys.stdout.write(json.dumps([r.as_dict() for r in results], default=str) + "\n")
        return
    rows = _summary_rows(results)
    if fmt is not OutputFormat.TABLE:
        emit(rows, fmt, title="Import summary")
        return
    emit(rows, fmt, title="Import summary", columns=[k for k in rows[0] if k != "totals"])
    totals = [
        {"file": Path(r.file).name, "category": k, "personnel": f"{v:,}"}
        for r in results
        for k, v in r.totals.items()
    ]
    if totals:
        emit(totals, fmt, title="Personnel stored, by category (sum over months)")
    if fmt is OutputFormat.TABLE:
        for r in results:
            for rep in r.replaced:
                months = rep["months"]
                shown = f"{len(months)} month(s)" if isinstance(months, list) else months
                console.print(
                    f"[yellow]replaced[/] {shown} of {escape(Path(rep['file']).name)} "
                    f"({rep['dataset']}) with {escape(Path(r.file).name)}"
                )
            for issue in r.issues:
                d = issue.as_dict()
                lines = ", ".join(map(str, d["lines"])) + (" ..." if d["more_lines"] else "")
                console.print(
                    f"[yellow]{d['kind']}[/] {escape(Path(r.file).name)}: {escape(d['message'])} "
                    f"({d['rows']} row(s); lines {lines})"
                )
                for detail in d["details"][:20]:
                    figures = ", ".join(f"{k}={v}" for k, v in detail.items() if k != "line")
                    console.print(f"    line {detail['line']}: {escape(figures)}", highlight=False)
                if len(d["details"]) > 20:
                    console.print(f"    ... {len(d['details']) - 20} more (all with -o json)")
            for u in r.skipped:
                d = u.as_dict()
                personnel = "" if d["personnel"] is None else f", personnel {d['personnel']:,}"
                console.print(
                    f"[yellow]skipped[/] unknown {d['kind']} {escape(repr(d['name']))} in "
                    f"{escape(Path(r.file).name)}: "
                    f"{d['rows']} row(s){personnel}, lines "
                    f"{', '.join(map(str, d['lines']))}"
                )


def import_(  # noqa: PLR0917 - typer reads the signature
    paths: Annotated[
        list[Path], typer.Argument(help="Files to import.", exists=True, dir_okay=False)
    ],
    source_format: Annotated[
        str | None,
        typer.Option(
            "--format", help="Force the format by adapter name (docs/data.md lists them)."
        ),
    ] = None,
    mapping: MappingOption = None,
    skip_unknown: SkipOption = False,
    aliases: Annotated[
        Path | None,
        typer.Option("--aliases", help="Extra column aliases for the UN Data Hub format (YAML)."),
    ] = None,
    replace: ReplaceOption = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Import published contribution files (format detected from the header)."""
    from bluehelmet.services import data as service

    with progress_bar() as progress:
        results = service.import_files(
            paths,
            format=source_format,
            mapping=mapping,
            skip_unknown=skip_unknown,
            aliases=aliases,
            replace=replace,
            progress=progress,
        )
    _render(results, output)


def status(fmt: OutputFormat = FormatOption) -> None:
    """Imported files in force: dataset, format, sha256, months covered, rows."""
    from bluehelmet.services import data as service

    rows = service.data_status()
    if fmt is OutputFormat.TABLE and not rows:
        console.print("nothing imported yet: run 'bluehelmet data import FILE' or 'data sync'")
        return
    if fmt is OutputFormat.TABLE:
        rows = [{**r, "sha256": str(r["sha256"])[:12] + "…"} for r in rows]
    emit(
        rows,
        fmt,
        title="Contribution data",
        columns=[
            "dataset",
            "format",
            "file",
            "sha256",
            "month_first",
            "month_last",
            "months",
            "rows",
            "imported_at",
        ]
        if fmt is OutputFormat.TABLE
        else None,
    )


def sync(  # noqa: PLR0917 - typer reads the signature
    sources: Annotated[
        Path | None,
        typer.Option("--sources", help="YAML list of {name, url, sha256} (default: UN Data Hub)."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Download again even if cached.")
    ] = False,
    mapping: MappingOption = None,
    skip_unknown: SkipOption = False,
    replace: ReplaceOption = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Download the official files (cache, SHA-256, resume) and import them."""
    from bluehelmet.services import data as service

    with progress_bar() as progress:
        downloads, results = service.sync(
            sources,
            refresh=refresh,
            mapping=mapping,
            skip_unknown=skip_unknown,
            replace=replace,
            progress=progress,
        )
    if output is OutputFormat.TABLE:
        emit(
            [d.as_dict() for d in downloads],
            output,
            title="Downloads",
            columns=["name", "status", "size", "sha256"],
        )
    _render(results, output)


def check(
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Delete leftovers and rewrite missing or damaged files from their source "
            "(its recorded path or the download cache).",
        ),
    ] = False,
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt",
            help="Record this home's data folder as the store's (after moving the folder).",
        ),
    ] = False,
    fmt: OutputFormat = FormatOption,
) -> None:
    """The store's health: missing, damaged, orphan and .partial files (exit 1 if any remain)."""
    from bluehelmet.services import data as service

    problems = service.data_check(repair=repair, adopt=adopt)
    if fmt is OutputFormat.TABLE and not problems:
        console.print("the store is healthy: every stored file is present and verified")
        return
    if problems:
        emit(
            problems,
            fmt,
            title="Store check",
            columns=["kind", "dataset", "path", "source", "repaired"]
            if fmt is OutputFormat.TABLE
            else None,
        )
    elif fmt is not OutputFormat.TABLE:
        emit([], fmt, title="Store check")
    if any(p["repaired"] is None for p in problems):
        raise fail(
            f"{sum(p['repaired'] is None for p in problems)} problem(s) found; "
            "'bluehelmet data check --repair' repairs what it can"
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    data_app.command("import")(import_)
    data_app.command("status")(status)
    data_app.command("sync")(sync)
    data_app.command("check")(check)
    app.add_typer(data_app, name="data")

"""``bluehelmet data import|status|sync``: contribution data commands (thin over services.data)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bluehelmet.cli._output import (
    FormatOption,
    OutputFormat,
    console,
    emit,
    fail,
    progress_bar,
)
from bluehelmet.services import data as service
from bluehelmet.sources import FORMATS, UnreconciledError

data_app = typer.Typer(help="Contribution data: import, status, sync.", no_args_is_help=True)

MappingOption = Annotated[
    Path | None,
    typer.Option("--mapping", help="YAML file resolving unknown names (countries:, missions:)."),
]
SkipOption = Annotated[
    bool,
    typer.Option("--skip-unknown", help="Skip (and report) rows whose names stay unresolved."),
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


def _report_rows(exc: UnreconciledError) -> list[dict[str, Any]]:
    rows = exc.report()
    for row in rows:
        row["file"] = Path(row["file"]).name
        shown = ", ".join(map(str, row["lines"][:8]))
        row["lines"] = shown + (", ..." if row["rows"] > 8 else "")
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
                    f"[yellow]replaced[/] {shown} of {Path(rep['file']).name} "
                    f"({rep['dataset']}) with {Path(r.file).name}"
                )
            for issue in r.issues:
                d = issue.as_dict()
                lines = ", ".join(map(str, d["lines"])) + (" ..." if d["more_lines"] else "")
                console.print(
                    f"[yellow]{d['kind']}[/] {Path(r.file).name}: {d['message']} "
                    f"({d['rows']} row(s); lines {lines})"
                )
            for u in r.skipped:
                d = u.as_dict()
                personnel = "" if d["personnel"] is None else f", personnel {d['personnel']:,}"
                console.print(
                    f"[yellow]skipped[/] unknown {d['kind']} {d['name']!r} in {Path(r.file).name}: "
                    f"{d['rows']} row(s){personnel}, lines "
                    f"{', '.join(map(str, d['lines']))}"
                )


def import_(  # noqa: PLR0917 - typer reads the signature
    paths: Annotated[
        list[Path], typer.Argument(help="Files to import.", exists=True, dir_okay=False)
    ],
    source_format: Annotated[
        str | None,
        typer.Option("--format", help=f"Force the format: {', '.join(FORMATS)}."),
    ] = None,
    mapping: MappingOption = None,
    skip_unknown: SkipOption = False,
    aliases: Annotated[
        Path | None,
        typer.Option("--aliases", help="Extra column aliases for the UN Data Hub format (YAML)."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Import published contribution files (format detected from the header)."""
    try:
        with progress_bar() as progress:
            results = service.import_files(
                paths,
                format=source_format,
                mapping=mapping,
                skip_unknown=skip_unknown,
                aliases=aliases,
                progress=progress,
            )
    except UnreconciledError as exc:
        emit(
            _report_rows(exc),
            OutputFormat.TABLE if output is OutputFormat.TABLE else output,
            title="Reconciliation report",
            columns=["file", "kind", "name", "rows", "personnel", "lines", "suggestions"],
        )
        raise fail(str(exc).splitlines()[0]) from exc
    _render(results, output)


def status(fmt: OutputFormat = FormatOption) -> None:
    """Imported files in force: dataset, format, sha256, months covered, rows."""
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


def sync(
    sources: Annotated[
        Path | None,
        typer.Option("--sources", help="YAML list of {name, url, sha256} (default: UN Data Hub)."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Download again even if cached.")
    ] = False,
    mapping: MappingOption = None,
    skip_unknown: SkipOption = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Download the official files (cache, SHA-256, resume) and import them."""
    try:
        with progress_bar() as progress:
            downloads, results = service.sync(
                sources,
                refresh=refresh,
                mapping=mapping,
                skip_unknown=skip_unknown,
                progress=progress,
            )
    except UnreconciledError as exc:
        emit(
            _report_rows(exc),
            OutputFormat.TABLE,
            title="Reconciliation report",
            columns=["file", "kind", "name", "rows", "personnel", "lines", "suggestions"],
        )
        raise fail(str(exc).splitlines()[0]) from exc
    if output is OutputFormat.TABLE:
        emit(
            [d.as_dict() for d in downloads],
            output,
            title="Downloads",
            columns=["name", "status", "size", "sha256"],
        )
    _render(results, output)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    data_app.command("import")(import_)
    data_app.command("status")(status)
    data_app.command("sync")(sync)
    app.add_typer(data_app, name="data")

"""``bluehelmet init`` and ``bluehelmet registry ...`` commands."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bluehelmet.cli._output import (
    FormatOption,
    OutputFormat,
    console,
    emit,
    progress_bar,
)

YearOption = Annotated[
    int | None, typer.Option("--year", "-y", help="Calendar year (YYYY).", min=1900, max=2200)
]


def _flatten(record: dict[str, Any]) -> dict[str, Any]:
    """Nested values (mandates) become counts so that table and CSV stay one line per row."""
    return {
        k: (len(v) if isinstance(v, list) and v and isinstance(v[0], dict) else v)
        for k, v in record.items()
    }


def init(
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Database URL (default: BLUEHELMET_DATABASE_URL)."),
    ] = None,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Create or upgrade the store and load the reference registry into it (safe to re-run)."""
    from bluehelmet.services import registry as service
    from bluehelmet.services.core import Core

    with Core(database_url=database_url) as core, progress_bar("reading the registry") as bar:
        report = service.init_store(core, progress=bar)
    rows = [
        {
            "table": t.table,
            "inserted": t.inserted,
            "updated": t.updated,
            "deleted": t.deleted,
            "unchanged": t.unchanged,
            "rows": t.rows,
        }
        for t in report.tables
    ]
    emit(rows, fmt, title=f"Store {report.url} at revision {report.revision_after}")
    if fmt is OutputFormat.TABLE:
        before = report.revision_before or "empty"
        state = "changed" if report.changed else "already up to date; nothing changed"
        console.print(
            f"schema {before} -> {report.revision_after}; {report.inserted} inserted, "
            f"{report.updated} updated, {report.deleted} deleted: {state}."
        )


def countries(
    un_member: Annotated[
        bool | None,
        typer.Option("--un-member/--non-member", help="Only UN members, or only non-members."),
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="UN M49 region, e.g. Africa.")
    ] = None,
    fmt: OutputFormat = FormatOption,
) -> None:
    """List states with their codes, UN membership and region."""
    from bluehelmet.services import registry as service

    rows = [
        service.country_record(c)
        for c in service.list_countries(un_member=un_member, region=region)
    ]
    emit(rows, fmt, title=f"{len(rows)} states")


def country(
    name: Annotated[str, typer.Argument(help="ISO-3 code, name or common alias.")],
    fmt: OutputFormat = FormatOption,
) -> None:
    """One state: codes, names, memberships, Council terms, missions hosted."""
    from bluehelmet.services import registry as service

    record = service.country_detail(service.get_country(name))
    _emit_detail(record, fmt, title=str(record["name"]))


def missions(
    active: Annotated[bool, typer.Option("--active", help="Only missions deployed today.")] = False,
    org: Annotated[
        str | None, typer.Option("--org", help="Lead organization code or name, e.g. UN, AU, EU.")
    ] = None,
    year: YearOption = None,
    host: Annotated[str | None, typer.Option("--host", help="Host state (code or name).")] = None,
    fmt: OutputFormat = FormatOption,
) -> None:
    """List peace operations, optionally active, by lead organization, year or host."""
    from bluehelmet.services import registry as service

    rows = [
        service.mission_record(m)
        for m in service.list_missions(active=active, org=org, year=year, host=host)
    ]
    emit(
        rows,
        fmt,
        title=f"{len(rows)} missions",
        columns=["acronym", "name", "lead", "start", "end", "hosts"],
    )


def mission(
    acronym: Annotated[str, typer.Argument(help="Acronym or name, e.g. MINUSCA.")],
    fmt: OutputFormat = FormatOption,
) -> None:
    """One mission: lead, dates, hosts, predecessor, successor and mandates."""
    from bluehelmet.services import registry as service

    record = service.mission_detail(service.get_mission(acronym))
    _emit_detail(record, fmt, title=f"{record['acronym']}: {record['name']}")
    if fmt is OutputFormat.TABLE and record["mandates"]:
        emit(
            record["mandates"],
            fmt,
            title="Mandates",
            columns=[
                "resolution",
                "adopted",
                "troop_ceiling",
                "police_ceiling",
                "observer_ceiling",
                "tasks",
            ],
        )


def council(
    year: Annotated[int, typer.Option("--year", "-y", help="Calendar year (YYYY).")],
    fmt: OutputFormat = FormatOption,
) -> None:
    """The Security Council in one year: permanent and elected members."""
    from bluehelmet.services import registry as service

    rows = service.records(service.council_members(year))
    emit(rows, fmt, title=f"Security Council {year}", columns=["iso3", "name", "permanent", "year"])


def organizations(fmt: OutputFormat = FormatOption) -> None:
    """List organizations with their kind, founding date and number of current members."""
    from bluehelmet.services import registry as service

    rows = [service.organization_record(o) for o in service.list_organizations()]
    emit(rows, fmt, title="Organizations")


def members(
    org: Annotated[str, typer.Argument(help="Organization code or name, e.g. AU.")],
    year: YearOption = None,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Member states of an organization: today, or at any time in --year."""
    from bluehelmet.services import registry as service

    code = service.get_organization(org).code
    rows = service.records(service.organization_members(code, year))
    when = f"in {year}" if year is not None else "today"
    emit(
        rows,
        fmt,
        title=f"{len(rows)} members of {code} {when}",
        columns=["iso3", "name", "joined", "left", "organization"],
    )


def _emit_detail(record: dict[str, Any], fmt: OutputFormat, *, title: str) -> None:
    if fmt is OutputFormat.TABLE:
        fields = [{"field": k, "value": v} for k, v in _flatten(record).items() if k != "mandates"]
        emit(fields, fmt, title=title)
    elif fmt is OutputFormat.CSV:
        emit([_flatten(record)], fmt)
    else:
        emit([record], fmt)


def register(app: typer.Typer) -> None:
    """Add the registry commands to ``app``."""
    app.command("init")(init)
    registry_app = typer.Typer(
        help="Reference registry: states, organizations, Council, missions.",
        no_args_is_help=True,
    )
    registry_app.command("countries")(countries)
    registry_app.command("country")(country)
    registry_app.command("missions")(missions)
    registry_app.command("mission")(mission)
    registry_app.command("council")(council)
    registry_app.command("organizations")(organizations)
    registry_app.command("members")(members)
    app.add_typer(registry_app, name="registry")

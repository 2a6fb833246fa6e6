"""Statements, PostgreSQL round trips and CPU per pledge change, beside another version.

For each kind of change (a creation with an ``Idempotency-Key``, its replay, an update, a visit,
a withdrawal) the script counts the SQL statements SQLAlchemy sends, the round trips libpq
sends (``Sync`` messages and simple queries such as ``BEGIN``/``COMMIT``, from libpq's own
trace), and the CPU time of this process per creation and per update over ``--repeat`` of
them, on a fresh PostgreSQL schema. With ``--baseline OTHER/src`` it measures another version's
services the same way, in a subprocess of the same run, and prints both with their ratio.

    python benchmarks/bench_round_trips.py [--repeat 200] [--baseline OTHER/src]
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

console = Console(width=160)
PG_SERVER = os.environ.get(
    "BLUEHELMET_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PLEDGE = {"unit_type": "INF_BN", "units": 1, "readiness": "level_3", "women_share": 0.1}
KINDS = ("create", "replay", "update", "visit", "withdraw")


def _messages(trace: Path) -> collections.Counter[str]:
    # as bluehelmet.testing.libpq_messages, kept here: this script also runs other versions
    found: collections.Counter[str] = collections.Counter()
    for line in trace.read_text(errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) > 3 and parts[1] == "F":
            found[parts[3].split(" ", 1)[0]] += 1
    return found


def measure(repeat: int) -> dict[str, Any]:
    """The counts and CPU times of the ``bluehelmet`` importable here."""
    from bluehelmet.services import pledges
    from bluehelmet.services.access import authenticate, create_user, ensure_store
    from bluehelmet.services.core import Core
    from bluehelmet.services.idempotency import IdempotencyKey, fingerprint

    schema = f"bh_rt_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_SERVER)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    out: dict[str, Any] = {}
    try:
        core = Core(
            home=Path(tempfile.mkdtemp()),
            database_url=f"{PG_SERVER}?options=-csearch_path%3D{schema}",
        )
        ensure_store(core)
        ghana = authenticate(core, create_user(core, "ghana", "delegation", country="GHA")[1])
        planner = authenticate(core, create_user(core, "planner", "planner")[1])

        def key(name: str) -> Any:
            return IdempotencyKey(name, "POST", "/api/v1/pledges", fingerprint(PLEDGE))

        for i in range(10):  # warm: statement caches, prepared statements, pooled connection
            made, _ = pledges.create_pledge(core, ghana, PLEDGE, idempotency=key(f"w{i}"))
            pledges.update_pledge(
                core, ghana, made["id"], {"units": 2}, if_match=pledges.etag(made)
            )
        statements: list[str] = []
        trace = Path(tempfile.mkdtemp()) / "libpq.trace"
        with trace.open("w") as sink:

            def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                statements.append(statement)

            def start(connection: Any, _record: Any, _proxy: Any) -> None:
                connection.pgconn.trace(sink.fileno())

            def stop(connection: Any, _record: Any) -> None:
                connection.pgconn.untrace()

            listeners = (("before_cursor_execute", count), ("checkout", start), ("checkin", stop))
            for name, listener in listeners:
                sa.event.listen(core.engine, name, listener)

            def note(kind: str) -> None:
                sink.flush()
                found = _messages(trace)
                out[kind] = [len(statements), found["Sync"] + found["Query"]]
                statements.clear()
                sink.seek(0)
                sink.truncate()

            made, _ = pledges.create_pledge(core, ghana, PLEDGE, idempotency=key("a"))
            note("create")
            pledges.create_pledge(core, ghana, PLEDGE, idempotency=key("a"))
            note("replay")
            made = pledges.update_pledge(
                core, ghana, made["id"], {"units": 3}, if_match=pledges.etag(made)
            )
            note("update")
            made = pledges.record_visit(
                core,
                planner,
                made["id"],
                kind="verification",
                visited_on=datetime.date(2026, 1, 5),
                level_after="level_2",
                if_match=pledges.etag(made),
            )["pledge"]
            note("visit")
            pledges.withdraw_pledge(core, ghana, made["id"], if_match=pledges.etag(made))
            note("withdraw")
            for name, listener in listeners:
                sa.event.remove(core.engine, name, listener)
        created = []
        started = time.process_time()
        for i in range(repeat):
            made, _ = pledges.create_pledge(core, ghana, PLEDGE, idempotency=key(f"c{i}"))
            created.append(made)
        out["create_cpu_ms"] = (time.process_time() - started) / repeat * 1000
        started = time.process_time()
        for made in created:
            pledges.update_pledge(
                core, ghana, made["id"], {"units": 4}, if_match=pledges.etag(made)
            )
        out["update_cpu_ms"] = (time.process_time() - started) / repeat * 1000
        core.close()
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="Changes timed per kind.")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="Also measure the services of this source folder (the `src` of another version).",
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.repeat <= 10_000:
        parser.error("--repeat must be 1..10000")
    if args.json:  # the subprocess measuring a baseline
        print(json.dumps(measure(args.repeat)))
        return
    results = {"now": measure(args.repeat)}
    if args.baseline is not None:
        if not (args.baseline / "bluehelmet").is_dir():
            parser.error(f"--baseline {args.baseline} holds no bluehelmet package")
        env = os.environ | {"PYTHONPATH": str(args.baseline.resolve())}
        command = [sys.executable, __file__, "--json", "--repeat", str(args.repeat)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        results = {"baseline": json.loads(done.stdout.splitlines()[-1]), **results}
    table = Table(title=f"Pledge changes on PostgreSQL (load average {os.getloadavg()[0]:.1f})")
    table.add_column("change")
    for name in results:
        table.add_column(f"{name}: statements / round trips", justify="right")
    for kind in KINDS:
        table.add_row(kind, *(f"{r[kind][0]} / {r[kind][1]}" for r in results.values()))
    for kind in ("create_cpu_ms", "update_cpu_ms"):
        cells = [f"{r[kind]:.2f} ms CPU" for r in results.values()]
        if "baseline" in results:
            cells[-1] += f" ({results['now'][kind] / results['baseline'][kind]:.2f}x)"
        table.add_row(kind.removesuffix("_cpu_ms") + " (this process)", *cells)
    console.print(table)


if __name__ == "__main__":
    main()

"""Load benchmark of the REST API: 50 concurrent clients on loopback, reads and pledge writes.

For each store (SQLite file, PostgreSQL schema) the script makes a fresh store with one admin
and ten delegations, starts ``bluehelmet serve`` (uvicorn) in a subprocess on a free port, and
runs concurrent asyncio clients (httpx2) for a bounded time: about 70 % open-data reads
(registry lists and details) and 30 % pledge writes, each write with an Idempotency-Key and
one in ten retried with the same key. Then it checks that every acknowledged write is stored
exactly once, that the audit log has one ``create`` entry per pledge, and that no answer was a
5xx. It reports throughput and p50/p95/p99 latency of reads and writes, and as a baseline the
same latencies of one client alone, measured in the same run (loaded / alone as a ratio).

    python benchmarks/bench_api.py [--seconds 20] [--clients 50] [--store sqlite|postgresql|both]

Goals (not a test): p95 of reads under 50 ms and of writes under 100 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from bluehelmet.services.access import create_user, ensure_store
from bluehelmet.services.core import Core

console = Console(width=200)
PG_SERVER = os.environ.get(
    "BLUEHELMET_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
STATES = ("GHA", "NPL", "BGD", "IND", "PAK", "RWA", "ETH", "EGY", "IDN", "SEN")
READS = (
    "/api/v1/registry/countries?limit=20",
    "/api/v1/registry/missions?limit=20",
    "/api/v1/registry/missions/UNMISS",
    "/api/v1/registry/countries/GHA",
    "/api/v1/registry/organizations",
)
UNITS = ("INF_BN", "CBT_ENG_COY", "QRF_COY")
LEVELS = ("level_1", "level_2", "level_3", "rapid")


@dataclass
class Tally:
    """What the clients saw."""

    reads: list[float] = field(default_factory=list)
    writes: list[float] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)  # idempotency key -> pledge id
    server_errors: int = 0
    other_errors: list[str] = field(default_factory=list)
    replays: int = 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _client(
    base: str, key: str, stop: float, tally: Tally, write_share: float, seed: int
) -> None:
    rng = random.Random(seed)
    async with httpx2.AsyncClient(base_url=base, timeout=30) as client:
        while time.monotonic() < stop:
            if rng.random() < write_share:
                idem = uuid.uuid4().hex
                body = {
                    "unit_type": rng.choice(UNITS),
                    "units": rng.randint(1, 3),
                    "readiness": rng.choice(LEVELS),
                    "women_share": round(rng.random() * 0.3, 2),
                }
                headers = {"X-API-Key": key, "Idempotency-Key": idem}
                for attempt in range(2 if rng.random() < 0.1 else 1):
                    started = time.perf_counter()
                    response = await client.post("/api/v1/pledges", json=body, headers=headers)
                    tally.writes.append(time.perf_counter() - started)
                    if response.status_code >= 500:
                        tally.server_errors += 1
                    elif response.status_code == 201:
                        pledge_id = response.json()["id"]
                        if idem in tally.acknowledged and tally.acknowledged[idem] != pledge_id:
                            tally.other_errors.append(f"retry of {idem} made a second pledge")
                        tally.acknowledged[idem] = pledge_id
                        tally.replays += attempt
                    else:
                        tally.other_errors.append(f"POST {response.status_code}")
            else:
                path = rng.choice(READS)
                started = time.perf_counter()
                response = await client.get(path)
                tally.reads.append(time.perf_counter() - started)
                if response.status_code >= 500:
                    tally.server_errors += 1
                elif response.status_code != 200:
                    tally.other_errors.append(f"GET {path} {response.status_code}")


async def _run(base: str, keys: list[str], clients: int, seconds: float, tally: Tally) -> float:
    started = time.monotonic()
    stop = started + seconds
    await asyncio.gather(
        *(_client(base, keys[i % len(keys)], stop, tally, 0.3, seed=i) for i in range(clients))
    )
    return time.monotonic() - started


def _check(url: str, tally: Tally) -> list[str]:
    """Every acknowledged write stored exactly once; one audit entry per pledge."""
    problems = []
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM pledge"))]
            audit = [
                r[0]
                for r in conn.execute(
                    sa.text(
                        "SELECT entity_id FROM audit_log "
                        "WHERE entity = 'pledge' AND action = 'create'"
                    )
                )
            ]
    finally:
        engine.dispose()
    acknowledged = set(tally.acknowledged.values())
    if len(acknowledged) != len(tally.acknowledged):
        problems.append("two idempotency keys acknowledged the same pledge")
    if sorted(ids) != sorted(acknowledged):
        problems.append(
            f"{len(acknowledged)} writes acknowledged but {len(ids)} pledges stored "
            f"({len(set(ids) - acknowledged)} unacknowledged, {len(acknowledged - set(ids))} lost)"
        )
    if sorted(int(a) for a in audit) != sorted(ids):
        problems.append(f"{len(audit)} audit entries for {len(ids)} pledges")
    if tally.server_errors:
        problems.append(f"{tally.server_errors} answers were 5xx")
    if tally.other_errors:
        problems.append(
            f"{len(tally.other_errors)} unexpected answers, e.g. {tally.other_errors[0]}"
        )
    return problems


def _bench(store: str, url: str, home: Path, seconds: float, clients: int) -> dict[str, object]:
    core = Core(home=home, database_url=url)
    ensure_store(core)
    keys = [create_user(core, f"delegation-{s}", "delegation", country=s)[1] for s in STATES]
    core.close()
    port = _free_port()
    env = os.environ | {"BLUEHELMET_HOME": str(home), "BLUEHELMET_DATABASE_URL": url}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("bluehelmet")), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx2.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                err = server.stderr.read().decode() if server.stderr else ""
                msg = f"the server did not start: {err[-2000:]}"
                raise RuntimeError(msg)
            time.sleep(0.2)
        for key in keys:  # the server verifies each key once (PBKDF2), then remembers it
            httpx2.get(f"{base}/api/v1/me", headers={"X-API-Key": key}, timeout=60)
        alone = Tally()
        asyncio.run(_run(base, keys, 1, min(3.0, seconds), alone))
        loaded = Tally()
        elapsed = asyncio.run(_run(base, keys, clients, seconds, loaded))
    finally:
        server.terminate()
        server.wait(timeout=30)
    problems = _check(url, _merge(alone, loaded))
    return {
        "store": store,
        "elapsed": elapsed,
        "alone": alone,
        "loaded": loaded,
        "problems": problems,
    }


def _merge(a: Tally, b: Tally) -> Tally:
    out = Tally()
    out.acknowledged = a.acknowledged | b.acknowledged
    out.server_errors = a.server_errors + b.server_errors
    out.other_errors = a.other_errors + b.other_errors
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="Load duration per store.")
    parser.add_argument("--clients", type=int, default=50, help="Concurrent clients.")
    parser.add_argument(
        "--store", choices=("sqlite", "postgresql", "both"), default="both", help="Stores."
    )
    args = parser.parse_args()
    if not 1 <= args.seconds <= 600 or not 1 <= args.clients <= 500:
        parser.error("--seconds must be 1..600 and --clients 1..500")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.store in ("sqlite", "both"):
            url = f"sqlite:///{root / 'bench.sqlite'}"
            console.print(f"[bold]SQLite[/] {args.clients} clients for {args.seconds:g} s ...")
            results.append(_bench("sqlite", url, root / "home-sqlite", args.seconds, args.clients))
        if args.store in ("postgresql", "both"):
            schema = f"bh_bench_{uuid.uuid4().hex[:10]}"
            admin = sa.create_engine(PG_SERVER)
            try:
                with admin.begin() as conn:
                    conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
                url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
                console.print(f"[bold]PostgreSQL[/] {args.clients} clients for {args.seconds:g} s")
                results.append(
                    _bench("postgresql", url, root / "home-pg", args.seconds, args.clients)
                )
            finally:
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                admin.dispose()
    table = Table(title=f"REST API under load ({args.clients} clients, loopback)")
    for col in (
        "store",
        "reads/s",
        "writes/s",
        "read p50/p95/p99 ms",
        "write p50/p95/p99 ms",
        "read p95 loaded/alone",
        "write p95 loaded/alone",
        "checks",
    ):
        table.add_column(col, justify="left" if col in ("store", "checks") else "right")
    failed = False
    for r in results:
        loaded: Tally = r["loaded"]  # type: ignore[assignment]
        alone: Tally = r["alone"]  # type: ignore[assignment]
        elapsed: float = r["elapsed"]  # type: ignore[assignment]
        problems: list[str] = r["problems"]  # type: ignore[assignment]
        failed = failed or bool(problems)

        def ms(values: list[float]) -> str:
            return "/".join(f"{_percentile(values, q) * 1000:.1f}" for q in (0.5, 0.95, 0.99))

        def ratio(a: list[float], b: list[float]) -> str:
            return f"{_percentile(a, 0.95) / _percentile(b, 0.95):.1f}x"

        table.add_row(
            str(r["store"]),
            f"{len(loaded.reads) / elapsed:,.0f}",
            f"{len(loaded.writes) / elapsed:,.0f}",
            ms(loaded.reads),
            ms(loaded.writes),
            ratio(loaded.reads, alone.reads),
            ratio(loaded.writes, alone.writes),
            "ok: every write once, one audit entry each, no 5xx"
            if not problems
            else "; ".join(problems),
        )
        console.print(
            f"{r['store']}: {len(loaded.acknowledged)} pledges acknowledged, "
            f"{loaded.replays} retries replayed; alone: read p95 "
            f"{_percentile(alone.reads, 0.95) * 1000:.1f} ms, write p95 "
            f"{_percentile(alone.writes, 0.95) * 1000:.1f} ms"
        )
    console.print(table)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

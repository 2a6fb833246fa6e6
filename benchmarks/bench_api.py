"""Load benchmark of the REST API: 50 concurrent clients on loopback, reads and pledge writes.

For each store (SQLite file, PostgreSQL schema) and each number of server worker processes the
script makes a fresh store with ten delegations, starts ``bluehelmet serve --workers N``
(uvicorn) in a subprocess on a free port, and runs concurrent asyncio clients (raw keep-alive
HTTP/1.1, light on CPU) for a bounded time: about 70 % open-data reads (registry lists and
details) and 30 % pledge writes, each write with an Idempotency-Key and one in ten retried with
the same key. Then it checks that every acknowledged write is stored exactly once, that the
audit log has one ``create`` entry per pledge, and that no answer was a 5xx. It reports
throughput and p50/p95/p99 latency of reads and writes, the same latencies of one client alone
measured in the same run (loaded / alone as a ratio), the p95s against the goals, and where the
CPU went: the server processes', PostgreSQL's backends' (those of the run's connections, found
by their ``application_name``) and this load generator's CPU time per request (from /proc and
getrusage), and the load average.

The clients send requests back to back (no think time), so by Little's law their mean latency
is ``clients / throughput``: with the server and the load generator sharing the machine's
cores, the CPU per request of both bounds the throughput and hence the latency.

    python benchmarks/bench_api.py [--seconds 20] [--clients 50] [--store sqlite|postgresql|both]
                                   [--workers 1,2] [--baseline OTHER/src]

Goals (not a test): p95 of reads under 50 ms and of writes under 100 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
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

from bluehelmet.api.app import MAX_DEFAULT_WORKERS
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
DEFAULT_WORKERS = max(2, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))
READ_GOAL_MS = 50.0
WRITE_GOAL_MS = 100.0
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


class _Connection:
    """One keep-alive HTTP/1.1 connection, the load generator's client.

    It writes a request and reads an answer with a ``Content-Length`` (what uvicorn sends for
    these routes): a few microseconds of CPU per request where a full client library spends
    milliseconds, so the machine's cores go to the server being measured.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, bytes]:
        """Send one request; return the status and the body of the answer."""
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        head = (await self._reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status_line, *header_lines = head.split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length: int | None = None
        close = False
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                msg = f"{method} {path}: a chunked answer (the load generator needs a length)"
                raise RuntimeError(msg)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        if length is None:
            msg = f"{method} {path}: an answer without Content-Length"
            raise RuntimeError(msg)
        data = await self._reader.readexactly(length)
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()
        self._reader = self._writer = None


async def _client(
    base: str, key: str, stop: float, tally: Tally, write_share: float, seed: int
) -> None:
    rng = random.Random(seed)
    host, port = base.removeprefix("http://").rsplit(":", 1)
    connection = _Connection(host, int(port))
    try:
        while time.monotonic() < stop:
            if rng.random() < write_share:
                idem = uuid.uuid4().hex
                body = json.dumps(
                    {
                        "unit_type": rng.choice(UNITS),
                        "units": rng.randint(1, 3),
                        "readiness": rng.choice(LEVELS),
                        "women_share": round(rng.random() * 0.3, 2),
                    }
                ).encode()
                headers = {"X-API-Key": key, "Idempotency-Key": idem}
                for attempt in range(2 if rng.random() < 0.1 else 1):
                    started = time.perf_counter()
                    status, data = await connection.request(
                        "POST", "/api/v1/pledges", headers, body
                    )
                    tally.writes.append(time.perf_counter() - started)
                    if status >= 500:
                        tally.server_errors += 1
                    elif status == 201:
                        pledge_id = json.loads(data)["id"]
                        if idem in tally.acknowledged and tally.acknowledged[idem] != pledge_id:
                            tally.other_errors.append(f"retry of {idem} made a second pledge")
                        tally.acknowledged[idem] = pledge_id
                        tally.replays += attempt
                    else:
                        tally.other_errors.append(f"POST {status}")
            else:
                path = rng.choice(READS)
                started = time.perf_counter()
                status, _ = await connection.request("GET", path, {})
                tally.reads.append(time.perf_counter() - started)
                if status >= 500:
                    tally.server_errors += 1
                elif status != 200:
                    tally.other_errors.append(f"GET {path} {status}")
    finally:
        await connection.close()


async def _run(base: str, keys: list[str], clients: int, seconds: float, tally: Tally) -> float:
    started = time.monotonic()
    stop = started + seconds
    clients_done = asyncio.gather(
        *(_client(base, keys[i % len(keys)], stop, tally, 0.3, seed=i) for i in range(clients))
    )
    await asyncio.wait_for(clients_done, seconds + 120)  # bounded even if the server hangs
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


def _process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of process ``pid`` and its children alive now (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    try:
        while pending:
            current = pending.pop()
            stat = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(stat[11]) + int(stat[12])) / tick
            children = Path(f"/proc/{current}/task/{current}/children")
            if children.exists():
                pending.extend(int(c) for c in children.read_text().split())
    except (OSError, ValueError, IndexError):
        return None
    return total


def _backend_cpu(url: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving ``url`` (by its ``application_name``;
    the server runs on this machine), or nothing for SQLite."""
    name = sa.engine.make_url(url).query.get("application_name")
    if name is None:
        return {}
    engine = sa.create_engine(PG_SERVER)
    try:
        with engine.connect() as conn:
            pids = conn.execute(
                sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name},
            ).scalars()
            found = {pid: _process_cpu(pid) for pid in pids}
    finally:
        engine.dispose()
    return {pid: cpu for pid, cpu in found.items() if cpu is not None}


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _start_server(
    home: Path, url: str, workers: int, log: Path, baseline: Path | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """``bluehelmet serve`` on a free port; from the ``baseline`` source tree when given."""
    port = _free_port()
    env = os.environ | {"BLUEHELMET_HOME": str(home), "BLUEHELMET_DATABASE_URL": url}
    if baseline is None:
        command = [str(Path(sys.executable).with_name("bluehelmet"))]
        command += ["serve", "--port", str(port), "--workers", str(workers)]
    else:  # the baseline's own code first on the path, with its default options
        env["PYTHONPATH"] = str(baseline)
        command = [sys.executable, "-c", "from bluehelmet.cli import main; main()"]
        command += ["serve", "--port", str(port)]
    with log.open("wb") as err:
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx2.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return server, base
        except httpx2.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.terminate()
            server.wait(timeout=30)
            msg = f"the server did not start: {log.read_text()[-2000:]}"
            raise RuntimeError(msg)
        time.sleep(0.2)


def _bench(
    store: str,
    url: str,
    home: Path,
    seconds: float,
    clients: int,
    workers: int,
    baseline: Path | None = None,
) -> dict[str, object]:
    core = Core(home=home, database_url=url)
    ensure_store(core)
    keys = [create_user(core, f"delegation-{s}", "delegation", country=s)[1] for s in STATES]
    core.close()
    server, base = _start_server(home, url, workers, home.with_suffix(".log"), baseline)
    try:
        for _ in range(workers):  # each worker verifies each key once (PBKDF2), then trusts it
            for key in keys:
                httpx2.get(f"{base}/api/v1/me", headers={"X-API-Key": key}, timeout=60)
        alone = Tally()
        asyncio.run(_run(base, keys, 1, min(3.0, seconds), alone))
        loaded = Tally()
        load_before = os.getloadavg()[0]
        server_cpu, own_cpu = _process_cpu(server.pid), _own_cpu()
        backends = _backend_cpu(url)
        elapsed = asyncio.run(_run(base, keys, clients, seconds, loaded))
        server_after, own_after = _process_cpu(server.pid), _own_cpu()
        backends_after = _backend_cpu(url)
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
    problems = _check(url, _merge(alone, loaded))
    requests = len(loaded.reads) + len(loaded.writes)
    return {
        "store": store if baseline is None else f"{store} baseline",
        "workers": workers,
        "elapsed": elapsed,
        "alone": alone,
        "loaded": loaded,
        "problems": problems,
        "server_cpu": None
        if server_cpu is None or server_after is None
        else (server_after - server_cpu) / max(requests, 1),
        "client_cpu": (own_after - own_cpu) / max(requests, 1),
        # backends that closed during the run are not counted (the pool keeps its connections)
        "database_cpu": sum(cpu - backends.get(pid, 0.0) for pid, cpu in backends_after.items())
        / max(requests, 1)
        if backends_after
        else None,
        "load": (load_before, load_after),
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
    parser.add_argument(
        "--workers",
        default=f"1,{DEFAULT_WORKERS}",
        help="Server worker processes to measure, comma-separated (SQLite: 1 only; "
        f"default 1,{DEFAULT_WORKERS}: one, and the serve default on this machine).",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="Also measure, first and in the same run, a server from this source folder (the "
        "`src` of another version, e.g. `git archive main src | tar -x -C /tmp/base` gives "
        "/tmp/base/src) with one worker on PostgreSQL.",
    )
    args = parser.parse_args()
    if args.baseline is not None and not (args.baseline / "bluehelmet" / "cli").is_dir():
        parser.error(f"--baseline {args.baseline} holds no bluehelmet package")
    if not 1 <= args.seconds <= 600 or not 1 <= args.clients <= 500:
        parser.error("--seconds must be 1..600 and --clients 1..500")
    try:
        counts = sorted({int(w) for w in args.workers.split(",")})
    except ValueError:
        parser.error(f"--workers must be numbers separated by commas, got {args.workers!r}")
    if not counts or not all(1 <= w <= 16 for w in counts):
        parser.error("--workers must be 1..16")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.store in ("sqlite", "both"):
            # SQLite lets one process write at a time: `serve` runs it with one worker.
            url = f"sqlite:///{root / 'bench.sqlite'}"
            console.print(f"[bold]SQLite[/] {args.clients} clients for {args.seconds:g} s ...")
            results.append(
                _bench("sqlite", url, root / "home-sqlite", args.seconds, args.clients, 1)
            )
        if args.store in ("postgresql", "both"):
            runs: list[tuple[int, Path | None]] = [(w, None) for w in counts]
            if args.baseline is not None:
                runs.insert(0, (1, args.baseline.resolve()))
            for workers, baseline in runs:
                schema = f"bh_bench_{uuid.uuid4().hex[:10]}"
                admin = sa.create_engine(PG_SERVER)
                try:
                    with admin.begin() as conn:
                        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
                    url = f"{PG_SERVER}?options=-csearch_path%3D{schema}&application_name={schema}"
                    label = "baseline" if baseline is not None else f"{workers} worker(s)"
                    console.print(
                        f"[bold]PostgreSQL[/] {label}, {args.clients} clients "
                        f"for {args.seconds:g} s ..."
                    )
                    home = root / f"home-pg-{workers}-{baseline is not None}"
                    results.append(
                        _bench(
                            "postgresql",
                            url,
                            home,
                            args.seconds,
                            args.clients,
                            workers,
                            baseline,
                        )
                    )
                finally:
                    with admin.begin() as conn:
                        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                    admin.dispose()
    table = Table(
        title=f"REST API under load ({args.clients} clients, loopback, {os.cpu_count()} CPUs)"
    )
    for col in (
        "store",
        "workers",
        "reads/s",
        "writes/s",
        "read p50/p95/p99 ms",
        "write p50/p95/p99 ms",
        "p95 / goal read, write",
        "p95 loaded/alone read, write",
        "CPU ms/req server + PostgreSQL + loadgen",
        "load avg",
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

        def goal(values: list[float], limit_ms: float) -> str:
            return f"{_percentile(values, 0.95) * 1000 / limit_ms:.2f}"

        server_cpu: float | None = r["server_cpu"]  # type: ignore[assignment]
        client_cpu: float = r["client_cpu"]  # type: ignore[assignment]
        database_cpu: float | None = r["database_cpu"]  # type: ignore[assignment]
        load: tuple[float, float] = r["load"]  # type: ignore[assignment]
        table.add_row(
            str(r["store"]),
            str(r["workers"]),
            f"{len(loaded.reads) / elapsed:,.0f}",
            f"{len(loaded.writes) / elapsed:,.0f}",
            ms(loaded.reads),
            ms(loaded.writes),
            f"{goal(loaded.reads, READ_GOAL_MS)}, {goal(loaded.writes, WRITE_GOAL_MS)}",
            f"{ratio(loaded.reads, alone.reads)}, {ratio(loaded.writes, alone.writes)}",
            ("n/a" if server_cpu is None else f"{server_cpu * 1000:.2f}")
            + (" + n/a" if database_cpu is None else f" + {database_cpu * 1000:.2f}")
            + f" + {client_cpu * 1000:.2f}",
            f"{load[0]:.1f}-{load[1]:.1f}",
            "ok: every write once, one audit entry each, no 5xx"
            if not problems
            else "; ".join(problems),
        )
        console.print(
            f"{r['store']} ({r['workers']} worker(s)): "
            f"{len(loaded.acknowledged)} pledges acknowledged, "
            f"{loaded.replays} retries replayed; alone: read p95 "
            f"{_percentile(alone.reads, 0.95) * 1000:.1f} ms, write p95 "
            f"{_percentile(alone.writes, 0.95) * 1000:.1f} ms"
        )
        if server_cpu is not None:
            # Little's law for back-to-back clients: latency = clients / throughput, and the
            # throughput is at most cores / CPU per request (server, database, load generator).
            cpus = os.cpu_count() or 1
            per_request = server_cpu + client_cpu + (database_cpu or 0.0)
            floor = args.clients * per_request / cpus * 1000
            mean = args.clients / ((len(loaded.reads) + len(loaded.writes)) / elapsed) * 1000
            console.print(
                f"  mean latency {mean:.0f} ms; its floor if all {cpus} CPUs served only this "
                f"run: {args.clients} x {per_request * 1000:.2f} ms / {cpus} = {floor:.0f} ms"
            )
    console.print(table)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

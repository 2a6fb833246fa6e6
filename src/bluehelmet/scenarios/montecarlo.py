"""Monte Carlo over pledge draws: serial, a local process pool, or a Dask cluster.

The draws are made up front from one seeded generator and cut into fixed chunks of
:data:`CHUNK` draws; each chunk builds its own :class:`~bluehelmet.scenarios.model.DrawModel`
and solves its draws in order. A chunk's result therefore depends only on the scenario and its
draws, never on where it ran: the same seed gives the same results serially, in a process
pool and on Dask.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from multiprocessing import get_context
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bluehelmet.domain.planning import Scenario
from bluehelmet.errors import InputError
from bluehelmet.scenarios.model import DrawModel
from bluehelmet.scenarios.uncertainty import Draws

#: Draws per task. Fixed (not derived from the number of workers) so results never depend on
#: the scheduler; large enough that building the model once per chunk is a small overhead.
CHUNK = 50

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Outcome:
    """Results of ``n`` draws: units per draw and requirement, weighted fill per draw."""

    units: NDArray[np.int64]  # shape (n, requirements)
    fill: NDArray[np.float64]  # shape (n,)
    fractional: int  # draws whose LP optimum was fractional (integer optimum sought)
    seconds: NDArray[np.float64]  # solve seconds per chunk


def solve_chunk(
    scenario: Scenario, deployed: NDArray[np.bool_], delay: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.float64], int, float]:
    """Solve one chunk of draws on a freshly built model (the unit of work of every scheduler)."""
    import time

    t0 = time.perf_counter()
    model = DrawModel(scenario)
    n = deployed.shape[0]
    units = np.zeros((n, len(scenario.requirements)), dtype=np.int64)
    fill = np.zeros(n)
    fractional = 0
    for i in range(n):
        result = model.solve(deployed[i], delay[i])
        units[i] = result.units
        fill[i] = result.fill
        fractional += int(result.fractional)
    return units, fill, fractional, time.perf_counter() - t0


def portable(scenario: Scenario) -> Scenario:
    """``scenario`` with plain dicts for the policy's mappings (read-only mapping proxies, the
    defaults, cannot be pickled to worker processes). Equal to ``scenario``."""
    policy = scenario.policy
    plain: dict[str, Any] = {
        f.name: dict(value)
        for f in fields(policy)
        if isinstance(value := getattr(policy, f.name), MappingProxyType)
    }
    return replace(scenario, policy=replace(policy, **plain))


def _chunks(draws: Draws) -> list[tuple[NDArray[np.bool_], NDArray[np.int64]]]:
    return [
        (draws.deployed[s : s + CHUNK], draws.delay[s : s + CHUNK])
        for s in range(0, draws.n, CHUNK)
    ]


def _quiet_worker() -> None:
    """Pool worker start: its stdout is not the user's (HiGHS prints a banner on first use)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def run_draws(
    scenario: Scenario,
    draws: Draws,
    *,
    scheduler: str = "processes",
    workers: int | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Solve every draw of ``draws`` on ``scenario``.

    ``scheduler``: ``serial`` (in this process), ``processes`` (a local process pool, the
    default), ``local`` (a new Dask ``LocalCluster``) or a Dask scheduler address
    (``tcp://HOST:PORT``). ``workers``: pool or LocalCluster size (default: CPU count).
    """
    chunks = _chunks(draws)
    results: list[Any] = [None] * len(chunks)
    scenario = portable(scenario)

    def done(k: int, value: Any) -> None:
        results[k] = value
        if progress is not None:
            finished = sum(r is not None for r in results)
            progress("draws", min(draws.n, finished * CHUNK), draws.n)

    if progress is not None:
        progress("draws", 0, draws.n)
    kind = scheduler_kind(scheduler)
    if kind == "serial" or (kind == "processes" and len(chunks) <= 1):
        for k, (dep, dl) in enumerate(chunks):
            done(k, solve_chunk(scenario, dep, dl))
    elif kind == "processes":
        size = min(len(chunks), workers or os.cpu_count() or 1)
        with ProcessPoolExecutor(
            max_workers=size, mp_context=get_context("spawn"), initializer=_quiet_worker
        ) as pool:
            futures = {
                pool.submit(solve_chunk, scenario, dep, dl): k for k, (dep, dl) in enumerate(chunks)
            }
            for future in as_completed(futures):
                done(futures[future], future.result())
    else:
        with dask_client(scheduler, workers=workers) as client:
            for k, value in _dask_map(client, scenario, chunks):
                done(k, value)
    n_req = len(scenario.requirements)
    if not results:
        return Outcome(np.zeros((0, n_req), dtype=np.int64), np.zeros(0), 0, np.zeros(0))
    return Outcome(
        np.concatenate([r[0] for r in results]).reshape(-1, n_req),
        np.concatenate([r[1] for r in results]),
        int(sum(r[2] for r in results)),
        np.array([r[3] for r in results]),
    )


def scheduler_kind(scheduler: str) -> str:
    """``serial``, ``processes``, ``local`` or ``address``; InputError for anything else."""
    if scheduler in ("serial", "processes", "local"):
        return scheduler
    if scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")) and "://" in scheduler:
        rest = scheduler.split("://", 1)[1]
        if rest:
            return "address"
    msg = (
        f"unknown scheduler {scheduler!r}: use serial, processes, local or a Dask scheduler "
        "address such as tcp://127.0.0.1:8786"
    )
    raise InputError(msg, field="scheduler")


@contextmanager
def dask_client(
    scheduler: str,
    *,
    workers: int | None = None,
    processes: bool = True,
    timeout: float = 10.0,
) -> Iterator[Any]:
    """A Dask client: on a new ``LocalCluster`` (``local``) or on the cluster at an address.

    A LocalCluster started here is closed on exit.
    """
    from distributed import Client, LocalCluster

    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        )
        try:
            with Client(cluster) as client:
                if processes:
                    client.run(_quiet_worker)
                yield client
        finally:
            cluster.close()
    else:
        try:
            client = Client(scheduler, timeout=f"{timeout}s")
        except (OSError, TimeoutError) as exc:
            msg = f"cannot reach the Dask scheduler at {scheduler}: {exc}"
            raise InputError(msg, field="scheduler") from None
        try:
            yield client
        finally:
            client.close()


def _dask_map(
    client: Any, scenario: Scenario, chunks: Sequence[tuple[Any, Any]]
) -> Iterator[tuple[int, Any]]:
    from distributed import as_completed as dask_completed

    scattered = client.scatter(scenario, broadcast=True)
    futures = [client.submit(solve_chunk, scattered, dep, dl, pure=False) for dep, dl in chunks]
    position = {f.key: k for k, f in enumerate(futures)}
    for future in dask_completed(futures):
        yield position[future.key], future.result()

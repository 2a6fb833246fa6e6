"""Same seed, same results: serially, in a process pool, on a Dask LocalCluster and at an
address. Nothing is left running afterwards."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import numpy as np
import pytest

from bluehelmet import forcegen, scenarios
from bluehelmet.domain.planning import Scenario
from bluehelmet.errors import InputError
from bluehelmet.scenarios.montecarlo import CHUNK, dask_client, run_draws

pytestmark = pytest.mark.slow
N = 2 * CHUNK + 7  # three chunks, the last one short


@pytest.fixture(scope="module")
def demo() -> Scenario:
    return forcegen.demo_scenario()


@pytest.fixture(scope="module")
def sample(demo: Scenario) -> scenarios.Draws:
    return scenarios.draw(demo, scenarios.Uncertainty(), N, seed=2026)


@pytest.fixture(scope="module")
def serial(demo: Scenario, sample: scenarios.Draws) -> scenarios.montecarlo.Outcome:
    return run_draws(demo, sample, scheduler="serial")


def _same(a: scenarios.montecarlo.Outcome, b: scenarios.montecarlo.Outcome) -> None:
    assert np.array_equal(a.units, b.units)
    assert np.array_equal(a.fill, b.fill)
    assert a.fractional == b.fractional


def test_serial_outcome_shape(serial: scenarios.montecarlo.Outcome, demo: Scenario) -> None:
    assert serial.units.shape == (N, len(demo.requirements))
    assert serial.fill.shape == (N,)
    assert len(serial.seconds) == 3


def test_process_pool_gives_the_serial_results(
    demo: Scenario, sample: scenarios.Draws, serial: scenarios.montecarlo.Outcome
) -> None:
    seen: list[tuple[int, int]] = []
    pooled = run_draws(
        demo, sample, scheduler="processes", workers=2, progress=lambda s, d, t: seen.append((d, t))
    )
    _same(pooled, serial)
    assert seen[0] == (0, N) and seen[-1] == (N, N)
    assert multiprocessing.active_children() == []


def test_dask_local_cluster_gives_the_serial_results(
    demo: Scenario, sample: scenarios.Draws, serial: scenarios.montecarlo.Outcome
) -> None:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        on_dask = run_draws(demo, sample, scheduler=address)
    _same(on_dask, serial)


def test_dask_local_scheduler_starts_and_stops_a_cluster(
    demo: Scenario, sample: scenarios.Draws, serial: scenarios.montecarlo.Outcome
) -> None:
    from distributed import default_client

    local = run_draws(demo, sample, scheduler="local", workers=2)
    _same(local, serial)
    with pytest.raises(ValueError, match="No clients found"):
        default_client()
    assert multiprocessing.active_children() == []


def test_scenarios_with_default_policy_mappings_reach_the_workers() -> None:
    from bluehelmet.testing import synthetic_scenario

    sc = synthetic_scenario(pledges=60, contributors=12, missions=3, unit_types=6, seed=3)
    sample = scenarios.draw(sc, scenarios.Uncertainty(), CHUNK + 1, seed=1)
    _same(
        run_draws(sc, sample, scheduler="processes", workers=2),
        run_draws(sc, sample, scheduler="serial"),
    )


def test_unreachable_scheduler_is_an_input_error() -> None:
    with (
        pytest.raises(InputError, match="cannot reach"),
        dask_client("tcp://127.0.0.1:9", timeout=1.0),
    ):
        pass


@pytest.mark.parametrize("bad", ["", "dask", "tcp://", "http://host:1", "SERIAL"])
def test_unknown_scheduler_names(bad: str, demo: Scenario, sample: scenarios.Draws) -> None:
    with pytest.raises(InputError, match="unknown scheduler"):
        run_draws(demo, sample, scheduler=bad)


@pytest.fixture(autouse=True)
def _no_leftover_processes() -> Iterator[None]:
    yield
    assert multiprocessing.active_children() == []

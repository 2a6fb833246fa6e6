"""Shared helpers of the benchmarks: peak memory, repeated timing and growth exponents.

The growth exponent of a cost is the slope of ``log(cost)`` against ``log(size)`` fitted by
least squares over the sizes measured: 1 means the cost grows in proportion to the work,
2 quadratically, below 1 a fixed part (start-up, reference data) still dominates.

Peak memory is the process's high-water mark of resident memory (``VmHWM``), which Linux
lets a process reset (``/proc/self/clear_refs``); polars, DuckDB and Arrow allocate outside
Python's allocator, so ``tracemalloc`` would not see most of it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

DEFAULT_SIZES = (200_000, 1_000_000, 2_000_000)


def parse_sizes(text: str) -> list[int]:
    """``"200k,1M,2000000"`` -> ``[200000, 1000000, 2000000]``."""
    sizes = []
    for piece in text.split(","):
        word = piece.strip().lower().replace("_", "")
        if not word:
            continue
        factor = 1
        if word[-1] in "km":
            factor = 1_000 if word[-1] == "k" else 1_000_000
            word = word[:-1]
        sizes.append(int(float(word) * factor))
    if not sizes or any(s <= 0 for s in sizes):
        raise ValueError(f"sizes must be positive numbers, e.g. 200k,1M,2M (got {text!r})")
    return sorted(set(sizes))


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb() -> float:
    """Resident memory of this process now, in MB (0 when unknown)."""
    kb = _status_kb("VmRSS")
    return (kb or 0) / 1024


def reset_peak() -> bool:
    """Reset this process's peak resident memory to its current value; False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_mb() -> float:
    """Peak resident memory of this process since start or the last ``reset_peak``, in MB."""
    kb = _status_kb("VmHWM")
    if kb is None:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best wall time (s) of ``repeat`` runs, and the peak memory above the start (MB)."""
    best = float("inf")
    peak = 0.0
    for _ in range(repeat):
        reset_peak()
        before = rss_mb()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
        peak = max(peak, peak_mb() - before)
    return best, peak


def exponent(sizes: Sequence[float], costs: Sequence[float]) -> float | None:
    """Least-squares slope of log(cost) on log(size); None when it cannot be fitted."""
    points = [(math.log(s), math.log(c)) for s, c in zip(sizes, costs, strict=True) if c > 0]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    den = sum((x - mean_x) ** 2 for x, _ in points)
    if den == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / den


def fmt_exp(value: float | None) -> str:
    """An exponent for a table cell."""
    return "-" if value is None else f"{value:.2f}"


def machine() -> str:
    """One line naming the machine: CPUs, memory and load average, for the tables."""
    import os
    import platform

    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    mem = (_status_kb_meminfo() or 0) / 1024 / 1024
    return (
        f"{platform.machine()} {os.cpu_count()} CPUs, {mem:.0f} GB RAM, "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, "
        f"Python {platform.python_version()}"
    )


def _status_kb_meminfo() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None

"""Benchmark of each dashboard page's first render in Debian's Chromium, on loopback.

The real files in ../shared/data are imported into a temporary store; the app (API and
dashboard) is served by uvicorn on 127.0.0.1. For each page a fresh browser context (empty
cache) opens it and the time from the start of navigation to the last chart drawn
(``window.bluehelmetRenderMs``, set by the page's script) is the page's first render; the best
and the median of several runs are printed. The baseline, measured in the same run, is the
load of a page with no chart that fetches the same Vega bundle (``/forcegen``, to its load
event): the ratio says what a page's data and charts add to the cost of the libraries.
The goal is a first render under 1 s per page.

    python benchmarks/bench_dashboard.py [--repeat 5] [--screenshots docs/img]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BLUEHELMET_SHARED_DATA", ROOT.parent / "shared" / "data"))
CHROMIUM = os.environ.get("BLUEHELMET_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
FILES = (
    "ipi_tcc/Gender.Full.csv",
    "ipi_ppp/ppp_files/current_month/current_month.csv",
    "ipi_ppp/ppp_files/data_mission.csv",
    "un_fatalities/DPPADPOSS-FATALITIES.csv",
    "un_missions/DPPADPOSS-PKO.csv",
    "un_rank/Rank_2021-01.csv",
    "tamm/TAMM.csv",
    "geopko/geopko.csv",
)
PAGES = {
    "overview": "/",
    "mission": "/missions/UNMISS",
    "contributor": "/contributors/GHA",
}
GOAL_MS = 1000.0
console = Console()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(core: Any) -> tuple[Any, str]:
    import uvicorn

    from bluehelmet.api import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(core), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _open(browser: Any, url: str, *, charts: bool) -> tuple[Any, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith("http://127.0.0.1") else route.abort()
        ),
    )
    page.goto(url, wait_until="load")
    if charts:
        page.wait_for_function("window.bluehelmetRenderMs !== undefined", timeout=60_000)
        ms = float(page.evaluate("window.bluehelmetRenderMs"))
    else:
        ms = float(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
    return page, ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="Runs per page (default 5).")
    parser.add_argument("--screenshots", type=Path, help="Write one PNG per page to this folder.")
    options = parser.parse_args()
    missing = [f for f in FILES if not (SHARED / f).is_file()]
    if missing:
        console.print(f"[red]real data file {SHARED / missing[0]} is absent")
        return 1
    if not Path(CHROMIUM).is_file():
        console.print(f"[red]{CHROMIUM} is absent; apt-get install chromium")
        return 1
    from playwright.sync_api import sync_playwright

    from bluehelmet.services.core import Core
    from bluehelmet.services.data import import_files

    with tempfile.TemporaryDirectory() as home, Core(home=home) as core:
        import_files([SHARED / f for f in FILES], skip_unknown=True, core=core)
        server, base = _serve(core)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                # warm-up: the Vega bundle is built at the first request, then cached
                page, _ = _open(browser, base + "/", charts=True)
                page.context.close()
                baseline = []
                for _ in range(options.repeat):
                    page, ms = _open(browser, base + "/forcegen", charts=False)
                    page.context.close()
                    baseline.append(ms)
                base_ms = statistics.median(baseline)
                table = Table(title=f"First render in Chromium, {options.repeat} runs per page")
                for column in ("page", "best ms", "median ms", "x baseline", "goal < 1 s"):
                    table.add_column(column, justify="right" if "ms" in column else "left")
                table.add_row(
                    "baseline: /forcegen load (same bundle, no chart)",
                    f"{min(baseline):.0f}",
                    f"{base_ms:.0f}",
                    "1.00",
                    "",
                )
                failed = False
                for name, path in PAGES.items():
                    times = []
                    for run in range(options.repeat):
                        page, ms = _open(browser, base + path, charts=True)
                        times.append(ms)
                        if options.screenshots is not None and run == 0:
                            options.screenshots.mkdir(parents=True, exist_ok=True)
                            page.screenshot(
                                path=str(options.screenshots / f"dashboard-{name}.png"),
                                full_page=True,
                            )
                        page.context.close()
                    median = statistics.median(times)
                    ok = median < GOAL_MS
                    failed = failed or not ok
                    table.add_row(
                        f"{name} {path}",
                        f"{min(times):.0f}",
                        f"{median:.0f}",
                        f"{median / base_ms:.2f}",
                        "yes" if ok else "NO",
                    )
                browser.close()
        finally:
            server.should_exit = True
    console.print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

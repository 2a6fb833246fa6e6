"""Fixtures of the dashboard tests: a store of real files, a live server and Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED_DATA

CHROMIUM = Path(os.environ.get("BLUEHELMET_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

# the real files the dashboard draws from (one per dataset it shows)
REAL_FILES = (
    "ipi_tcc/Gender.Full.csv",
    "ipi_ppp/ppp_files/current_month/current_month.csv",
    "ipi_ppp/ppp_files/data_mission.csv",
    "un_fatalities/DPPADPOSS-FATALITIES.csv",
    "un_missions/DPPADPOSS-PKO.csv",
    "un_rank/Rank_2021-01.csv",
    "tamm/TAMM.csv",
    "geopko/geopko.csv",
)


def import_real_files(home: Path) -> Any:
    """A ``Core`` over ``home`` with the real files imported (skips when they are absent)."""
    from bluehelmet.services.core import Core
    from bluehelmet.services.data import import_files

    paths = [SHARED_DATA / f for f in REAL_FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        pytest.skip(f"real data files are absent (not shipped with bluehelmet): {missing[0]}")
    core = Core(home=home)
    import_files(paths, skip_unknown=True, core=core)
    return core


@pytest.fixture(scope="module")
def real_core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A store in a temporary home holding the real files (module-wide)."""
    core = import_real_files(tmp_path_factory.mktemp("real-home"))
    yield core
    core.close()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 at the time of asking."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """uvicorn serving an app in a thread on a loopback port."""

    app: Any
    port: int = field(default_factory=free_port)
    server: Any = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        """Start serving; return once the server accepts connections."""
        import uvicorn

        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                msg = "the test server did not start"
                raise RuntimeError(msg)
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(real_core: Any) -> Iterator[LiveServer]:
    """The whole app (API and dashboard) over the real store, on a free loopback port."""
    from bluehelmet.api import create_app

    server = LiveServer(create_app(real_core)).start()
    yield server
    server.stop()


def chromium_or_skip() -> Path:
    """Debian's Chromium; skip when absent, except in CI, where .ci/run installs it."""
    if CHROMIUM.is_file() and shutil.which(str(CHROMIUM)):
        return CHROMIUM
    msg = f"{CHROMIUM} is absent; install Debian's chromium package (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (launched with ``executable_path``)."""
    executable = chromium_or_skip()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Visit:
    """An open page with what happened while it loaded."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)


def open_page(browser: Any, url: str, *, wait_charts: bool = True) -> Visit:
    """Open ``url`` with every non-loopback request aborted; wait for the charts to render."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    visit = Visit(page)

    def route(request_route: Any) -> None:
        from urllib.parse import urlsplit

        host = urlsplit(request_route.request.url).hostname
        if host in ("127.0.0.1",) or request_route.request.url.startswith(("data:", "blob:")):
            visit.local.append(request_route.request.url)
            request_route.continue_()
        else:
            visit.blocked.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on(
        "console",
        lambda msg: visit.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: visit.console_errors.append(str(exc)))
    page.goto(url)
    if wait_charts:
        page.wait_for_function("document.body.dataset.chartsRendered !== undefined", timeout=60_000)
    return visit


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's violations of ``impacts`` on the open page, one line each."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - {len(v['nodes'])} nodes, e.g. "
        f"{v['nodes'][0]['target'] if v['nodes'] else ''}"
        for v in result
        if v.get("impact") in impacts
    ]

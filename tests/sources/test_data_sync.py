"""``data sync`` against a local HTTP server on 127.0.0.1 serving the real files."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from bluehelmet.services import data
from bluehelmet.sources.sync import DownloadError, SyncSource, download, load_sources


class RangeHandler(SimpleHTTPRequestHandler):
    """Static files with single-range support (what the Data Hub's server offers)."""

    requests: ClassVar[list[str | None]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        self.requests.append(self.headers.get("Range"))
        spec = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not spec or not path.is_file():
            return super().send_head()
        start = int(spec.removeprefix("bytes=").split("-")[0])
        size = path.stat().st_size
        if start >= size:
            self.send_error(416)
            return None
        fh = path.open("rb")
        fh.seek(start)
        self.send_response(206)
        self.send_header("Content-Length", str(size - start))
        self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.end_headers()
        return fh


@pytest.fixture
def server(shared_data: Path) -> Iterator[str]:
    handler = functools.partial(RangeHandler, directory=str(shared_data))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    RangeHandler.requests = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_sync_downloads_caches_and_imports(server: str, tmp_path: Path, shared_data: Path) -> None:
    real = shared_data / "un_missions" / "DPPADPOSS-PKO.csv"
    sha = hashlib.sha256(real.read_bytes()).hexdigest()
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"sources:\n  - name: DPPADPOSS-PKO.csv\n    url: {server}/un_missions/DPPADPOSS-PKO.csv\n"
        f"    sha256: {sha}\n",
        encoding="utf-8",
    )
    downloads, results = data.sync(sources)
    assert downloads[0].status == "downloaded" and downloads[0].sha256 == sha
    assert results[0].rows_stored == 81
    assert data.mission_list().height == 81
    downloads, results = data.sync(sources)
    assert downloads[0].status == "cached" and results[0].status == "unchanged"


def test_resume_with_range(server: str, tmp_path: Path, shared_data: Path) -> None:
    real = (shared_data / "un_rank" / "Rank_2021-01.csv").read_bytes()
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "Rank.csv.part").write_bytes(real[:1000])
    got = download(SyncSource("Rank.csv", f"{server}/un_rank/Rank_2021-01.csv"), cache_dir=cache)
    assert got.status == "resumed"
    assert RangeHandler.requests[-1] == "bytes=1000-"
    assert (cache / "Rank.csv").read_bytes() == real


def test_checksum_mismatch_is_refused(server: str, tmp_path: Path) -> None:
    source = SyncSource("Rank.csv", f"{server}/un_rank/Rank_2021-01.csv", sha256="0" * 64)
    with pytest.raises(DownloadError, match="does not match"):
        download(source, cache_dir=tmp_path)
    assert not (tmp_path / "Rank.csv").exists()


def test_missing_file_and_bad_sources(server: str, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="404"):
        download(SyncSource("x.csv", f"{server}/nope.csv"), cache_dir=tmp_path)
    bad = tmp_path / "s.yaml"
    bad.write_text("sources:\n  - name: x\n", encoding="utf-8")
    from bluehelmet.errors import InputError

    with pytest.raises(InputError):
        load_sources(bad)


def test_sync_command(server: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bluehelmet.cli import app

    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"- url: {server}/un_fatalities/DPPADPOSS-FATALITIES.csv\n", encoding="utf-8"
    )
    runner = CliRunner()
    first = runner.invoke(app, ["data", "sync", "--sources", str(sources)])
    assert first.exit_code == 0, first.output  # the UN's own file imports whole
    ok = runner.invoke(app, ["data", "sync", "--sources", str(sources), "--skip-unknown"])
    assert ok.exit_code == 0, ok.output
    assert "cached" in ok.output
    assert data.fatalities().height > 4000

"""The contribution store: verified files, deferred deletion, leftovers, lock, data folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from bluehelmet.errors import InputError, StoreError
from bluehelmet.services import data
from bluehelmet.services.core import Core
from bluehelmet.services.data import import_files
from bluehelmet.store.contributions import (
    DataImport,
    RetiredFile,
    collect_retired,
    dataset_dir,
    write_parquet,
)
from tests._data_helpers import gender_row, sample_gender, write_gender

ROOT = Path(__file__).resolve().parents[2]


def _stored_files(core: Core, dataset: str = "contributions") -> list[Path]:
    folder = dataset_dir(dataset, core.data_dir)
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def _independent_total(paths: list[Path]) -> int:
    """The sum of 'Total Total' over the files, read with the csv module (no bluehelmet)."""
    import csv

    total = 0
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            total += sum(int(row["Total Total"]) for row in csv.DictReader(handle))
    return total


def test_each_parquet_file_is_verified_on_read(tmp_path: Path) -> None:
    core = Core(home=tmp_path / "home")
    path = sample_gender(tmp_path / "g.csv")
    import_files([path], core=core)
    with core.session() as session:
        row = session.scalars(sa.select(DataImport)).one()
        assert row.parquet_sha256 is not None and row.input_key is not None
    [stored] = _stored_files(core)
    content = bytearray(stored.read_bytes())
    content[len(content) // 2 : len(content) // 2 + 4] = b"\xff\xfe\xfd\xfc"
    stored.write_bytes(bytes(content))
    with pytest.raises(StoreError, match="damaged"):
        data.contributions(core=core)
    problems = data.data_check(core=core)
    assert [p["kind"] for p in problems] == ["damaged"], problems
    assert problems[0]["repaired"] is None
    # repair re-reads the source file (its recorded path) and rewrites the rows
    [fixed] = data.data_check(repair=True, core=core)
    assert fixed["repaired"].startswith("rewritten")
    assert data.contributions(core=core)["count"].sum() == _independent_total([path])
    assert data.data_check(core=core) == []
    core.close()


def test_a_deleted_file_is_named_and_lost_without_its_source(tmp_path: Path) -> None:
    core = Core(home=tmp_path / "home")
    path = sample_gender(tmp_path / "g.csv")
    import_files([path], core=core)
    [stored] = _stored_files(core)
    stored.unlink()
    with pytest.raises(StoreError, match=r"missing.*data check --repair"):
        data.contributions(core=core)
    path.unlink()  # the source is gone too: the import is dropped, and said so
    [problem] = data.data_check(repair=True, core=core)
    assert problem["kind"] == "missing" and "import g.csv again" in problem["repaired"]
    assert data.contributions(core=core).height == 0
    core.close()


def test_repair_finds_the_source_in_the_download_cache(tmp_path: Path) -> None:
    core = Core(home=tmp_path / "home")
    path = sample_gender(tmp_path / "g.csv")
    import_files([path], core=core)
    core.cache_dir.mkdir(parents=True)
    path.rename(core.cache_dir / "copy.csv")
    _stored_files(core)[0].unlink()
    [problem] = data.data_check(repair=True, core=core)
    assert problem["repaired"].startswith("rewritten")
    assert data.contributions(core=core)["count"].sum() == 1288
    core.close()


def test_replaced_files_are_deleted_only_after_the_grace_period(tmp_path: Path) -> None:
    core = Core(home=tmp_path / "home")
    import_files([sample_gender(tmp_path / "a.csv")], core=core)
    listed = data.scan_contributions(core=core)  # a reader that listed the files
    newer = sample_gender(tmp_path / "b.csv")
    newer.write_text(newer.read_text(encoding="utf-8").replace(",765,", ",765,"), "utf-8")
    rows = newer.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace('"1"', '"9"')
    newer.write_text("\n".join(rows) + "\n\n", encoding="utf-8")
    import_files([newer], core=core)
    assert listed.collect()["count"].sum() == 1288  # the old file is still there
    with core.session() as session:
        assert session.scalars(sa.select(RetiredFile)).all()
    assert collect_retired(core.engine, core.data_dir, grace=timedelta(0)) == 1
    assert len(_stored_files(core)) == 1
    assert data.contributions(core=core)["count"].sum() == 1288
    core.close()


def test_leftovers_of_an_interrupted_write_are_found_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = Core(home=tmp_path / "home")
    path = sample_gender(tmp_path / "g.csv")
    import_files([path], core=core)
    folder = dataset_dir("contributions", core.data_dir)
    (folder / ".0123.parquet.partial").write_bytes(b"half")
    name, _ = write_parquet(pl.DataFrame({"a": [1]}), "contributions", core.data_dir)
    problems = {p["kind"]: p for p in data.data_check(core=core)}
    assert set(problems) == {"orphan", "partial"}
    assert name in problems["orphan"]["path"]
    repaired = data.data_check(repair=True, core=core)
    assert all(p["repaired"] == "deleted" for p in repaired)
    assert data.data_check(core=core) == []
    assert data.contributions(core=core)["count"].sum() == _independent_total([path])
    core.close()


def test_a_failure_between_parquet_and_manifest_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bluehelmet.store.contributions as store

    core = Core(home=tmp_path / "home")
    first = sample_gender(tmp_path / "a.csv")
    import_files([first], core=core)
    before = data.contributions(core=core)

    def boom(stage: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_fault", boom)
    second = write_gender(
        tmp_path / "b.csv", [gender_row(1, "2014-01-31", "Ghana", "GHA", "UNMIL", ip=(2, 2))]
    )
    with pytest.raises(OSError, match="No space"):
        import_files([second], core=core)
    monkeypatch.undo()
    assert data.contributions(core=core).equals(before)
    assert data.data_check(core=core) == []  # the new file was removed with the rollback


@pytest.mark.parametrize("streamed", [True, False])
def test_a_full_disk_is_a_message_and_leaves_no_partial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    import pyarrow.parquet as pq

    core = Core(home=tmp_path / "home")

    def full(self: object, file: object, **kwargs: object) -> None:
        Path(str(file)).write_bytes(b"PAR1 half")
        raise OSError(28, "No space left on device")

    def full_stage(self: pq.ParquetWriter, table: object, **kwargs: object) -> None:
        Path(self.where).write_bytes(b"PAR1 half")
        raise OSError(28, "No space left on device")

    if streamed:  # the file is read in chunks, its rows written to a staged file
        monkeypatch.setattr(pq.ParquetWriter, "write_table", full_stage)
        source = sample_gender(tmp_path / "g.csv")
    else:  # a file read whole (the loader layout) is written at the commit
        monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
        source = tmp_path / "loader.csv"
        text = sample_gender(tmp_path / "g.csv").read_text(encoding="utf-8")
        header, *rows = text.splitlines()
        names = [h.strip('"').replace(" ", "_") for h in header.split(",")[1:]]
        body = [row.split(",", 1)[1] for row in rows]
        source.write_text("\n".join([",".join(names), *body]) + "\n", encoding="utf-8")
    with pytest.raises(StoreError, match="the disk is full; nothing was imported"):
        import_files([source], core=core)
    monkeypatch.undo()
    folder = dataset_dir("contributions", core.data_dir)
    assert not list(folder.iterdir()) if folder.is_dir() else True
    assert data.contributions(core=core).height == 0
    core.close()


@pytest.mark.parametrize("stage", ["parquet_written", "before_commit", "after_commit"])
def test_kill_9_at_each_stage_of_an_import(tmp_path: Path, stage: str) -> None:
    home = tmp_path / "home"
    first = sample_gender(tmp_path / "first.csv", month="2012-02-29")
    path = sample_gender(tmp_path / "g.csv")
    core = Core(home=home)
    import_files([first], core=core)
    script = (
        "import sys; from bluehelmet.services.data import import_files; import_files([sys.argv[1]])"
    )
    env = {**os.environ, "BLUEHELMET_HOME": str(home), "BLUEHELMET_FAULT": stage}
    env.pop("BLUEHELMET_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], env=env, cwd=ROOT, check=False, timeout=120
    )
    assert done.returncode == 137
    committed = stage == "after_commit"
    expected = _independent_total([first, path] if committed else [first])
    assert data.contributions(core=core)["count"].sum() == expected  # the store answers
    problems = data.data_check(repair=True, core=core)
    assert [p["kind"] for p in problems] == ([] if committed else ["orphan"])
    assert data.data_check(core=core) == []
    [result] = import_files([path], core=core)
    assert result.status == ("unchanged" if committed else "imported")
    assert data.contributions(core=core)["count"].sum() == _independent_total([first, path])
    core.close()


def test_readers_never_fail_during_imports(database_url: str, tmp_path: Path) -> None:
    core = Core(database_url=database_url, home=tmp_path / "home")
    files = [
        write_gender(
            tmp_path / f"{n}.csv",
            [gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(n, 0))],
        )
        for n in (1, 2, 3)
    ]
    import_files([files[0]], core=core)
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(int(data.contributions(core=core)["count"].sum()))
            except BaseException as exc:
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(3):
            for path in files:
                import_files([path], core=core)
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert seen and set(seen) <= {1, 2, 3}
    assert data.contributions(core=core)["count"].sum() == 3
    core.close()


def test_manifest_names_are_never_followed_outside_the_data_folder(tmp_path: Path) -> None:
    core = Core(home=tmp_path / "home")
    import_files([sample_gender(tmp_path / "g.csv")], core=core)
    with core.session() as session:
        session.execute(sa.update(DataImport).values(parquet_file="../../../etc/passwd"))
    with pytest.raises(StoreError, match="not a stored file name"):
        data.contributions(core=core)
    core.close()


def test_the_data_folder_is_recorded_in_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    first = Core(database_url=url, home=tmp_path / "one")
    import_files([sample_gender(tmp_path / "g.csv")], core=first)
    second = Core(database_url=url, home=tmp_path / "two")
    other = write_gender(
        tmp_path / "b.csv", [gender_row(1, "2014-01-31", "Ghana", "GHA", "UNMIL", ip=(2, 2))]
    )
    with pytest.raises(StoreError, match="keeps its data in"):
        import_files([other], core=second)
    with pytest.raises(StoreError, match="keeps its data in"):
        data.contributions(core=second)
    with pytest.raises(StoreError, match="keeps its data in"):
        data.data_check(repair=True, core=second)  # never drops the first home's imports
    assert data.contributions(core=first)["count"].sum() == 1288
    # after moving the folder, the new home adopts it
    shutil.rmtree(second.data_dir)
    first.data_dir.rename(second.data_dir)
    data.data_check(adopt=True, core=second)
    import_files([other], core=second)
    assert data.contributions(core=second)["count"].sum() == 1288 + 4
    first.close()
    second.close()


@pytest.mark.postgres
def test_two_homes_on_one_postgresql_database(pg_url: str, tmp_path: Path) -> None:
    """Two homes with one shared data folder serialize on the database's advisory lock."""
    from concurrent.futures import ThreadPoolExecutor

    shared = tmp_path / "shared-home"
    cores = [Core(database_url=pg_url, home=shared) for _ in range(2)]
    files = [
        write_gender(
            tmp_path / f"{n}.csv",
            [gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(n, 0))],
        )
        for n in (1, 2, 3, 4)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda n: import_files([files[n]], core=cores[n % 2]), range(4)))
    for core in cores:
        [status] = data.data_status(core=core)
        assert data.contributions(core=core)["count"].sum() == int(
            status["file"].removesuffix(".csv")
        )
    assert data.data_check(repair=True, core=cores[0]) == []
    elsewhere = Core(database_url=pg_url, home=tmp_path / "elsewhere")
    with pytest.raises(StoreError, match="keeps its data in"):
        import_files([files[0]], core=elsewhere)
    for core in [*cores, elsewhere]:
        core.close()


def test_sql_is_read_only(tmp_path: Path) -> None:
    core = Core(home=tmp_path / "home")
    import_files([sample_gender(tmp_path / "g.csv")], core=core)
    assert data.sql("select sum(count) from contributions", core=core).fetchall() == [(1288,)]
    secret = tmp_path / "secret.txt"
    secret.write_text("a\n1\n", encoding="utf-8")
    for query in (
        f"select * from read_csv('{secret}')",
        f"copy contributions to '{tmp_path / 'out.csv'}'",
        "set enable_external_access = true",
        f"attach '{tmp_path / 'x.duckdb'}'",
    ):
        with pytest.raises(InputError, match="refused"):
            data.sql(query, core=core)
    assert not (tmp_path / "out.csv").exists()
    core.close()


def test_manifest_columns_fit_real_files(database_url: str, tmp_path: Path) -> None:
    """File sizes over 2 GB and long paths fit the manifest (PostgreSQL checks the types)."""
    from datetime import UTC, datetime

    from bluehelmet.store import upgrade

    core = Core(database_url=database_url, home=tmp_path / "home")
    upgrade(core.engine)
    long_path = "/" + "/".join(["a-rather-long-folder-name"] * 80) + "/file.csv"
    with core.session() as session:
        session.add(
            DataImport(
                dataset="contributions",
                format="ipi_gender_full",
                file_name=long_path,
                file_size=5 * 2**30,
                sha256="0" * 64,
                months=[],
                totals={},
                options={},
                status="replaced",
                imported_at=datetime.now(UTC),
            )
        )
    with core.session() as session:
        row = session.scalars(sa.select(DataImport)).one()
        assert row.file_size == 5 * 2**30 and row.file_name == long_path
    core.close()

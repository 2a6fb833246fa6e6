"""Streamed imports: a file read in chunks stores and reports exactly what a whole read does."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import polars as pl
import pytest

from bluehelmet.errors import InputError
from bluehelmet.services.core import Core
from bluehelmet.services.data import contributions, import_files
from bluehelmet.sources import _common
from bluehelmet.sources.importer import UnreconciledError, _Combined, prepare_files
from bluehelmet.store.contributions import dataset_dir
from tests._data_helpers import GENDER_HEADER, gender_row, write_gender

MISSIONS = ("UNMIL", "UNOCI", "MINUSTAH", "UNMISS")
COUNTRIES = (("Ghana", "GHA"), ("Albania", "ALB"), ("Nepal", "NPL"), ("Chad'", "TCD"))
MONTHS = ("2011-01-31", "2011-02-28", "2011-03-31", "2011-04-30", "2011-05-31")


def varied_rows(count: int) -> list[str]:
    """Rows over months, contributors and missions; some all zero, some with a wrong total."""
    rows = []
    for n in range(1, count + 1):
        name, iso = COUNTRIES[n % len(COUNTRIES)]
        month = MONTHS[(n // 16) % len(MONTHS)]
        mission = MISSIONS[(n // 4) % len(MISSIONS)]
        if n % 11 == 0:
            rows.append(gender_row(n, month, name, iso, mission))  # listed with zeros only
        else:
            total = n % 10 + n if n % 13 == 0 else None  # the published total disagrees
            rows.append(
                gender_row(
                    n, month, name, iso, mission, ip=(n % 7, n % 3), troops=(n, n % 5), total=total
                )
            )
    return rows


def _small_chunks(monkeypatch: pytest.MonkeyPatch, size: int = 700) -> None:
    monkeypatch.setattr(_common, "CHUNK_BYTES", size)


def _stored(core: Core) -> pl.DataFrame:
    return contributions(core=core).sort(["line", "category", "sex"])


def test_a_file_read_in_chunks_stores_and_reports_what_a_whole_read_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_gender(tmp_path / "g.csv", varied_rows(80))
    [whole] = prepare_files([path])  # no sink: read whole
    _small_chunks(monkeypatch)
    assert len(list(_common.read_raw(path).chunks())) > 5
    core = Core(home=tmp_path / "home")
    [result] = import_files([path], core=core)
    staged = whole.staged.datasets["contributions"]
    assert staged.frame is not None
    expected = staged.frame.sort(["line", "category", "sex"])
    assert _stored(core).equals(expected)
    streamed, read_whole = result.as_dict(), whole.result.as_dict()
    for key in ("rows_read", "totals", "months", "month_first", "month_last", "issues"):
        assert streamed[key] == read_whole[key], key
    kinds = {i["kind"] for i in streamed["issues"]}
    assert {"inconsistent_total", "stray_quote"} <= kinds
    assert result.rows_stored == expected.height
    # the zero-only lines still list their contributor-months: a later file replacing the
    # months without them would remove them, which is refused as for a whole read
    assert {(r["month"], r["contributor"]) for r in staged.units().iter_rows(named=True)} == {
        (r[0], r[1])
        for r in pl.read_csv(path, schema_overrides={"Date": pl.Date})
        .select(pl.col("Date").dt.month_end(), pl.col("Contributor ISO-3"))
        .iter_rows()
    }
    again = import_files([path], core=core)
    assert again[0].status == "unchanged"
    assert _stored(core).equals(expected)
    core.close()


def test_an_error_in_a_later_chunk_names_the_files_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = varied_rows(60)
    cells = rows[49].split(",")
    cells[5] = "-3"  # 'Individual Police Male' on the file's line 51
    rows[49] = ",".join(cells)
    path = write_gender(tmp_path / "g.csv", rows)
    _small_chunks(monkeypatch)
    core = Core(home=tmp_path / "home")
    with pytest.raises(InputError) as caught:
        import_files([path], core=core)
    assert caught.value.line == 51
    assert "Individual Police Male" in str(caught.value)
    folder = dataset_dir("contributions", core.data_dir)
    assert not (folder.is_dir() and list(folder.iterdir()))  # no staged file left
    assert contributions(core=core).height == 0
    core.close()


def test_a_quoted_line_break_across_chunks_keeps_the_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = varied_rows(40)
    rows[20] = rows[20].replace('"Ghana"', '"Gha\nna"').replace('"Albania"', '"Alba\nnia"')
    rows[39] = rows[39].replace(",0,", ",x,", 1)  # a bad cell after the quoted line breaks
    path = write_gender(tmp_path / "g.csv", rows)
    _small_chunks(monkeypatch, 300)
    with pytest.raises(InputError) as caught:
        import_files([path], core=Core(home=tmp_path / "home"))
    # 1 header + 39 rows, one of which spans two lines
    assert caught.value.line == 42


def test_rows_repeated_across_chunks_are_counted_once_as_in_a_whole_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = varied_rows(30)
    repeated = [*rows, rows[2].replace('"3"', '"31"', 1)]
    path = write_gender(tmp_path / "g.csv", repeated)
    _small_chunks(monkeypatch)
    core = Core(home=tmp_path / "home")
    [result] = import_files([path], core=core)
    [issue] = [i for i in result.issues if i.kind == "duplicate"]
    assert issue.lines == [32]
    single = Core(home=tmp_path / "single")
    [once] = import_files([write_gender(tmp_path / "once.csv", rows)], core=single)
    assert result.totals == once.totals
    folder = dataset_dir("contributions", core.data_dir)
    assert [p.name for p in folder.iterdir() if p.name.endswith(".partial")] == []
    core.close()
    single.close()


def test_unknown_names_in_several_chunks_are_reported_once_with_all_their_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = varied_rows(50)
    for index in (3, 25, 47):
        rows[index] = (
            rows[index]
            .replace('"UNOCI"', '"UNKNOWNMISSION"')
            .replace('"UNMIL"', '"UNKNOWNMISSION"')
            .replace('"MINUSTAH"', '"UNKNOWNMISSION"')
            .replace('"UNMISS"', '"UNKNOWNMISSION"')
        )
    path = write_gender(tmp_path / "g.csv", rows)
    _small_chunks(monkeypatch)
    core = Core(home=tmp_path / "home")
    with pytest.raises(UnreconciledError) as caught:
        import_files([path], core=core)
    [unknown] = [u for _, u in caught.value.unknown]
    assert unknown.name == "UNKNOWNMISSION"
    assert unknown.lines == [5, 27, 49]
    [whole] = prepare_files([path], skip_unknown=True)
    [skipped] = whole.result.skipped
    assert unknown.personnel == skipped.personnel > 0
    folder = dataset_dir("contributions", core.data_dir)
    assert not (folder.is_dir() and list(folder.iterdir()))
    core.close()


def test_chunks_hold_whole_records_and_map_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (GENDER_HEADER + '\n"a\nb",1\n2,3\n\n4,5\n').encode())
    raw = _common.read_raw(path)
    chunks = list(raw.chunks(4))
    assert [c.data.split(b"\n", 1)[1] for c in chunks] == [b'"a\nb",1\n', b"2,3\n", b"4,5\n"]
    assert [c.offset for c in chunks] == [0, 2, 4]  # record lines 2, 4 and 6 of the file
    assert raw.header[1] == "Date"


def test_a_lone_carriage_return_in_the_header_is_a_message(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text(GENDER_HEADER.replace('"Mission",', "Mis\rsion,") + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="malformed header line") as caught:
        _common.read_raw(path)
    assert caught.value.line == 1


def _stored_digest(core: Core) -> str:
    """SHA-256 of the stored Parquet rows in file order, their schema and the file's summary."""
    [path] = list(dataset_dir("contributions", core.data_dir).iterdir())
    stored = pl.read_parquet(path)
    digest = hashlib.sha256(str(stored.schema).encode())
    digest.update(stored.write_csv().encode())
    return digest.hexdigest()


# Recorded before the import was made faster (issue 16): the stored rows and the summary
# (issues with their lines and figures, totals, months) must not change.
# (rows are stored chunk by chunk: the order in the file depends on the chunk size)
PINNED_ROWS = {
    None: "6a9dbf24cd801ce209a5214026defa655a24c8023dba1ee57f1621b42edb2b4f",
    700: "188731309f331a46801cc3296223a90df64702f9b65f2a06ac343f72007485e3",
}


@pytest.mark.parametrize("chunk", [None, 700])
def test_the_stored_rows_of_a_generated_file_are_pinned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int | None
) -> None:
    rows = [
        row.replace("2011-", f"{2011 + year}-")
        for year in range(5)
        for row in varied_rows(80)  # keys repeat after 80 rows: a year further each time
    ]
    rows[121] = rows[121].replace('"Nepal"', '"Ne\npal"')  # a quoted line break
    path = write_gender(tmp_path / "g.csv", rows)
    if chunk is not None:
        _small_chunks(monkeypatch, chunk)
    core = Core(home=tmp_path / "home")
    [result] = import_files([path], core=core)
    summary = {k: v for k, v in result.as_dict().items() if k != "file"}
    assert summary["rows_read"] == 400
    assert _stored_digest(core) == PINNED_ROWS[chunk]
    assert import_files([path], core=core)[0].status == "unchanged"
    assert _stored_digest(core) == PINNED_ROWS[chunk]
    core.close()
    assert hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest() == (
        PINNED_SUMMARY
    )


PINNED_SUMMARY = "2ffb3da1e1d9d68202438f9cdfbfc3d4826831ecdd387526d2b13440d459af70"


@pytest.mark.parametrize("seed", range(20))
def test_keys_repeated_across_chunks_are_found_as_a_sort_of_all_keys_finds_them(
    seed: int,
) -> None:
    rng = random.Random(seed)
    pool = [rng.randrange(-(1 << 62), 1 << 62) for _ in range(40)]
    chunks = [rng.sample(pool, rng.randrange(1, 12)) for _ in range(rng.randrange(1, 6))]
    combined = _Combined()
    for chunk in chunks:  # distinct and sorted within a chunk, as the adapter makes them
        combined.keys.append(pl.Series(sorted(chunk), dtype=pl.Int64))
    every = [key for chunk in chunks for key in chunk]
    assert combined.repeated() == (len(set(every)) != len(every))

"""Bad input: each class fails with file, line and field named, and the store is unchanged."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from bluehelmet.errors import InputError, UnknownNameError
from bluehelmet.services import data
from bluehelmet.sources import NameMapping, UnreconciledError, import_files
from tests._data_helpers import GENDER_HEADER, gender_row, sample_gender, write_gender


@pytest.fixture
def baseline(tmp_path: Path) -> tuple[list[dict[str, object]], pl.DataFrame]:
    """A store holding one good file; returns its status and rows."""
    import_files([sample_gender(tmp_path / "good.csv")])
    return data.data_status(), data.contributions()


def _assert_unchanged(baseline: tuple[list[dict[str, object]], pl.DataFrame]) -> None:
    status, rows = baseline
    assert data.data_status() == status
    assert data.contributions().equals(rows)


def test_wrong_encoding(tmp_path: Path, baseline: tuple) -> None:
    path = tmp_path / "latin1.csv"
    text = GENDER_HEADER + "\n" + gender_row(1, "2012-04-30", "Côte d'Ivoire", "CIV", "UNMIL")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError) as err:
        import_files([path])
    assert err.value.file == str(path) and err.value.line == 2
    assert "UTF-8" in str(err.value)
    _assert_unchanged(baseline)


def test_truncated_line(tmp_path: Path, baseline: tuple) -> None:
    good = gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(3, 1))
    cut = gender_row(2, "2012-04-30", "Ghana", "GHA", "UNMIL", ip=(3, 1)).rsplit(",", 4)[0]
    path = write_gender(tmp_path / "cut.csv", [good, cut])
    with pytest.raises(InputError) as err:
        import_files([path])
    assert err.value.line == 3
    assert err.value.field is not None
    _assert_unchanged(baseline)


def test_text_in_a_count(tmp_path: Path, baseline: tuple) -> None:
    row = gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(3, 1))
    bad = row.replace(",3,1,4,", ",three,1,4,", 1)
    path = write_gender(tmp_path / "text.csv", [row.replace('"1"', '"0"'), bad])
    with pytest.raises(InputError) as err:
        import_files([path])
    assert (err.value.line, err.value.field) == (3, "Individual Police Male")
    assert "three" in str(err.value)
    _assert_unchanged(baseline)


def test_negative_count(tmp_path: Path, baseline: tuple) -> None:
    row = gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", troops=(-5, 0))
    path = write_gender(tmp_path / "neg.csv", [row])
    with pytest.raises(InputError) as err:
        import_files([path])
    assert (err.value.line, err.value.field) == (2, "Troops Male")
    assert "negative" in str(err.value)
    _assert_unchanged(baseline)


def test_unknown_month(tmp_path: Path, baseline: tuple) -> None:
    rows = [
        gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(1, 0)),
        gender_row(2, "2012-13-31", "Albania", "ALB", "UNMIL", ip=(1, 0)),
    ]
    path = write_gender(tmp_path / "month.csv", rows)
    with pytest.raises(InputError) as err:
        import_files([path])
    assert (err.value.line, err.value.field) == (3, "Date")
    _assert_unchanged(baseline)


def test_one_bad_file_stops_the_whole_run(tmp_path: Path, baseline: tuple) -> None:
    good = sample_gender(tmp_path / "other.csv", month="2012-05-31")
    bad = write_gender(
        tmp_path / "bad.csv", [gender_row(1, "2012-06-30", "Albania", "ALB", "UNMIL", ip=(-1, 0))]
    )
    with pytest.raises(InputError):
        import_files([good, bad])
    _assert_unchanged(baseline)


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_files([path])
    assert err.value.line == 1 and "--format" in str(err.value)
    with pytest.raises(UnknownNameError) as unk:
        import_files([path], format="ipi_gender_ful")
    assert "ipi_gender_full" in unk.value.suggestions


def test_summary_rows_never_inflate(tmp_path: Path) -> None:
    rows = [
        gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(3, 1)),
        gender_row(2, "2012-04-30", "Ghana", "GHA", "UNMIL", troops=(10, 2)),
        gender_row(3, "2012-04-30", "Total", "all", "all", ip=(3, 1), troops=(10, 2)),
    ]
    [result] = import_files([write_gender(tmp_path / "sum.csv", rows)])
    assert [i.kind for i in result.issues] == ["summary_row"]
    assert result.issues[0].lines == [4]
    assert data.contributions()["count"].sum() == 16


def test_parts_not_adding_up_are_rejected_and_reported(tmp_path: Path) -> None:
    rows = [
        gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(3, 1)),
        gender_row(2, "2012-04-30", "Ghana", "GHA", "UNMIL", troops=(10, 2), total=99),
    ]
    [result] = import_files([write_gender(tmp_path / "inc.csv", rows)])
    assert result.rows_rejected == 1
    [issue] = [i for i in result.issues if i.kind == "inconsistent_total"]
    assert issue.lines == [3]
    assert data.contributions()["count"].sum() == 4


def test_duplicated_rows(tmp_path: Path) -> None:
    row = gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(3, 1))
    [result] = import_files([write_gender(tmp_path / "dup.csv", [row, row.replace('"1"', '"2"')])])
    assert [i.kind for i in result.issues] == ["duplicate"]
    assert data.contributions()["count"].sum() == 4
    conflicting = gender_row(2, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(5, 1))
    with pytest.raises(InputError) as err:
        import_files([write_gender(tmp_path / "dup2.csv", [row, conflicting])])
    assert "lines 2, 3" in str(err.value)


def test_newer_file_replaces_its_months(tmp_path: Path) -> None:
    old = write_gender(
        tmp_path / "old.csv",
        [
            gender_row(1, "2012-03-31", "Albania", "ALB", "UNMIL", ip=(3, 1)),
            gender_row(2, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(5, 1)),
        ],
    )
    new = write_gender(
        tmp_path / "new.csv", [gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(7, 2))]
    )
    import_files([old])
    [result] = import_files([new])
    assert result.replaced and result.replaced[0]["months"] == ["2012-04-30"]
    frame = data.contributions()
    by_month = dict(frame.group_by("month").agg(pl.col("count").sum()).iter_rows())
    assert {k.isoformat(): v for k, v in by_month.items()} == {"2012-03-31": 4, "2012-04-30": 9}
    status = {s["file"]: s for s in data.data_status()}
    assert status["old.csv"]["months"] == 1 and status["new.csv"]["months"] == 1


def test_unknown_names_refused_then_mapped_or_skipped(tmp_path: Path) -> None:
    rows = [
        gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(3, 1)),
        gender_row(2, "2012-04-30", "Atlantis", "ATL", "UNMIL", troops=(10, 2)),
        gender_row(3, "2012-05-31", "Atlantis", "ATL", "UNMIL", troops=(8, 2)),
    ]
    path = write_gender(tmp_path / "unk.csv", rows)
    with pytest.raises(UnreconciledError) as err:
        import_files([path])
    [entry] = err.value.report()
    assert (entry["name"], entry["lines"], entry["personnel"]) == ("ATL", [3, 4], 22)
    assert data.data_status() == []
    [skipped] = import_files([path], skip_unknown=True)
    assert skipped.rows_skipped_unknown == 2 and skipped.personnel_skipped_unknown == 22
    assert data.contributions()["count"].sum() == 4
    mapping = tmp_path / "map.yaml"
    mapping.write_text("countries:\n  ATL: GHA\n", encoding="utf-8")
    path2 = write_gender(tmp_path / "unk2.csv", rows)
    path2.write_text(path2.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # new sha256
    import_files([path2], mapping=mapping)
    assert data.contributions(contributor="GHA")["count"].sum() == 22


def test_mapping_file_targets_are_checked(tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("countries:\n  Atlantis: XXX\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        NameMapping.from_file(mapping)
    assert err.value.field == "countries.Atlantis"


def test_line_numbers_count_quoted_line_breaks(tmp_path: Path) -> None:
    first = gender_row(1, "2012-04-30", "Alba\nnia", "ALB", "UNMIL", ip=(3, 1))
    bad = gender_row(2, "2012-04-30", "Ghana", "GHA", "UNMIL", troops=(-1, 0))
    path = write_gender(tmp_path / "multiline.csv", [first, bad])
    with pytest.raises(InputError) as err:
        import_files([path])
    assert (err.value.line, err.value.field) == (4, "Troops Male")

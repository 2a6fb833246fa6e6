"""Nothing lost: published totals kept, partial files refused, every input re-imports, the UN's
own files whole, IPI's loader layout, exact counts."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from bluehelmet.errors import InputError
from bluehelmet.services import data
from bluehelmet.services.data import import_files
from bluehelmet.store.contributions import ReplaceRefusedError
from tests._data_helpers import gender_row, write_gender
from tests.conftest import real_file

GENDER = "ipi_tcc/Gender.Full.csv"
RANK = "un_rank/Rank_2021-01.csv"
FATALITIES = "un_fatalities/DPPADPOSS-FATALITIES.csv"
MISSIONS = "un_missions/DPPADPOSS-PKO.csv"


def _egypt_month(tmp_path: Path) -> Path:
    """Egypt's rows of 2009-11 from Gender.Full.csv, with UNMIS's troop total lowered by one."""
    lines = real_file(GENDER).read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines[1:] if ',2009-11-30,"Egypt","EGY",' in line]
    assert len(rows) == 10
    changed = [r.replace(",1220,15,1235,1255,15,1270", ",1220,15,1234,1255,15,1269") for r in rows]
    assert changed != rows
    path = tmp_path / "egypt.csv"
    path.write_text("\n".join([lines[0], *changed]) + "\n", encoding="utf-8")
    return path


def test_inconsistent_parts_keep_the_published_total(tmp_path: Path) -> None:
    [result] = import_files([_egypt_month(tmp_path)])
    stored = data.contributions(months="2009-11", contributor="EGY")
    assert stored["count"].sum() == 4976  # the published totals (4,977 less the one changed)
    assert result.rows_rejected == 0
    [issue] = [i for i in result.issues if i.kind == "inconsistent_total" and "Troops" in i.message]
    [detail] = issue.details
    assert detail["Troops Male"] == 1220 and detail["Troops Female"] == 15
    assert detail["Troops Total"] == 1234 and detail["Mission"] == "UNMIS"
    unmis = stored.filter(pl.col("mission") == "UNMIS", pl.col("category") == "troops")
    # the split exceeds the total: the total is stored, its sex not stated
    assert dict(unmis.select("sex", "count").iter_rows()) == {"unknown": 1234}


def test_ranking_with_one_total_off_by_one_keeps_every_contributor(tmp_path: Path) -> None:
    source = real_file(RANK)
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith("BGD,") and lines[1].endswith(",317,6394,6711,31-Jan-21")
    lines[1] = lines[1].replace(",6711,", ",6712,")
    copy = tmp_path / "rank.csv"
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_files([source])
    [result] = import_files([copy])
    assert result.status == "imported"
    month = data.contributions(months="2021-01")
    assert month["contributor"].n_unique() == len([line for line in lines[1:] if line.strip()])
    bgd = dict(month.filter(pl.col("contributor") == "BGD").select("sex", "count").iter_rows())
    assert bgd == {"female": 317, "male": 6394, "unknown": 1}
    [issue] = [i for i in result.issues if i.kind == "inconsistent_total"]
    assert issue.lines == [2] and issue.details[0]["Total_Uniformed_Personnel"] == 6712
    ranking = data.official_ranking()
    assert ranking.filter(pl.col("contributor") == "BGD")["total"].to_list() == [6712]


def test_a_partial_file_needs_replace_and_reports_what_it_would_remove(tmp_path: Path) -> None:
    full = write_gender(
        tmp_path / "full.csv",
        [
            gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(3, 1)),
            gender_row(2, "2012-04-30", "Ghana", "GHA", "UNMIL", troops=(10, 2)),
            gender_row(3, "2012-05-31", "Ghana", "GHA", "UNMIL", troops=(11, 2)),
        ],
    )
    sample = write_gender(
        tmp_path / "sample.csv",
        [
            gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(4, 1)),
            gender_row(2, "2012-05-31", "Albania", "ALB", "UNMIL", ip=(4, 1)),
        ],
    )
    import_files([full])
    before = data.contributions()
    with pytest.raises(ReplaceRefusedError) as refused:
        import_files([sample])
    assert "2012-04-30 GHA" in str(refused.value) and "--replace" in str(refused.value)
    assert refused.value.removals[0]["keys"] == 2
    assert data.contributions().equals(before)
    [result] = import_files([sample], replace=True)
    assert result.status == "imported"
    assert set(data.contributions()["contributor"]) == {"ALB"}
    # the original file is restorable: its months were replaced, so it is not "unchanged"
    with pytest.raises(ReplaceRefusedError):  # Albania's May row would go
        import_files([full])
    [again] = import_files([full], replace=True)
    assert again.status == "imported"
    assert data.contributions()["count"].sum() == before["count"].sum()


def test_a_zero_row_still_lists_its_contributor(tmp_path: Path) -> None:
    older = write_gender(
        tmp_path / "older.csv",
        [gender_row(1, "2013-12-31", "Albania", "ALB", "UNOCI", ip=(5, 1))],
    )
    newer = write_gender(
        tmp_path / "newer.csv",
        [gender_row(1, "2013-12-31", "Albania", "ALB", "UNOCI")],
    )
    import_files([older])
    [result] = import_files([newer])  # lists Albania (with zero): nothing unlisted is removed
    assert result.replaced and data.contributions().height == 0


def test_every_input_deciding_the_rows_is_in_the_idempotency_key(tmp_path: Path) -> None:
    rows = [
        gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(3, 1)),
        gender_row(2, "2012-04-30", "Atlantis", "ATL", "UNMIL", troops=(10, 2)),
    ]
    path = write_gender(tmp_path / "g.csv", rows)
    [first] = import_files([path], skip_unknown=True)
    assert first.status == "imported" and data.contributions()["count"].sum() == 4
    [same] = import_files([path], skip_unknown=True)
    assert same.status == "unchanged"
    mapping = tmp_path / "map.yaml"
    mapping.write_text("countries:\n  ATL: GHA\n", encoding="utf-8")
    [mapped] = import_files([path], mapping=mapping)
    assert mapped.status == "imported" and data.contributions()["count"].sum() == 16
    mapping.write_text("countries:\n  ATL: NPL\n", encoding="utf-8")
    with pytest.raises(ReplaceRefusedError):  # GHA would go: a visible choice
        import_files([path], mapping=mapping)
    [remapped] = import_files([path], mapping=mapping, replace=True)
    assert remapped.status == "imported"
    assert set(data.contributions()["contributor"]) == {"ALB", "NPL"}
    [forced] = import_files([path], mapping=mapping, format="ipi_gender_full")
    assert forced.status == "imported"


def test_the_un_files_import_whole_without_flags() -> None:
    [fatalities] = import_files([real_file(FATALITIES)])
    assert fatalities.rows_skipped_unknown == 0 and not fatalities.skipped
    frame = data.fatalities()
    entities = frame.filter(pl.col("mission").is_in(["UNSecretariat", "UNMAO"]))
    assert entities.height == 10
    hammarskjold = entities.filter(pl.col("date") == pl.date(1961, 9, 18))
    assert hammarskjold.height == 4  # the party's deaths listed under the Secretariat
    experts = entities.filter(pl.col("date") == pl.date(2017, 3, 12))
    assert sorted(experts["contributor"]) == ["SWE", "USA"]
    [missions] = import_files([real_file(MISSIONS)])
    assert missions.status == "imported"
    assert "UNFOR" in set(data.mission_list()["acronym"])


LOADER_HEADER = (
    "Date,Contributor,Contributor_ISO-3,Mission,Individual_Police_Male,"
    "Individual_Police_Female,Individual_Police_Total,Formed_Police_Units_Male,"
    "Formed_Police_Units_Female,Formed_Police_Units_Total,Experts_on_Mission_Male,"
    "Experts_on_Mission_Female,Experts_on_Mission_Total,Troops_Male,Troops_Female,"
    "Troops_Total,Total_Male,Total_Female,Total_Total"
)


def _loader_row(date: str, name: str, iso: str, mission: str, troops: tuple[int, int]) -> str:
    """A loader-layout row: troops only, NA where a figure is zero."""
    male, female = troops

    def cell(v: int) -> str:
        return "NA" if v == 0 else str(v)

    cells = [date, name, iso, mission, *["NA"] * 9, male, female, male + female]
    cells += [male, female, male + female]
    return ",".join(c if isinstance(c, str) else cell(c) for c in cells)


def test_ipi_loader_layout_imports_with_everything_reported(tmp_path: Path) -> None:
    rows = [
        _loader_row("2016-12-31", "Ghana", "GHA", "UNIFIL", (800, 70)),
        _loader_row("2016-12-31", "Chad'", "TCD", "MINUSMA", (1300, 0)),
        _loader_row("2016-12-31", "Ghana", "GHA", "MINUSMA", (150, 10)),
        _loader_row("2016-12-31", "all", "NA", "MINUSMA", (1450, 10)),  # matches
        _loader_row("2016-12-31", "Ghana", "GHA", "all", (951, 80)),  # one too many
        _loader_row("2016-12-31", "all", "NA", "all", (2250, 80)),  # matches
        # the recent month repeated (as the loader does), counted once
        _loader_row("2016-12-31", "Ghana", "GHA", "UNIFIL", (800, 70)),
        _loader_row("2016-12-31", "Ghana", "GHA", "UNIFIL", (800, 70)),
    ]
    path = tmp_path / "loader.csv"
    path.write_text("\n".join([LOADER_HEADER, *rows]) + "\n", encoding="utf-8")
    [result] = import_files([path])
    assert result.format == "ipi_gender_full"
    kinds = {i.kind: i for i in result.issues}
    assert {"na_as_zero", "stray_quote", "summary_row", "summary_mismatch", "duplicate"} <= set(
        kinds
    )
    assert kinds["summary_row"].lines == [5, 6, 7]
    assert kinds["summary_mismatch"].lines == [6]
    assert kinds["summary_mismatch"].details[0]["Troops Male"].startswith("951 published, 950")
    assert kinds["duplicate"].lines == [8, 9]
    assert kinds["stray_quote"].lines == [3]
    stored = data.contributions()
    assert stored["count"].sum() == 870 + 1300 + 160
    assert set(stored["contributor"]) == {"GHA", "TCD"}


def test_counts_are_exact_integers_with_a_bound(tmp_path: Path) -> None:
    huge = str(10**17 + 7)
    row = gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(3, 1))
    cells = row.split(",")
    cells[14], cells[15], cells[16] = huge, "0.0", huge
    path = write_gender(tmp_path / "huge.csv", [",".join(cells)])
    with pytest.raises(InputError) as err:
        import_files([path])
    assert err.value.line == 2 and err.value.field == "Troops Male"
    assert "too large" in str(err.value)
    cells[14], cells[15], cells[16] = "12.0", "0.0", "12"
    cells[17], cells[18], cells[19] = "15", "1", "16"
    [result] = import_files([write_gender(tmp_path / "ok.csv", [",".join(cells)])])
    assert result.status == "imported"
    assert data.contributions()["count"].sum() == 16
    assert data.contributions()["count"].dtype == pl.Int64
    cells[14] = "12.5"
    with pytest.raises(InputError, match="whole number"):
        import_files([write_gender(tmp_path / "frac.csv", [",".join(cells)])])


def test_na_is_named_na(tmp_path: Path) -> None:
    cells = gender_row(1, "2012-04-30", "Albania", "ALB", "UNMIL", ip=(3, 1)).split(",")
    cells[6] = "NA"
    with pytest.raises(InputError) as err:
        import_files([write_gender(tmp_path / "na.csv", [",".join(cells)])])
    assert "'NA'" in str(err.value) and "empty" not in str(err.value)

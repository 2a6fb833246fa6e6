"""Text saved through a UTF-8/Windows-1252 mix-up is stored repaired and reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluehelmet.services import data
from bluehelmet.services.data import import_files
from bluehelmet.sources._text import repair_utf8_read_as_cp1252
from tests.conftest import real_file

HEADER = (
    "Source,Mission,year,month,location,country,latitude,longitude,No.troops,"
    "No.TCC,name.of.TCC1,No.troops.per.TCC1,name.of.TCC2,No.troops.per.TCC2"
)


def _mangled(text: str) -> str:
    """``text`` as a program that read its UTF-8 as Windows-1252 would save it."""
    raw = text.encode("utf-8")
    return "".join(
        bytes([b]).decode("cp1252", errors="strict")
        if b not in {0x81, 0x8D, 0x8F, 0x90, 0x9D}
        else chr(b)
        for b in raw
    )


@pytest.mark.parametrize(
    ("published", "meant"),
    [
        ("DÃ©koa", "Dékoa"),
        ("NdÃ©lÃ©", "Ndélé"),
        ("HuÃ\xadla", "Huíla"),
        ("Ã‰quateur", "Équateur"),
        ("Ã\x81frica", "África"),
    ],
)
def test_geopko_spellings_are_repaired(published: str, meant: str) -> None:
    assert repair_utf8_read_as_cp1252(published) == meant


@pytest.mark.parametrize("text", ["Bié", "Côte d’Ivoire", "São Tomé", "Ÿ", "ÃÂ©", "plain", ""])
def test_correct_text_is_left_alone(text: str) -> None:
    assert repair_utf8_read_as_cp1252(text) == text


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF)))
def test_a_mangled_text_is_repaired_and_a_repaired_one_kept(text: str) -> None:
    assert repair_utf8_read_as_cp1252(_mangled(text)) == repair_utf8_read_as_cp1252(text)


def test_geopko_import_stores_repaired_names_and_reports_them(tmp_path: Path) -> None:
    rows = [
        "Map no. 4522 Rev.13,MINUSCA,2018,10,DÃ©koa,Central African Republic,6.31,19.07,650,"
        "1,Cameroon,650,NA,NA",
        "Map no. 4522 Rev.13,MINUSCA,2018,10,Bangui,Central African Republic,4.39,18.55,650,"
        "1,CÃ´te d'Ivoire,650,NA,NA",
        "Map no. 4522 Rev.13,MINUSCA,2018,10,Bié,Central African Republic,4.5,18.6,0,0,NA,NA,NA,NA",
    ]
    path = tmp_path / "geopko.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    [result] = import_files([path])
    [issue] = [i for i in result.issues if i.kind == "repaired_text"]
    assert issue.lines == [2, 3]
    assert "'DÃ©koa' -> 'Dékoa'" in issue.message
    stored = data.scan("locations").collect().sort("latitude")
    assert stored["location"].to_list() == ["Bangui", "Bié", "Dékoa"]
    assert ["Côte d'Ivoire"] in stored["contributor_names"].to_list()
    [again] = import_files([path])
    assert again.status == "unchanged"


def test_the_real_geopko_file_stores_no_mangled_text() -> None:
    path = real_file("geopko/geopko.csv")
    import_files([path], skip_unknown=True)
    frame = data.scan("locations").collect()
    for column in ("location", "country"):
        assert not frame.filter(frame[column].str.contains("Ã|Â")).height, column
    assert "Dékoa" in frame["location"].to_list()


def test_a_file_stored_by_the_earlier_parser_is_stored_again_repaired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polars as pl

    from bluehelmet.sources import geopko

    row = (
        "Map no. 4522 Rev.13,MINUSCA,2018,10,DÃ©koa,Central African Republic,6.31,19.07,0,0,"
        "NA,NA,NA,NA"
    )
    path = tmp_path / "geopko.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    with monkeypatch.context() as before:  # the parser of revision 1: no repair
        before.setattr(geopko.GeoPko, "revision", 1)
        before.setattr(geopko, "repair_columns", lambda frame, _columns: (frame, pl.DataFrame()))
        [old] = import_files([path])
    assert old.status == "imported"
    assert data.scan("locations").collect()["location"].to_list() == ["DÃ©koa"]
    [again] = import_files([path])
    assert again.status == "imported"
    assert data.scan("locations").collect()["location"].to_list() == ["Dékoa"]
    [third] = import_files([path])
    assert third.status == "unchanged"

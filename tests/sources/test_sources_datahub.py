"""The UN Data Hub contributions CSV: columns mapped by the alias table, not by position."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from bluehelmet.errors import InputError
from bluehelmet.services import data
from bluehelmet.services.data import import_files

LONG = (
    "\ufeffContribution_Date,ISOCode3,Contributing_Country,Mission_Acronym,"
    "Personnel_Type,Gender,Count\n"
    """2019-06-30,GHA,Ghana,UNIFIL,Contingent Troop,Female,50
2019-06-30,GHA,Ghana,UNIFIL,Contingent Troop,Male,800
2019-06-30,GHA,Ghana,UNIFIL,Staff Officer,Male,12
2019-06-30,NPL,Nepal,UNIFIL,Experts on Mission,Female,2
2019-06-30,NPL,Nepal,MINUSMA,Individual Police,Male,7
2019-06-30,NPL,Nepal,MINUSMA,Formed Police Units,Male,140
2019-06-30,,Total,,Contingent Troop,Male,9999
"""
)

WIDE = (
    "Last_Reporting_Date;Contributing_Country;Mission;Description;Female_Personnel;"
    "Male_Personnel;Total_Uniformed_Personnel\n"
    """31-Jul-19;Ghana;UNIFIL;Troops;51;801;852
31-Jul-19;Nepal;UNIFIL;UN Military Experts on Mission;2;3;5
"""
)


def test_long_layout_by_alias(tmp_path: Path) -> None:
    path = tmp_path / "contributions.csv"
    path.write_text(LONG, encoding="utf-8")
    [result] = import_files([path])
    assert result.format == "un_datahub_contributions"
    assert [i.kind for i in result.issues] == ["summary_row"]
    frame = data.contributions(months=date(2019, 6, 30))
    assert frame["count"].sum() == 50 + 800 + 12 + 2 + 7 + 140
    by_cat = dict(frame.group_by("category").agg(pl.col("count").sum()).iter_rows())
    assert by_cat == {
        "troops": 850,
        "staff_officers": 12,
        "experts_on_mission": 2,
        "individual_police": 7,
        "formed_police_units": 140,
    }
    assert set(frame["sex"]) == {"female", "male"}


def test_wide_layout_and_extra_aliases(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(WIDE.replace(";", ","), encoding="utf-8")
    with pytest.raises(InputError):
        # a layout without a personnel type column cannot be mapped
        import_files([_without_category(tmp_path)], format="un_datahub_contributions")
    [result] = import_files([path])
    assert result.totals == {"experts_on_mission": 5, "troops": 852}


def _without_category(tmp_path: Path) -> Path:
    path = tmp_path / "nocat.csv"
    path.write_text(
        "Last_Reporting_Date,Contributing_Country,Mission,Female_Personnel,"
        "Male_Personnel\n31-Jul-19,Ghana,UNIFIL,1,2\n",
        encoding="utf-8",
    )
    return path


def test_new_layout_needs_only_an_alias(tmp_path: Path) -> None:
    path = tmp_path / "new.csv"
    path.write_text(
        "Reporting Month,TCC Code,Operation,Post Category,Sex,Headcount\n"
        "2020-01-31,GHA,UNIFIL,Contingent Troop,F,10\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError):
        import_files([path])
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text(
        "fields:\n  month: [Reporting Month]\n  contributor_iso3: [TCC Code]\n"
        "  count: [Headcount]\n  category: [Post Category]\n",
        encoding="utf-8",
    )
    [result] = import_files([path], aliases=aliases)
    assert result.totals == {"troops": 10}


def test_unknown_category_value_is_located(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(LONG.replace("Staff Officer", "Chaplain"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_files([path])
    assert (err.value.line, err.value.field) == (4, "Personnel_Type")


def test_published_name_variants_reconcile(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text(
        "Contribution_Date,Contributing_Country,Mission_Acronym,Personnel_Type,Gender,Count\n"
        "2010-05-31,DR Congo,MONUC,Individual Police,Male,3\n"
        "2010-07-31,DR Congo,MONUSCO,Individual Police,Male,4\n"
        "2012-05-31,South Sudan',UNMISS,Troops,Male,5\n"
        "2012-05-31,Cote d'Ivoire,UNMIL,Troops,Female,6\n"
        '2012-05-31,"Côte d\'Ivoire",UNOCI,Troops,Female,7\n',
        encoding="utf-8",
    )
    import_files([path])
    got = {
        (r["contributor"], r["mission"], r["count"])
        for r in data.contributions().iter_rows(named=True)
    }
    assert got == {
        ("COD", "MONUC", 3),
        ("COD", "MONUSCO", 4),
        ("SSD", "UNMISS", 5),
        ("CIV", "UNMIL", 6),
        ("CIV", "UNOCI", 7),
    }

"""``bluehelmet offers import|export`` (CliRunner): round trips and errors naming the place."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bluehelmet.cli import app

runner = CliRunner()

GOOD_CSV = (
    "partner,kind,contributor,unit_type,mission,capacity,capacity_unit,lead_time_days,cost\n"
    "Japan,training,GHA,CBT_ENG_COY,,40,seats,90,250000\n"
    "AU,logistics,,QRF_COY,MINUSCA,1200,flight_hours,30,\n"
)


def _fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code != 0, result.output
    return " ".join(result.stderr.split())


def test_import_then_export_round_trips_through_csv_and_yaml(tmp_path: Path) -> None:
    source = tmp_path / "offers.csv"
    source.write_text(GOOD_CSV, encoding="utf-8")
    done = runner.invoke(app, ["offers", "import", str(source)])
    assert done.exit_code == 0, done.output
    assert "2 offer(s) imported" in done.stdout
    exported = runner.invoke(app, ["offers", "export", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["partner"], r["kind"], r["status"]) for r in rows] == [
        ("JPN", "training", "offered"),
        ("AU", "logistics", "offered"),
    ]
    assert rows[0]["contributor"] == "GHA" and rows[1]["mission"] == "MINUSCA"
    out = tmp_path / "offers.yaml"
    written = runner.invoke(app, ["offers", "export", "-f", "yaml", "-o", str(out)])
    assert written.exit_code == 0, written.output
    offers = yaml.safe_load(out.read_text(encoding="utf-8"))["offers"]
    assert [o["partner"] for o in offers] == ["JPN", "AU"]
    assert offers[0]["capacity"] == 40 and offers[0]["capacity_unit"] == "seats"
    again = runner.invoke(app, ["offers", "import", str(out)])
    assert again.exit_code == 0, again.output
    listed = runner.invoke(app, ["offers", "export", "--status", "offered"])
    assert len(list(csv.DictReader(io.StringIO(listed.stdout)))) == 4
    none = runner.invoke(app, ["offers", "export", "--status", "delivered"])
    assert list(csv.DictReader(io.StringIO(none.stdout))) == []


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("bad.csv", GOOD_CSV.replace("training", "wizardry"), "bad.csv, line 2, field 'kind'"),
        ("bad.csv", GOOD_CSV.replace(",30,", ",-3,"), "line 3, field 'lead_time_days'"),
        ("bad.csv", GOOD_CSV.replace(",40,", ",lots,"), "line 2, field 'capacity'"),
        ("bad.csv", GOOD_CSV.replace("Japan", "Narnia"), "line 2, field 'partner'"),
        ("bad.csv", GOOD_CSV.replace("GHA", "XXX"), "line 2, field 'contributor'"),
        ("bad.csv", GOOD_CSV.replace("seats", ""), "line 2, field 'capacity_unit'"),
        ("bad.csv", "partner,kind,colour\nAU,training,blue\n", "line 1, field 'colour'"),
        ("bad.csv", GOOD_CSV.replace("MINUSCA", "ATLANTIS"), "line 3, field 'mission'"),
        ("bad.yaml", "offers:\n  - partner: EU\n    kind: [\n", "bad.yaml, line"),
        ("bad.yaml", "offers: 3\n", "must be a list of offers"),
        (
            "bad.yaml",
            "- partner: EU\n  kind: equipment\n  mission: MINUSCA\n- partner: EU\n  kind: x\n",
            "line 2, field 'kind'",
        ),
        ("bad.txt", "anything", "not '.txt'"),
        ("bad.csv", "\udcff", "bad.csv"),
    ],
)
def test_bad_files_name_file_line_and_field_and_import_nothing(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert where in _fails("offers", "import", str(path))
    exported = runner.invoke(app, ["offers", "export"])
    assert len(exported.stdout.strip().splitlines()) == 1, "nothing was imported"


def test_missing_empty_and_huge_files(tmp_path: Path) -> None:
    assert "no such file" in _fails("offers", "import", str(tmp_path / "absent.csv"))
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert "0 offer(s) imported" in runner.invoke(app, ["offers", "import", str(empty)]).stdout
    huge = tmp_path / "huge.csv"
    row = "AU,training,GHA,,,,,,\n"
    huge.write_text(GOOD_CSV.splitlines()[0] + "\n" + row * 10_001, encoding="utf-8")
    assert "at most 10000" in _fails("offers", "import", str(huge))
    assert "unknown status" in _fails("offers", "export", "--status", "lost")

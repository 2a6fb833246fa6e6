"""Offer files for planning: read, write, and add to a scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluehelmet.errors import InputError
from bluehelmet.forcegen import demo_scenario
from bluehelmet.services.partnership_planning import (
    MAX_OFFERS_BYTES,
    read_offers,
    scenario_with_offer_files,
    write_offers,
)


@pytest.mark.parametrize("suffix", [".csv", ".yaml", ".yml"])
def test_offers_written_are_read_back(tmp_path: Path, suffix: str) -> None:
    offers = demo_scenario().partnerships
    path = write_offers(offers, tmp_path / f"offers{suffix}")
    assert read_offers(path) == offers


def test_json_offers_and_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "offers.json"
    path.write_text(
        '[{"id": "A", "partner": "AU", "kind": "funding", "capacity": 1e6, "unit": "USD"}]',
        encoding="utf-8",
    )
    assert read_offers(path)[0].partner == "AU"
    csv = tmp_path / "offers.csv"
    csv.write_text("id,partner,kind,capacity,unit\nB,EU,equipment,4,APC\n", encoding="utf-8-sig")
    assert read_offers(csv)[0].id == "B"


def test_bad_offer_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read offers"):
        read_offers(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="must end in"):
        read_offers(tmp_path / "offers.txt")
    binary = tmp_path / "offers.csv"
    binary.write_bytes(b"\xff\xfe\x00i\x00d")
    with pytest.raises(InputError, match="not UTF-8"):
        read_offers(binary)
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as fh:
        fh.truncate(MAX_OFFERS_BYTES + 1)
    with pytest.raises(InputError, match="limit"):
        read_offers(huge)
    with pytest.raises(InputError, match=r"\.csv, \.yaml or \.yml"):
        write_offers((), tmp_path / "offers.xlsx")
    with pytest.raises(InputError, match="cannot write"):
        write_offers((), tmp_path / "no" / "such" / "offers.csv")


def test_offer_files_join_the_scenario(tmp_path: Path) -> None:
    sc = demo_scenario()
    path = tmp_path / "more.csv"
    path.write_text(
        "id,partner,kind,capacity,unit,status\nX1,Japan,training,10,seats,accepted\n",
        encoding="utf-8",
    )
    joined = scenario_with_offer_files(sc, [path])
    assert joined.partnerships[-1].id == "X1" and joined.partnerships[-1].partner == "JPN"
    with pytest.raises(InputError) as info:
        scenario_with_offer_files(sc, [path, path])
    assert info.value.file == str(path)
    assert "already in scenario" in str(info.value)

"""World Bank income groups in the country registry (FY2025 classification, see countries.csv)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import polars as pl
import pytest

from bluehelmet import analytics, reference
from bluehelmet.domain.contributions import CONTRIBUTION_SCHEMA
from bluehelmet.reference._load import data_file
from bluehelmet.reference.countries import INCOME_GROUPS


def _by_iso3() -> dict[str, str | None]:
    return {c.iso3: c.income_group for c in reference.countries()}


@pytest.mark.parametrize(
    ("iso3", "group"),
    [
        ("USA", "High income"),
        ("FRA", "High income"),
        ("JPN", "High income"),
        ("URY", "High income"),
        ("GUY", "High income"),
        ("RUS", "High income"),  # up from upper middle in FY2025
        ("BGR", "High income"),  # up from upper middle in FY2025
        ("PLW", "High income"),  # up from upper middle in FY2025
        ("TWN", "High income"),  # the World Bank's "Taiwan, China"
        ("CHN", "Upper middle income"),
        ("BRA", "Upper middle income"),
        ("CRI", "Upper middle income"),  # high income only from FY2026
        ("DZA", "Upper middle income"),  # up from lower middle in FY2025
        ("IRN", "Upper middle income"),
        ("MNG", "Upper middle income"),
        ("UKR", "Upper middle income"),
        ("XKX", "Upper middle income"),
        ("IND", "Lower middle income"),
        ("BGD", "Lower middle income"),
        ("NPL", "Lower middle income"),
        ("PAK", "Lower middle income"),
        ("NGA", "Lower middle income"),
        ("GHA", "Lower middle income"),
        ("PSE", "Lower middle income"),  # "West Bank and Gaza", down in FY2025
        ("ETH", "Low income"),
        ("RWA", "Low income"),
        ("NER", "Low income"),
        ("COD", "Low income"),
        ("PRK", "Low income"),
        ("YEM", "Low income"),
    ],
)
def test_known_income_groups(iso3: str, group: str) -> None:
    assert _by_iso3()[iso3] == group


@pytest.mark.parametrize(
    "iso3",
    ["VEN", "VAT", "ESH", "SUN", "YUG", "SCG", "CSK", "DDR", "YMD"],
)
def test_unclassified_states_have_no_income_group(iso3: str) -> None:
    assert _by_iso3()[iso3] is None


def test_income_group_counts_match_the_world_bank_fy2025_table() -> None:
    counts = Counter(g for g in _by_iso3().values() if g is not None)
    # FY2025 CLASS.xlsx: 26 low, 51 lower middle, 54 upper middle, 86 high income economies.
    # Every low and middle income economy is a state in the registry; 22 of the 86 high income
    # economies are territories (Aruba, Hong Kong SAR, Puerto Rico, ...) without a row here.
    assert counts == {
        "Low income": 26,
        "Lower middle income": 51,
        "Upper middle income": 54,
        "High income": 64,
    }


def test_only_world_bank_labels_are_used() -> None:
    assert {g for g in _by_iso3().values() if g is not None} == set(INCOME_GROUPS)


def test_every_current_un_member_except_venezuela_has_an_income_group() -> None:
    missing = sorted(c.iso3 for c in reference.countries() if c.un_member and not c.income_group)
    assert missing == ["VEN"]


def test_header_names_the_source_and_fiscal_year() -> None:
    header = "\n".join(
        line for line in data_file("countries.csv").splitlines() if line.startswith("#")
    )
    assert "World Bank Country and Lending Groups" in header
    assert "FY2025" in header
    assert "906519-world-bank-country-and-lending-groups" in header


def test_shares_by_income_use_the_registry() -> None:
    month = date(2013, 1, 31)
    data = [
        {
            "month": month,
            "contributor": iso3,
            "mission": "UNMISS",
            "category": "troops",
            "sex": "male",
            "count": n,
            "source": "hand",
            "sha256": "0" * 64,
            "line": i + 2,
        }
        for i, (iso3, n) in enumerate([("USA", 10), ("IND", 40), ("ETH", 30), ("VEN", 20)])
    ]
    frame = pl.DataFrame(data, schema=CONTRIBUTION_SCHEMA)
    table = analytics.shares(frame, by="income")
    assert dict(zip(table["key"], table["person_months"], strict=True)) == {
        "Lower middle income": 40,
        "Low income": 30,
        "unknown": 20,
        "High income": 10,
    }

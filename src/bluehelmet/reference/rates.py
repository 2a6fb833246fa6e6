"""Standard rate of reimbursement to troop- and police-contributing countries, as dated steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from bluehelmet.errors import BluehelmetError, InputError
from bluehelmet.reference._load import parse_date, read_rows

FILE = "reimbursement_rates.csv"


@dataclass(frozen=True, slots=True)
class ReimbursementRate:
    """A standard monthly rate per person (USD) in force from ``effective``."""

    effective: date
    usd_per_person_month: float
    source: str


@cache
def reimbursement_rates() -> tuple[ReimbursementRate, ...]:
    """All sourced rate steps, oldest first."""
    out: list[ReimbursementRate] = []
    for line, row in read_rows(FILE):
        effective = parse_date(row["effective"], file=FILE, line=line, field="effective")
        if effective is None:
            msg = "effective date is required"
            raise InputError(msg, file=FILE, line=line, field="effective")
        try:
            amount = float(row["usd_per_person_month"])
        except ValueError:
            msg = f"not a number: {row['usd_per_person_month']!r}"
            raise InputError(msg, file=FILE, line=line, field="usd_per_person_month") from None
        out.append(ReimbursementRate(effective, amount, row["source"]))
    return tuple(sorted(out, key=lambda r: r.effective))


def troop_reimbursement_rate(on: date) -> ReimbursementRate:
    """The standard troop cost reimbursement rate in force on ``on``.

    Raises ``BluehelmetError`` for dates before the first sourced rate.
    """
    rates = [r for r in reimbursement_rates() if r.effective <= on]
    if not rates:
        first = reimbursement_rates()[0].effective
        msg = f"no sourced troop reimbursement rate before {first} (asked for {on})"
        raise BluehelmetError(msg)
    return rates[-1]

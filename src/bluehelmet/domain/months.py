"""Reporting months: every monthly figure is dated at the last day of its month."""

from __future__ import annotations

import calendar
from datetime import date

from bluehelmet.errors import InputError


def month_end(value: date | str, *, field: str = "month") -> date:
    """The last day of the month of ``value`` (a date or ``YYYY-MM`` / ``YYYY-MM-DD`` text).

    Text that is not a month raises :class:`~bluehelmet.errors.InputError` naming ``field``.
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            year, month = int(text[0:4]), int(text[5:7])
            if len(text) not in (7, 10) or text[4] != "-" or not 1 <= month <= 12 or year < 1:
                raise ValueError(text)
            if len(text) == 10:
                date.fromisoformat(text)
        except ValueError:
            msg = f"month {value!r} is not of the form YYYY-MM or YYYY-MM-DD"
            raise InputError(msg, field=field) from None
        return date(year, month, calendar.monthrange(year, month)[1])
    return date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])

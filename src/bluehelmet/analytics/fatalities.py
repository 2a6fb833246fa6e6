"""Fatalities: counts by mission, contributor, year, incident and personnel type; rates.

The fatality rows are one peacekeeper death each, with columns ``date`` (Date), ``mission``,
``contributor`` (ISO-3 of the nationality), ``personnel_type`` and ``incident_type``. The
UN Data Hub's own column names (``incident_date``, ``mission_acronym``, ``isocode3``,
``casualty_personnel_type``, ``type_of_incident``) are accepted too.

Rates are per 1,000 personnel-years: deaths / (person-months / 12) x 1,000, where both the
deaths and the person-months are counted only in the cells (month x key) whose strength is
known from the contribution rows (so both cover the same months). Each rate carries an exact
Poisson confidence interval and a small-exposure flag. Only uniformed deaths
(``UNIFORMED_TYPES``) are counted in rates, as the strength is of uniformed personnel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import polars as pl

from bluehelmet.analytics._coded import coded_rows
from bluehelmet.analytics._common import ContributionFilter, Frame, as_lazy
from bluehelmet.domain.months import month_end
from bluehelmet.errors import InputError

FATALITY_COLUMNS = ("date", "mission", "contributor", "personnel_type", "incident_type")

_ALIASES = {
    "incident_date": "date",
    "mission_acronym": "mission",
    "isocode3": "contributor",
    "casualty_personnel_type": "personnel_type",
    "type_of_incident": "incident_type",
}

#: Personnel types of the UN fatality file that belong to the uniformed strength.
UNIFORMED_TYPES = ("Military", "Military Observer", "Police")

#: What fatalities can be counted by.
FATALITY_KEYS = ("mission", "contributor", "year", "month", "incident_type", "personnel_type")

#: What rates can be computed by (a strength must exist for the same key).
RATE_KEYS = ("mission", "contributor", "year")

#: Personnel-years below which a rate is flagged ``small_exposure``: with fewer than 1,000
#: personnel-years one death more or less moves the rate by a whole point per 1,000.
SMALL_EXPOSURE = 1000.0


def fatality_rows(
    fatalities: Frame,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    personnel_types: str | Iterable[str] | None = None,
) -> pl.LazyFrame:
    """The fatality rows, with standard column names, a ``month`` (month-end) and ``year``.

    Names are resolved as in every filter (``ContributionFilter``): ``-c Ghana``, ``gh``.
    """
    lazy = fatalities.lazy() if isinstance(fatalities, pl.DataFrame) else fatalities
    names = lazy.collect_schema().names()
    renames = {a: c for a, c in _ALIASES.items() if a in names and c not in names}
    lazy = as_lazy(lazy.rename(renames), FATALITY_COLUMNS, "fatality rows")
    lazy = lazy.with_columns(
        pl.col("personnel_type").str.strip_chars(),
        pl.col("incident_type").str.strip_chars(),
        month=pl.col("date").dt.month_end(),
        year=pl.col("date").dt.year().cast(pl.Int32),
    )
    where = ContributionFilter.of(
        start=start, end=end, contributors=contributors, missions=missions
    )
    conditions = where.conditions(date_column="date")
    if personnel_types is not None:
        wanted = [personnel_types] if isinstance(personnel_types, str) else list(personnel_types)
        conditions.append(pl.col("personnel_type").is_in(wanted))
    if conditions:
        lazy = lazy.filter(pl.all_horizontal(conditions))
    return lazy


def _keys(by: str | Sequence[str], allowed: Sequence[str]) -> list[str]:
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        if key not in allowed:
            msg = f"cannot group fatalities by {key!r} (known: {', '.join(allowed)})"
            raise InputError(msg, field="by")
    if not keys:
        msg = "give at least one key to group fatalities by"
        raise InputError(msg, field="by")
    return keys


def fatality_counts(
    fatalities: Frame,
    *,
    by: str | Sequence[str] = "mission",
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    personnel_types: str | Iterable[str] | None = None,
) -> pl.DataFrame:
    """Number of fatalities per key (any of ``FATALITY_KEYS``), largest first; grouped by year
    or month, in time order (largest first within a period)."""
    keys = _keys(by, FATALITY_KEYS)
    rows = fatality_rows(
        fatalities,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        personnel_types=personnel_types,
    )
    periods = [k for k in keys if k in ("year", "month")]
    others = [k for k in keys if k not in periods]
    return (
        rows.group_by(keys)
        .agg(fatalities=pl.len().cast(pl.Int64))
        .sort(
            [*periods, "fatalities", *others],
            descending=[False] * len(periods) + [True] + [False] * len(others),
            nulls_last=True,
        )
        .collect()
    )


def partial_period(table: pl.DataFrame, keys: Sequence[str], latest: date) -> str | None:
    """A note when the table's last year or month is the one the data ends in, part-way.

    ``latest`` is the latest incident date stored: counts for its year (or month) stop there,
    so a bar for it is not comparable with full periods. None when no period key is grouped
    by, the table stops earlier, or ``latest`` closes its period.
    """
    if not table.height:
        return None
    ends = f"the data ends with an incident on {latest}"
    year_open = (latest.month, latest.day) != (12, 31)
    if "year" in keys and year_open and table["year"].max() == latest.year:
        return f"{latest.year} is part-year: {ends}"
    last = table["month"].max() if "month" in keys else None
    if isinstance(last, date) and last == month_end(latest) and latest != last:
        return f"{latest:%Y-%m} is part-month: {ends}"
    return None


def poisson_interval(
    counts: Sequence[int], exposures: Sequence[float], *, level: float = 0.95
) -> tuple[list[float | None], list[float | None]]:
    """Exact (Garwood) Poisson confidence limits of ``count / exposure`` for each pair.

    The limits are the chi-square quantiles ``chi2(a/2, 2k) / 2`` and
    ``chi2(1 - a/2, 2k + 2) / 2`` (scipy.stats), divided by the exposure; the lower limit of
    a zero count is 0. None where the exposure is not positive.
    """
    import numpy as np
    from scipy.stats import chi2

    if len(counts) != len(exposures):
        msg = f"{len(counts)} counts but {len(exposures)} exposures"
        raise ValueError(msg)
    alpha = 1.0 - level
    k = np.asarray(counts, dtype=np.float64)
    exposure = np.asarray([np.nan if e is None else e for e in exposures], dtype=np.float64)
    # one vectorized quantile call each (a call per row costs more than the whole answer)
    low = np.where(k == 0, 0.0, chi2.ppf(alpha / 2, np.maximum(2 * k, 1)) / 2)
    high = chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    valid = exposure > 0
    safe = np.where(valid, exposure, 1.0)
    lower = [float(v) if ok else None for v, ok in zip(low / safe, valid, strict=True)]
    upper = [float(v) if ok else None for v, ok in zip(high / safe, valid, strict=True)]
    return lower, upper


def fatality_rates(
    fatalities: Frame,
    contributions: Frame,
    *,
    by: str = "mission",
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    level: float = 0.95,
) -> pl.DataFrame:
    """Uniformed fatalities per 1,000 personnel-years, per mission, contributor or year.

    Deaths are counted only in the cells (month x key) whose strength is known, so numerator
    and exposure cover the same months. Columns: the key, ``fatalities``, ``person_months``,
    ``personnel_years``, ``rate_per_1000``, ``rate_low`` / ``rate_high`` (exact Poisson
    interval at ``level``, per 1,000 personnel-years), ``small_exposure`` (fewer than
    ``SMALL_EXPOSURE`` personnel-years: the rate is too unstable to compare), ``months``
    (months with known strength), ``first_month`` and ``last_month``.
    """
    key = _keys(by, RATE_KEYS)[0]
    where = ContributionFilter.of(
        start=start, end=end, contributors=contributors, missions=missions
    )
    cells = ["month", key] if key != "year" else ["month", "year"]
    coded = coded_rows(contributions)
    if coded is not None:
        rows = coded.select(where, not_null=("mission",) if key == "mission" else ())
        known = coded.cells(cells, rows=rows, total="person_months").frame().lazy()
    else:
        strength = where.apply(contributions).with_columns(
            year=pl.col("month").dt.year().cast(pl.Int32)
        )
        if key == "mission":
            strength = strength.filter(pl.col("mission").is_not_null())
        known = strength.group_by(cells).agg(person_months=pl.col("count").sum())
    known = known.filter(pl.col("person_months") > 0)
    deaths = (
        fatality_rows(
            fatalities,
            start=start,
            end=end,
            contributors=contributors,
            missions=missions,
            personnel_types=UNIFORMED_TYPES,
        )
        .group_by(cells)
        .agg(fatalities=pl.len().cast(pl.Int64))
    )
    table = (
        known.join(deaths, on=cells, how="left")
        .group_by(key)
        .agg(
            fatalities=pl.col("fatalities").fill_null(0).sum(),
            person_months=pl.col("person_months").sum(),
            months=pl.col("month").n_unique(),
            first_month=pl.col("month").min(),
            last_month=pl.col("month").max(),
        )
        .with_columns(personnel_years=pl.col("person_months") / 12.0)
        .with_columns(rate_per_1000=pl.col("fatalities") / pl.col("personnel_years") * 1000.0)
        .sort(key)
        .collect()
    )
    low, high = poisson_interval(
        table["fatalities"].to_list(), table["personnel_years"].to_list(), level=level
    )
    return table.with_columns(
        rate_low=pl.Series(low, dtype=pl.Float64) * 1000.0,
        rate_high=pl.Series(high, dtype=pl.Float64) * 1000.0,
        small_exposure=pl.col("personnel_years") < SMALL_EXPOSURE,
    ).select(
        key,
        "fatalities",
        "person_months",
        "personnel_years",
        "rate_per_1000",
        "rate_low",
        "rate_high",
        "small_exposure",
        "months",
        "first_month",
        "last_month",
    )

"""Analytics: pure functions over the normalized contribution and fatality rows.

Every function takes the rows as a polars DataFrame or LazyFrame and the same filters
(``start``, ``end``, ``contributors``, ``missions``, ``categories``) and returns a polars
DataFrame. Loading from the store is left to the caller (``bluehelmet.services.data``).
"""

from __future__ import annotations

from bluehelmet.analytics._common import filter_rows
from bluehelmet.analytics.fatalities import fatality_counts, fatality_rates
from bluehelmet.analytics.gender import PARITY_TARGETS, ParityBy, parity, targets_frame
from bluehelmet.analytics.missions import mission_months
from bluehelmet.analytics.panels import Panel, PanelKind, PanelKindError, panel
from bluehelmet.analytics.ranking import compare_with_official, ranking
from bluehelmet.analytics.shares import ShareBy, concentration, share_trends, shares
from bluehelmet.domain.months import month_end

__all__ = [
    "PARITY_TARGETS",
    "Panel",
    "PanelKind",
    "PanelKindError",
    "ParityBy",
    "ShareBy",
    "compare_with_official",
    "concentration",
    "fatality_counts",
    "fatality_rates",
    "filter_rows",
    "mission_months",
    "month_end",
    "panel",
    "parity",
    "ranking",
    "share_trends",
    "shares",
    "targets_frame",
]

"""Analytics: pure functions over the normalized contribution and fatality rows.

Every function takes the rows as a polars DataFrame or LazyFrame and the same filters
(``start``, ``end``, ``contributors``, ``missions``, ``categories``; see
``ContributionFilter``) and returns a polars DataFrame. Loading from the store is left to the
caller (``bluehelmet.services.analytics`` for the use cases, ``bluehelmet.services.data``).
"""

from __future__ import annotations

from bluehelmet.analytics._coded import keep_codes
from bluehelmet.analytics._common import ContributionFilter, filter_rows
from bluehelmet.analytics.fatalities import (
    fatality_counts,
    fatality_rates,
    partial_period,
    poisson_interval,
)
from bluehelmet.analytics.gender import (
    PARITY_TARGETS,
    ParityBy,
    parity,
    strategy_targets,
    targets_frame,
)
from bluehelmet.analytics.locations import deployment_locations
from bluehelmet.analytics.missions import mission_months
from bluehelmet.analytics.panels import Panel, PanelKind, PanelKindError, panel
from bluehelmet.analytics.ranking import compare_with_official, ranking
from bluehelmet.analytics.shares import ShareBy, concentration, share_trends, shares
from bluehelmet.domain.months import month_end

__all__ = [
    "PARITY_TARGETS",
    "ContributionFilter",
    "Panel",
    "PanelKind",
    "PanelKindError",
    "ParityBy",
    "ShareBy",
    "compare_with_official",
    "concentration",
    "deployment_locations",
    "fatality_counts",
    "fatality_rates",
    "filter_rows",
    "keep_codes",
    "mission_months",
    "month_end",
    "panel",
    "parity",
    "partial_period",
    "poisson_interval",
    "ranking",
    "share_trends",
    "shares",
    "strategy_targets",
    "targets_frame",
]

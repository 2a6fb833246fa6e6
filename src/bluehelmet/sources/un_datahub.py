"""UN Peace and Security Data Hub: historical contributions by contributor, mission, type.

The official file's header is not fixed here, so columns are found by name through an alias
table (``data/datahub_aliases.yaml``, or a file given with ``aliases=``). Both the long
layout (a sex column and a count) and the wide layout (female / male / total columns) are read.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import polars as pl
import yaml

from bluehelmet.domain.registry import PersonnelCategory, Sex
from bluehelmet.errors import InputError
from bluehelmet.sources._adapter import (
    Adapter,
    Parsed,
    drop_duplicates,
    drop_summary_rows,
    keep_published_total,
    months_of,
    nonzero_rows,
)
from bluehelmet.sources._common import (
    Issue,
    RawFile,
    counts,
    dates,
    is_summary,
    missing_message,
    read_table,
)

DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%y", "%d-%b-%Y", "%d/%m/%Y", "%Y-%m", "%m/%d/%Y", "%b-%y")


def _key(name: str) -> str:
    return re.sub(r"[\s_\-./]+", "", name.strip().lower())


@cache
def _default_aliases() -> dict[str, Any]:
    text = (
        resources.files("bluehelmet.sources")
        .joinpath("data/datahub_aliases.yaml")
        .read_text(encoding="utf-8")
    )
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def load_aliases(path: Path | None = None) -> dict[str, Any]:
    """The alias table: the shipped one, or ``path`` (same layout) merged over it."""
    table = {k: {kk: list(vv) for kk, vv in v.items()} for k, v in _default_aliases().items()}
    if path is None:
        return table
    try:
        extra = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        msg = f"cannot read the alias table: {exc}"
        raise InputError(msg, file=path) from exc
    for section in ("fields", "categories", "sexes"):
        for key, names in (extra.get(section) or {}).items():
            if section != "fields" and key not in table[section]:
                msg = f"unknown {section[:-1]} {key!r}"
                raise InputError(msg, file=path, field=section)
            table[section].setdefault(key, [])
            table[section][key] = [*map(str, names), *table[section][key]]
    return table


def resolve_columns(header: tuple[str, ...], aliases: dict[str, Any]) -> dict[str, str]:
    """Map normalized field -> column of ``header`` through the alias table."""
    by_key = {_key(h): h for h in header}
    found: dict[str, str] = {}
    for field_name, names in aliases["fields"].items():
        for name in names:
            column = by_key.get(_key(str(name)))
            if column is not None and column not in found.values():
                found[field_name] = column
                break
    return found


def _layout(found: dict[str, str]) -> str | None:
    if "month" not in found or not ({"contributor", "contributor_iso3"} & found.keys()):
        return None
    if "mission" not in found:
        return None
    if "category" in found and "count" in found:
        return "long"
    if "category" in found and {"female", "male"} <= found.keys():
        return "wide"
    return None


class UnDataHubContributions(Adapter):
    """The Data Hub's contributions CSV, any layout the alias table can map."""

    name: ClassVar[str] = "un_datahub_contributions"
    dataset: ClassVar[str] = "contributions"
    title: ClassVar[str] = "UN Data Hub historical contributions (columns mapped by alias)"
    citation: ClassVar[str] = (
        "United Nations Peace and Security Data Hub, Contributions of uniformed personnel "
        "to UN peacekeeping operations by country, mission and personnel type (psdata.un.org)"
    )
    signature: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, aliases: Path | None = None) -> None:
        self.aliases = load_aliases(aliases)

    def score(self, header: tuple[str, ...]) -> int:
        """Matches when the alias table finds month, contributor, mission, type and counts."""
        found = resolve_columns(header, self.aliases)
        return len(found) if _layout(found) else 0

    def parse(self, raw: RawFile) -> Parsed:
        """Map columns by alias, translate categories and sexes, and emit the long table."""
        found = resolve_columns(raw.header, self.aliases)
        layout = _layout(found)
        if layout is None:
            msg = (
                "columns not recognised as a Data Hub contributions file; found "
                f"{found or 'nothing'} (add the missing column names to the alias table)"
            )
            raise InputError(msg, file=raw.path, line=1)
        frame = read_table(raw)
        frame = frame.rename({v: f"__{k}" for k, v in found.items()})
        rows_read = frame.height
        issues: list[Issue] = []
        contributor = (
            pl.coalesce(pl.col("__contributor_iso3"), pl.col("__contributor"))
            if {"contributor_iso3", "contributor"} <= found.keys()
            else pl.col("__contributor_iso3" if "contributor_iso3" in found else "__contributor")
        )
        frame = frame.with_columns(
            contributor.str.strip_chars().alias("contributor"),
            pl.col("__mission").str.strip_chars().alias("mission"),
            pl.col("__category").str.strip_chars().alias("__category"),
        )
        value_cols = ["__count"] if layout == "long" else ["__female", "__male"]
        frame = counts(raw, frame, value_cols)
        if layout == "wide" and "total" in found:
            frame = counts(raw, frame, ["__total"])
        total_expr = (
            pl.col("__count") if layout == "long" else pl.col("__female") + pl.col("__male")
        )
        summary = (
            is_summary(pl.col("contributor")).fill_null(value=False)
            | is_summary(pl.col("mission")).fill_null(value=False)
            | is_summary(pl.col("__category")).fill_null(value=False)
        )
        if "sex" in found:
            summary = summary | is_summary(pl.col("__sex")).fill_null(value=False)
        frame = drop_summary_rows(frame, summary, issues, total_expr)
        for column, field_name in (("contributor", "contributor"), ("mission", "mission")):
            missing = frame.filter(pl.col(column).is_null()).head(1)
            if missing.height:
                published = found[field_name] if field_name in found else found["contributor_iso3"]
                line = int(missing["_line"][0])
                msg = missing_message(raw, line, published)
                raise InputError(msg, file=raw.path, line=line, field=published)
        frame = dates(raw, frame, "__month", formats=DATE_FORMATS)
        frame = frame.with_columns(pl.col("__month").dt.month_end().alias("month"))
        frame = self._translate(raw, frame, "__category", "categories", found["category"])
        if layout == "wide":
            if "total" in found:
                frame = keep_published_total(
                    frame,
                    "__female",
                    "__male",
                    "__total",
                    "__not_stated",
                    issues,
                    ["month", "contributor", "mission", "category"],
                    label=f"'{found['female']}' + '{found['male']}' != '{found['total']}'",
                )
            else:
                frame = frame.with_columns(pl.lit(0, pl.Int64).alias("__not_stated"))
            frame = drop_duplicates(
                raw,
                frame,
                ["month", "contributor", "mission", "category"],
                ["__female", "__male"],
                issues,
            )
            long = pl.concat(
                [
                    frame.select(
                        "month",
                        "contributor",
                        "mission",
                        "category",
                        pl.lit(str(sex)).alias("sex"),
                        pl.col(column).alias("count"),
                        "_line",
                    )
                    for column, sex in (
                        ("__female", Sex.FEMALE),
                        ("__male", Sex.MALE),
                        ("__not_stated", Sex.UNKNOWN),
                    )
                ]
            )
        else:
            if "sex" in found:
                frame = self._translate(raw, frame, "__sex", "sexes", found["sex"])
                frame = frame.rename({"__sex": "sex"})
            else:
                frame = frame.with_columns(pl.lit(str(Sex.UNKNOWN)).alias("sex"))
            frame = frame.rename({"__count": "count"})
            frame = drop_duplicates(
                raw,
                frame,
                ["month", "contributor", "mission", "category", "sex"],
                ["count"],
                issues,
            )
            long = frame.select(
                "month", "contributor", "mission", "category", "sex", "count", "_line"
            )
        covered = months_of(long)
        return Parsed(
            frames={"contributions": nonzero_rows([long.lazy()])},
            rows_read=rows_read,
            issues=issues,
            countries={"contributions": [("contributor", "code")]},
            missions={"contributions": ["mission"]},
            rejected=0,
            covered={"contributions": covered},
        )

    def _translate(
        self, raw: RawFile, frame: pl.DataFrame, column: str, section: str, published: str
    ) -> pl.DataFrame:
        table = {
            str(alias).strip().lower(): key
            for key, names in self.aliases[section].items()
            for alias in names
        }
        valid = (
            {str(c) for c in PersonnelCategory}
            if section == "categories"
            else {str(s) for s in Sex}
        )
        lowered = pl.col(column).str.strip_chars().str.to_lowercase()
        mapped = lowered.replace_strict(table, default=None, return_dtype=pl.Utf8)
        bad = frame.filter(mapped.is_null()).head(1)
        if bad.height:
            value = bad[column][0]
            msg = (
                f"unknown {section[:-1] if section != 'categories' else 'category'} {value!r}; "
                f"add it to the alias table under {section!r} (one of {sorted(valid)})"
            )
            raise InputError(msg, file=raw.path, line=int(bad["_line"][0]), field=published)
        return frame.with_columns(mapped.alias("category" if section == "categories" else column))

"""Reconciliation of published country and mission names to the registry.

Names resolve through ``bluehelmet.reference`` (``country`` / ``find_country`` and
``find_mission``), then through an optional mapping file. What stays unresolved is reported
with its lines, row count and personnel, and the import is refused unless ``skip_unknown``.

Mapping file (YAML)::

    countries:
      "Ireland and Scotland": IRL
    missions:
      "UNOSOM I": UNOSOM
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from bluehelmet.errors import BluehelmetError, InputError
from bluehelmet.sources._adapter import NameKind, Parsed


@dataclass(frozen=True, slots=True)
class NameMapping:
    """User-supplied resolutions: published name -> ISO-3 code or mission acronym."""

    countries: dict[str, str] = field(default_factory=dict)
    missions: dict[str, str] = field(default_factory=dict)
    path: str | None = None

    @classmethod
    def from_file(cls, path: str | Path) -> NameMapping:
        """Read and check a mapping file (every target must exist in the registry)."""
        from bluehelmet import reference

        try:
            loaded: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            msg = f"cannot read the mapping file: {exc}"
            raise InputError(msg, file=path) from exc
        if not isinstance(loaded, dict) or set(loaded) - {"countries", "missions"}:
            msg = "expected the sections 'countries' and/or 'missions'"
            raise InputError(msg, file=path)
        countries: dict[str, str] = {}
        for name, code in (loaded.get("countries") or {}).items():
            try:
                countries[str(name).strip()] = reference.country(str(code)).iso3
            except BluehelmetError as exc:
                raise InputError(str(exc), file=path, field=f"countries.{name}") from exc
        missions: dict[str, str] = {}
        for name, acronym in (loaded.get("missions") or {}).items():
            found = reference.find_mission(str(acronym))
            if found is None:
                msg = f"unknown mission {acronym!r}"
                raise InputError(msg, file=path, field=f"missions.{name}")
            missions[str(name).strip()] = found.acronym
        return cls(countries=countries, missions=missions, path=str(path))


@dataclass(slots=True)
class UnknownName:
    """A published name the registry and the mapping could not resolve."""

    kind: str  # "country" or "mission"
    name: str
    dataset: str
    column: str
    lines: list[int]
    personnel: int | None  # None where the dataset has no head count (e.g. fatalities)
    suggestions: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (at most 20 line numbers)."""
        return {
            "kind": self.kind,
            "name": self.name,
            "dataset": self.dataset,
            "rows": len(self.lines),
            "lines": self.lines[:20],
            "personnel": self.personnel,
            "suggestions": self.suggestions,
        }


class Reconciler:
    """Resolves names with a cache; one instance per import run."""

    def __init__(self, mapping: NameMapping | None = None) -> None:
        self.mapping = mapping or NameMapping()
        self._countries: dict[tuple[str, NameKind], str | None] = {}
        self._missions: dict[str, str | None] = {}

    def country(self, value: str, kind: NameKind = "name") -> str | None:
        """ISO-3 for a published code or name, or None."""
        key = (value, kind)
        if key not in self._countries:
            self._countries[key] = self._resolve_country(value, kind)
        return self._countries[key]

    def _resolve_country(self, value: str, kind: NameKind) -> str | None:
        from bluehelmet import reference

        stripped = value.strip()
        if stripped in self.mapping.countries:
            return self.mapping.countries[stripped]
        if kind == "code" and len(stripped) == 3 and stripped.isalpha():
            try:
                return reference.country(stripped.upper()).iso3
            except BluehelmetError:
                pass
        found = reference.find_country(stripped)
        return found.iso3 if found is not None else None

    def mission(self, value: str) -> str | None:
        """Registry acronym for a published acronym or name, or None."""
        if value not in self._missions:
            from bluehelmet import reference

            stripped = value.strip()
            if stripped in self.mapping.missions:
                self._missions[value] = self.mapping.missions[stripped]
            else:
                found = reference.find_mission(stripped)
                self._missions[value] = found.acronym if found is not None else None
        return self._missions[value]

    def suggestions(self, kind: str, name: str) -> list[str]:
        """Nearest registry names for an unresolved one."""
        import difflib

        from bluehelmet import reference

        if kind == "country":
            known = {c.name: c.iso3 for c in reference.countries()}
            close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
            return [f"{n} ({known[n]})" for n in close]
        acronyms = [m.acronym for m in reference.missions()]
        return difflib.get_close_matches(name.upper(), acronyms, n=3, cutoff=0.6)

    def apply(self, parsed: Parsed) -> tuple[Parsed, list[UnknownName]]:
        """Replace published names by registry codes; unresolved rows are listed and dropped.

        The caller refuses the import when the unknown list is not empty, unless told to skip.
        """
        unknown: list[UnknownName] = []
        frames: dict[str, pl.DataFrame] = {}
        for dataset, published in parsed.frames.items():
            frame = published
            specs: list[tuple[str, str, NameKind]] = [
                (column, "country", kind) for column, kind in parsed.countries.get(dataset, [])
            ] + [(column, "mission", "name") for column in parsed.missions.get(dataset, [])]
            for column, kind_of, name_kind in specs:
                values = frame.get_column(column).drop_nulls().unique().to_list()
                resolved = {
                    v: (self.country(v, name_kind) if kind_of == "country" else self.mission(v))
                    for v in values
                }
                missing = sorted(v for v, r in resolved.items() if r is None)
                if missing:
                    bad = frame.filter(pl.col(column).is_in(missing))
                    has_count = "count" in bad.columns
                    for name in missing:
                        rows = bad.filter(pl.col(column) == name)
                        unknown.append(
                            UnknownName(
                                kind=kind_of,
                                name=name,
                                dataset=dataset,
                                column=column,
                                lines=sorted({int(v) for v in rows.get_column("_line")}),
                                personnel=int(rows.get_column("count").sum())
                                if has_count
                                else None,
                                suggestions=self.suggestions(kind_of, name),
                            )
                        )
                    frame = frame.filter(pl.col(column).is_null() | ~pl.col(column).is_in(missing))
                mapping = {v: r for v, r in resolved.items() if r is not None and r != v}
                if not mapping:  # every published value is already the registry's
                    continue
                frame = frame.with_columns(
                    pl.col(column).replace(mapping)  # unknown rows are gone; the rest map
                )
            frames[dataset] = frame
        out = Parsed(
            frames=frames,
            rows_read=parsed.rows_read,
            issues=parsed.issues,
            countries=parsed.countries,
            missions=parsed.missions,
            rejected=parsed.rejected,
            covered=parsed.covered,
            keys=parsed.keys,
        )
        return out, unknown

"""Dense integer codes of the contribution rows' keys, for the questions' first group-by.

On large stores the questions spend their time in the first group-by of the raw rows (per
month and contributor, per month and mission...), which polars hashes over text keys. The key
columns take few distinct values, so each gets a dense code (0..n-1 in sorted order of its
values, null last) and a sum over any combination of keys is a ``numpy.bincount`` over the
combined code; only the cells with rows are decoded back to a (small) frame, which the
questions then finish with the same polars code as before.

Codes are computed per key column on first use. For a frame registered with ``keep_codes``
(the store's cached frame is) they are kept as long as the frame lives, so the many questions
of one process code the rows once; any other large DataFrame is coded for the call only. A
LazyFrame, or a small DataFrame that is not kept, is not coded: the questions answer it with
polars alone (the reference path).
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from bluehelmet.analytics._common import REQUIRED_COLUMNS, ContributionFilter, Frame

__all__ = ["KEY_COLUMNS", "Cells", "CodedRows", "KeyCodes", "coded_rows", "keep_codes"]

Codes = npt.NDArray[np.int64]
RowCodes = npt.NDArray[np.integer[Any]]
Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Rows = npt.NDArray[np.intp] | None

#: From this many rows a frame that is not kept is coded for the call (below, polars).
CODE_PER_CALL_ROWS = 100_000

#: How many combined codes of key columns a frame keeps (the most recently used).
_FLATS_KEPT = 6

#: Above this many cells (and above 8 per row) the combined codes are made dense by sorting
#: (``numpy.unique``) instead of counting into an array of every possible cell.
_DENSE_CELLS = 1 << 21


@dataclass(frozen=True, slots=True)
class KeyCodes:
    """The code of each row in one key column, and the value of each code."""

    codes: RowCodes
    """The smallest unsigned type that holds the codes: fewer bytes to read per question."""
    values: pl.Series
    index: dict[object, int]
    """The code of each value (null included)."""

    @property
    def size(self) -> int:
        """Number of distinct codes (values, with null as the last when present)."""
        return self.values.len()

    def code_of(self, value: object) -> int | None:
        """The code of ``value`` (None when no row has it)."""
        return self.index.get(value)


def _key_codes(codes: npt.NDArray[np.integer[Any]], values: pl.Series) -> KeyCodes:
    size = values.len()
    # a margin below the largest value, so that a code one past the last still fits
    dtype = np.uint8 if size < 255 else np.uint16 if size < 65535 else np.uint32
    index = {v: i for i, v in enumerate(values.to_list())}
    return KeyCodes(np.ascontiguousarray(codes, dtype=dtype), values, index)


def _code_text(series: pl.Series) -> KeyCodes:
    text = series.cast(pl.String)
    values = text.drop_nulls().unique().sort()
    physical = text.cast(pl.Enum(values.to_list())).to_physical()
    if text.null_count():
        codes = physical.fill_null(values.len()).to_numpy()
        values = pl.concat([values, pl.Series([None], dtype=pl.String)])
    else:
        codes = physical.to_numpy()
    return _key_codes(codes, values.cast(series.dtype).rename(series.name))


def _code_sorted(series: pl.Series) -> KeyCodes:
    """Codes of a column of numbers or dates: by a table over their range (dates, years),
    else by searching their sorted distinct values."""
    values = series.drop_nulls().unique().sort()
    lookup = values.to_physical().to_numpy()
    nulls = series.null_count()
    physical = series.to_physical()
    if nulls:
        physical = physical.fill_null(lookup[0] if len(lookup) else 0)
    raw = physical.to_numpy()
    if len(lookup) and raw.dtype.kind in "iu" and int(lookup[-1]) - int(lookup[0]) < 1 << 24:
        table = np.zeros(int(lookup[-1]) - int(lookup[0]) + 1, dtype=np.int64)
        table[lookup - lookup[0]] = np.arange(len(lookup))
        codes = table[raw - lookup[0]]
    else:
        codes = np.searchsorted(lookup, raw).astype(np.int64)
    if nulls:
        codes[series.is_null().to_numpy()] = values.len()
        values = pl.concat([values, pl.Series([None], dtype=series.dtype)])
    return _key_codes(codes, values.rename(series.name))


class CodedRows:
    """Contribution rows with dense codes of their key columns (computed on first use)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        # a weak reference: the kept codes must not keep their frame alive
        self._frame = weakref.ref(frame)
        self._keys: dict[str, KeyCodes] = {}
        self._count: Floats | None = None
        self._positive: bool | None = None
        self._sum_dtype: pl.DataType | None = None
        self._flats: dict[tuple[str, ...], Codes] = {}
        self._lock = threading.Lock()

    @property
    def frame(self) -> pl.DataFrame:
        """The coded frame (alive while a question runs: the caller holds it)."""
        frame = self._frame()
        if frame is None:
            msg = "the coded frame is gone"
            raise ReferenceError(msg)
        return frame

    @property
    def height(self) -> int:
        """Number of rows."""
        return self.frame.height

    def key(self, name: str) -> KeyCodes:
        """The codes of key column ``name``; ``year`` is derived from ``month``."""
        with self._lock:
            found = self._keys.get(name)
        if found is not None:
            return found
        if name == "year":
            month = self.key("month")
            years = month.values.dt.year().cast(pl.Int32)
            coded_years = _code_sorted(years.rename("year"))
            codes = coded_years.codes[month.codes]
            found = _key_codes(codes, coded_years.values)
        else:
            column = self.frame.get_column(name)
            if column.dtype in (pl.String, pl.Categorical) or isinstance(column.dtype, pl.Enum):
                found = _code_text(column)
            else:
                found = _code_sorted(column)
        with self._lock:
            self._keys[name] = found
        return found

    def count(self) -> Floats:
        """The ``count`` column as floats (null as 0): the weight of the sums."""
        with self._lock:
            found = self._count
        if found is None:
            column = self.frame.get_column("count")
            if column.null_count():
                column = column.fill_null(0)
            found = column.cast(pl.Float64).to_numpy()
            with self._lock:
                self._count = found
        return found

    def sum_dtype(self) -> pl.DataType:
        """The type polars gives the sum of ``count`` (the sums are cast back to it)."""
        if self._sum_dtype is None:
            self._sum_dtype = self.frame.head(0).select(pl.col("count").sum()).to_series().dtype
        return self._sum_dtype

    def select(self, where: ContributionFilter, *, not_null: Sequence[str] = ()) -> Rows:
        """The rows matching ``where`` whose ``not_null`` keys are set (None: every row)."""
        mask: Mask | None = None

        def both(more: Mask) -> None:
            nonlocal mask
            mask = more if mask is None else mask & more

        if where.first_day is not None or where.end is not None:
            month = self.key("month")
            # the month values are sorted, null last: compare dates in Python, no frame work
            known = [v for v in month.index if isinstance(v, date)]
            low = 0 if where.first_day is None else bisect_left(known, where.first_day)
            high = len(known) if where.end is None else bisect_right(known, where.end)
            if low == high - 1:
                both(month.codes == low)
            else:
                both((month.codes >= low) & (month.codes < high))
        for column, wanted in (
            ("contributor", where.contributors),
            ("mission", where.missions),
            ("category", where.categories),
            ("source", where.sources),
        ):
            if wanted is not None:
                key = self.key(column)
                table = key.values.is_in(list(wanted)).fill_null(False).to_numpy()
                both(table[key.codes])
        for column in not_null:
            key = self.key(column)
            null = key.code_of(None)
            if null is not None:
                both(key.codes != null)
        if mask is None:
            return None
        return np.flatnonzero(mask)

    def is_value(self, name: str, value: object) -> Mask:
        """Rows whose ``name`` is ``value`` (all false when no row has it)."""
        key = self.key(name)
        code = key.code_of(value)
        if code is None:
            return np.zeros(self.height, dtype=np.bool_)
        return np.equal(key.codes, code)

    def flat(self, keys: Sequence[str]) -> Codes:
        """The combined code of ``keys`` of every row (row-major; the last few are kept)."""
        name = tuple(keys)
        with self._lock:
            found = self._flats.pop(name, None)
            if found is not None:
                self._flats[name] = found  # the most recently used last
                return found
        flat = np.zeros(self.height, dtype=np.int64)
        for key in (self.key(k) for k in keys):
            if key.size > 1:
                flat *= key.size
            flat += key.codes
        with self._lock:
            self._flats[name] = flat
            while len(self._flats) > _FLATS_KEPT:
                self._flats.pop(next(iter(self._flats)))
        return flat

    def positive(self) -> bool:
        """Whether every row's ``count`` is above 0 (then a cell has rows iff its sum is
        above 0, and the rows need not be counted apart)."""
        with self._lock:
            found = self._positive
        if found is None:
            found = bool(self.frame.select((pl.col("count") > 0).fill_null(False).all()).item())
            with self._lock:
                self._positive = found
        return found

    def cells(
        self,
        keys: Sequence[str],
        *,
        rows: Rows = None,
        total: str | None = None,
        weights: Mapping[str, Floats] | None = None,
    ) -> Cells:
        """The cells of ``keys`` with rows among ``rows`` (indices from ``select``; None:
        every row), with the sum of ``count`` as ``total`` and the sums of ``weights`` (one
        value per row of the frame)."""
        shape = tuple(self.key(k).size for k in keys)
        flat = self.flat(keys)
        if rows is not None:
            flat = flat[rows]
        picked = dict(weights or {})
        if total is not None:
            picked = {total: self.count(), **picked}
        picked = {name: (w if rows is None else w[rows]) for name, w in picked.items()}
        cells = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if cells <= max(_DENSE_CELLS, 8 * len(flat)):
            sums = {name: _weighted(flat, w, cells) for name, w in picked.items()}
            if total is not None and self.positive():
                present = np.flatnonzero(sums[total])
            else:
                present = np.flatnonzero(np.bincount(flat, minlength=cells))
            sums = {name: v[present] for name, v in sums.items()}
            return Cells(self, tuple(keys), shape, present, sums)
        present, inverse = np.unique(flat, return_inverse=True)
        sums = {name: _weighted(inverse, w, len(present)) for name, w in picked.items()}
        return Cells(self, tuple(keys), shape, present, sums)


def _weighted(bins: Codes, weights: Floats, length: int) -> Floats:
    """The sum of ``weights`` per bin (``numpy.bincount`` with weights gives floats)."""
    return np.asarray(np.bincount(bins, weights=weights, minlength=length), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Cells:
    """The cells of some key columns that have rows, in code order, with their sums."""

    rows: CodedRows
    keys: tuple[str, ...]
    shape: tuple[int, ...]
    flat: Codes
    """Flat index of each cell (row-major over ``shape``), ascending."""
    sums: dict[str, Floats]

    def codes(self, key: str) -> Codes:
        """The code of ``key`` in each cell."""
        position = self.keys.index(key)
        stride = int(np.prod(self.shape[position + 1 :], dtype=np.int64))
        return (self.flat // stride) % self.shape[position]

    def rollup(self, n: int) -> tuple[Cells, Codes]:
        """The cells of the first ``n`` keys (rows and sums added up), and the index of
        each of this object's cells among them."""
        stride = int(np.prod(self.shape[n:], dtype=np.int64))
        parent = self.flat // stride
        if not len(parent):
            empty = np.zeros(0, dtype=np.int64)
            sums = {k: np.zeros(0) for k in self.sums}
            return Cells(self.rows, self.keys[:n], self.shape[:n], empty, sums), empty
        boundary = np.empty(len(parent), dtype=np.bool_)
        boundary[0] = True
        np.not_equal(parent[1:], parent[:-1], out=boundary[1:])
        starts = np.flatnonzero(boundary)
        group = np.cumsum(boundary) - 1
        sums = {k: np.add.reduceat(v, starts) for k, v in self.sums.items()}
        rolled = Cells(self.rows, self.keys[:n], self.shape[:n], parent[starts], sums)
        return rolled, group

    def split_last(self, total: str, values: Sequence[object]) -> tuple[Cells, dict[str, Floats]]:
        """The cells without the last key (sums added up), and per value of the last key
        the sum ``total`` of its cells in each of them (0 where it has none)."""
        rolled, group = self.rollup(len(self.keys) - 1)
        last = self.keys[-1]
        key = self.rows.key(last)
        codes = self.codes(last)
        out: dict[str, Floats] = {}
        for value in values:
            column = np.zeros(len(rolled.flat))
            code = key.code_of(value)
            if code is not None:
                hit = codes == code
                column[group[hit]] = self.sums[total][hit]
            out[str(value)] = column
        return rolled, out

    def select(self, keep: Mask) -> Cells:
        """The cells where ``keep`` is true."""
        sums = {k: v[keep] for k, v in self.sums.items()}
        return Cells(self.rows, self.keys, self.shape, self.flat[keep], sums)

    def values(self, key: str) -> pl.Series:
        """The value of ``key`` in each cell."""
        return self.rows.key(key).values.gather(self.codes(key))

    def frame(self, sums: Mapping[str, str] | None = None) -> pl.DataFrame:
        """The cells as a frame: the keys' values, then each sum (``{column: sum name}``)."""
        dtype = self.rows.sum_dtype()
        columns = [self.values(k) for k in self.keys]
        for column, name in ({n: n for n in self.sums} if sums is None else sums).items():
            columns.append(pl.Series(column, self.sums[name]).cast(dtype))
        return pl.DataFrame(columns)


_KEPT: dict[int, tuple[weakref.ref[pl.DataFrame], CodedRows]] = {}
_KEPT_LOCK = threading.Lock()


def _forget(
    frame_id: int,
    kept: dict[int, tuple[weakref.ref[pl.DataFrame], CodedRows]] = _KEPT,
    lock: threading.Lock = _KEPT_LOCK,
) -> None:
    # the defaults keep the dict and lock reachable when a frame dies at interpreter exit
    with lock:
        kept.pop(frame_id, None)


#: The key columns the questions group by (``year`` is derived from ``month``).
KEY_COLUMNS = ("month", "year", "contributor", "mission", "category", "sex", "source")


def keep_codes(frame: pl.DataFrame, *, now: bool = False) -> pl.DataFrame:
    """``frame``, registered so that its codes are kept while it lives (do not mutate it).

    The codes are computed by the first question that needs them, or here with ``now``.
    """
    with _KEPT_LOCK:
        found = _KEPT.get(id(frame))
        if found is None or found[0]() is not frame:
            key = id(frame)
            found = (weakref.ref(frame, lambda _: _forget(key)), CodedRows(frame))
            _KEPT[key] = found
    if now:
        for name in KEY_COLUMNS:
            if name in frame.columns or name == "year":
                found[1].key(name)
        found[1].count()
    return frame


def coded_rows(frame: Frame, required: Sequence[str] = REQUIRED_COLUMNS) -> CodedRows | None:
    """The coded rows of an eager ``frame`` with the ``required`` columns, else None.

    A frame registered with ``keep_codes`` gives its kept codes; another DataFrame of at
    least ``CODE_PER_CALL_ROWS`` rows new ones (below that, coding for one question costs more
    than the polars group-bys it saves, so None).
    """
    if not isinstance(frame, pl.DataFrame):
        return None
    if any(c not in frame.columns for c in required):
        return None
    schema = frame.schema
    if schema["month"] != pl.Date or not schema["count"].is_numeric():
        return None  # the filters compare dates, the sums add numbers: leave others to polars
    with _KEPT_LOCK:
        found = _KEPT.get(id(frame))
    if found is not None and found[0]() is frame:
        return found[1]
    return CodedRows(frame) if frame.height >= CODE_PER_CALL_ROWS else None

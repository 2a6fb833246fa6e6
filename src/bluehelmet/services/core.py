"""The one core object every service takes: settings, database engine and data folder.

A ``Core`` is built once per process (the CLI builds one per command, the REST service one per
app) and passed to every use case, as datasette passes its ``Datasette`` instance. It owns the
engine (created on first use, disposed by ``close()``), so no service builds an engine per call
and the data folder never comes from the environment when the core says otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from bluehelmet.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

__all__ = ["Core", "close_default_cores", "default_core"]


class Core:
    """Settings, database engine and data folder of one bluehelmet store.

    ``Core()`` reads ``BLUEHELMET_HOME`` and ``BLUEHELMET_DATABASE_URL``; ``home`` and
    ``database_url`` override them. Use it as a context manager, or call ``close()``.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        home: str | Path | None = None,
        database_url: str | None = None,
    ) -> None:
        base = settings if settings is not None else Settings()
        updates: dict[str, object] = {}
        if home is not None:
            updates["home"] = Path(home)
        if database_url is not None:
            updates["database_url"] = database_url
        self.settings: Settings = base.model_copy(update=updates) if updates else base
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        # dataset -> (the Parquet files in force when read, their rows): see ``frame``
        self._frames: dict[str, tuple[tuple[str, ...], Any]] = {}

    def __repr__(self) -> str:
        return f"Core(home={str(self.home)!r}, database={self.safe_database_url!r})"

    @property
    def home(self) -> Path:
        """The data folder (Parquet data, download cache, default SQLite file)."""
        return self.settings.home

    @property
    def database_url(self) -> str:
        """The database URL in force (the SQLite file under ``home`` unless configured)."""
        return self.settings.resolved_database_url

    @property
    def safe_database_url(self) -> str:
        """The database URL with any password hidden, for messages."""
        from sqlalchemy.engine import make_url

        try:
            return make_url(self.database_url).render_as_string(hide_password=True)
        except Exception:
            return "<invalid database URL>"

    @property
    def data_dir(self) -> Path:
        """Folder of the stored Parquet datasets."""
        return self.settings.contributions_dir

    @property
    def cache_dir(self) -> Path:
        """Folder of downloaded source files."""
        return self.settings.cache_dir

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine of the store, created on first use and shared by all calls."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    from bluehelmet.store.session import engine as make_engine

                    self._engine = make_engine(self.database_url)
        return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session on the core's engine that commits on success and rolls back on error."""
        from bluehelmet.store.session import session_scope

        with session_scope(self.engine) as session:
            yield session

    def frame(self, dataset: str, files: tuple[str, ...], load: Callable[[], Any]) -> Any:
        """The rows of ``dataset`` read from ``files``, kept while the same files are in force.

        Every import writes new, uniquely named Parquet files, so the list of files in force
        identifies the rows: when it changes, ``load()`` reads them again. The caller checks
        the files (their SHA-256) before asking, so a damaged file is never served.
        """
        with self._lock:
            found = self._frames.get(dataset)
        if found is not None and found[0] == files:
            return found[1]
        rows = load()
        with self._lock:
            self._frames[dataset] = (files, rows)
        return rows

    def forget_frames(self) -> None:
        """Drop the kept dataset rows (an import through this core calls it)."""
        with self._lock:
            self._frames.clear()

    def close(self) -> None:
        """Dispose of the engine (a later call creates a new one)."""
        with self._lock:
            self._frames.clear()
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def __enter__(self) -> Core:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_DEFAULT: dict[tuple[str, str], Core] = {}
_DEFAULT_LOCK = threading.Lock()


def default_core(core: Core | None = None) -> Core:
    """``core`` itself, or the process's core for the current environment's settings.

    The Python API's convenience functions use it when no core is passed; the same settings
    give the same core (and engine) for the life of the process.
    """
    if core is not None:
        return core
    settings = Settings()
    key = (str(settings.home), settings.resolved_database_url)
    with _DEFAULT_LOCK:
        found = _DEFAULT.get(key)
        if found is None:
            found = Core(settings)
            _DEFAULT[key] = found
        return found


def close_default_cores() -> None:
    """Close and forget every default core (tests and long-lived processes call it)."""
    with _DEFAULT_LOCK:
        cores = list(_DEFAULT.values())
        _DEFAULT.clear()
    for core in cores:
        core.close()

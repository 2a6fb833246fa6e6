"""Every table of the store, imported so that ``Base.metadata`` is complete."""

from __future__ import annotations

from bluehelmet.store import access, contributions, planning, registry
from bluehelmet.store.base import Base

metadata = Base.metadata

__all__ = ["Base", "access", "contributions", "metadata", "planning", "registry"]

"""bluehelmet: an open platform for international cooperation in peacekeeping missions."""

from __future__ import annotations

__version__ = "0.1.0"

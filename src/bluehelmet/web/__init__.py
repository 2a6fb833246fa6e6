"""The web dashboard: server-rendered pages over the same services as the CLI and the REST API.

``router(core)`` holds every page, its tables as CSV and the static assets (the offline Vega
bundle included); ``bluehelmet.api.create_app`` mounts it beside the API.
"""

from __future__ import annotations

from bluehelmet.web.routes import router

__all__ = ["router"]

"""The REST API (FastAPI): routers parse, authorize, call a service and serialize."""

from bluehelmet.api.app import create_app

__all__ = ["create_app"]

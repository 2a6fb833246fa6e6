"""The REST API (FastAPI): routers parse, authorize, call a service and serialize."""

from bluehelmet.api.app import APP_FACTORY, create_app, serve_workers

__all__ = ["APP_FACTORY", "create_app", "serve_workers"]

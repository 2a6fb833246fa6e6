"""The one mapping from errors to HTTP problems (``application/problem+json``, RFC 9457)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bluehelmet.errors import BluehelmetError, InputError, StoreError, UnknownNameError

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem response with ``status``, ``title``, ``detail`` and any extra members."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _status_of(exc: BluehelmetError) -> tuple[int, str]:
    if isinstance(exc, UnknownNameError):
        return 404, "Not Found"
    if isinstance(exc, InputError):
        return 422, "Unprocessable Content"
    if isinstance(exc, StoreError):
        return 503, "Service Unavailable"
    return 400, "Bad Request"


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: bluehelmet errors, validation errors and HTTP errors."""

    @app.exception_handler(BluehelmetError)
    async def _bluehelmet(_request: Request, exc: BluehelmetError) -> JSONResponse:
        status, title = _status_of(exc)
        extra: dict[str, Any] = {}
        if isinstance(exc, InputError) and exc.field is not None:
            extra["field"] = exc.field
        if isinstance(exc, UnknownNameError) and exc.suggestions:
            extra["suggestions"] = exc.suggestions
        return problem(status, title, str(exc), **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
                "message": str(err.get("msg", "")),
            }
            for err in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        return problem(422, "Unprocessable Content", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}.get(
            exc.status_code, "Error"
        )
        response = problem(exc.status_code, title, str(exc.detail))
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

"""The one mapping from errors to HTTP problems (``application/problem+json``, RFC 9457)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bluehelmet.errors import (
    AuthenticationError,
    BluehelmetError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    PreconditionRequiredError,
    StoreError,
    UnknownNameError,
)
from bluehelmet.services.analytics import NoDataError

PROBLEM = "application/problem+json"

_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "suggestions": {"type": "array", "items": {"type": "string"}},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_DESCRIPTIONS = {
    401: "No valid X-API-Key",
    403: "The role may not do this",
    404: "Absent, or not visible to the caller",
    409: "Conflicts with the stored state",
    412: "The If-Match ETag is stale",
    413: "The request body is too large",
    422: "A field is invalid (named in detail and field)",
    428: "An If-Match header is required",
}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {PROBLEM: {"schema": _PROBLEM_SCHEMA}}}
    for status, text in _DESCRIPTIONS.items()
}
"""The problem answers every router declares (so the OpenAPI schema documents them)."""


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem response with ``status``, ``title``, ``detail`` and any extra members."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


_STATUSES: tuple[tuple[type[BluehelmetError], int, str], ...] = (
    (AuthenticationError, 401, "Unauthorized"),
    (PermissionDeniedError, 403, "Forbidden"),
    (NotFoundError, 404, "Not Found"),
    (NoDataError, 404, "Not Found"),
    (UnknownNameError, 404, "Not Found"),
    (ConflictError, 409, "Conflict"),
    (PreconditionFailedError, 412, "Precondition Failed"),
    (PreconditionRequiredError, 428, "Precondition Required"),
    (InputError, 422, "Unprocessable Content"),
    (StoreError, 503, "Service Unavailable"),
)


def _status_of(exc: BluehelmetError) -> tuple[int, str]:
    for kind, status, title in _STATUSES:
        if isinstance(exc, kind):
            return status, title
    return 400, "Bad Request"


def _query_field(request: Request, name: str) -> str | None:
    """The query parameter whose value is ``name`` (None when it came from elsewhere)."""
    wanted = name.strip().casefold()
    for key, value in request.query_params.multi_items():
        if value.strip().casefold() == wanted:
            return key
    return None


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: bluehelmet errors, validation errors and HTTP errors."""

    @app.exception_handler(BluehelmetError)
    async def _bluehelmet(request: Request, exc: BluehelmetError) -> JSONResponse:
        status, title = _status_of(exc)
        extra: dict[str, Any] = {}
        if isinstance(exc, InputError) and exc.field is not None:
            extra["field"] = exc.field
        if isinstance(exc, UnknownNameError):
            if exc.suggestions:
                extra["suggestions"] = exc.suggestions
            # A name in the path names a resource (404); one in the query is a bad field (422).
            field = _query_field(request, exc.name)
            if field is not None:
                status, title = 422, "Unprocessable Content"
                extra["field"] = field
                response = problem(status, title, f"query parameter {field!r}: {exc}", **extra)
                return response
        response = problem(status, title, str(exc), **extra)
        if status == 401:
            response.headers["WWW-Authenticate"] = "APIKey"
        return response

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
        title = {
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not Found",
            405: "Method Not Allowed",
            413: "Content Too Large",
        }.get(exc.status_code, "Error")
        response = problem(exc.status_code, title, str(exc.detail))
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

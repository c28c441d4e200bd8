"""One error envelope for every error of the web app.

API responses (paths under ``/api/``) carry ``{"error": {"status", "code", "message",
"details"}}``; HTML pages get an error page with the same status and message. Library
errors map to client errors as the command line maps them to exit code 2:
:class:`~clusterix.errors.UnknownCodeError` is 404, any other
:class:`~clusterix.errors.InvalidInputError` (and an ambiguous or unconverged computation
on the given input) is 422, a :class:`~clusterix.errors.DataSourceError` is 503, a result
still being prepared in the background (:class:`~clusterix.app.background.NotReadyError`)
503 with ``Retry-After``; the tracker's errors map through :func:`library_errors`. Anything
else is a bug: 500 with the envelope, logged with its traceback, never sent to the client.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clusterix.app.background import NotReadyError
from clusterix.errors import (
    AmbiguousResultError,
    ClusterixError,
    DataSourceError,
    InvalidInputError,
    NotConvergedError,
    UnknownCodeError,
)
from clusterix.tracking import AccessDeniedError, NotFoundError, TooManyAttemptsError, UnknownOrganisationError
from clusterix.web.templating import render

__all__ = [
    "ERROR_RESPONSES",
    "JSON_BODY_ERRORS",
    "ApiError",
    "ErrorEnvelope",
    "GuardMiddleware",
    "api_error",
    "envelope",
    "error_responses",
    "install_error_handlers",
    "library_error_status",
    "library_errors",
]

_log = logging.getLogger("clusterix.web")


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    details: Any = None


class ErrorEnvelope(BaseModel):
    """The body of every error response."""

    error: ErrorBody


def _documented(description: str, **extra: Any) -> dict[str, Any]:
    return {"model": ErrorEnvelope, "description": description, **extra}


#: The error responses every API route may give, for the OpenAPI schema (``responses=`` of a
#: router or route); 422 replaces FastAPI's own validation-error schema with the envelope.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: _documented("Unknown region, dataset, period, organisation or route"),
    413: _documented("The request body is larger than max_request_bytes"),
    422: _documented("A malformed parameter or input the library rejects"),
    500: _documented("An unexpected error (logged; no details are sent)"),
    503: _documented(
        "A result is still being prepared, or a data source is unavailable",
        headers={"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    ),
    504: _documented("The computation took longer than query_time_limit"),
}


class ApiError(HTTPException):
    """An HTTP error with a machine-readable ``code`` and optional ``details``."""

    def __init__(
        self, status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.code = code
        self.details = details


def api_error(
    status: int, code: str, message: str, details: Any = None, *, headers: dict[str, str] | None = None
) -> ApiError:
    """The exception to raise for an error response, e.g. ``raise api_error(404, "unknown_region", "...")``."""
    return ApiError(status, code, message, details, headers)


def envelope(status: int, code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The JSON body of every error response."""
    return {"error": {"status": int(status), "code": code, "message": message, "details": details}}


def _status_code_name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _respond(
    request: Request, status: int, code: str, message: str, details: Any = None, headers: dict | None = None
) -> Response:
    if _wants_html(request):
        if getattr(request.app.state, "templates", None) is not None:
            return render(
                request, "error.html", status_code=status, headers=headers, status=status, code=code, message=message
            )
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status, headers=headers)
    return JSONResponse(envelope(status, code, message, details), status_code=status, headers=headers)


def library_error_status(error: ClusterixError) -> tuple[int, str]:
    """The HTTP status and code of a library error."""
    if isinstance(error, UnknownCodeError):
        return 404, "not_found"
    if isinstance(error, InvalidInputError):
        return 422, "invalid_input"
    if isinstance(error, AmbiguousResultError | NotConvergedError):
        return 422, "not_computable"
    if isinstance(error, DataSourceError):
        return 503, "data_source_unavailable"
    return 422, "invalid_input"


@contextmanager
def library_errors() -> Iterator[None]:
    """Turn the tracker's errors into the envelope: access → 401/403, unknown id → 404,
    unknown organisation → 422, throttled → 429 (with Retry-After), invalid input → 422."""
    try:
        yield
    except AccessDeniedError as error:
        if error.anonymous:
            raise api_error(401, "sign_in_required", str(error), headers={"WWW-Authenticate": "Bearer"}) from error
        raise api_error(403, "forbidden", str(error)) from error
    except NotFoundError as error:
        raise api_error(404, "not_found", str(error)) from error
    except UnknownOrganisationError as error:
        raise api_error(422, "unknown_organisation", str(error)) from error
    except TooManyAttemptsError as error:
        raise api_error(
            429, "too_many_attempts", str(error), headers={"Retry-After": str(error.retry_after)}
        ) from error
    except InvalidInputError as error:
        raise api_error(422, "invalid_input", str(error)) from error


#: The statuses every route with a JSON body can answer before it runs: 400 when the body is not
#: valid UTF-8 (FastAPI cannot decode it) and 413 when it is over ``max_request_bytes``
#: (:class:`GuardMiddleware`). A body that decodes but is not JSON is 422.
JSON_BODY_ERRORS = (400, 413)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route of the accounts and the tracker can answer with."""
    meaning = {
        400: "The request body is not valid UTF-8",
        401: "Not signed in, or an unknown or expired token",
        403: "Signed in but not allowed, or a missing or wrong CSRF token",
        404: "No such partnership or organisation",
        413: "The request body is larger than max_request_bytes",
        422: "Invalid input, or a request body that is not JSON",
        429: "Too many failed sign-ins; retry after Retry-After seconds",
    }
    return {status: {"model": ErrorEnvelope, "description": meaning[status]} for status in statuses}


def _plain_errors(errors: Any) -> list[dict[str, Any]]:
    """Pydantic's validation errors without the objects that are not JSON (``ctx`` exceptions, ``url``)."""
    plain = []
    for error in errors:
        plain.append(
            {
                "loc": [str(part) for part in error.get("loc", ())],
                "msg": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
        )
    return plain


# FastAPI's 400 for a request body it cannot decode (not UTF-8): replaced by a message naming the route.
_FASTAPI_BODY_ERROR = "There was an error parsing the body"


def install_error_handlers(app: FastAPI) -> None:
    """Register the envelope for HTTP errors, validation errors and library errors."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        code = getattr(error, "code", None) or _status_code_name(error.status_code)
        message = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
        if error.status_code == 400 and message == _FASTAPI_BODY_ERROR:
            code = "invalid_body"
            message = f"The body of {request.method} {request.url.path} cannot be read: it is not valid UTF-8 JSON."
        return _respond(
            request, error.status_code, code, message, getattr(error, "details", None), getattr(error, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        details = _plain_errors(error.errors())
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(first["loc"])
        message = f"Invalid request: {where}: {first['msg']}" if where else f"Invalid request: {first['msg']}"
        return _respond(request, 422, "validation_error", message, details)

    @app.exception_handler(ClusterixError)
    async def library_error(request: Request, error: ClusterixError) -> Response:
        status, code = library_error_status(error)
        return _respond(request, status, code, str(error))

    @app.exception_handler(NotReadyError)
    async def not_ready_error(request: Request, error: NotReadyError) -> Response:
        return _respond(request, 503, "not_ready", str(error), headers={"Retry-After": str(error.retry_after)})


class GuardMiddleware:
    """Pure ASGI middleware: refuse bodies over ``max_bytes`` (413) and turn any unexpected
    exception into a 500 envelope (logged, no traceback sent)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope.get("path", "").startswith("/api/")
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._send_error(scope, send, 413, "payload_too_large", self._too_large(), is_api)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLargeError(self._too_large())
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLargeError:
            if not started:
                await self._send_error(scope, send, 413, "payload_too_large", self._too_large(), is_api)
        except Exception:  # noqa: BLE001 - the last line of defence: log, answer 500, leak nothing
            _log.exception("Unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await self._send_error(
                    scope, send, 500, "internal_error", "An unexpected error occurred; it has been logged.", is_api
                )

    def _too_large(self) -> str:
        return f"The request body is larger than the limit of {self.max_bytes:,} bytes."

    @staticmethod
    async def _send_error(scope: Scope, send: Send, status: int, code: str, message: str, is_api: bool) -> None:
        if is_api:
            body = json.dumps(envelope(status, code, message)).encode()
            content_type = b"application/json"
        else:
            body = (
                f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error {status}</title>'
                f'</head><body><h1 id="error-status">Error {status}</h1><p>{message}</p>'
                '<p><a href="/">Back to the map</a></p></body></html>'
            ).encode()
            content_type = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLargeError(ApiError):
    """Raised inside the app when a streamed body (no Content-Length) passes the limit."""

    def __init__(self, message: str) -> None:
        super().__init__(413, "payload_too_large", message)

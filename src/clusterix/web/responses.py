"""How the API routes answer: a use case in a worker thread under the query time limit, and
the response cache of finished JSON bodies.

The read-only routes answer from an in-memory cache of finished responses, keyed by the
request's parameters and the store version, which changes on every import
(:meth:`~clusterix.app.caches.Caches.store_version`): a repeated request is a dictionary
look-up on the event loop, without a worker thread, a query or a serialisation. The first
request computes in a worker thread and keeps the JSON bytes of the use case's typed result.
Errors are never cached.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from clusterix.app.workspace import Workspace
from clusterix.web.errors import api_error

__all__ = ["Key", "cached_json", "cached_page", "page_limit", "run_limited", "workspace"]

#: The cache key of a response: the request's parameters (``None``: do not cache), or a function giving it.
Key = tuple[Hashable, ...] | Callable[[], tuple[Hashable, ...] | None] | None


def workspace(request: Request) -> Workspace:
    """The app's workspace (its store, caches and background fit)."""
    return request.app.state.workspace


async def run_limited(request: Request, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a use case in a worker thread; 504 when it takes longer than the query time limit.

    A result still being prepared in the background raises
    :class:`~clusterix.app.background.NotReadyError`, answered 503 by the error handlers.
    """
    limit = request.app.state.settings.query_time_limit
    call = functools.partial(function, *args, **kwargs)
    try:
        return await asyncio.wait_for(run_in_threadpool(call), timeout=limit)
    except TimeoutError:
        raise api_error(
            504, "query_timeout", f"The request took longer than the query time limit of {limit:g} s; narrow it down."
        ) from None


async def cached_json(
    request: Request, key: Key, function: Callable[..., BaseModel], *args: Any, **kwargs: Any
) -> Response:
    """The JSON of the model ``function(*args, **kwargs)`` returns, from the response cache when
    ``key`` (the request's parameters; ``None``: do not cache) was seen at the current store
    version, else computed under :func:`run_limited` and kept.

    ``key`` may be a function giving the key (or ``None``), called on the event loop and again
    in the worker thread right before ``function``: for a key that depends on state changing in
    the background (the fitted partner recommender)."""
    current = workspace(request)
    caches, store = current.caches, current.store

    def key_now() -> tuple[Hashable, ...] | None:
        return key() if callable(key) else key

    first = key_now()
    if first is not None:
        version = caches.fresh_version(store)
        body = None if version is None else caches.payloads.get((version, first))
        if body is not None:
            return Response(body, media_type="application/json")

    def compute() -> bytes:
        chosen = key_now()
        version = caches.store_version(store) if chosen is not None else None  # before computing: an import
        body = None if chosen is None else caches.payloads.get((version, chosen))  # meanwhile makes a stale key
        if body is None:
            body = function(*args, **kwargs).model_dump_json().encode()
            if chosen is not None:
                caches.payloads.put((version, chosen), body)
        return body

    return Response(await run_limited(request, compute), media_type="application/json")


async def cached_page(request: Request, build: Callable[[], Awaitable[Response]]) -> Response:
    """The HTML page ``build()`` renders, from the response cache for anonymous visitors.

    A request without cookies and without an ``Authorization`` header cannot see anything
    that depends on who asks (the header shows the sign-in link, no form carries a token), so
    its page is the same for every such visitor at one store version and is kept under the
    request's path and query, like the API's responses. Signed-in visitors, and any request
    with a cookie, get a freshly rendered page. Error pages are never kept.
    """
    if request.cookies or "authorization" in request.headers:
        return await build()
    current = workspace(request)
    caches, store = current.caches, current.store
    key = ("page", request.url.path, request.url.query)
    version = caches.fresh_version(store)
    if version is None:
        version = await run_limited(request, caches.store_version, store)
    body = caches.payloads.get((version, key))
    if body is not None:
        return Response(body, media_type="text/html; charset=utf-8")
    response = await build()
    if response.status_code == 200:
        caches.payloads.put((version, key), bytes(response.body))
    return response


def page_limit(request: Request, limit: int | None, default: int) -> int:
    """The page size: ``limit``, or ``default`` capped at the max_page_size setting; 422 above that setting."""
    maximum = request.app.state.settings.max_page_size
    if limit is None:
        return min(default, maximum)
    if limit > maximum:
        raise api_error(
            422, "validation_error", f"Invalid request: query.limit: must be at most {maximum}.",
            [{"loc": ["query", "limit"], "msg": f"must be at most {maximum}", "type": "less_than_equal"}],
        )  # fmt: skip
    return limit

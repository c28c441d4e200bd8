"""Refuse control characters in every request's path, query string, form fields and JSON body.

A NUL byte reached PostgreSQL (which refuses it in text: HTTP 500) or was stored silently by
DuckDB; other C0 controls and DEL have no business in a region code, a name or a note
either. One app-wide dependency (:func:`refuse_control_characters`) answers 422 naming the
field before any route sees the input. Tab, line feed and carriage return stay allowed in
form fields and JSON strings (a note has lines); nowhere in the path or the query string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote

from fastapi import Request
from starlette.datastructures import UploadFile

from clusterix.web.errors import api_error

__all__ = ["control_character", "refuse_control_characters"]

#: C0 controls and DEL, except tab, line feed and carriage return (allowed in text fields).
_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Every C0 control and DEL (for the path and the query string).
_ANYWHERE = re.compile(r"[\x00-\x1f\x7f]")


def control_character(text: str, *, multiline: bool = True) -> tuple[int, str] | None:
    """The position and ``U+XXXX`` name of the first control character in ``text``, else ``None``.

    Parameters
    ----------
    text : str
        The value to check.
    multiline : bool
        Allow tab, line feed and carriage return (form fields and JSON strings).

    Returns
    -------
    tuple of (int, str) or None
        0-based position and code point of the first forbidden character.
    """
    found = (_IN_TEXT if multiline else _ANYWHERE).search(text)
    return None if found is None else (found.start(), f"U+{ord(found.group()):04X}")


def _refuse(where: str, text: str, *, multiline: bool = True) -> None:
    found = control_character(text, multiline=multiline)
    if found is not None:
        position, code_point = found
        raise api_error(
            422,
            "control_character",
            f"{where} holds a control character ({code_point}) at position {position + 1}; remove it.",
            details={"field": where, "position": position + 1, "character": code_point},
        )


def _json_strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string (keys too) of a parsed JSON document, with where it is."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{where} key {key!r}", str(key)
            yield from _json_strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{where}[{index}]")


async def refuse_control_characters(request: Request) -> None:
    """App-wide FastAPI dependency: 422 when the path, a query parameter, a form field or a
    string of the JSON body holds a control character.

    Parameters
    ----------
    request : Request
        The request; its body has already been read (and cached) by FastAPI when the route
        takes one.

    Raises
    ------
    ApiError
        422 ``control_character``, naming the field and the character.
    """
    _refuse("The path", unquote(request.url.path), multiline=False)
    query = request.scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        _refuse(f"The query parameter name {name!r}", name, multiline=False)
        _refuse(f"The query parameter {name!r}", value, multiline=False)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        for name, value in form.multi_items():
            _refuse(f"The form field name {name!r}", name)
            if not isinstance(value, UploadFile):
                _refuse(f"The form field {name!r}", value)
    elif content_type == "application/json" or content_type.endswith("+json"):
        try:
            document = json.loads(await request.body() or b"null")
        except (ValueError, UnicodeDecodeError):
            return  # the route's own body validation answers that
        for where, text in _json_strings(document, "body"):
            _refuse(f"The JSON field {where!r}" if where != "body" else "The JSON body", text)

"""Settings of the web app, from one resolver: argument, then environment, then settings file, then default.

Every setting is listed once in :data:`clusterix.config.SETTINGS` (name, environment variable,
default, help); :class:`WebSettings` holds the resolved values of one running app.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from clusterix.config import database_target
from clusterix.errors import InvalidInputError

__all__ = ["WebSettings"]

_ENVIRONMENT = {
    "db": "CLUSTERIX_DB",
    "host": "CLUSTERIX_HOST",
    "port": "CLUSTERIX_PORT",
    "secret_key": "CLUSTERIX_SECRET_KEY",
    "cookie_secure": "CLUSTERIX_COOKIE_SECURE",
    "query_time_limit": "CLUSTERIX_QUERY_TIME_LIMIT",
    "max_page_size": "CLUSTERIX_MAX_PAGE_SIZE",
    "max_request_bytes": "CLUSTERIX_MAX_REQUEST_BYTES",
    "boundaries": "CLUSTERIX_BOUNDARIES",
    "precompute": "CLUSTERIX_PRECOMPUTE",
}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class WebSettings:
    """The resolved settings of one web app.

    Attributes
    ----------
    db : the store (DuckDB path or ``postgresql://`` URL).
    host, port : where ``clusterix serve`` listens.
    secret_key : signs session cookies and CSRF tokens; a random key per process when unset
        (sessions then end when the server restarts).
    cookie_secure : send session cookies over HTTPS only (set it behind TLS).
    query_time_limit : seconds one API request may compute before it gets a 504 error.
    max_page_size : the largest ``limit`` a paginated endpoint accepts.
    max_request_bytes : the largest request body accepted (413 error above it).
    boundaries : a GISCO NUTS GeoJSON file or a folder holding them, for the map; ``None``
        downloads the 1:60 million file once (cached).
    precompute : ``clusterix serve`` and ``clusterix demo`` compute every region page (profile,
        peers, charts) in a background thread at start and after each import, so that no
        visitor waits for one (:mod:`clusterix.app.precompute`); progress on ``/health``.
    """

    db: str
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = ""
    cookie_secure: bool = False
    query_time_limit: float = 30.0
    max_page_size: int = 500
    max_request_bytes: int = 1_048_576
    boundaries: str | None = None
    precompute: bool = True

    def __post_init__(self) -> None:
        checks = (
            ("port", 1 <= self.port <= 65535, "an integer in [1, 65535]"),
            ("query_time_limit", self.query_time_limit > 0, "a positive number of seconds"),
            ("max_page_size", self.max_page_size >= 1, "an integer >= 1"),
            ("max_request_bytes", self.max_request_bytes >= 1, "an integer >= 1"),
        )
        for name, valid, expected in checks:
            if not valid:
                raise InvalidInputError(f"The web setting {name!r} must be {expected}. Got {getattr(self, name)!r}.")

    @classmethod
    def resolve(cls, settings_file: str | Path | None = None, **explicit: Any) -> WebSettings:
        """Settings from ``explicit`` keywords (``None`` = not given), else the ``CLUSTERIX_*``
        environment variables, else the TOML ``settings_file`` (or ``CLUSTERIX_SETTINGS_FILE``),
        else the defaults.

        Raises
        ------
        InvalidInputError
            An unknown keyword or file key, an unreadable file, or a value of the wrong type.
        """
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(explicit) - known)
        if unknown:
            raise InvalidInputError(f"Unknown web setting(s) {unknown}; settings are {sorted(known)}.")
        from_file = _read_file(settings_file or os.environ.get("CLUSTERIX_SETTINGS_FILE"), known)
        values: dict[str, Any] = {}
        for field in fields(cls):
            name = field.name
            if explicit.get(name) is not None:
                values[name] = explicit[name]
                where = "argument"
            elif os.environ.get(_ENVIRONMENT[name]):
                values[name] = os.environ[_ENVIRONMENT[name]]
                where = f"environment variable {_ENVIRONMENT[name]}"
            elif name in from_file:
                values[name] = from_file[name]
                where = f"settings file key {name!r}"
            else:
                continue
            values[name] = _convert(name, values[name], field.type, where)
        values["db"] = database_target(values.get("db"))
        if not values.get("secret_key"):
            values["secret_key"] = secrets.token_urlsafe(32)
        return cls(**values)


def _read_file(path: str | Path | None, known: set[str]) -> dict[str, Any]:
    if not path:
        return {}
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise InvalidInputError(f"Cannot read the settings file {path}: {error}.") from error
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputError(f"The settings file {path} is not valid TOML: {error}.") from error
    table = data.get("clusterix", data) if isinstance(data.get("clusterix"), dict) else data
    unknown = sorted(set(table) - known)
    if unknown:
        raise InvalidInputError(f"{path}: unknown setting(s) {unknown}; settings are {sorted(known)}.")
    return table


def _convert(name: str, value: Any, kind: Any, where: str) -> Any:
    """``value`` as the type of the setting, with a message naming the setting and its origin."""
    kind = str(kind)
    try:
        if kind.startswith("bool"):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(value)
        if kind.startswith("int"):
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if kind.startswith("float"):
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        return str(value)
    except (TypeError, ValueError) as error:
        expected = {"bool": "true or false", "int": "an integer", "float": "a number"}.get(kind.split(" ")[0], "text")
        raise InvalidInputError(
            f"The web setting {name!r} ({where}) must be {expected}. Got {value!r} instead."
        ) from error

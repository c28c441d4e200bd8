"""Settings and paths from one resolver: explicit argument, then environment, then default.

Every setting is listed once in :data:`SETTINGS` with its environment variable and help;
``docs/architecture.md`` documents the same table and a test keeps them in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

__all__ = ["SETTINGS", "Setting", "cache_dir", "database_target"]


@dataclass(frozen=True)
class Setting:
    """One configurable value: its environment variable, default and meaning."""

    name: str
    environment: str
    default: str
    help: str


SETTINGS = (
    Setting(
        "db",
        "CLUSTERIX_DB",
        "<user data folder>/clusterix.duckdb",
        "The store: a DuckDB file path (embedded, the default) or a postgresql:// URL.",
    ),
    Setting(
        "data_dir",
        "CLUSTERIX_DATA_DIR",
        "<user cache folder>",
        "Where downloaded official files (Eurostat, GISCO, CORDIS) are cached with checksums.",
    ),
    Setting("host", "CLUSTERIX_HOST", "127.0.0.1", "Web app (clusterix serve): the address to listen on."),
    Setting("port", "CLUSTERIX_PORT", "8000", "Web app: the port to listen on."),
    Setting(
        "secret_key",
        "CLUSTERIX_SECRET_KEY",
        "<random per process>",
        "Web app: signs session cookies and CSRF tokens; set it so that sessions survive restarts.",
    ),
    Setting("cookie_secure", "CLUSTERIX_COOKIE_SECURE", "false", "Web app: session cookies over HTTPS only."),
    Setting(
        "query_time_limit",
        "CLUSTERIX_QUERY_TIME_LIMIT",
        "30",
        "Web app: seconds one API request may compute before it fails with 504.",
    ),
    Setting("max_page_size", "CLUSTERIX_MAX_PAGE_SIZE", "500", "Web app: the largest page (limit) of a list."),
    Setting(
        "max_request_bytes",
        "CLUSTERIX_MAX_REQUEST_BYTES",
        "1048576",
        "Web app: the largest request body accepted (413 above it).",
    ),
    Setting(
        "boundaries",
        "CLUSTERIX_BOUNDARIES",
        "<downloaded from GISCO>",
        "Web app: a GISCO NUTS GeoJSON file or a folder of them, for the map.",
    ),
    Setting(
        "settings_file",
        "CLUSTERIX_SETTINGS_FILE",
        "<none>",
        "Web app: a TOML file with any of these settings (below arguments and environment variables).",
    ),
)


def database_target(explicit: str | Path | None = None) -> str:
    """The store to open: ``--db`` if given, else ``CLUSTERIX_DB``, else the user data folder."""
    if explicit:
        return str(explicit)
    from_environment = os.environ.get("CLUSTERIX_DB")
    if from_environment:
        return from_environment
    folder = Path(platformdirs.user_data_dir("clusterix", appauthor=False))
    return str(folder / "clusterix.duckdb")


def cache_dir(explicit: str | Path | None = None) -> Path:
    """Folder for downloaded files: argument, else ``CLUSTERIX_DATA_DIR``, else the user cache."""
    if explicit:
        return Path(explicit)
    from_environment = os.environ.get("CLUSTERIX_DATA_DIR")
    if from_environment:
        return Path(from_environment)
    return Path(platformdirs.user_cache_dir("clusterix", appauthor=False))

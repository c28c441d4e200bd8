"""Cached, checksummed downloads of official files, with retries and a clear offline error.

A file is described by :class:`RemoteFile` (name, URL and, where the publisher gives one,
its SHA-256). Downloaded files live in :func:`clusterix.config.cache_dir`; a manifest
records the checksum of each file at first download, and every later use re-checks it.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clusterix.checksums import sha256_of
from clusterix.config import cache_dir
from clusterix.errors import DataSourceError

__all__ = ["RemoteFile", "fetch", "sha256_of"]

_MANIFEST = "manifest.json"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """An official file: the name it is cached under, its URL and (optional) SHA-256."""

    filename: str
    url: str
    sha256: str | None = None


def _manifest(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / _MANIFEST
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataSourceError(
            f"The download manifest {path} is damaged ({error}); delete it to re-download."
        ) from error


def _record(folder: Path, remote: RemoteFile, checksum: str) -> None:
    manifest = _manifest(folder)
    manifest[remote.filename] = {"url": remote.url, "sha256": checksum}
    partial = folder / (_MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    partial.replace(folder / _MANIFEST)


def fetch(
    remote: RemoteFile,
    *,
    folder: str | Path | None = None,
    retries: int = 3,
    timeout: float = 60.0,
    backoff: float = 1.0,
    opener: Callable = urllib.request.urlopen,
    refresh: bool = False,
) -> Path:
    """Return the local path of ``remote``, downloading it once into the cache.

    A cached file is used only if its checksum matches the published one (or the one
    recorded at first download). ``refresh=True`` downloads again and records the new
    checksum (publishers such as Eurostat update files in place). A download goes to a
    ``.partial`` file that replaces the target only when complete and verified.

    Raises
    ------
    DataSourceError
        Offline or unreachable after ``retries`` attempts, an HTTP error, or a checksum
        mismatch; the message says how to use a local copy instead.
    """
    target_folder = cache_dir(folder)
    target_folder.mkdir(parents=True, exist_ok=True)
    target = target_folder / remote.filename
    expected = remote.sha256 or (None if refresh else _manifest(target_folder).get(remote.filename, {}).get("sha256"))
    if target.is_file() and not refresh:
        actual = sha256_of(target)
        if expected is None or actual == expected:
            if expected is None:
                _record(target_folder, remote, actual)
            return target
        target.unlink()  # damaged or changed: download again
    partial = target.with_name(target.name + ".partial")
    last_error: Exception | None = None
    for attempt in range(1, retries + 1):
        try:
            with opener(remote.url, timeout=timeout) as response, open(partial, "wb") as out:
                for block in iter(lambda: response.read(_CHUNK), b""):
                    out.write(block)
            break
        except urllib.error.HTTPError as error:
            error.close()
            partial.unlink(missing_ok=True)
            if error.code < 500 and error.code != 429:
                raise DataSourceError(
                    f"Downloading {remote.url} failed: HTTP {error.code} {error.reason}. "
                    "Check the dataset code or filters."
                ) from error
            last_error = error
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            partial.unlink(missing_ok=True)
            last_error = error
        if attempt < retries:
            time.sleep(backoff * 2 ** (attempt - 1))
    else:
        raise DataSourceError(
            f"Cannot download {remote.url} after {retries} attempts ({last_error}). If this "
            "machine is offline, pass a local copy of the file instead (a path, or --from DIR)."
        ) from last_error
    actual = sha256_of(partial)
    if expected is not None and actual != expected:
        partial.unlink(missing_ok=True)
        raise DataSourceError(
            f"The file downloaded from {remote.url} has SHA-256 {actual}, expected {expected}; "
            "it was not kept. Try again later or use a local copy."
        )
    partial.replace(target)
    _record(target_folder, remote, actual)
    return target

"""File checksums, shared by the downloads (ingest) and the store (storage)."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["sha256_of"]

_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in chunks of 1 MiB, as a hexadecimal string."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()

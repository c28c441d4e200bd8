"""Queries of the NUTS regions table (the aggregate ``regions``)."""

from __future__ import annotations

import pandas as pd

from clusterix.storage.db import Database

__all__ = ["RegionQueries"]


class RegionQueries:
    """Read access to the regions of every loaded NUTS version (mixed into :class:`Store`)."""

    database: Database

    def region_versions(self) -> list[int]:
        """The NUTS versions whose regions are loaded, oldest first."""
        frame = self.database.query("SELECT DISTINCT version FROM regions ORDER BY version")
        return [int(v) for v in frame["version"]]

    def region(self, code: str, version: int) -> pd.DataFrame:
        """The one row of region ``code`` in NUTS ``version`` (empty when it is not there)."""
        return self.database.query(
            "SELECT code, name, level, parent, country, version FROM regions WHERE code = ? AND version = ?",
            (code, int(version)),
        )

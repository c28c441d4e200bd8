"""Queries about what the store holds: the data state, the periods and measures of each
dataset, and the classifications that title a dataset's activity codes."""

from __future__ import annotations

from typing import Any

import pandas as pd

from clusterix.storage.db import Database

__all__ = ["CatalogueQueries"]


class CatalogueQueries:
    """Metadata of datasets and classifications (mixed into :class:`Store`)."""

    database: Database

    def data_state(self) -> tuple[str, ...]:
        """What changes when data is imported, in one cheap query: the datasets table's size,
        newest id, newest import time and rows, and the numbers of regions and classification codes."""
        frame = self.database.query(
            "SELECT count(*) AS datasets, max(id) AS newest, max(imported_at) AS imported, sum(row_count) AS rows, "
            "(SELECT count(*) FROM regions) AS regions, (SELECT count(*) FROM classifications) AS codes "
            "FROM datasets"
        )
        return tuple(str(value) for value in frame.iloc[0].tolist())

    def observation_periods(self) -> pd.DataFrame:
        """``dataset, measure, time, n``: the observations of every dataset by measure and period."""
        return self.database.query(
            "SELECT d.name AS dataset, o.measure AS measure, o.time AS time, count(*) AS n "
            "FROM observations o JOIN datasets d ON d.id = o.dataset_id GROUP BY d.name, o.measure, o.time"
        )

    def classification_coverage(self, dataset: str) -> tuple[pd.DataFrame, int]:
        """How many of ``dataset``'s distinct activity codes each loaded classification holds
        (``scheme, n``, most first), and the number of distinct activity codes."""
        coverage = self.database.query(
            "SELECT c.scheme AS scheme, count(*) AS n FROM classifications c WHERE c.code IN "
            "(SELECT DISTINCT o.activity FROM observations o JOIN datasets d ON d.id = o.dataset_id "
            "WHERE d.name = ?) GROUP BY c.scheme ORDER BY n DESC, scheme",
            (dataset,),
        )
        activities = self.database.scalar(
            "SELECT count(DISTINCT o.activity) FROM observations o JOIN datasets d ON d.id = o.dataset_id "
            "WHERE d.name = ?",
            (dataset,),
        )
        return coverage, int(activities or 0)

    def classification_titles(self, scheme: str) -> dict[str, str]:
        """``code -> title`` of one loaded classification (codes without a title left out)."""
        titles = self.database.query("SELECT code, name FROM classifications WHERE scheme = ?", (scheme,))
        return {str(code): str(name) for code, name in zip(titles["code"], titles["name"], strict=True) if name}

    def has_classification(self, scheme: str) -> bool:
        """Whether classification ``scheme`` is loaded."""
        return bool(int(self.database.scalar("SELECT count(*) FROM classifications WHERE scheme = ?", (scheme,))))

    def import_cluster_mapping(self, scheme: str, mapping: pd.DataFrame) -> int:
        """Load (or reload) an industry -> cluster mapping ``industry, cluster, cluster_name`` as ``scheme``."""
        frame = pd.DataFrame(
            {
                "scheme": scheme,
                "industry": mapping["industry"].astype(str),
                "cluster": mapping["cluster"].astype(str),
                "cluster_name": mapping.get("cluster_name", None),
            }
        ).drop_duplicates(["industry", "cluster"])
        with self.database.transaction():
            self.database.execute("DELETE FROM cluster_mappings WHERE scheme = ?", (scheme,))
            self.database.insert_frame("cluster_mappings", frame)
        return len(frame)

    def cluster_mappings(self) -> dict[str, pd.DataFrame]:
        """Every loaded cluster mapping by scheme: ``industry, cluster, cluster_name``."""
        frame = self.database.query(
            "SELECT scheme, industry, cluster, cluster_name FROM cluster_mappings ORDER BY scheme, industry, cluster"
        )
        out: dict[str, Any] = {}
        for scheme, rows in frame.groupby("scheme", sort=True):
            out[str(scheme)] = rows.drop(columns="scheme").reset_index(drop=True)
        return out

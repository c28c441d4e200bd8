"""Queries of organisations, their projects and participations (the aggregate ``organisations``)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from clusterix.storage.db import Database

__all__ = ["OrganisationQueries"]

_COLUMNS = "id, name, kind, country, region, description"


class OrganisationQueries:
    """Look-ups of organisations and their collaboration history (mixed into :class:`Store`)."""

    database: Database

    def organisation_count(self) -> int:
        """The number of organisations in the store."""
        return int(self.database.scalar("SELECT count(*) FROM organisations"))

    def search_organisations(
        self, *, q: str | None = None, kind: str | None = None, country: str | None = None, limit: int = 20,
        offset: int = 0,
    ) -> tuple[int, pd.DataFrame]:  # fmt: skip
        """``(total, page)``: organisations whose name or id contains ``q`` (case-insensitive), of one
        ``kind`` and ``country`` when given, ordered by name then id."""
        conditions: list[str] = []
        parameters: list[object] = []
        if q:
            pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append("(lower(coalesce(name, '')) LIKE ? ESCAPE '\\' OR lower(id) LIKE ? ESCAPE '\\')")
            parameters += [pattern, pattern]
        if kind:
            conditions.append("kind = ?")
            parameters.append(kind)
        if country:
            conditions.append("country = ?")
            parameters.append(country)
        where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
        total = int(self.database.scalar(f"SELECT count(*) FROM organisations{where}", parameters))
        frame = self.database.query(
            f"SELECT {_COLUMNS} FROM organisations{where} ORDER BY name, id LIMIT ? OFFSET ?",
            [*parameters, int(limit), int(offset)],
        )
        return total, frame

    def organisation(self, organisation_id: str, *, external_ids: bool = False) -> pd.DataFrame:
        """The one row of an organisation (empty when unknown); with its ``external_ids`` when asked."""
        columns = _COLUMNS + (", external_ids" if external_ids else "")
        return self.database.query(f"SELECT {columns} FROM organisations WHERE id = ?", (organisation_id,))

    def participation_count(self, organisation_id: str) -> int:
        """The number of participations of an organisation."""
        return int(
            self.database.scalar("SELECT count(*) FROM participations WHERE organisation_id = ?", (organisation_id,))
        )

    def partner_count(self, organisation_id: str) -> int:
        """The number of distinct organisations that shared a project with ``organisation_id``."""
        return int(
            self.database.scalar(
                "SELECT count(DISTINCT b.organisation_id) FROM participations a JOIN participations b "
                "ON a.project_id = b.project_id AND b.organisation_id <> a.organisation_id "
                "WHERE a.organisation_id = ?",
                (organisation_id,),
            )
        )

    def latest_projects(self, organisation_id: str, limit: int) -> pd.DataFrame:
        """An organisation's ``limit`` latest projects with its role, newest first; dates as ``datetime.date``."""
        latest = self.database.query(
            "SELECT j.id, j.acronym, j.title, j.programme_part, j.start_date, j.end_date, p.role "
            "FROM participations p JOIN projects j ON j.id = p.project_id WHERE p.organisation_id = ? "
            "ORDER BY j.start_date DESC, j.id LIMIT ?",
            (organisation_id, int(limit)),
        )
        for column in ("start_date", "end_date"):  # DATE: a Timestamp from DuckDB, a date from PostgreSQL
            latest[column] = pd.to_datetime(latest[column]).dt.date.astype(object).where(latest[column].notna(), None)
        return latest

    def organisations_by_id(self, ids: Sequence[str]) -> pd.DataFrame:
        """The rows of the organisations ``ids`` (unknown ids left out)."""
        if not ids:
            return self.database.query(f"SELECT {_COLUMNS} FROM organisations WHERE 1 = 0")
        marks = ", ".join("?" for _ in ids)
        return self.database.query(f"SELECT {_COLUMNS} FROM organisations WHERE id IN ({marks})", list(ids))

"""Partnerships, their events and notes, and the growth query (the aggregate ``partnerships``).

Every SQL statement of :mod:`clusterix.tracking.partnerships`; the rules (the state
machine, who may see and do what, validation) stay there. Rows come back as dicts of plain
values and frames with ``None`` for missing values, the same on both back-ends.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import pandas as pd

from clusterix.storage.db import Database
from clusterix.storage.tracking_schema import records

__all__ = ["PartnershipRepository"]

_COLUMNS = (
    "p.id, p.organisation_1, o1.name AS organisation_1_name, o1.kind AS organisation_1_kind, "
    "p.organisation_2, o2.name AS organisation_2_name, o2.kind AS organisation_2_kind, "
    "p.status, p.created_by, p.created, p.updated, p.public_note"
)
_FROM = (
    "FROM partnerships p LEFT JOIN organisations o1 ON o1.id = p.organisation_1 "
    "LEFT JOIN organisations o2 ON o2.id = p.organisation_2"
)


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


class PartnershipRepository:
    """The tables ``partnerships`` and ``partnership_events`` of one database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing for the calls in the block (see :meth:`Database.transaction`)."""
        with self.database.transaction():
            yield

    def known_organisations(self, *organisation_ids: str) -> set[str]:
        """Those of ``organisation_ids`` that the store's organisations table holds."""
        found = self.database.query(
            f"SELECT id FROM organisations WHERE id IN ({_placeholders(organisation_ids)})", organisation_ids
        )
        return set(found["id"].astype(str))

    # Partnerships

    def partnership(self, partnership_id: int) -> dict[str, Any] | None:
        """Partnership ``partnership_id`` with its organisations' names and kinds, or ``None``."""
        found = records(self.database.query(f"SELECT {_COLUMNS} {_FROM} WHERE p.id = ?", (partnership_id,)))
        return found[0] if found else None

    def open_partnership_between(self, organisation_1: str, organisation_2: str, *, closed: str) -> int | None:
        """The lowest id of a partnership of the two organisations (in either order) whose status
        is not ``closed``, else ``None``."""
        value = records(
            self.database.query(
                "SELECT min(id) AS id FROM partnerships WHERE status <> ? AND "
                "((organisation_1 = ? AND organisation_2 = ?) OR (organisation_1 = ? AND organisation_2 = ?))",
                (closed, organisation_1, organisation_2, organisation_2, organisation_1),
            )
        )[0]["id"]
        return None if value is None else int(value)

    def insert_partnership(
        self,
        organisation_1: str,
        organisation_2: str,
        *,
        status: str,
        created_by: int,
        created: datetime,
        public_note: str | None,
    ) -> int:
        """Add a partnership under the next id of the ``partnership_ids`` sequence; returns that id."""
        partnership_id = int(self.database.scalar("SELECT nextval('partnership_ids')"))
        self.database.execute(
            "INSERT INTO partnerships (id, organisation_1, organisation_2, status, created_by, created, updated, "
            "public_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (partnership_id, organisation_1, organisation_2, status, created_by, created, created, public_note),
        )
        return partnership_id

    def set_status(self, partnership_id: int, status: str, updated: datetime) -> None:
        """Put partnership ``partnership_id`` in ``status`` as of ``updated``."""
        self.database.execute(
            "UPDATE partnerships SET status = ?, updated = ? WHERE id = ?", (status, updated, partnership_id)
        )

    def touch(self, partnership_id: int, updated: datetime) -> None:
        """Mark partnership ``partnership_id`` as changed at ``updated``."""
        self.database.execute("UPDATE partnerships SET updated = ? WHERE id = ?", (updated, partnership_id))

    def _condition(
        self, statuses: Sequence[str] | None, organisation: str | None, status: str | None
    ) -> tuple[str, list[object]]:
        where = ["1 = 1"]
        parameters: list[object] = []
        if statuses is not None:
            where.append(f"p.status IN ({_placeholders(statuses)})")
            parameters.extend(statuses)
        if organisation is not None:
            where.append("(p.organisation_1 = ? OR p.organisation_2 = ?)")
            parameters.extend([organisation, organisation])
        if status is not None:
            where.append("p.status = ?")
            parameters.append(status)
        return " AND ".join(where), parameters

    def count_partnerships(
        self, *, statuses: Sequence[str] | None = None, organisation: str | None = None, status: str | None = None
    ) -> int:
        """How many partnerships have one of ``statuses`` (any, if ``None``), involve
        ``organisation`` and are in ``status`` (each filter only when given)."""
        condition, parameters = self._condition(statuses, organisation, status)
        return int(self.database.scalar(f"SELECT count(*) FROM partnerships p WHERE {condition}", parameters))

    def partnerships_page(
        self,
        *,
        statuses: Sequence[str] | None = None,
        organisation: str | None = None,
        status: str | None = None,
        limit: int,
        offset: int,
    ) -> list[dict[str, Any]]:
        """A page of the partnerships :meth:`count_partnerships` counts, newest change first,
        as :meth:`partnership` gives them."""
        condition, parameters = self._condition(statuses, organisation, status)
        frame = self.database.query(
            f"SELECT {_COLUMNS} {_FROM} WHERE {condition} ORDER BY p.updated DESC, p.id DESC LIMIT ? OFFSET ?",
            [*parameters, limit, offset],
        )
        return records(frame)

    # Events and notes

    def insert_event(
        self,
        partnership_id: int,
        *,
        from_status: str | None,
        to_status: str | None,
        occurred_on: date,
        recorded: datetime,
        note: str | None,
        private: bool,
        author: int,
    ) -> int:
        """Add a step (``to_status`` given) or a note to a partnership's history under the next
        id of the ``partnership_event_ids`` sequence; returns that id."""
        event_id = int(self.database.scalar("SELECT nextval('partnership_event_ids')"))
        self.database.execute(
            "INSERT INTO partnership_events (id, partnership_id, from_status, to_status, occurred_on, recorded, "
            "note, private, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event_id, partnership_id, from_status, to_status, occurred_on, recorded, note, bool(private), author),
        )
        return event_id

    def last_step_date(self, partnership_id: int) -> date | None:
        """The date of the latest step (not note) of partnership ``partnership_id``, or ``None``."""
        value = records(
            self.database.query(
                "SELECT max(occurred_on) AS occurred_on FROM partnership_events "
                "WHERE partnership_id = ? AND to_status IS NOT NULL",
                (partnership_id,),
            )
        )[0]["occurred_on"]
        return None if value is None else pd.Timestamp(value).date()

    @staticmethod
    def _events_condition(include_private_notes: bool) -> str:
        # A private note without a step is the partners' own; a private step is still shown (without its note).
        return "e.partnership_id = ?" + (
            "" if include_private_notes else " AND NOT (e.private AND e.to_status IS NULL)"
        )

    def count_events(self, partnership_id: int, *, include_private_notes: bool = True) -> int:
        """How many events of partnership ``partnership_id`` :meth:`events_of` would give."""
        condition = self._events_condition(include_private_notes)
        return int(
            self.database.scalar(f"SELECT count(*) FROM partnership_events e WHERE {condition}", (partnership_id,))
        )

    def events_of(
        self,
        partnership_id: int,
        *,
        include_private_notes: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> pd.DataFrame:
        """The events of partnership ``partnership_id`` in order: ``id, from_status, to_status,
        occurred_on`` (a date), ``recorded, note, private`` (a bool), ``author`` (an int) and
        ``author_name``; missing values are ``None``.

        Without ``include_private_notes``, private notes that are not a step are left out.
        ``limit`` and ``offset`` count from the newest event: ``limit=50`` gives the latest 50,
        ``offset=50`` the 50 before them; the page is still in chronological order. Every event
        when ``limit`` is ``None``.
        """
        condition = self._events_condition(include_private_notes)
        parameters: list[object] = [partnership_id]
        page = ""
        if limit is not None:
            page = " LIMIT ? OFFSET ?"
            parameters.extend([limit, offset])
        events = self.database.query(
            "SELECT e.id, e.from_status, e.to_status, e.occurred_on, e.recorded, e.note, e.private, e.author, "
            "u.display_name AS author_name FROM partnership_events e LEFT JOIN users u ON u.id = e.author "
            f"WHERE {condition} ORDER BY e.occurred_on DESC, e.id DESC{page}",
            parameters,
        )
        events = events.iloc[::-1].reset_index(drop=True)
        events["private"] = events["private"].astype(bool)
        events["occurred_on"] = pd.to_datetime(events["occurred_on"]).dt.date
        # Missing values as None on both back-ends (DuckDB gives NaN, PostgreSQL None).
        for column in ("from_status", "to_status", "note", "author", "author_name"):
            values = events[column].astype(object)
            events[column] = values.where(values.notna(), None)
        events["author"] = [None if a is None else int(a) for a in events["author"]]
        return events

    # Growth

    def first_steps_into(self, statuses: Sequence[str]) -> pd.DataFrame:
        """Per partnership that ever stepped into one of ``statuses``: ``partnership_id``,
        ``achieved_on`` (the date of its first such step, as datetime64) and the kinds of its
        two organisations ``kind_1`` and ``kind_2`` (``None`` if unknown)."""
        achieved = self.database.query(
            "SELECT e.partnership_id, min(e.occurred_on) AS achieved_on, min(o1.kind) AS kind_1, "
            "min(o2.kind) AS kind_2 FROM partnership_events e JOIN partnerships p ON p.id = e.partnership_id "
            "LEFT JOIN organisations o1 ON o1.id = p.organisation_1 "
            "LEFT JOIN organisations o2 ON o2.id = p.organisation_2 "
            f"WHERE e.to_status IN ({_placeholders(statuses)}) GROUP BY e.partnership_id",
            list(statuses),
        )
        achieved["achieved_on"] = pd.to_datetime(achieved["achieved_on"])
        for column in ("kind_1", "kind_2"):
            values = achieved[column].astype(object)
            achieved[column] = values.where(values.notna(), None)
        return achieved

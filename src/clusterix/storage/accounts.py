"""Users, server-side sessions and sign-in attempts (the aggregate ``accounts``).

Every SQL statement of :mod:`clusterix.tracking.accounts`; the rules (roles, password
hashing, tokens, the sign-in rate limit) stay there. Rows come back as dicts of plain
values (:func:`clusterix.storage.tracking_schema.records`), the same on both back-ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from clusterix.storage.db import Database
from clusterix.storage.tracking_schema import records

__all__ = ["AccountRepository"]

_USER_COLUMNS = ("id", "email", "display_name", "role", "organisation_id", "created")


class AccountRepository:
    """The tables ``users``, ``auth_sessions`` and ``login_attempts`` of one database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing for the calls in the block (see :meth:`Database.transaction`)."""
        with self.database.transaction():
            yield

    # Users

    def organisation_exists(self, organisation_id: str) -> bool:
        """Whether the store's organisations table holds ``organisation_id``."""
        return int(self.database.scalar("SELECT count(*) FROM organisations WHERE id = ?", (organisation_id,))) > 0

    def email_taken(self, email: str) -> bool:
        """Whether a user has the (normalised) e-mail ``email``."""
        return int(self.database.scalar("SELECT count(*) FROM users WHERE email = ?", (email,))) > 0

    def insert_user(
        self,
        *,
        email: str,
        display_name: str,
        password_hash: str,
        role: str,
        organisation_id: str | None,
        created: datetime,
    ) -> int:
        """Add a user under the next id of the ``user_ids`` sequence; returns that id."""
        user_id = int(self.database.scalar("SELECT nextval('user_ids')"))
        self.database.execute(
            "INSERT INTO users (id, email, display_name, password_hash, role, organisation_id, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (user_id, email, display_name, password_hash, role, organisation_id, created),
        )
        return user_id

    def user(self, user_id: int) -> dict[str, Any] | None:
        """The public columns of user ``user_id``, or ``None``."""
        found = records(self.database.query(f"SELECT {', '.join(_USER_COLUMNS)} FROM users WHERE id = ?", (user_id,)))
        return found[0] if found else None

    def users(self) -> list[dict[str, Any]]:
        """The public columns of every user, ordered by id."""
        return self.users_page(limit=None)

    def users_page(self, *, limit: int | None, offset: int = 0) -> list[dict[str, Any]]:
        """The users ordered by id, ``limit`` of them (``None``: all) from ``offset``."""
        sql = f"SELECT {', '.join(_USER_COLUMNS)} FROM users ORDER BY id"
        if limit is None:
            return records(self.database.query(sql + " OFFSET ?", (offset,)))
        return records(self.database.query(sql + " LIMIT ? OFFSET ?", (limit, offset)))

    def user_count(self) -> int:
        """How many users there are."""
        return int(self.database.scalar("SELECT count(*) FROM users"))

    def user_by_email(self, email: str) -> dict[str, Any] | None:
        """The user with e-mail ``email``, with its ``password_hash``, or ``None``."""
        found = records(
            self.database.query(
                f"SELECT {', '.join(_USER_COLUMNS)}, password_hash FROM users WHERE email = ?", (email,)
            )
        )
        return found[0] if found else None

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace the password hash of user ``user_id``."""
        self.database.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))

    # Sign-in attempts

    def lock_attempts(self) -> None:
        """Hold the sign-in attempts until the end of the transaction (call it inside one).

        Counting the recent failures and recording a new attempt must be one step, or parallel
        guesses all pass the count before any is recorded. On PostgreSQL the table lock is
        self-exclusive, so workers of other processes wait here; DuckDB has one writing
        process, whose threads :class:`~clusterix.storage.serial.SerialDatabase` serialises.
        """
        if self.database.backend == "postgresql":
            self.database.execute("LOCK TABLE login_attempts IN SHARE ROW EXCLUSIVE MODE")

    def failed_attempts_since(self, since: datetime, *, address: str, email: str | None = None) -> list[datetime]:
        """When the failed sign-ins from ``address`` (for ``email`` only, when given) at or
        after ``since`` happened, oldest first."""
        sql = "SELECT attempted FROM login_attempts WHERE NOT succeeded AND attempted >= ? AND address = ?"
        parameters: list[object] = [since, address]
        if email is not None:
            sql += " AND email = ?"
            parameters.append(email)
        return [row["attempted"] for row in records(self.database.query(sql + " ORDER BY attempted", parameters))]

    def forget_attempts_before(self, cutoff: datetime) -> None:
        """Drop the sign-in attempts older than ``cutoff``."""
        self.database.execute("DELETE FROM login_attempts WHERE attempted < ?", (cutoff,))

    def record_login_attempt(self, email: str, address: str, attempted: datetime, succeeded: bool) -> None:
        """Record one sign-in attempt."""
        self.database.execute(
            "INSERT INTO login_attempts (email, address, attempted, succeeded) VALUES (?, ?, ?, ?)",
            (email, address, attempted, succeeded),
        )

    def forgive_failures(self, email: str, address: str) -> None:
        """Drop the failed sign-ins for ``email`` from ``address``."""
        self.database.execute(
            "DELETE FROM login_attempts WHERE email = ? AND address = ? AND NOT succeeded", (email, address)
        )

    # Sessions

    def delete_expired_sessions(self, now: datetime) -> None:
        """Drop the sessions that expired before ``now``."""
        self.database.execute("DELETE FROM auth_sessions WHERE expires < ?", (now,))

    def insert_session(
        self, *, token_hash: str, user_id: int, kind: str, csrf_token: str, created: datetime, expires: datetime
    ) -> None:
        """Store a session under the hash of its secret."""
        self.database.execute(
            "INSERT INTO auth_sessions (token_hash, user_id, kind, csrf_token, created, expires) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (token_hash, user_id, kind, csrf_token, created, expires),
        )

    def live_session(self, token_hash: str, kind: str, now: datetime) -> dict[str, Any] | None:
        """The session of ``kind`` stored under ``token_hash`` that expires after ``now``: its
        ``csrf_token`` and ``expires`` with its user's public columns; else ``None``."""
        found = records(
            self.database.query(
                f"SELECT s.csrf_token, s.expires, {', '.join('u.' + c for c in _USER_COLUMNS)} "
                "FROM auth_sessions s JOIN users u ON u.id = s.user_id "
                "WHERE s.token_hash = ? AND s.kind = ? AND s.expires > ?",
                (token_hash, kind, now),
            )
        )
        return found[0] if found else None

    def delete_session(self, token_hash: str) -> None:
        """Drop the session stored under ``token_hash`` (nothing if there is none)."""
        with self.database.transaction():
            self.database.execute("DELETE FROM auth_sessions WHERE token_hash = ?", (token_hash,))

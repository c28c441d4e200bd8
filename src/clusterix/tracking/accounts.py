"""Users, password checks with argon2, server-side sessions and the sign-in rate limit.

Passwords are stored only as argon2id hashes (argon2-cffi's ``PasswordHasher``, RFC 9106
parameters). Sessions are random 256-bit secrets handed to the client; the store keeps a
SHA-256 of each, its expiry and its CSRF token, so signing out revokes a session at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from clusterix._validation import check_option
from clusterix.errors import InvalidInputError
from clusterix.storage import Store
from clusterix.tracking.errors import AccessDeniedError, NotFoundError, TooManyAttemptsError, UnknownOrganisationError
from clusterix.tracking.schema import ensure_tracking_schema

__all__ = [
    "LOGIN_WINDOW",
    "MAX_FAILURES_PER_ACCOUNT",
    "MAX_FAILURES_PER_ADDRESS",
    "ROLES",
    "SESSION_LIFETIMES",
    "Session",
    "User",
    "authenticate",
    "create_session",
    "create_user",
    "delete_session",
    "get_user",
    "list_users",
    "session_for",
]

ROLES = ("member", "admin")
SESSION_KINDS = ("cookie", "bearer")
# A browser session lasts a working day; an API token a month (revoke it by signing out).
SESSION_LIFETIMES = {"cookie": timedelta(hours=12), "bearer": timedelta(days=30)}
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5  # per account and address within LOGIN_WINDOW
MAX_FAILURES_PER_ADDRESS = 50  # per address over all accounts within LOGIN_WINDOW
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so that an unknown account costs as much time as a
# wrong password and the response time does not tell which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class User:
    """A signed-up person: a ``member`` manages one organisation, an ``admin`` everything."""

    id: int
    email: str
    display_name: str
    role: str
    organisation_id: str | None
    created: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def manages(self, organisation_id: str) -> bool:
        """Whether this user may act for ``organisation_id``."""
        return self.is_admin or (self.organisation_id is not None and self.organisation_id == organisation_id)

    def as_dict(self) -> dict:
        """JSON-able public fields (never the password hash)."""
        return {
            "id": self.id,
            "email": self.email,
            "display_name": self.display_name,
            "role": self.role,
            "organisation_id": self.organisation_id,
            "created": self.created.isoformat(),
        }


@dataclass(frozen=True)
class Session:
    """A live session: its user, kind (``cookie`` or ``bearer``), CSRF token and expiry."""

    user: User
    kind: str
    csrf_token: str
    expires: datetime


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _timestamp(value) -> datetime:
    return pd.Timestamp(value).to_pydatetime()


def _normalise_email(email: object, function: str) -> str:
    if not isinstance(email, str) or len(email) > 254 or not _EMAIL.match(email.strip()):
        raise InvalidInputError(f"The 'email' parameter of {function} must be an e-mail address. Got {email!r}.")
    return email.strip().lower()


def _user(row) -> User:
    organisation = row["organisation_id"]
    return User(
        id=int(row["id"]),
        email=str(row["email"]),
        display_name=str(row["display_name"]),
        role=str(row["role"]),
        organisation_id=None if organisation is None or pd.isna(organisation) else str(organisation),
        created=_timestamp(row["created"]),
    )


_USER_COLUMNS = "id, email, display_name, role, organisation_id, created"


def _check_password(password: object) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"A password must be text of {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters."
        )
    return password


def create_user(
    store: Store,
    email: str,
    password: str,
    *,
    display_name: str | None = None,
    role: str = "member",
    organisation_id: str | None = None,
    actor: User | None = None,
    as_owner: bool = False,
) -> User:
    """Add a user with an argon2 hash of ``password``.

    Only an admin ``actor`` may add users; ``as_owner=True`` is for the command line, run
    by whoever may write the store (that is how the first admin appears). A member must
    name the organisation they manage (an id of the store's organisations table).

    Raises
    ------
    InvalidInputError
        A malformed e-mail, a short password, an unknown role, an e-mail already in use.
    UnknownOrganisationError
        ``organisation_id`` is not in the store.
    AccessDeniedError
        ``actor`` is not an admin (and ``as_owner`` is false).
    """
    if not as_owner and (actor is None or not actor.is_admin):
        raise AccessDeniedError("Only an admin may add users.", anonymous=actor is None)
    email = _normalise_email(email, "create_user")
    _check_password(password)
    check_option(role, ROLES, name="role", function="create_user")
    display_name = (display_name or email.split("@")[0]).strip()
    if not display_name or len(display_name) > 200:
        raise InvalidInputError("A display name must be 1 to 200 characters.")
    if role == "member" and organisation_id is None:
        raise InvalidInputError("A member must manage an organisation: give its id (organisation_id).")
    database = store.database
    ensure_tracking_schema(database)
    password_hash = _hasher.hash(password)
    with database.transaction():
        if organisation_id is not None:
            organisation_id = str(organisation_id)
            if database.scalar("SELECT count(*) FROM organisations WHERE id = ?", (organisation_id,)) == 0:
                raise UnknownOrganisationError(
                    f"Organisation {organisation_id!r} is not in the store; import organisations first "
                    "(clusterix ingest) or check the id."
                )
        if database.scalar("SELECT count(*) FROM users WHERE email = ?", (email,)):
            raise InvalidInputError(f"A user with e-mail {email!r} already exists.")
        user_id = int(database.scalar("SELECT nextval('user_ids')"))
        created = _now()
        database.execute(
            "INSERT INTO users (id, email, display_name, password_hash, role, organisation_id, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (user_id, email, display_name, password_hash, role, organisation_id, created),
        )
    return User(user_id, email, display_name, role, organisation_id, created)


def get_user(store: Store, user_id: int) -> User:
    """The user with id ``user_id``; :class:`NotFoundError` if there is none."""
    ensure_tracking_schema(store.database)
    found = store.database.query(f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", (int(user_id),))
    if found.empty:
        raise NotFoundError(f"There is no user {user_id}.")
    return _user(found.iloc[0])


def list_users(store: Store, *, actor: User | None = None, as_owner: bool = False) -> list[User]:
    """Every user, ordered by id; for admins, or the store's owner (the command line), only:
    the list holds e-mail addresses."""
    if not as_owner and (actor is None or not actor.is_admin):
        raise AccessDeniedError("Only an admin may list users.", anonymous=actor is None)
    ensure_tracking_schema(store.database)
    frame = store.database.query(f"SELECT {_USER_COLUMNS} FROM users ORDER BY id")
    return [_user(row) for _, row in frame.iterrows()]


def _failures_since(store: Store, since: datetime, *, email: str | None, address: str) -> pd.DataFrame:
    sql = "SELECT attempted FROM login_attempts WHERE NOT succeeded AND attempted >= ? AND address = ?"
    parameters: list[object] = [since, address]
    if email is not None:
        sql += " AND email = ?"
        parameters.append(email)
    return store.database.query(sql + " ORDER BY attempted", parameters)


def _check_throttle(store: Store, email: str, address: str, now: datetime) -> None:
    since = now - LOGIN_WINDOW
    for limit, failures in (
        (MAX_FAILURES_PER_ACCOUNT, _failures_since(store, since, email=email, address=address)),
        (MAX_FAILURES_PER_ADDRESS, _failures_since(store, since, email=None, address=address)),
    ):
        if len(failures) >= limit:
            # Free again when the oldest failure that counts leaves the window.
            oldest = _timestamp(failures["attempted"].iloc[len(failures) - limit])
            retry_after = max(1, int((oldest + LOGIN_WINDOW - now).total_seconds()) + 1)
            raise TooManyAttemptsError(
                f"Too many failed sign-ins ({len(failures)} in {int(LOGIN_WINDOW.total_seconds() // 60)} "
                f"minutes); try again in {retry_after} seconds.",
                retry_after=retry_after,
            )


def authenticate(store: Store, email: str, password: str, *, address: str = "unknown") -> User | None:
    """The user whose e-mail and password match, else ``None``; every attempt is recorded.

    The check costs one argon2 verification whether or not the account exists. A hash made
    with weaker parameters than the current ones is replaced on success (rehash).

    Raises
    ------
    TooManyAttemptsError
        :data:`MAX_FAILURES_PER_ACCOUNT` failures for this e-mail from ``address`` (or
        :data:`MAX_FAILURES_PER_ADDRESS` from ``address`` overall) within :data:`LOGIN_WINDOW`;
        the password is not even checked.
    """
    if not isinstance(email, str) or not isinstance(password, str):
        return None
    database = store.database
    ensure_tracking_schema(database)
    email = email.strip().lower()[:254]
    address = str(address)[:100]
    now = _now()
    _check_throttle(store, email, address, now)
    found = database.query(f"SELECT {_USER_COLUMNS}, password_hash FROM users WHERE email = ?", (email,))
    stored_hash = _DUMMY_HASH if found.empty else str(found.iloc[0]["password_hash"])
    try:
        matched = _hasher.verify(stored_hash, password[:MAX_PASSWORD_LENGTH]) and not found.empty
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        matched = False
    with database.transaction():
        database.execute("DELETE FROM login_attempts WHERE attempted < ?", (now - timedelta(days=1),))
        database.execute(
            "INSERT INTO login_attempts (email, address, attempted, succeeded) VALUES (?, ?, ?, ?)",
            (email, address, now, matched),
        )
        if not matched:
            return None
        # A success forgives this account's earlier failures from this address.
        database.execute(
            "DELETE FROM login_attempts WHERE email = ? AND address = ? AND NOT succeeded", (email, address)
        )
        user = _user(found.iloc[0])
        if _hasher.check_needs_rehash(stored_hash):
            database.execute("UPDATE users SET password_hash = ? WHERE id = ?", (_hasher.hash(password), user.id))
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(store: Store, user: User, *, kind: str = "cookie") -> tuple[str, Session]:
    """Open a session for ``user``: returns the secret to hand to the client, and the session.

    A new secret on every sign-in (never reuse one from before), so a session id planted
    in a browser before sign-in is worthless (session fixation).
    """
    check_option(kind, SESSION_KINDS, name="kind", function="create_session")
    ensure_tracking_schema(store.database)
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    now = _now()
    expires = now + SESSION_LIFETIMES[kind]
    with store.database.transaction():
        store.database.execute("DELETE FROM auth_sessions WHERE expires < ?", (now,))
        store.database.execute(
            "INSERT INTO auth_sessions (token_hash, user_id, kind, csrf_token, created, expires) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (_token_hash(token), user.id, kind, csrf_token, now, expires),
        )
    return token, Session(user, kind, csrf_token, expires)


def session_for(store: Store, token: str | None, *, kind: str) -> Session | None:
    """The live session of ``kind`` whose secret is ``token``, else ``None`` (unknown or expired)."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    ensure_tracking_schema(store.database)
    found = store.database.query(
        f"SELECT s.csrf_token, s.expires, {', '.join('u.' + c.strip() for c in _USER_COLUMNS.split(','))} "
        "FROM auth_sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = ? AND s.kind = ? AND s.expires > ?",
        (_token_hash(token), kind, _now()),
    )
    if found.empty:
        return None
    row = found.iloc[0]
    return Session(_user(row), kind, str(row["csrf_token"]), _timestamp(row["expires"]))


def delete_session(store: Store, token: str | None) -> None:
    """Revoke the session whose secret is ``token`` (signing out); unknown tokens are ignored."""
    if not token or not isinstance(token, str):
        return
    ensure_tracking_schema(store.database)
    with store.database.transaction():
        store.database.execute("DELETE FROM auth_sessions WHERE token_hash = ?", (_token_hash(token),))

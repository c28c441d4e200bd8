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

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from clusterix._validation import check_option
from clusterix.errors import InvalidInputError
from clusterix.storage import Store
from clusterix.storage.accounts import AccountRepository
from clusterix.tracking.errors import AccessDeniedError, NotFoundError, TooManyAttemptsError, UnknownOrganisationError
from clusterix.tracking.passwords import MAX_PASSWORD_LENGTH, check_password, normalise_password
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


def _normalise_email(email: object, function: str) -> str:
    if not isinstance(email, str) or len(email) > 254 or not _EMAIL.match(email.strip()):
        raise InvalidInputError(f"The 'email' parameter of {function} must be an e-mail address. Got {email!r}.")
    return email.strip().lower()


def _user(row: dict) -> User:
    organisation = row["organisation_id"]
    return User(
        id=int(row["id"]),
        email=str(row["email"]),
        display_name=str(row["display_name"]),
        role=str(row["role"]),
        organisation_id=None if organisation is None else str(organisation),
        created=row["created"],
    )


def _accounts(store: Store) -> AccountRepository:
    """The accounts repository of ``store``, its tables created if need be."""
    ensure_tracking_schema(store.database)
    return AccountRepository(store.database)


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
        A malformed e-mail, a password the policy refuses
        (:func:`~clusterix.tracking.passwords.check_password`), an unknown role, an e-mail
        already in use.
    UnknownOrganisationError
        ``organisation_id`` is not in the store.
    AccessDeniedError
        ``actor`` is not an admin (and ``as_owner`` is false).
    """
    if not as_owner and (actor is None or not actor.is_admin):
        raise AccessDeniedError("Only an admin may add users.", anonymous=actor is None)
    email = _normalise_email(email, "create_user")
    check_option(role, ROLES, name="role", function="create_user")
    display_name = (display_name or email.split("@")[0]).strip()
    if not display_name or len(display_name) > 200:
        raise InvalidInputError("A display name must be 1 to 200 characters.")
    password = check_password(password, context=(email, display_name, str(organisation_id or "")))
    if role == "member" and organisation_id is None:
        raise InvalidInputError("A member must manage an organisation: give its id (organisation_id).")
    accounts = _accounts(store)
    password_hash = _hasher.hash(password)
    with accounts.transaction():
        if organisation_id is not None:
            organisation_id = str(organisation_id)
            if not accounts.organisation_exists(organisation_id):
                raise UnknownOrganisationError(
                    f"Organisation {organisation_id!r} is not in the store; import organisations first "
                    "(clusterix ingest) or check the id."
                )
        if accounts.email_taken(email):
            raise InvalidInputError(f"A user with e-mail {email!r} already exists.")
        created = _now()
        user_id = accounts.insert_user(
            email=email,
            display_name=display_name,
            password_hash=password_hash,
            role=role,
            organisation_id=organisation_id,
            created=created,
        )
    return User(user_id, email, display_name, role, organisation_id, created)


def get_user(store: Store, user_id: int) -> User:
    """The user with id ``user_id``; :class:`NotFoundError` if there is none."""
    found = _accounts(store).user(int(user_id))
    if found is None:
        raise NotFoundError(f"There is no user {user_id}.")
    return _user(found)


def list_users(
    store: Store, *, actor: User | None = None, as_owner: bool = False, limit: int | None = None, offset: int = 0
) -> list[User]:
    """The users ordered by id (``limit`` of them from ``offset``; default all); for admins,
    or the store's owner (the command line), only: the list holds e-mail addresses."""
    if not as_owner and (actor is None or not actor.is_admin):
        raise AccessDeniedError("Only an admin may list users.", anonymous=actor is None)
    return [_user(row) for row in _accounts(store).users_page(limit=limit, offset=offset)]


def count_users(store: Store, *, actor: User | None = None, as_owner: bool = False) -> int:
    """How many users there are (for admins, or the store's owner)."""
    if not as_owner and (actor is None or not actor.is_admin):
        raise AccessDeniedError("Only an admin may count users.", anonymous=actor is None)
    return _accounts(store).user_count()


def _check_throttle(accounts: AccountRepository, email: str, address: str, now: datetime) -> None:
    since = now - LOGIN_WINDOW
    for limit, failures in (
        (MAX_FAILURES_PER_ACCOUNT, accounts.failed_attempts_since(since, email=email, address=address)),
        (MAX_FAILURES_PER_ADDRESS, accounts.failed_attempts_since(since, address=address)),
    ):
        if len(failures) >= limit:
            # Free again when the oldest failure that counts leaves the window.
            oldest = failures[len(failures) - limit]
            retry_after = max(1, int((oldest + LOGIN_WINDOW - now).total_seconds()) + 1)
            raise TooManyAttemptsError(
                f"Too many failed sign-ins ({len(failures)} in {int(LOGIN_WINDOW.total_seconds() // 60)} "
                f"minutes); try again in {retry_after} seconds.",
                retry_after=retry_after,
            )


def _claim_attempt(accounts: AccountRepository, email: str, address: str, now: datetime) -> None:
    """Check the rate limit and record this attempt as a failure, as one atomic step.

    The attempt counts as failed until its password is found to match, so a burst of
    parallel guesses is cut at the limit before any password is checked.
    """
    with accounts.transaction():
        accounts.lock_attempts()
        accounts.forget_attempts_before(now - timedelta(days=1))
        _check_throttle(accounts, email, address, now)
        accounts.record_login_attempt(email, address, now, False)


def authenticate(store: Store, email: str, password: str, *, address: str = "unknown") -> User | None:
    """The user whose e-mail and password match, else ``None``; every attempt is recorded.

    The check costs one argon2 verification whether or not the account exists. A hash made
    with weaker parameters than the current ones is replaced on success (rehash). The limit
    is checked and the attempt recorded in one locked transaction before the password is
    verified, so parallel guesses cannot slip past it, in one process or many.

    Raises
    ------
    TooManyAttemptsError
        :data:`MAX_FAILURES_PER_ACCOUNT` failures for this e-mail from ``address`` (or
        :data:`MAX_FAILURES_PER_ADDRESS` from ``address`` overall) within :data:`LOGIN_WINDOW`;
        the password is not even checked.
    """
    if not isinstance(email, str) or not isinstance(password, str):
        return None
    accounts = _accounts(store)
    email = email.strip().lower()[:254]
    address = str(address)[:100]
    now = _now()
    _claim_attempt(accounts, email, address, now)
    found = accounts.user_by_email(email)
    stored_hash = _DUMMY_HASH if found is None else str(found["password_hash"])
    given = password[:MAX_PASSWORD_LENGTH]
    # hashed in NFKC form since the NIST policy; a hash made before from another form still matches
    forms = dict.fromkeys((normalise_password(given), given))
    matched = next((form for form in forms if _verify(stored_hash, form)), None)
    if matched is None or found is None:
        return None
    with accounts.transaction():
        # A success forgives this account's failures from this address (this attempt's too).
        accounts.forgive_failures(email, address)
        accounts.record_login_attempt(email, address, now, True)
        user = _user(found)
        if _hasher.check_needs_rehash(stored_hash):
            accounts.set_password_hash(user.id, _hasher.hash(matched))
    return user


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(stored_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(store: Store, user: User, *, kind: str = "cookie") -> tuple[str, Session]:
    """Open a session for ``user``: returns the secret to hand to the client, and the session.

    A new secret on every sign-in (never reuse one from before), so a session id planted
    in a browser before sign-in is worthless (session fixation).
    """
    check_option(kind, SESSION_KINDS, name="kind", function="create_session")
    accounts = _accounts(store)
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    now = _now()
    expires = now + SESSION_LIFETIMES[kind]
    with accounts.transaction():
        accounts.delete_expired_sessions(now)
        accounts.insert_session(
            token_hash=_token_hash(token),
            user_id=user.id,
            kind=kind,
            csrf_token=csrf_token,
            created=now,
            expires=expires,
        )
    return token, Session(user, kind, csrf_token, expires)


def session_for(store: Store, token: str | None, *, kind: str) -> Session | None:
    """The live session of ``kind`` whose secret is ``token``, else ``None`` (unknown or expired)."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    found = _accounts(store).live_session(_token_hash(token), kind, _now())
    if found is None:
        return None
    return Session(_user(found), kind, str(found["csrf_token"]), found["expires"])


def delete_session(store: Store, token: str | None) -> None:
    """Revoke the session whose secret is ``token`` (signing out); unknown tokens are ignored."""
    if not token or not isinstance(token, str):
        return
    _accounts(store).delete_session(_token_hash(token))

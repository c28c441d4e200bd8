"""Use cases of the accounts of the web platform: signing in and out, sessions, users.

A thin layer over :mod:`clusterix.tracking.accounts`, which hashes the passwords (argon2),
keeps the sessions server-side and throttles failed sign-ins; the faces (the web's sign-in
routes, ``clusterix users``) call these functions with their workspace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterix.tracking import (
    ROLES,
    Session,
    User,
    authenticate,
    create_session,
    create_user,
    delete_session,
    session_for,
)
from clusterix.tracking import list_users as tracking_list_users
from clusterix.tracking.accounts import SESSION_LIFETIMES, count_users

if TYPE_CHECKING:
    from clusterix.app.workspace import Workspace

__all__ = [
    "ROLES",
    "SESSION_LIFETIMES",
    "Session",
    "User",
    "add_user",
    "find_session",
    "list_users",
    "open_session",
    "sign_in",
    "sign_out",
    "users_page",
]


def sign_in(workspace: Workspace, email: str, password: str, *, address: str = "unknown") -> User | None:
    """The user whose e-mail and password match, else ``None``; every attempt is recorded.

    Parameters
    ----------
    workspace : Workspace
        The store.
    email, password : str
        What the user typed.
    address : str
        The client's address, for the rate limit of failed sign-ins.

    Returns
    -------
    User or None
        The signed-in user; ``None`` for an unknown e-mail or a wrong password.

    Raises
    ------
    TooManyAttemptsError
        Too many failed sign-ins for this account (or from this address) lately.
    """
    return authenticate(workspace.store, email, password, address=address)


def open_session(workspace: Workspace, user: User, *, kind: str = "cookie") -> tuple[str, Session]:
    """Open a session for ``user`` (a new secret on every sign-in: no session fixation).

    Parameters
    ----------
    workspace : Workspace
        The store.
    user : User
        Who signed in.
    kind : {"cookie", "bearer"}
        A browser session or an API token (they last :data:`SESSION_LIFETIMES`).

    Returns
    -------
    tuple of (str, Session)
        The secret to hand to the client, and the session (user, CSRF token, expiry).
    """
    return create_session(workspace.store, user, kind=kind)


def find_session(workspace: Workspace, token: str | None, *, kind: str) -> Session | None:
    """The live session whose secret is ``token``.

    Parameters
    ----------
    workspace : Workspace
        The store.
    token : str, optional
        The secret the client sent.
    kind : {"cookie", "bearer"}
        Where the client sent it.

    Returns
    -------
    Session or None
        ``None`` for no, an unknown or an expired token.
    """
    return session_for(workspace.store, token, kind=kind)


def sign_out(workspace: Workspace, token: str | None) -> None:
    """Revoke the session whose secret is ``token`` (unknown tokens are ignored).

    Parameters
    ----------
    workspace : Workspace
        The store.
    token : str, optional
        The session's secret.
    """
    delete_session(workspace.store, token)


def add_user(
    workspace: Workspace,
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

    Parameters
    ----------
    workspace : Workspace
        The store.
    email, password : str
        How the user signs in (a password the NIST policy of
        :mod:`clusterix.tracking.passwords` accepts: 15 to 1,024 characters, not a common one).
    display_name : str, optional
        Shown on the pages (default: the part of the e-mail before ``@``).
    role : {"member", "admin"}
        A member manages one organisation; an admin everything.
    organisation_id : str, optional
        The organisation a member manages (an id of the store's organisations).
    actor : User, optional
        Who adds the user: an admin.
    as_owner : bool
        Added by whoever may write the store (the command line), not by a signed-in admin.

    Returns
    -------
    User
        The new user.

    Raises
    ------
    AccessDeniedError
        ``actor`` is not an admin (and ``as_owner`` is false).
    InvalidInputError
        A malformed e-mail, a short password, an unknown role, an e-mail already in use.
    UnknownOrganisationError
        ``organisation_id`` is not in the store.
    """
    return create_user(
        workspace.store,
        email,
        password,
        display_name=display_name,
        role=role,
        organisation_id=organisation_id,
        actor=actor,
        as_owner=as_owner,
    )


def list_users(workspace: Workspace, *, actor: User | None = None, as_owner: bool = False) -> list[User]:
    """Every user, ordered by id (never their password hashes).

    Parameters
    ----------
    workspace : Workspace
        The store.
    actor : User, optional
        Who asks: an admin (the list holds e-mail addresses).
    as_owner : bool
        Asked by whoever may read the store (the command line), not by a signed-in admin.

    Returns
    -------
    list of User
        The users.

    Raises
    ------
    AccessDeniedError
        ``actor`` is not an admin (and ``as_owner`` is false).
    """
    return tracking_list_users(workspace.store, actor=actor, as_owner=as_owner)


def users_page(workspace: Workspace, *, actor: User | None, limit: int, offset: int = 0) -> tuple[list[User], int]:
    """One page of the users, ordered by id, and how many there are in all.

    Parameters
    ----------
    workspace : Workspace
        The store.
    actor : User or None
        Who asks: an admin.
    limit, offset : int
        The page: ``limit`` users from position ``offset``.

    Returns
    -------
    tuple of (list of User, int)
        The page and the total.

    Raises
    ------
    AccessDeniedError
        ``actor`` is not an admin.
    """
    users = tracking_list_users(workspace.store, actor=actor, limit=limit, offset=offset)
    return users, count_users(workspace.store, actor=actor)

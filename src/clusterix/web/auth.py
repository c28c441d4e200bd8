"""Who is asking and CSRF for the web app: the dependencies of the routes, over :mod:`clusterix.app.accounts`.

The sign-in routes are in :mod:`clusterix.web.routes.auth`.

Sessions are server-side. The browser's ``clusterix_session`` cookie (HttpOnly,
SameSite=Lax, Secure when ``cookie_secure`` is set) holds a random 256-bit secret; the
store keeps only its SHA-256 with the user, the expiry and the session's CSRF token. We
chose this over signed cookies (itsdangerous) because signing out, a password change or an
admin can revoke a session at once (a signed cookie stays valid until it expires), no user
data travels in the cookie, and several server processes share sessions through the store
without sharing state in memory. API clients sign in with ``POST /api/v1/auth/login`` and
send the returned token as ``Authorization: Bearer <token>``.

CSRF: every HTML form carries the session's synchronizer token (``csrf_token`` field),
checked on POST; cookie-authenticated API writes must send it in ``X-CSRF-Token``. Bearer
requests are exempt (a browser never adds that header by itself). Before sign-in the token
is an HMAC (with the app's ``secret_key``) of a random pre-session cookie, so the sign-in
form is protected too (login CSRF).

Rate limit: 5 failed sign-ins per account and client address (50 per address) within
15 minutes give 429 with ``Retry-After`` (:mod:`clusterix.tracking.accounts`). The address
is the direct peer (``request.client``); behind a reverse proxy run uvicorn with
``--proxy-headers`` so that it is the visitor's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from clusterix.app import accounts
from clusterix.app.accounts import Session, User
from clusterix.errors import DataSourceError
from clusterix.web.errors import api_error

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "PRESESSION_COOKIE",
    "SESSION_COOKIE",
    "Admin",
    "CsrfChecked",
    "CurrentUser",
    "Member",
    "check_form_csrf",
    "client_address",
    "csrf_protect",
    "csrf_token_for",
    "current_user",
    "require_admin",
    "require_member",
    "set_presession_cookie",
    "template_context",
]

SESSION_COOKIE = "clusterix_session"
PRESESSION_COOKIE = "clusterix_presession"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# -- who is asking --------------------------------------------------------------------------


def _resolve(request: Request) -> Session | None:
    """The request's session (bearer token first, then the cookie), looked up once per request."""
    state = request.state
    if hasattr(state, "auth_session"):
        return state.auth_session
    session = None
    via = None
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        session = accounts.find_session(request.app.state.workspace, credentials.strip(), kind="bearer")
        via = "bearer" if session is not None else None
        if session is None:
            state.auth_session, state.auth_via, state.user = None, "bad_bearer", None
            return None
    else:
        session = accounts.find_session(request.app.state.workspace, request.cookies.get(SESSION_COOKIE), kind="cookie")
        via = "cookie" if session is not None else None
    state.auth_session = session
    state.auth_via = via
    state.user = session.user if session is not None else None
    return session


def current_user(request: Request) -> User | None:
    """FastAPI dependency: the signed-in user, or ``None`` for an anonymous visitor.

    A bearer token that is unknown or expired is an error (401), not an anonymous request,
    so that an API client learns its token no longer works.
    """
    session = _resolve(request)
    if session is None and getattr(request.state, "auth_via", None) == "bad_bearer":
        raise api_error(
            401,
            "invalid_token",
            "The bearer token is unknown or has expired; sign in again.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return None if session is None else session.user


def require_member(user: Annotated[User | None, Depends(current_user)]) -> User:
    """FastAPI dependency: any signed-in user (member or admin), else 401."""
    if user is None:
        raise api_error(401, "sign_in_required", "Sign in first.", headers={"WWW-Authenticate": "Bearer"})
    return user


def require_admin(user: Annotated[User, Depends(require_member)]) -> User:
    """FastAPI dependency: a signed-in admin, else 401 (anonymous) or 403 (a member)."""
    if not user.is_admin:
        raise api_error(403, "admin_only", "Only an admin may do this.")
    return user


CurrentUser = Annotated[User | None, Depends(current_user)]
Member = Annotated[User, Depends(require_member)]
Admin = Annotated[User, Depends(require_admin)]


# -- CSRF -----------------------------------------------------------------------------------


def _anonymous_token(request: Request) -> str:
    """The CSRF token before sign-in: an HMAC of the pre-session cookie (made now when absent)."""
    presession = request.cookies.get(PRESESSION_COOKIE) or getattr(request.state, "new_presession", None)
    if not presession:
        presession = secrets.token_urlsafe(32)
        request.state.new_presession = presession
    secret = request.app.state.settings.secret_key.encode("utf-8")
    return hmac.new(secret, b"csrf:" + presession.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_token_for(request: Request) -> str:
    """The token that this request's forms must send back."""
    session = _resolve(request)
    if session is not None:
        return session.csrf_token
    return _anonymous_token(request)


def _check_token(request: Request, submitted: object) -> None:
    expected = csrf_token_for(request)
    if not isinstance(submitted, str) or not submitted or not hmac.compare_digest(submitted, expected):
        raise api_error(
            403,
            "csrf_failed",
            "The form's security token is missing or wrong (it expires with your session); reload the page and "
            "try again.",
        )


def check_form_csrf(request: Request, form: Any) -> None:
    """Refuse (403) an HTML form POST whose ``csrf_token`` field does not match the session's."""
    _check_token(request, form.get(CSRF_FIELD))


def csrf_protect(request: Request, user: Annotated[User | None, Depends(current_user)]) -> None:
    """FastAPI dependency for API writes: a cookie-authenticated request must send the
    session's token in ``X-CSRF-Token`` (bearer and anonymous requests pass; the latter
    fail on their own authorisation check)."""
    if getattr(request.state, "auth_via", None) == "cookie":
        _check_token(request, request.headers.get(CSRF_HEADER))


def set_presession_cookie(request: Request, response: Response) -> None:
    """Give the browser the pre-session cookie made for this request's anonymous CSRF token, if any."""
    fresh = getattr(request.state, "new_presession", None)
    if fresh:
        response.set_cookie(
            PRESESSION_COOKIE,
            fresh,
            httponly=True,
            samesite="lax",
            secure=bool(request.app.state.settings.cookie_secure),
            path="/",
        )


def template_context(request: Request) -> dict[str, Any]:
    """``current_user`` (also as ``user``) and ``csrf_token`` for every template.

    Never raises: if the store cannot answer (say, a read-only store without the accounts
    tables), the page is drawn for an anonymous visitor instead of failing.
    """
    try:
        session = _resolve(request)
    except DataSourceError:
        request.state.auth_session, request.state.auth_via, request.state.user = None, None, None
        session = None
    user = None if session is None else session.user
    return {"current_user": user, "user": user, "csrf_token": csrf_token_for(request)}


CsrfChecked = Annotated[None, Depends(csrf_protect)]


# -- the client ---------------------------------------------------------------------------


def client_address(request: Request) -> str:
    """The client's address, for the rate limit of failed sign-ins (the direct peer)."""
    return request.client.host if request.client else "unknown"

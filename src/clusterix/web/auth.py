"""Sign-in, sessions, roles and CSRF for the web app: a thin shell over :mod:`clusterix.tracking`.

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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from clusterix.errors import DataSourceError, InvalidInputError
from clusterix.storage import Store
from clusterix.tracking import (
    ROLES,
    AccessDeniedError,
    NotFoundError,
    Session,
    TooManyAttemptsError,
    UnknownOrganisationError,
    User,
    authenticate,
    create_session,
    create_user,
    delete_session,
    list_users,
    session_for,
)
from clusterix.tracking.accounts import SESSION_LIFETIMES
from clusterix.web.errors import ApiError, ErrorEnvelope, api_error

__all__ = [
    "CSRF_FIELD",
    "Admin",
    "CsrfChecked",
    "CurrentUser",
    "Member",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "JSON_BODY_ERRORS",
    "check_form_csrf",
    "csrf_protect",
    "current_user",
    "error_responses",
    "library_errors",
    "require_admin",
    "require_member",
    "router",
    "template_context",
]

SESSION_COOKIE = "clusterix_session"
PRESESSION_COOKIE = "clusterix_presession"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

router = APIRouter()


# -- who is asking --------------------------------------------------------------------------


def _store(request: Request) -> Store:
    return request.app.state.store


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
        session = session_for(_store(request), credentials.strip(), kind="bearer")
        via = "bearer" if session is not None else None
        if session is None:
            state.auth_session, state.auth_via, state.user = None, "bad_bearer", None
            return None
    else:
        session = session_for(_store(request), request.cookies.get(SESSION_COOKIE), kind="cookie")
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


def _set_presession_cookie(request: Request, response: Response) -> None:
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


# -- library errors -----------------------------------------------------------------------


@contextmanager
def library_errors() -> Iterator[None]:
    """Turn the tracker's errors into the envelope: access → 401/403, unknown id → 404,
    unknown organisation → 422, throttled → 429 (with Retry-After), invalid input → 422."""
    try:
        yield
    except AccessDeniedError as error:
        if error.anonymous:
            raise api_error(401, "sign_in_required", str(error), headers={"WWW-Authenticate": "Bearer"}) from error
        raise api_error(403, "forbidden", str(error)) from error
    except NotFoundError as error:
        raise api_error(404, "not_found", str(error)) from error
    except UnknownOrganisationError as error:
        raise api_error(422, "unknown_organisation", str(error)) from error
    except TooManyAttemptsError as error:
        raise api_error(
            429, "too_many_attempts", str(error), headers={"Retry-After": str(error.retry_after)}
        ) from error
    except InvalidInputError as error:
        raise api_error(422, "invalid_input", str(error)) from error


# -- JSON API -------------------------------------------------------------------------------


#: The statuses every route with a JSON body can answer before it runs: 400 when the body is not
#: valid UTF-8 (FastAPI cannot decode it) and 413 when it is over ``max_request_bytes``
#: (:class:`~clusterix.web.errors.GuardMiddleware`). A body that decodes but is not JSON is 422.
JSON_BODY_ERRORS = (400, 413)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can answer with."""
    meaning = {
        400: "The request body is not valid UTF-8",
        401: "Not signed in, or an unknown or expired token",
        403: "Signed in but not allowed, or a missing or wrong CSRF token",
        404: "No such partnership or organisation",
        413: "The request body is larger than max_request_bytes",
        422: "Invalid input, or a request body that is not JSON",
        429: "Too many failed sign-ins; retry after Retry-After seconds",
    }
    return {status: {"model": ErrorEnvelope, "description": meaning[status]} for status in statuses}


class LoginRequest(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str
    role: str
    organisation_id: str | None
    created: str


class LoginResponse(BaseModel):
    token: str
    token_type: str = "bearer"
    expires: str
    user: UserOut


class NewUser(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(min_length=10, max_length=1024)
    display_name: str | None = Field(default=None, max_length=200)
    role: str = Field(default="member", pattern="^(" + "|".join(ROLES) + ")$")
    organisation_id: str | None = Field(default=None, max_length=200)


class UserList(BaseModel):
    items: list[UserOut]
    total: int


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _sign_in(request: Request, email: str, password: str) -> User:
    with library_errors():
        user = authenticate(_store(request), email, password, address=_address(request))
    if user is None:
        raise api_error(401, "invalid_credentials", "Unknown e-mail address or wrong password.")
    return user


@router.post(
    "/api/v1/auth/login",
    response_model=LoginResponse,
    tags=["accounts"],
    responses=error_responses(*JSON_BODY_ERRORS, 401, 422, 429),
)
def api_login(request: Request, body: LoginRequest) -> dict:
    """Sign in; the answer holds a bearer token for ``Authorization: Bearer <token>``."""
    user = _sign_in(request, body.email, body.password)
    with library_errors():
        token, session = create_session(_store(request), user, kind="bearer")
    return {"token": token, "token_type": "bearer", "expires": session.expires.isoformat(), "user": user.as_dict()}


@router.post("/api/v1/auth/logout", status_code=204, tags=["accounts"], responses=error_responses(401, 403))
def api_logout(request: Request, user: Member, _: CsrfChecked) -> Response:
    """Revoke the token (or cookie session) this request was made with."""
    if request.state.auth_via == "bearer":
        token = request.headers["authorization"].partition(" ")[2].strip()
    else:
        token = request.cookies.get(SESSION_COOKIE)
    delete_session(_store(request), token)
    response = Response(status_code=204)
    if request.state.auth_via == "cookie":
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/v1/auth/me", response_model=UserOut, tags=["accounts"], responses=error_responses(401))
def api_me(user: Member) -> dict:
    """The signed-in user."""
    return user.as_dict()


@router.get("/api/v1/users", response_model=UserList, tags=["accounts"], responses=error_responses(401, 403))
def api_users(request: Request, admin: Admin) -> dict:
    """Every user (admins only)."""
    with library_errors():
        users = list_users(_store(request), actor=admin)
    return {"items": [u.as_dict() for u in users], "total": len(users)}


@router.post(
    "/api/v1/users",
    response_model=UserOut,
    status_code=201,
    tags=["accounts"],
    responses=error_responses(*JSON_BODY_ERRORS, 401, 403, 422),
)
def api_add_user(request: Request, body: NewUser, admin: Admin, _: CsrfChecked) -> dict:
    """Add a user (admins only)."""
    with library_errors():
        user = create_user(
            _store(request),
            body.email,
            body.password,
            display_name=body.display_name,
            role=body.role,
            organisation_id=body.organisation_id or None,
            actor=admin,
        )
    return user.as_dict()


# -- HTML pages -----------------------------------------------------------------------------


def _safe_next(target: object) -> str:
    """A local path to go to after sign-in; anything else (other sites, ``//host``) → /account."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/account"


def _render(
    request: Request, name: str, context: dict, status_code: int = 200, *, active: str = "account"
) -> HTMLResponse:
    from clusterix.web.pages import page_context

    full = page_context(request, active=active, **context)
    response = request.app.state.templates.TemplateResponse(request, name, full, status_code=status_code)
    _set_presession_cookie(request, response)
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
@router.get("/account/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/account") -> HTMLResponse:
    """The sign-in form."""
    context = {"next": _safe_next(next), "message": None, "email": ""}
    return _render(request, "account_login.html", context, active="login")


@router.post("/login", include_in_schema=False)
@router.post("/account/login", include_in_schema=False)
def login_form(
    request: Request,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/account",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the form, open a cookie session (a new secret: no session fixation), go on to ``next``."""
    check_form_csrf(request, {CSRF_FIELD: csrf_token})
    next_path = _safe_next(next)
    try:
        user = _sign_in(request, email, password)
    except ApiError as error:
        context = {"next": next_path, "message": error.detail, "email": email}
        response = _render(request, "account_login.html", context, status_code=error.status_code, active="login")
        if error.headers:
            response.headers.update(error.headers)
        return response
    delete_session(_store(request), request.cookies.get(SESSION_COOKIE))
    token, _ = create_session(_store(request), user, kind="cookie")
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIMES["cookie"].total_seconds()),
        httponly=True,
        samesite="lax",
        secure=bool(request.app.state.settings.cookie_secure),
        path="/",
    )
    response.delete_cookie(PRESESSION_COOKIE, path="/")
    return response


@router.get("/logout", response_class=HTMLResponse, include_in_schema=False)
@router.get("/account/logout", response_class=HTMLResponse, include_in_schema=False)
def logout_page(request: Request) -> HTMLResponse:
    """A one-button form: signing out is a POST (a link could be triggered by another site)."""
    return _render(request, "account_logout.html", {})


@router.post("/logout", include_in_schema=False)
@router.post("/account/logout", include_in_schema=False)
def logout_form(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    """End the cookie session and go to the home page."""
    check_form_csrf(request, {CSRF_FIELD: csrf_token})
    delete_session(_store(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
def account_page(request: Request, user: CurrentUser) -> Response:
    """The signed-in user's account; admins also see and add users. Anonymous → sign-in form."""
    if user is None:
        return RedirectResponse(f"/login?next={quote('/account')}", status_code=303)
    users = list_users(_store(request), actor=user) if user.is_admin else []
    return _render(request, "account_home.html", {"account": user, "users": users, "roles": ROLES, "message": None})


@router.post("/account/users", include_in_schema=False)
def add_user_form(
    request: Request,
    admin: Admin,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "member",
    organisation_id: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Admins add a user from the account page."""
    check_form_csrf(request, {CSRF_FIELD: csrf_token})
    with library_errors():
        create_user(
            _store(request),
            email,
            password,
            display_name=display_name or None,
            role=role,
            organisation_id=organisation_id.strip() or None,
            actor=admin,
        )
    return RedirectResponse("/account", status_code=303)

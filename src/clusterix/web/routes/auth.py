"""The sign-in routes: ``/api/v1/auth/login``, ``/logout``, ``/me``, ``/api/v1/users`` and the
``/login``, ``/logout`` and ``/account`` pages, over :mod:`clusterix.app.accounts`.

Who is asking and the CSRF checks are the dependencies of :mod:`clusterix.web.auth` (the
sessions and the rate limit are described there).
"""

from __future__ import annotations

import functools
from typing import Annotated
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from clusterix.app import accounts
from clusterix.app.accounts import ROLES, SESSION_LIFETIMES, User
from clusterix.app.partnerships import DEFAULT_PAGE
from clusterix.web.auth import (
    CSRF_FIELD,
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    Admin,
    CsrfChecked,
    CurrentUser,
    Member,
    check_form_csrf,
    client_address,
    set_presession_cookie,
)
from clusterix.web.errors import JSON_BODY_ERRORS, ApiError, api_error, error_responses, library_errors
from clusterix.web.responses import page_limit, workspace
from clusterix.web.routes.partnerships import next_link
from clusterix.web.templating import render

__all__ = ["router"]

router = APIRouter()

#: Sign-ins checked at once: each costs an argon2 verification (tens of milliseconds of CPU
#: and 64 MiB), so a burst waits its turn here, off the event loop and outside the thread
#: pool the other routes run in, instead of starving them.
SIGN_IN_CONCURRENCY = 2


def _sign_in_limiter(request: Request) -> anyio.CapacityLimiter:
    """The app's limiter of concurrent sign-ins (made on first use: it needs the event loop)."""
    limiter = getattr(request.app.state, "sign_in_limiter", None)
    if limiter is None:
        limiter = request.app.state.sign_in_limiter = anyio.CapacityLimiter(SIGN_IN_CONCURRENCY)
    return limiter


# -- JSON API -------------------------------------------------------------------------------


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
    limit: int
    offset: int
    next: str | None = Field(description="The address of the next page, if any")


async def _sign_in(request: Request, email: str, password: str) -> User:
    check = functools.partial(accounts.sign_in, workspace(request), email, password, address=client_address(request))
    with library_errors():
        user = await anyio.to_thread.run_sync(check, limiter=_sign_in_limiter(request))
    if user is None:
        raise api_error(401, "invalid_credentials", "Unknown e-mail address or wrong password.")
    return user


@router.post(
    "/api/v1/auth/login",
    response_model=LoginResponse,
    tags=["accounts"],
    responses=error_responses(*JSON_BODY_ERRORS, 401, 422, 429),
)
async def api_login(request: Request, body: LoginRequest) -> dict:
    """Sign in; the answer holds a bearer token for ``Authorization: Bearer <token>``."""
    user = await _sign_in(request, body.email, body.password)
    with library_errors():
        token, session = await run_in_threadpool(accounts.open_session, workspace(request), user, kind="bearer")
    return {"token": token, "token_type": "bearer", "expires": session.expires.isoformat(), "user": user.as_dict()}


@router.post("/api/v1/auth/logout", status_code=204, tags=["accounts"], responses=error_responses(401, 403))
def api_logout(request: Request, user: Member, _: CsrfChecked) -> Response:
    """Revoke the token (or cookie session) this request was made with."""
    if request.state.auth_via == "bearer":
        token = request.headers["authorization"].partition(" ")[2].strip()
    else:
        token = request.cookies.get(SESSION_COOKIE)
    accounts.sign_out(workspace(request), token)
    response = Response(status_code=204)
    if request.state.auth_via == "cookie":
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/v1/auth/me", response_model=UserOut, tags=["accounts"], responses=error_responses(401))
def api_me(user: Member) -> dict:
    """The signed-in user."""
    return user.as_dict()


@router.get("/api/v1/users", response_model=UserList, tags=["accounts"], responses=error_responses(401, 403))
def api_users(
    request: Request,
    admin: Admin,
    limit: Annotated[int | None, Query(ge=1)] = None,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> dict:
    """The users, a page at a time, ordered by id (admins only)."""
    size = page_limit(request, limit, DEFAULT_PAGE)
    with library_errors():
        users, total = accounts.users_page(workspace(request), actor=admin, limit=size, offset=offset)
    following = next_link("/api/v1/users", {}, total=total, limit=size, offset=offset)
    return {"items": [u.as_dict() for u in users], "total": total, "limit": size, "offset": offset, "next": following}


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
        user = accounts.add_user(
            workspace(request),
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
    response = render(request, name, active=active, status_code=status_code, **context)
    set_presession_cookie(request, response)
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
@router.get("/account/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/account") -> HTMLResponse:
    """The sign-in form."""
    context = {"next": _safe_next(next), "message": None, "email": ""}
    return _render(request, "account_login.html", context, active="login")


@router.post("/login", include_in_schema=False)
@router.post("/account/login", include_in_schema=False)
async def login_form(
    request: Request,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/account",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the form, open a cookie session (a new secret: no session fixation), go on to ``next``."""
    await run_in_threadpool(check_form_csrf, request, {CSRF_FIELD: csrf_token})
    next_path = _safe_next(next)
    try:
        user = await _sign_in(request, email, password)
    except ApiError as error:
        context = {"next": next_path, "message": error.detail, "email": email}
        response = _render(request, "account_login.html", context, status_code=error.status_code, active="login")
        if error.headers:
            response.headers.update(error.headers)
        return response
    await run_in_threadpool(accounts.sign_out, workspace(request), request.cookies.get(SESSION_COOKIE))
    token, _ = await run_in_threadpool(accounts.open_session, workspace(request), user, kind="cookie")
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
    accounts.sign_out(workspace(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
def account_page(request: Request, user: CurrentUser) -> Response:
    """The signed-in user's account; admins also see and add users. Anonymous → sign-in form."""
    if user is None:
        return RedirectResponse(f"/login?next={quote('/account')}", status_code=303)
    users = accounts.list_users(workspace(request), actor=user) if user.is_admin else []
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
        accounts.add_user(
            workspace(request),
            email,
            password,
            display_name=display_name or None,
            role=role,
            organisation_id=organisation_id.strip() or None,
            actor=admin,
        )
    return RedirectResponse("/account", status_code=303)

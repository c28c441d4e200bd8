"""The partnership tracker on the web: ``/api/v1/partnerships`` and the ``/partnerships`` pages.

A thin face over :mod:`clusterix.app.partnerships`, whose payloads the API answers and the
pages draw; who may see and do what is decided by :mod:`clusterix.tracking.partnerships`
(the rules are in its docstring and in ``docs/accounts.md``): partnerships that have reached
``agreed`` are public, earlier ones are shown to signed-in users, private notes only to
members of the two organisations and admins.

Lists are paged: ``limit`` (default :data:`~clusterix.tracking.partnerships.DEFAULT_PAGE`, at
most :data:`~clusterix.tracking.partnerships.MAX_PAGE`) and ``offset``, with ``total`` and the
address of the ``next`` page in the JSON. A partnership's history comes newest page first
(``/api/v1/partnerships/{id}/history``; the partnership itself carries its latest page), and
the pages show the latest events and cards with links to older ones. Notes are at most
:data:`~clusterix.tracking.partnerships.MAX_NOTE_LENGTH` characters, organisation ids
:data:`~clusterix.tracking.partnerships.MAX_NAME_LENGTH` (422 naming the field above that).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from clusterix.app import partnerships as partnership_cases
from clusterix.app.accounts import User
from clusterix.app.partnerships import DEFAULT_PAGE, MAX_NAME_LENGTH, MAX_NOTE_LENGTH, MAX_PAGE, STATUSES
from clusterix.web.auth import CsrfChecked, CurrentUser, Member, check_form_csrf
from clusterix.web.errors import JSON_BODY_ERRORS, ApiError, api_error, error_responses, library_errors
from clusterix.web.responses import workspace
from clusterix.web.templating import render

__all__ = ["BOARD_PAGE", "next_link", "router"]

router = APIRouter()

_STATUS_PATTERN = "^(" + "|".join(STATUSES) + ")$"
PartnershipId = Annotated[int, Path(ge=1, le=2**62, description="Partnership id")]
OrganisationId = Annotated[
    str | None, Query(max_length=MAX_NAME_LENGTH, description="Only partnerships of this organisation")
]
Status = Annotated[str | None, Query(pattern=_STATUS_PATTERN, description="Only partnerships in this status")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size (at most {MAX_PAGE})")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")]
HistoryOffset = Annotated[
    int, Query(ge=0, le=10_000_000, description="Events to skip, counted from the newest (0: the latest page)")
]
#: How many partnerships the board page shows at once (newest change first; older ones on further pages).
BOARD_PAGE = 100


def next_link(path: str, params: dict[str, Any], *, total: int, limit: int, offset: int) -> str | None:
    """The address of the page after the one at ``offset`` (``path`` with ``params`` and the new
    ``limit`` and ``offset``), or ``None`` when that page is the last."""
    if offset + limit >= total:
        return None
    query = {key: value for key, value in params.items() if value is not None}
    return f"{path}?{urlencode({**query, 'limit': limit, 'offset': offset + limit})}"


def _detail(payload: dict[str, Any]) -> dict[str, Any]:
    """A partnership's payload with the address of its history's next (older) page."""
    link = next_link(
        f"/api/v1/partnerships/{payload['id']}/history", {}, total=payload["history_total"],
        limit=payload["history_limit"], offset=payload["history_offset"],
    )  # fmt: skip
    return {**payload, "history_next": link}


def _page(
    request: Request, viewer: User | None, *, organisation: str | None, status: str | None = None, limit: int,
    offset: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """:func:`~clusterix.app.partnerships.page_payload`; a filter naming no organisation is 404 (not a bad body)."""
    try:
        with library_errors():
            return partnership_cases.page_payload(
                workspace(request), viewer, organisation=organisation, status=status, limit=limit, offset=offset
            )
    except ApiError as error:
        if error.code == "unknown_organisation":
            raise api_error(404, error.code, str(error.detail)) from error
        raise


# -- JSON API -------------------------------------------------------------------------------


class OrganisationRef(BaseModel):
    id: str
    name: str | None
    kind: str | None


class PartnershipOut(BaseModel):
    id: int
    organisation_1: OrganisationRef
    organisation_2: OrganisationRef
    pair_type: str
    status: str
    next_statuses: list[str]
    created_by: int | None
    created: str
    updated: str
    public_note: str | None
    can_edit: bool
    allowed_transitions: list[str]


class EventOut(BaseModel):
    id: int
    from_status: str | None
    to_status: str | None
    occurred_on: str
    recorded: str
    note: str | None
    private: bool
    author: int | None
    author_name: str | None


class PartnershipDetail(PartnershipOut):
    history: list[EventOut] = Field(description="The latest events, in chronological order")
    history_total: int = Field(description="How many events the caller may see in all")
    history_limit: int
    history_offset: int
    history_next: str | None = Field(description="The address of the older events, if any")


class PartnershipPage(BaseModel):
    items: list[PartnershipOut]
    total: int
    limit: int
    offset: int
    next: str | None = Field(description="The address of the next page, if any")


class EventPage(BaseModel):
    items: list[EventOut] = Field(description="Events in chronological order")
    total: int
    limit: int
    offset: int = Field(description="Events skipped, counted from the newest")
    next: str | None = Field(description="The address of the next (older) page, if any")


class GrowthRow(BaseModel):
    period: int | str
    pair_type: str
    knowledge_enterprise: bool
    new_partnerships: int
    cumulative: int
    change: float | None


class GrowthOut(BaseModel):
    by: str
    items: list[GrowthRow]


Note = Annotated[str | None, Field(default=None, max_length=MAX_NOTE_LENGTH)]


class Proposal(BaseModel):
    organisation_1: str = Field(max_length=MAX_NAME_LENGTH)
    organisation_2: str = Field(max_length=MAX_NAME_LENGTH)
    note: Note = None
    date: dt.date | None = None


class Transition(BaseModel):
    to: str = Field(pattern=_STATUS_PATTERN)
    note: Note = None
    private: bool = False
    date: dt.date | None = None


class NewNote(BaseModel):
    note: str = Field(min_length=1, max_length=MAX_NOTE_LENGTH)
    private: bool = False
    date: dt.date | None = None


@router.get(
    "/api/v1/partnerships",
    response_model=PartnershipPage,
    tags=["partnerships"],
    responses=error_responses(401, 404, 422),
)
def api_list(
    request: Request,
    user: CurrentUser,
    organisation: OrganisationId = None,
    status: Status = None,
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Partnerships the caller may see (anonymous: agreed, active and ended ones), newest change first."""
    page = _page(request, user, organisation=organisation, status=status, limit=limit, offset=offset)
    params = {"organisation": organisation, "status": status}
    return {**page, "next": next_link("/api/v1/partnerships", params, total=page["total"], limit=limit, offset=offset)}


@router.get(
    "/api/v1/partnerships/growth", response_model=GrowthOut, tags=["partnerships"], responses=error_responses(422)
)
def api_growth(request: Request, by: Annotated[str, Query(pattern="^(year|quarter)$")] = "year") -> dict[str, Any]:
    """New agreed or active partnerships per period and pair of organisation kinds (public aggregate)."""
    with library_errors():
        items = partnership_cases.growth(workspace(request), by=by)
    return {"by": by, "items": items}


@router.post(
    "/api/v1/partnerships",
    response_model=PartnershipDetail,
    status_code=201,
    tags=["partnerships"],
    responses=error_responses(*JSON_BODY_ERRORS, 401, 403, 422),
)
def api_propose(request: Request, body: Proposal, user: Member, _: CsrfChecked) -> dict[str, Any]:
    """Propose a partnership between two organisations (one of them yours, unless you are an admin)."""
    with library_errors():
        return _detail(
            partnership_cases.propose(
                workspace(request), body.organisation_1, body.organisation_2, actor=user, note=body.note,
                date=body.date,
            )
        )  # fmt: skip


@router.get(
    "/api/v1/partnerships/{partnership_id}",
    response_model=PartnershipDetail,
    tags=["partnerships"],
    responses=error_responses(401, 404, 422),
)
def api_get(request: Request, partnership_id: PartnershipId, user: CurrentUser) -> dict[str, Any]:
    """One partnership and the latest page of its history (private notes only for its members and
    admins); ``history_next`` leads to the older events."""
    with library_errors():
        return _detail(partnership_cases.partnership_payload(workspace(request), partnership_id, user))


@router.get(
    "/api/v1/partnerships/{partnership_id}/history",
    response_model=EventPage,
    tags=["partnerships"],
    responses=error_responses(401, 404, 422),
)
def api_history(
    request: Request,
    partnership_id: PartnershipId,
    user: CurrentUser,
    limit: Limit = DEFAULT_PAGE,
    offset: HistoryOffset = 0,
) -> dict[str, Any]:
    """A page of a partnership's history, newest page first, each page in chronological order."""
    with library_errors():
        page = partnership_cases.history_payload(workspace(request), partnership_id, user, limit=limit, offset=offset)
    path = f"/api/v1/partnerships/{partnership_id}/history"
    return {**page, "next": next_link(path, {}, total=page["total"], limit=limit, offset=offset)}


@router.post(
    "/api/v1/partnerships/{partnership_id}/transitions",
    response_model=PartnershipDetail,
    tags=["partnerships"],
    responses=error_responses(*JSON_BODY_ERRORS, 401, 403, 404, 422),
)
def api_transition(
    request: Request, partnership_id: PartnershipId, body: Transition, user: Member, _: CsrfChecked
) -> dict[str, Any]:
    """Move a partnership to its next status (or end it), with an optional note."""
    with library_errors():
        return _detail(
            partnership_cases.advance(
                workspace(request), partnership_id, body.to, actor=user, note=body.note, private=body.private,
                date=body.date,
            )
        )  # fmt: skip


@router.post(
    "/api/v1/partnerships/{partnership_id}/notes",
    response_model=PartnershipDetail,
    status_code=201,
    tags=["partnerships"],
    responses=error_responses(*JSON_BODY_ERRORS, 401, 403, 404, 422),
)
def api_note(
    request: Request, partnership_id: PartnershipId, body: NewNote, user: Member, _: CsrfChecked
) -> dict[str, Any]:
    """Add a public or private note to a partnership's history."""
    with library_errors():
        return _detail(
            partnership_cases.annotate(
                workspace(request), partnership_id, body.note, actor=user, private=body.private, date=body.date
            )
        )


# -- HTML pages -----------------------------------------------------------------------------


def _render(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return render(request, name, active="partnerships", **context)


def _checkbox(value: str | None) -> bool:
    return value is not None and value.lower() in ("on", "true", "1", "yes")


@router.get("/partnerships", response_class=HTMLResponse, include_in_schema=False)
def board_page(
    request: Request,
    user: CurrentUser,
    organisation: OrganisationId = None,
    offset: Offset = 0,
    partner: OrganisationId = None,
    proposer: OrganisationId = None,
) -> HTMLResponse:
    """The tracker board: one column per status (the :data:`BOARD_PAGE` partnerships changed most
    recently, links to older ones), a propose form for signed-in users, filled in with
    ``partner`` (and, for admins, ``proposer``) when a recommendation links here."""
    return _board(
        request, user, organisation, offset, {"organisation_1": proposer or "", "organisation_2": partner or ""}
    )


def _board(
    request: Request,
    user: User | None,
    organisation: str | None,
    offset: int,
    proposal: dict[str, str],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    payload = _page(request, user, organisation=organisation, limit=BOARD_PAGE, offset=offset)
    columns: dict[str, list[dict[str, Any]]] = {status: [] for status in STATUSES}
    for item in payload["items"]:
        columns[item["status"]].append(item)
    with library_errors():
        growth = partnership_cases.growth(workspace(request))
    context = {
        "payload": payload,
        "columns": columns,
        "statuses": STATUSES,
        "organisation": organisation,
        "growth": growth,
        "max_note_length": MAX_NOTE_LENGTH,
        "max_name_length": MAX_NAME_LENGTH,
        "proposal": proposal,
        "proposal_error": error,
        **_neighbours("/partnerships", organisation, payload["total"], BOARD_PAGE, offset),
    }
    return render(request, "partnerships.html", active="partnerships", status_code=status_code, **context)


def _neighbours(path: str, organisation: str | None, total: int, size: int, offset: int) -> dict[str, str | None]:
    """The addresses of the ``newer`` and ``older`` pages of ``size`` around ``offset`` (``None``
    where there is none)."""

    def link(at: int) -> str:
        query = {key: value for key, value in (("organisation", organisation), ("offset", at or None)) if value}
        return f"{path}?{urlencode(query)}" if query else path

    return {
        "newer": link(max(offset - size, 0)) if offset > 0 else None,
        "older": link(offset + size) if offset + size < total else None,
    }


@router.get("/partnerships/{partnership_id}", response_class=HTMLResponse, include_in_schema=False)
def detail_page(
    request: Request, partnership_id: PartnershipId, user: CurrentUser, offset: HistoryOffset = 0
) -> HTMLResponse:
    """One partnership: its state, the latest :data:`DEFAULT_PAGE` events of its history (links to
    older ones) and (for its members) the note and step forms."""
    with library_errors():
        item = partnership_cases.partnership_payload(
            workspace(request), partnership_id, user, history_limit=DEFAULT_PAGE, history_offset=offset
        )
    path = f"/partnerships/{partnership_id}"
    context = {
        "item": item,
        "max_note_length": MAX_NOTE_LENGTH,
        **_neighbours(path, None, item["history_total"], DEFAULT_PAGE, offset),
    }
    return _render(request, "partnerships_detail.html", context)


@router.post("/partnerships", include_in_schema=False)
def propose_form(
    request: Request,
    user: Member,
    organisation_1: Annotated[str, Form(max_length=MAX_NAME_LENGTH)] = "",
    organisation_2: Annotated[str, Form(max_length=MAX_NAME_LENGTH)] = "",
    note: Annotated[str, Form(max_length=MAX_NOTE_LENGTH)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Propose from the board's form; members propose for their own organisation."""
    check_form_csrf(request, {"csrf_token": csrf_token})
    first = organisation_1.strip() or (user.organisation_id or "")
    try:
        with library_errors():
            created = partnership_cases.propose(
                workspace(request), first, organisation_2.strip(), actor=user, note=note or None
            )
    except ApiError as error:
        if error.status_code not in (404, 422):
            raise
        # the board again, with the message next to the form and what was typed still in it
        proposal = {"organisation_1": organisation_1, "organisation_2": organisation_2, "note": note}
        return _board(request, user, None, 0, proposal, error=str(error.detail), status_code=error.status_code)
    return RedirectResponse(f"/partnerships/{created['id']}", status_code=303)


@router.post("/partnerships/{partnership_id}/transitions", include_in_schema=False)
def transition_form(
    request: Request,
    partnership_id: PartnershipId,
    user: Member,
    to: Annotated[str, Form(pattern=_STATUS_PATTERN)],
    note: Annotated[str, Form(max_length=MAX_NOTE_LENGTH)] = "",
    private: Annotated[str | None, Form(max_length=10)] = None,
    next: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Advance from a button, then go to ``next`` (the board or the detail page). HTMX follows
    the redirect and swaps the board in place."""
    check_form_csrf(request, {"csrf_token": csrf_token})
    with library_errors():
        partnership_cases.advance(
            workspace(request), partnership_id, to, actor=user, note=note or None, private=_checkbox(private)
        )
    target = next if next.startswith("/partnerships") and "//" not in next else f"/partnerships/{partnership_id}"
    return RedirectResponse(target, status_code=303)


@router.post("/partnerships/{partnership_id}/notes", include_in_schema=False)
def note_form(
    request: Request,
    partnership_id: PartnershipId,
    user: Member,
    note: Annotated[str, Form(max_length=MAX_NOTE_LENGTH)] = "",
    private: Annotated[str | None, Form(max_length=10)] = None,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Add a note from the detail page."""
    check_form_csrf(request, {"csrf_token": csrf_token})
    with library_errors():
        partnership_cases.annotate(workspace(request), partnership_id, note, actor=user, private=_checkbox(private))
    return RedirectResponse(f"/partnerships/{partnership_id}", status_code=303)

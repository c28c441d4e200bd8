"""Use cases of the partnership tracker as a viewer may see it: one partnership with its
history, a page of partnerships, proposing, advancing and annotating, and the growth of
collaborations.

Who may see and do what is decided by :mod:`clusterix.tracking.partnerships` (the rules are
in its docstring and in ``docs/accounts.md``); these functions add what the viewer may do
with each partnership (``can_edit``, ``allowed_transitions``) and return JSON-ready records,
the same for the API and the pages. Errors are the tracker's: :class:`AccessDeniedError`,
:class:`NotFoundError`, :class:`UnknownOrganisationError`, :class:`InvalidInputError`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from clusterix.app._convert import records
from clusterix.tracking import (
    STATUSES,
    User,
    add_note,
    advance_partnership,
    can_annotate,
    collaboration_growth,
    get_partnership,
    list_partnerships,
    propose_partnership,
)
from clusterix.tracking.partnerships import (
    DEFAULT_PAGE,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PAGE,
    Partnership,
    history_page,
)

if TYPE_CHECKING:
    from clusterix.app.workspace import Workspace

__all__ = [
    "DEFAULT_PAGE",
    "MAX_NAME_LENGTH",
    "MAX_NOTE_LENGTH",
    "MAX_PAGE",
    "STATUSES",
    "advance",
    "annotate",
    "growth",
    "history_payload",
    "page_payload",
    "partnership_payload",
    "propose",
]


def _rights(partnership: Partnership, viewer: User | None) -> dict[str, Any]:
    """What ``viewer`` may do with ``partnership``."""
    editable = can_annotate(viewer, partnership)
    return {"can_edit": editable, "allowed_transitions": list(partnership.next_statuses) if editable else []}


def partnership_payload(
    workspace: Workspace, partnership_id: int, viewer: User | None, *, history_limit: int = DEFAULT_PAGE,
    history_offset: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """A partnership with the latest page of its history as ``viewer`` may see it, and what
    ``viewer`` may do.

    Parameters
    ----------
    workspace : Workspace
        The store.
    partnership_id : int
        The partnership.
    viewer : User, optional
        Who is asking (``None``: an anonymous visitor).
    history_limit, history_offset : int
        The page of the history, counted from the newest event (see :func:`history_payload`).

    Returns
    -------
    dict
        The partnership's fields (:meth:`Partnership.as_dict`), ``history`` (a page of its
        events in chronological order, private notes only for its members and admins),
        ``history_total``, ``history_limit``, ``history_offset``, ``can_edit`` and
        ``allowed_transitions``.

    Raises
    ------
    NotFoundError
        No such partnership, or one ``viewer`` may not see.
    InvalidInputError
        A page out of bounds.
    """
    store = workspace.store
    partnership = get_partnership(store, partnership_id, viewer=viewer)
    events, total = history_page(store, partnership, viewer=viewer, limit=history_limit, offset=history_offset)
    return {
        **partnership.as_dict(),
        "history": records(events),
        "history_total": total,
        "history_limit": history_limit,
        "history_offset": history_offset,
        **_rights(partnership, viewer),
    }


def history_payload(
    workspace: Workspace, partnership_id: int, viewer: User | None, *, limit: int = DEFAULT_PAGE, offset: int = 0
) -> dict[str, Any]:
    """One page of a partnership's history as ``viewer`` may see it.

    Parameters
    ----------
    workspace : Workspace
        The store.
    partnership_id : int
        The partnership.
    viewer : User, optional
        Who is asking (``None``: an anonymous visitor).
    limit, offset : int
        The page, counted from the newest event: ``offset=0`` gives the latest ``limit``
        events, ``offset=limit`` the ones before them (``limit`` at most :data:`MAX_PAGE`).

    Returns
    -------
    dict
        ``{"items", "total", "limit", "offset"}``: the events of the page in chronological
        order (as in :func:`partnership_payload`) and how many ``viewer`` may see in all.

    Raises
    ------
    NotFoundError
        No such partnership, or one ``viewer`` may not see.
    InvalidInputError
        A page out of bounds.
    """
    store = workspace.store
    partnership = get_partnership(store, partnership_id, viewer=viewer)
    events, total = history_page(store, partnership, viewer=viewer, limit=limit, offset=offset)
    return {"items": records(events), "total": total, "limit": limit, "offset": offset}


def page_payload(
    workspace: Workspace,
    viewer: User | None,
    *,
    organisation: str | None = None,
    status: str | None = None,
    limit: int = DEFAULT_PAGE,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of the partnerships ``viewer`` may see, newest change first.

    Parameters
    ----------
    workspace : Workspace
        The store.
    viewer : User, optional
        Who is asking (``None``: an anonymous visitor sees agreed, active and ended ones).
    organisation : str, optional
        Only partnerships of this organisation.
    status : str, optional
        Only partnerships in this status.
    limit, offset : int
        The page (``limit`` at most :data:`MAX_PAGE`).

    Returns
    -------
    dict
        ``{"items", "total", "limit", "offset"}``; each item as in :func:`partnership_payload`
        without the history.

    Raises
    ------
    UnknownOrganisationError
        ``organisation`` is not in the store.
    """
    items, total = list_partnerships(
        workspace.store, viewer=viewer, organisation=organisation, status=status, limit=limit, offset=offset
    )
    rows = [{**partnership.as_dict(), **_rights(partnership, viewer)} for partnership in items]
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


def propose(
    workspace: Workspace,
    organisation_1: str,
    organisation_2: str,
    *,
    actor: User,
    note: str | None = None,
    date: dt.date | None = None,
) -> dict[str, Any]:
    """Start tracking a partnership between two organisations (status ``proposed``).

    Parameters
    ----------
    workspace : Workspace
        The store.
    organisation_1, organisation_2 : str
        The organisations (one of them the actor's, unless the actor is an admin).
    actor : User
        Who proposes.
    note : str, optional
        The public description.
    date : datetime.date, optional
        When it was proposed (default: today).

    Returns
    -------
    dict
        The new partnership as :func:`partnership_payload` gives it to ``actor``.

    Raises
    ------
    AccessDeniedError
        ``actor`` manages neither organisation.
    UnknownOrganisationError
        Either id is not in the store.
    InvalidInputError
        The same organisation twice, a note too long, a date in the future.
    """
    created = propose_partnership(workspace.store, organisation_1, organisation_2, actor=actor, note=note, date=date)
    return partnership_payload(workspace, created.id, actor)


def advance(
    workspace: Workspace,
    partnership_id: int,
    to: str,
    *,
    actor: User,
    note: str | None = None,
    private: bool = False,
    date: dt.date | None = None,
) -> dict[str, Any]:
    """Move a partnership to its next status (or end it), with an optional note.

    Parameters
    ----------
    workspace : Workspace
        The store.
    partnership_id : int
        The partnership.
    to : str
        The new status (one of its ``next_statuses``).
    actor : User
        Who moves it (a member of either organisation, or an admin).
    note : str, optional
        A note on the step.
    private : bool
        The note is for the two organisations and admins only.
    date : datetime.date, optional
        When the step happened (default: today).

    Returns
    -------
    dict
        The partnership as :func:`partnership_payload` gives it to ``actor``.

    Raises
    ------
    AccessDeniedError
        ``actor`` may not change the partnership.
    NotFoundError
        No such partnership.
    InvalidInputError
        A step that :data:`clusterix.tracking.TRANSITIONS` does not allow, a bad note or date.
    """
    advance_partnership(workspace.store, partnership_id, to, actor=actor, note=note, private=private, date=date)
    return partnership_payload(workspace, partnership_id, actor)


def annotate(
    workspace: Workspace,
    partnership_id: int,
    note: str,
    *,
    actor: User,
    private: bool = False,
    date: dt.date | None = None,
) -> dict[str, Any]:
    """Add a public or private note to a partnership's history.

    Parameters
    ----------
    workspace : Workspace
        The store.
    partnership_id : int
        The partnership.
    note : str
        The note (1 to :data:`MAX_NOTE_LENGTH` characters).
    actor : User
        Who writes it (a member of either organisation, or an admin).
    private : bool
        For the two organisations and admins only.
    date : datetime.date, optional
        The note's date (default: today).

    Returns
    -------
    dict
        The partnership as :func:`partnership_payload` gives it to ``actor``.

    Raises
    ------
    AccessDeniedError
        ``actor`` may not annotate the partnership.
    NotFoundError
        No such partnership.
    InvalidInputError
        An empty or too long note, a bad date.
    """
    add_note(workspace.store, partnership_id, note, actor=actor, private=private, date=date)
    return partnership_payload(workspace, partnership_id, actor)


def growth(workspace: Workspace, *, by: str = "year") -> list[dict[str, Any]]:
    """New agreed or active partnerships per period and pair of organisation kinds (public).

    Parameters
    ----------
    workspace : Workspace
        The store.
    by : {"year", "quarter"}
        The period.

    Returns
    -------
    list of dict
        ``period, pair_type, knowledge_enterprise, new_partnerships, cumulative, change``
        (:func:`clusterix.tracking.collaboration_growth`).

    Raises
    ------
    InvalidInputError
        ``by`` is neither ``"year"`` nor ``"quarter"``.
    """
    return records(collaboration_growth(workspace.store, by=by))

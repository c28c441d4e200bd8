"""The partnership tracker: a state machine per pair of organisations, notes, and growth.

States: ``proposed → contacted → agreed → active → ended``; ``ended`` is reachable from
every other state. Every step and note is an event with its date, author and a private
flag. Who may do what is decided here, once, so that the web layer and scripts agree:

- anyone (also anonymous) sees partnerships that reached ``agreed``, ``active`` or
  ``ended`` (:data:`PUBLIC_STATUSES`) with their public notes;
- a signed-in user also sees ``proposed`` and ``contacted`` ones (so that members of the
  network do not approach the same partner twice), still without private notes;
- members of either organisation and admins see private notes and may propose, advance
  and annotate the partnership; nobody else may.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from clusterix._validation import check_number, check_option
from clusterix.errors import InvalidInputError
from clusterix.storage import ORGANISATION_KINDS, Store
from clusterix.storage.partnerships import PartnershipRepository
from clusterix.tracking.accounts import User
from clusterix.tracking.errors import AccessDeniedError, NotFoundError, UnknownOrganisationError
from clusterix.tracking.schema import ensure_tracking_schema

__all__ = [
    "DEFAULT_PAGE",
    "KNOWLEDGE_KINDS",
    "MAX_NAME_LENGTH",
    "MAX_NOTE_LENGTH",
    "MAX_PAGE",
    "PUBLIC_STATUSES",
    "STATUSES",
    "TRANSITIONS",
    "Partnership",
    "add_note",
    "advance_partnership",
    "can_annotate",
    "collaboration_growth",
    "get_partnership",
    "list_partnerships",
    "pair_type",
    "history_page",
    "partnership_history",
    "partnerships_for",
    "propose_partnership",
]

STATUSES = ("proposed", "contacted", "agreed", "active", "ended")
TRANSITIONS = {
    "proposed": ("contacted", "ended"),
    "contacted": ("agreed", "ended"),
    "agreed": ("active", "ended"),
    "active": ("ended",),
    "ended": (),
}
PUBLIC_STATUSES = ("agreed", "active", "ended")
# Statuses that count as a collaboration achieved (collaboration_growth).
ACHIEVED_STATUSES = ("agreed", "active")
KNOWLEDGE_KINDS = ("higher_education", "research")

# The limits of the tracker, shared by every face (the web app's forms and JSON bodies, scripts).
#: The longest note or public description, in characters.
MAX_NOTE_LENGTH = 4000
#: The longest organisation id (or name) a partnership may name, in characters.
MAX_NAME_LENGTH = 200
#: The page size of a list of partnerships or of a partnership's history when none is asked for.
DEFAULT_PAGE = 50
#: The largest page of partnerships or history events one call returns.
MAX_PAGE = 500


@dataclass(frozen=True)
class Partnership:
    """One tracked partnership between two organisations of the store."""

    id: int
    organisation_1: str
    organisation_1_name: str | None
    organisation_1_kind: str | None
    organisation_2: str
    organisation_2_name: str | None
    organisation_2_kind: str | None
    status: str
    created_by: int | None
    created: datetime
    updated: datetime
    public_note: str | None

    @property
    def organisations(self) -> tuple[str, str]:
        return (self.organisation_1, self.organisation_2)

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]

    def as_dict(self) -> dict:
        """JSON-able fields."""
        return {
            "id": self.id,
            "organisation_1": {
                "id": self.organisation_1,
                "name": self.organisation_1_name,
                "kind": self.organisation_1_kind,
            },
            "organisation_2": {
                "id": self.organisation_2,
                "name": self.organisation_2_name,
                "kind": self.organisation_2_kind,
            },
            "pair_type": pair_type(self.organisation_1_kind, self.organisation_2_kind),
            "status": self.status,
            "next_statuses": list(self.next_statuses),
            "created_by": self.created_by,
            "created": self.created.isoformat(),
            "updated": self.updated.isoformat(),
            "public_note": self.public_note,
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _partnership(row: dict) -> Partnership:
    created_by = row["created_by"]
    return Partnership(
        id=int(row["id"]),
        organisation_1=str(row["organisation_1"]),
        organisation_1_name=row["organisation_1_name"],
        organisation_1_kind=row["organisation_1_kind"],
        organisation_2=str(row["organisation_2"]),
        organisation_2_name=row["organisation_2_name"],
        organisation_2_kind=row["organisation_2_kind"],
        status=str(row["status"]),
        created_by=None if created_by is None else int(created_by),
        created=row["created"],
        updated=row["updated"],
        public_note=row["public_note"],
    )


def _partnerships(store: Store) -> PartnershipRepository:
    """The partnership repository of ``store``, its tables created if need be."""
    ensure_tracking_schema(store.database)
    return PartnershipRepository(store.database)


def pair_type(kind_1: str | None, kind_2: str | None) -> str:
    """The kinds of two organisations as one label in a fixed order, e.g.
    ``enterprise-higher_education`` (whichever of the two came first).

    >>> pair_type("research", "enterprise")
    'enterprise-research'
    """
    order = {kind: index for index, kind in enumerate(ORGANISATION_KINDS)}
    kinds = sorted((kind_1 or "unknown", kind_2 or "unknown"), key=lambda k: (order.get(k, len(order)), k))
    return "-".join(kinds)


def _check_note(note: object, *, name: str, function: str, required: bool) -> str | None:
    if note is None or (isinstance(note, str) and not note.strip()):
        if required:
            raise InvalidInputError(f"The {name!r} parameter of {function} must be a non-empty text.")
        return None
    if not isinstance(note, str):
        raise InvalidInputError(f"The {name!r} parameter of {function} must be text. Got {type(note).__name__}.")
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidInputError(
            f"The {name!r} parameter of {function} is {len(note):,} characters long; "
            f"at most {MAX_NOTE_LENGTH:,} are allowed."
        )
    if "\x00" in note:
        raise InvalidInputError(f"The {name!r} parameter of {function} contains a NUL character.")
    return note


def _check_flag(value: object, *, name: str, function: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise InvalidInputError(f"The {name!r} parameter of {function} must be True or False. Got {value!r} instead.")
    return bool(value)


def _check_date(value: object, *, function: str) -> date:
    today = _now().date()
    if value is None:
        return today
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise InvalidInputError(
                f"The 'date' parameter of {function} must be a date (YYYY-MM-DD). Got {value!r} instead."
            ) from None
    if not isinstance(value, date):
        raise InvalidInputError(f"The 'date' parameter of {function} must be a date. Got {value!r} instead.")
    if value > today:
        raise InvalidInputError(f"The 'date' parameter of {function} is {value}, in the future (today is {today}).")
    return value


def _require_manager(actor: User | None, partnership_orgs: tuple[str, str], doing: str) -> User:
    """``actor`` if they may act for one of the two organisations, else AccessDeniedError."""
    if actor is None:
        raise AccessDeniedError(f"Sign in to {doing}.", anonymous=True)
    if any(actor.manages(o) for o in partnership_orgs):  # manages() is True for admins
        return actor
    raise AccessDeniedError(
        f"Only members of {partnership_orgs[0]!r} or {partnership_orgs[1]!r} (or an admin) may {doing}.",
        anonymous=False,
    )


def can_annotate(viewer: User | None, partnership: Partnership) -> bool:
    """Whether ``viewer`` may advance, annotate and read the private notes of ``partnership``."""
    return viewer is not None and any(viewer.manages(o) for o in partnership.organisations)


def _can_view(viewer: User | None, status: str) -> bool:
    return viewer is not None or status in PUBLIC_STATUSES


def _record_event(
    partnerships: PartnershipRepository,
    partnership_id: int,
    *,
    from_status: str | None,
    to_status: str | None,
    occurred_on: date,
    note: str | None,
    private: bool,
    author: User,
) -> int:
    return partnerships.insert_event(
        partnership_id,
        from_status=from_status,
        to_status=to_status,
        occurred_on=occurred_on,
        recorded=_now(),
        note=note,
        private=bool(private),
        author=author.id,
    )


def _fetch(partnerships: PartnershipRepository, partnership_id: int) -> Partnership:
    found = partnerships.partnership(partnership_id)
    if found is None:
        raise NotFoundError(f"There is no partnership {partnership_id}.")
    return _partnership(found)


def _check_page(limit: object, offset: object, function: str) -> tuple[int, int]:
    """``limit`` in [1, MAX_PAGE] and ``offset`` >= 0, as ints."""
    checked_limit = int(check_number(limit, name="limit", function=function, low=1, high=MAX_PAGE, integer=True))
    return checked_limit, int(check_number(offset, name="offset", function=function, low=0, integer=True))


def _check_id(partnership_id: object, function: str) -> int:
    return int(check_number(partnership_id, name="partnership_id", function=function, low=1, integer=True))


def propose_partnership(
    store: Store,
    organisation_1: str,
    organisation_2: str,
    *,
    actor: User | None,
    note: str | None = None,
    date: date | str | None = None,
) -> Partnership:
    """Start tracking a partnership between two organisations (status ``proposed``).

    ``note`` is the public description shown with the partnership; ``date`` (default
    today) when it was proposed.

    Raises
    ------
    UnknownOrganisationError
        Either id is not in the store's organisations table.
    InvalidInputError
        The two ids are equal, or the pair already has a partnership that has not ended.
    AccessDeniedError
        ``actor`` manages neither organisation and is not an admin.
    """
    function = "propose_partnership"
    for name, value in (("organisation_1", organisation_1), ("organisation_2", organisation_2)):
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(f"The {name!r} parameter of {function} must be an organisation id. Got {value!r}.")
        if len(value) > MAX_NAME_LENGTH:
            raise InvalidInputError(
                f"The {name!r} parameter of {function} is {len(value):,} characters long; "
                f"at most {MAX_NAME_LENGTH:,} are allowed."
            )
    if organisation_1 == organisation_2:
        raise InvalidInputError(f"A partnership needs two different organisations; got {organisation_1!r} twice.")
    actor = _require_manager(
        actor, (organisation_1, organisation_2), "propose a partnership between these organisations"
    )
    note = _check_note(note, name="note", function=function, required=False)
    occurred_on = _check_date(date, function=function)
    partnerships = _partnerships(store)
    with partnerships.transaction():
        known = partnerships.known_organisations(organisation_1, organisation_2)
        unknown = [o for o in (organisation_1, organisation_2) if o not in known]
        if unknown:
            raise UnknownOrganisationError(
                f"Organisation {unknown[0]!r} is not in the store; check the id (see the organisations list)."
            )
        open_one = partnerships.open_partnership_between(organisation_1, organisation_2, closed="ended")
        if open_one is not None:
            raise InvalidInputError(
                f"{organisation_1!r} and {organisation_2!r} already have partnership {open_one} "
                "in progress; advance or end that one."
            )
        partnership_id = partnerships.insert_partnership(
            organisation_1,
            organisation_2,
            status="proposed",
            created_by=actor.id,
            created=_now(),
            public_note=note,
        )
        _record_event(
            partnerships,
            partnership_id,
            from_status=None,
            to_status="proposed",
            occurred_on=occurred_on,
            note=note,
            private=False,
            author=actor,
        )
        return _fetch(partnerships, partnership_id)


def advance_partnership(
    store: Store,
    partnership_id: int,
    to: str,
    *,
    actor: User | None,
    note: str | None = None,
    private: bool = False,
    date: date | str | None = None,
) -> Partnership:
    """Move a partnership to status ``to`` along :data:`TRANSITIONS`, with an optional note.

    ``date`` (default today) is when the step happened; it may not precede the previous step.

    Raises
    ------
    InvalidInputError
        ``to`` is not a status, or not reachable from the current one (the message names both).
    NotFoundError
        No partnership ``partnership_id``.
    AccessDeniedError
        ``actor`` manages neither organisation and is not an admin.
    """
    function = "advance_partnership"
    partnership_id = _check_id(partnership_id, function)
    check_option(to, STATUSES, name="to", function=function)
    note = _check_note(note, name="note", function=function, required=False)
    _check_flag(private, name="private", function=function)
    occurred_on = _check_date(date, function=function)
    partnerships = _partnerships(store)
    with partnerships.transaction():
        current = _fetch(partnerships, partnership_id)
        actor = _require_manager(actor, current.organisations, f"change partnership {partnership_id}")
        if to not in TRANSITIONS[current.status]:
            allowed = " or ".join(repr(s) for s in TRANSITIONS[current.status]) or "nowhere (it has ended)"
            raise InvalidInputError(
                f"Partnership {partnership_id} cannot move from {current.status!r} to {to!r}; "
                f"from {current.status!r} it can go to {allowed}."
            )
        previous = partnerships.last_step_date(partnership_id)
        if previous is not None and occurred_on < previous:
            raise InvalidInputError(
                f"The 'date' parameter of {function} is {occurred_on}, before the previous step ({previous})."
            )
        partnerships.set_status(partnership_id, to, _now())
        _record_event(
            partnerships,
            partnership_id,
            from_status=current.status,
            to_status=to,
            occurred_on=occurred_on,
            note=note,
            private=private,
            author=actor,
        )
        return _fetch(partnerships, partnership_id)


def add_note(
    store: Store,
    partnership_id: int,
    note: str,
    *,
    actor: User | None,
    private: bool = False,
    date: date | str | None = None,
) -> int:
    """Add a note to a partnership's history; ``private`` notes are shown only to members of
    the two organisations and admins. Returns the event id.

    Raises
    ------
    InvalidInputError
        An empty note, or one longer than :data:`MAX_NOTE_LENGTH` characters.
    NotFoundError, AccessDeniedError
        As for :func:`advance_partnership`.
    """
    function = "add_note"
    partnership_id = _check_id(partnership_id, function)
    note = _check_note(note, name="note", function=function, required=True)
    _check_flag(private, name="private", function=function)
    occurred_on = _check_date(date, function=function)
    partnerships = _partnerships(store)
    with partnerships.transaction():
        current = _fetch(partnerships, partnership_id)
        actor = _require_manager(actor, current.organisations, f"annotate partnership {partnership_id}")
        event_id = _record_event(
            partnerships,
            partnership_id,
            from_status=None,
            to_status=None,
            occurred_on=occurred_on,
            note=note,
            private=bool(private),
            author=actor,
        )
        partnerships.touch(partnership_id, _now())
    return event_id


def get_partnership(store: Store, partnership_id: int, *, viewer: User | None) -> Partnership:
    """One partnership, if ``viewer`` may see it (anonymous visitors: public statuses only).

    Raises
    ------
    NotFoundError
        No partnership ``partnership_id``.
    AccessDeniedError
        An anonymous viewer and a partnership still ``proposed`` or ``contacted``.
    """
    partnership_id = _check_id(partnership_id, "get_partnership")
    found = _fetch(_partnerships(store), partnership_id)
    if not _can_view(viewer, found.status):
        raise AccessDeniedError(f"Sign in to see partnership {partnership_id}.", anonymous=True)
    return found


def list_partnerships(
    store: Store,
    *,
    viewer: User | None,
    organisation: str | None = None,
    status: str | None = None,
    limit: int = DEFAULT_PAGE,
    offset: int = 0,
) -> tuple[list[Partnership], int]:
    """The partnerships ``viewer`` may see, newest change first, and how many there are in all.

    ``organisation`` keeps those that involve it; ``status`` those in that status; ``limit``
    (1 to :data:`MAX_PAGE`) and ``offset`` choose the page.

    Raises
    ------
    UnknownOrganisationError
        ``organisation`` is not in the store.
    InvalidInputError
        ``limit`` or ``offset`` out of bounds, an unknown ``status``.
    """
    function = "list_partnerships"
    limit, offset = _check_page(limit, offset, function)
    if status is not None:
        check_option(status, STATUSES, name="status", function=function)
    partnerships = _partnerships(store)
    if organisation is not None:
        organisation = str(organisation)
        if organisation not in partnerships.known_organisations(organisation):
            raise UnknownOrganisationError(f"Organisation {organisation!r} is not in the store.")
    # Anonymous visitors see the public statuses only.
    visible = PUBLIC_STATUSES if viewer is None else None
    total = partnerships.count_partnerships(statuses=visible, organisation=organisation, status=status)
    rows = partnerships.partnerships_page(
        statuses=visible, organisation=organisation, status=status, limit=limit, offset=offset
    )
    return [_partnership(row) for row in rows], total


def partnerships_for(store: Store, organisation: str, *, viewer: User | None) -> list[Partnership]:
    """Every partnership of ``organisation`` that ``viewer`` may see, newest change first.

    Raises
    ------
    UnknownOrganisationError
        ``organisation`` is not in the store.
    """
    found, total = list_partnerships(store, viewer=viewer, organisation=organisation, limit=MAX_PAGE)
    offset = MAX_PAGE
    while len(found) < total:
        more, _ = list_partnerships(store, viewer=viewer, organisation=organisation, limit=MAX_PAGE, offset=offset)
        found.extend(more)
        offset += MAX_PAGE
    return found


def partnership_history(store: Store, partnership_id: int, *, viewer: User | None) -> pd.DataFrame:
    """The events of a partnership in order: ``id, from_status, to_status, occurred_on,
    recorded, note, private, author, author_name``; every one of them (a page of them:
    :func:`history_page`).

    Private notes appear only for members of the two organisations and admins; for everyone
    else a private step still shows (the status change is public) without its note, and a
    private note without a step is left out.
    """
    return partnership_events(store, get_partnership(store, partnership_id, viewer=viewer), viewer=viewer)


def partnership_events(store: Store, partnership: Partnership, *, viewer: User | None) -> pd.DataFrame:
    """:func:`partnership_history` of a partnership already fetched (and visible to ``viewer``)."""
    partners = can_annotate(viewer, partnership)
    events = PartnershipRepository(store.database).events_of(partnership.id, include_private_notes=partners)
    return _as_seen(events, partners)


def history_page(
    store: Store, partnership: Partnership, *, viewer: User | None, limit: int = DEFAULT_PAGE, offset: int = 0
) -> tuple[pd.DataFrame, int]:
    """One page of :func:`partnership_events` counted from the newest event, in chronological
    order, and how many events ``viewer`` may see in all.

    ``limit=50, offset=0`` (the default) gives the latest 50 events, ``offset=50`` the 50
    before them, and so on; ``limit`` is at most :data:`MAX_PAGE`.

    Raises
    ------
    InvalidInputError
        ``limit`` or ``offset`` out of bounds.
    """
    limit, offset = _check_page(limit, offset, "history_page")
    partners = can_annotate(viewer, partnership)
    repository = PartnershipRepository(store.database)
    total = repository.count_events(partnership.id, include_private_notes=partners)
    events = repository.events_of(partnership.id, include_private_notes=partners, limit=limit, offset=offset)
    return _as_seen(events, partners), total


def _as_seen(events: pd.DataFrame, partners: bool) -> pd.DataFrame:
    """``events`` (private notes without a step already left out for outsiders) as an outsider
    sees them: private steps without their note, and nobody's name."""
    if not partners:
        events = events.copy()
        events.loc[events["private"], "note"] = None
        # Who wrote what is for the partners and admins only.
        events["author"] = None
        events["author_name"] = None
    return events.reset_index(drop=True)


def collaboration_growth(store: Store, *, by: str = "year") -> pd.DataFrame:
    """New collaborations achieved per period and pair of organisation kinds.

    A partnership counts once, in the period of its first step into ``agreed`` or
    ``active`` (:data:`ACHIEVED_STATUSES`), whatever happened later. Columns: ``period``
    (year, or ``YYYY-Qn`` with ``by="quarter"``), ``pair_type`` (see :func:`pair_type`),
    ``knowledge_enterprise`` (an enterprise with a higher-education or research
    organisation), ``new_partnerships``, ``cumulative`` and ``change`` (against the previous
    period of the same pair type; periods without any are filled with 0 between the first
    and the last period, so the change is over consecutive periods).
    """
    check_option(by, ("year", "quarter"), name="by", function="collaboration_growth")
    achieved = _partnerships(store).first_steps_into(ACHIEVED_STATUSES)
    columns = ["period", "pair_type", "knowledge_enterprise", "new_partnerships", "cumulative", "change"]
    if achieved.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("period", "pair_type") else float) for c in columns})
    when = achieved["achieved_on"]
    periods = when.dt.year if by == "year" else when.dt.to_period("Q")
    achieved["period"] = periods
    achieved["pair_type"] = [pair_type(a, b) for a, b in zip(achieved["kind_1"], achieved["kind_2"], strict=True)]
    counts = achieved.groupby(["pair_type", "period"]).size()
    if by == "year":
        every = pd.Index(range(int(periods.min()), int(periods.max()) + 1), name="period")
    else:
        every = pd.period_range(periods.min(), periods.max(), freq="Q", name="period")
    table = counts.unstack("pair_type").reindex(every).fillna(0).astype(int)
    out = table.stack().rename("new_partnerships").reset_index()
    out = out.sort_values(["pair_type", "period"]).reset_index(drop=True)
    grouped = out.groupby("pair_type")["new_partnerships"]
    out["cumulative"] = grouped.cumsum()
    out["change"] = grouped.diff()
    kinds = out["pair_type"].str.split("-", n=1, expand=True)
    out["knowledge_enterprise"] = ((kinds[0] == "enterprise") & kinds[1].isin(KNOWLEDGE_KINDS)) | (
        (kinds[1] == "enterprise") & kinds[0].isin(KNOWLEDGE_KINDS)
    )
    out["period"] = out["period"].astype(int) if by == "year" else out["period"].astype(str)
    return out[columns]

"""Accounts and the partnership tracker: who may do what, and how partnerships progress.

The rules live here; every SQL statement lives in the store's repositories
(:mod:`clusterix.storage.accounts`, :mod:`clusterix.storage.partnerships`, the tables in
:mod:`clusterix.storage.tracking_schema`), on DuckDB or PostgreSQL. The web layer
(:mod:`clusterix.web.auth`, :mod:`clusterix.web.partnerships`) is a thin shell over it.
"""

from clusterix.tracking.accounts import (
    ROLES,
    Session,
    User,
    authenticate,
    create_session,
    create_user,
    delete_session,
    get_user,
    list_users,
    session_for,
)
from clusterix.tracking.errors import (
    AccessDeniedError,
    NotFoundError,
    TooManyAttemptsError,
    UnknownOrganisationError,
)
from clusterix.tracking.partnerships import (
    PUBLIC_STATUSES,
    STATUSES,
    TRANSITIONS,
    Partnership,
    add_note,
    advance_partnership,
    can_annotate,
    collaboration_growth,
    get_partnership,
    list_partnerships,
    pair_type,
    partnership_events,
    partnership_history,
    partnerships_for,
    propose_partnership,
)
from clusterix.tracking.schema import ensure_tracking_schema

__all__ = [
    "PUBLIC_STATUSES",
    "ROLES",
    "STATUSES",
    "TRANSITIONS",
    "AccessDeniedError",
    "NotFoundError",
    "Partnership",
    "Session",
    "TooManyAttemptsError",
    "UnknownOrganisationError",
    "User",
    "add_note",
    "advance_partnership",
    "authenticate",
    "can_annotate",
    "collaboration_growth",
    "create_session",
    "create_user",
    "delete_session",
    "ensure_tracking_schema",
    "get_partnership",
    "get_user",
    "list_partnerships",
    "list_users",
    "pair_type",
    "partnership_events",
    "partnership_history",
    "partnerships_for",
    "propose_partnership",
    "session_for",
]

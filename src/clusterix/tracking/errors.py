"""Errors of the accounts and partnership tracker, leaves of the clusterix hierarchy."""

from __future__ import annotations

from clusterix.errors import ClusterixError, InvalidInputError, UnknownCodeError

__all__ = [
    "AccessDeniedError",
    "NotFoundError",
    "TooManyAttemptsError",
    "UnknownOrganisationError",
]


class AccessDeniedError(ClusterixError, PermissionError):
    """The actor (``None`` for an anonymous visitor) may not do this.

    ``anonymous`` tells a web layer whether signing in could help (401) or not (403).
    """

    def __init__(self, message: str, *, anonymous: bool) -> None:
        super().__init__(message)
        self.anonymous = anonymous


class NotFoundError(InvalidInputError, LookupError):
    """A partnership or user id that the store does not hold."""


class UnknownOrganisationError(UnknownCodeError):
    """An organisation id that is not in the store's organisations table."""


class TooManyAttemptsError(ClusterixError):
    """Too many failed sign-ins for this account from this address; wait ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

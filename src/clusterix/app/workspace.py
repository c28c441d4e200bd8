"""The workspace: one store with its caches and background jobs, shared by every use case.

Every face (the command line, the REST API, the HTML pages) opens or receives one
:class:`Workspace` and calls the use-case modules of :mod:`clusterix.app` with it, so the
same request gives the same answer whichever face asks.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from clusterix.app.caches import Caches
from clusterix.app.partners import collaboration_version, fit_recommender
from clusterix.app.precompute import Precompute
from clusterix.storage import Store

__all__ = ["Workspace"]


class Workspace:
    """A store, the memo of results computed from it and its background jobs: the partner
    recommender's fit and the precomputation of the region pages (:attr:`precompute`).

    Parameters
    ----------
    store : Store
        The open store; the workspace closes it only when it opened it (:meth:`open`).
    boundaries : str or Path, optional
        A GISCO NUTS GeoJSON file or a folder holding them, for maps; ``None`` downloads
        the 1:60 million file once (cached).
    caches : Caches, optional
        The memo to use (default: a new one whose partner fit is :func:`fit_recommender`).
    """

    def __init__(self, store: Store, *, boundaries: str | Path | None = None, caches: Caches | None = None) -> None:
        self.store = store
        self.boundaries = None if boundaries is None else str(boundaries)
        self.caches = (
            caches if caches is not None else Caches(partner_fit=fit_recommender, partner_version=collaboration_version)
        )
        self.precompute = Precompute(self)
        self._owned = False

    @classmethod
    def open(
        cls, target: str | Path | None = None, *, read_only: bool = False, boundaries: str | Path | None = None
    ) -> Workspace:
        """Open the store ``target`` (``--db``; else ``CLUSTERIX_DB``, else the per-user store)."""
        workspace = cls(Store.open(target, read_only=read_only), boundaries=boundaries)
        workspace._owned = True
        return workspace

    def close(self) -> None:
        """Close the store if this workspace opened it."""
        if self._owned:
            self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

"""Background jobs of a workspace: a model fitted once in a thread while requests go on."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from clusterix.errors import ClusterixError, InvalidInputError
from clusterix.storage import Store

__all__ = ["BackgroundFit", "NotReadyError"]

_log = logging.getLogger("clusterix.app")


class NotReadyError(Exception):
    """A result is still being computed in the background (e.g. the partner recommender)."""

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BackgroundFit:
    """A model fitted from the store in a background thread: ``idle -> fitting -> ready | failed``,
    and fitted again in the background when the data it was fitted on change (:meth:`refresh`)
    while the last model goes on answering (``refitting`` in :meth:`describe`).

    Parameters
    ----------
    fit : callable
        ``fit(store) -> model``; errors of the library (:class:`ClusterixError`) are reported
        as ``failed`` with their message, anything else as an unexpected error (logged).
    version : callable, optional
        ``version(store) -> hashable``: the state of the data the model is fitted on; a
        change makes :meth:`refresh` fit a new model.
    """

    def __init__(self, fit: Callable[[Store], Any] | None, version: Callable[[Store], Any] | None = None) -> None:
        self.fit = fit
        self.version = version
        self.lock = threading.Lock()
        self.status = "idle"
        self.error: str | None = None
        self.recommender: Any = None
        self.started: float | None = None
        self.seconds: float | None = None
        self.fitted_version: Any = None
        self.refitting = False
        self.fitted_at: float | None = None  # time.time() of the model in use
        self.checked_store_version: Any = None  # the store version whose data refresh() last looked at

    def start(self, store: Store) -> None:
        """Begin fitting in the background unless it has begun already."""
        if self.fit is None:
            raise InvalidInputError("This workspace has no model to fit in the background.")
        with self.lock:
            if self.status != "idle":
                return
            self.status = "fitting"
            self.started = time.monotonic()
        threading.Thread(target=self._fit, args=(store,), name="clusterix-background-fit", daemon=True).start()

    def refresh(self, store: Store, store_version: Any = None) -> None:
        """Fit a new model in the background if the data changed since the model in use was
        fitted; the model in use answers meanwhile. Nothing happens while a fit is running.

        ``store_version`` (:meth:`~clusterix.app.caches.Caches.store_version`), when given,
        spares the look at the data while it is the one seen last time: no query per request.
        """
        if self.fit is None or self.version is None or self.status != "ready" or self.refitting:
            return
        if store_version is not None and store_version == self.checked_store_version:
            return
        current = self.version(store)
        self.checked_store_version = store_version
        with self.lock:
            if self.refitting or current == self.fitted_version:
                return
            self.refitting = True
        threading.Thread(
            target=self._refit, args=(store, current), name="clusterix-background-refit", daemon=True
        ).start()

    def _refit(self, store: Store, version: Any) -> None:
        assert self.fit is not None
        started = time.monotonic()
        try:
            model = self.fit(store)
        except Exception as error:  # noqa: BLE001 - the last model goes on answering; reported and logged
            self.error = f"refit after the data changed failed: {type(error).__name__}: {error}"
            _log.exception("Refitting the partner recommender failed; the last model is kept")
            self.fitted_version = version  # not retried until the data change again
            self.refitting = False
            return
        self._install(model, version)
        self.seconds, self.error = time.monotonic() - started, None
        self.refitting = False

    def _fit(self, store: Store) -> None:
        assert self.fit is not None
        version = None if self.version is None else self.version(store)
        try:
            model = self.fit(store)
        except ClusterixError as error:
            self.error, self.status = str(error), "failed"
            _log.warning("The partner recommender cannot be fitted: %s", error)
            return
        except Exception as error:  # noqa: BLE001 - reported on the page and logged with the traceback
            self.error, self.status = f"unexpected error: {type(error).__name__}", "failed"
            _log.exception("Fitting the partner recommender failed")
            return
        self._install(model, version)
        self.seconds = time.monotonic() - (self.started or time.monotonic())
        self.status = "ready"

    def _install(self, model: Any, version: Any) -> None:
        """Make ``model`` the one in use. It is long-lived: it (and everything loaded so far)
        is moved out of the garbage collector's reach, or every full collection re-traverses it
        and stalls all requests (about 0.2 s on the demo data, a tail of the latencies under
        load); a model it replaces is released to the collector first."""
        gc.unfreeze()
        self.recommender, self.fitted_version, self.fitted_at = model, version, time.time()
        gc.collect()
        gc.freeze()

    def describe(self) -> dict[str, Any]:
        """``status, error, elapsed_seconds, fit_seconds, refitting, fitted_at``, for the health
        route and the pages (``refitting``: a newer model is being fitted after the data
        changed; the one in use was fitted at ``fitted_at``, ISO 8601 UTC)."""
        elapsed = None if self.started is None else round(time.monotonic() - self.started, 1)
        fitted_at = None
        if self.fitted_at is not None:
            fitted_at = datetime.fromtimestamp(self.fitted_at, UTC).isoformat(timespec="seconds")
        return {
            "status": self.status,
            "error": self.error,
            "elapsed_seconds": elapsed,
            "fit_seconds": self.seconds,
            "refitting": self.refitting,
            "fitted_at": fitted_at,
        }

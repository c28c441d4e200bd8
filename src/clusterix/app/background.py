"""Background jobs of a workspace: a model fitted once in a thread while requests go on."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
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
    """A model fitted once from the store in a background thread: ``idle -> fitting -> ready | failed``.

    Parameters
    ----------
    fit : callable
        ``fit(store) -> model``; errors of the library (:class:`ClusterixError`) are reported
        as ``failed`` with their message, anything else as an unexpected error (logged).
    """

    def __init__(self, fit: Callable[[Store], Any] | None) -> None:
        self.fit = fit
        self.lock = threading.Lock()
        self.status = "idle"
        self.error: str | None = None
        self.recommender: Any = None
        self.started: float | None = None
        self.seconds: float | None = None

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

    def _fit(self, store: Store) -> None:
        assert self.fit is not None
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
        self.recommender = model
        # The fitted model is long-lived: move it (and everything loaded so far) out of the
        # garbage collector's reach, or every full collection re-traverses it and stalls all
        # requests (about 0.2 s on the demo data, a tail of the latencies under load).
        gc.collect()
        gc.freeze()
        self.seconds = time.monotonic() - (self.started or time.monotonic())
        self.status = "ready"

    def describe(self) -> dict[str, Any]:
        """``status, error, elapsed_seconds, fit_seconds``, for the health route and the pages."""
        elapsed = None if self.started is None else round(time.monotonic() - self.started, 1)
        return {"status": self.status, "error": self.error, "elapsed_seconds": elapsed, "fit_seconds": self.seconds}

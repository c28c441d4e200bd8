"""Precomputation of the region pages per dataset version, in a background thread.

A region's page needs its profile, its peers and three charts; computed on demand that is
about a second of CPU on the demo data, most of it drawing the charts, and 50 visitors
arriving on pages nobody has opened yet queue behind each other. :class:`Precompute` walks
every region of every observation dataset (each measure, the latest period) once after the
server starts and again whenever the store's data change (an import), and keeps the
results in the workspace's :class:`~clusterix.app.caches.ResultCache`, where the use cases
(:func:`clusterix.app.profile.region_profile`, :func:`~clusterix.app.profile.profile_charts`,
:func:`clusterix.app.peers.region_peers`) find them. Requests are served meanwhile: a page
not reached yet is computed on demand, exactly once. The thread runs at a lower CPU priority
than the request threads, and its progress is on ``/health``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from clusterix.errors import ClusterixError

if TYPE_CHECKING:
    from clusterix.app.workspace import Workspace

__all__ = ["PAGE_PEERS", "Precompute", "page_items"]

_log = logging.getLogger("clusterix.app")

PAGE_PEERS = (5, 10)
"""The numbers of peers kept per region: the profile page's list and the API's default."""
_NICENESS = 10  # the thread's CPU priority below the request threads (Linux: per thread)


def page_items(workspace: Workspace) -> Iterator[tuple[str, str, str, str]]:
    """``(dataset, measure, period, region)`` of every region page to precompute: each
    observation dataset and measure, in its latest period."""
    from clusterix.app.datasets import analysis, list_datasets

    for record in list_datasets(workspace):
        if record["kind"] != "observations":
            continue
        for measure in record.get("measures") or [None]:
            found = analysis(workspace, record["name"], measure)
            index = len(found.periods) - 1
            for region in found.profiler.results[index].matrix.regions:
                yield found.dataset, found.measure, found.periods[index], str(region)


class Precompute:
    """The background precomputation of one workspace: ``idle -> running -> done``, and
    ``running`` again when the store's data change (checked every ``poll_seconds``).

    Parameters
    ----------
    workspace : Workspace
        Whose store to read and whose caches to fill.
    poll_seconds : float
        How often a finished precomputation checks whether the data changed.
    """

    def __init__(self, workspace: Workspace, *, poll_seconds: float = 10.0) -> None:
        self.workspace = workspace
        self.poll_seconds = poll_seconds
        self.status = "idle"
        self.done = 0
        self.total: int | None = None
        self.failed = 0
        self.seconds: float | None = None
        self.error: str | None = None
        self._started: float | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def start(self) -> None:
        """Begin in a daemon thread unless begun already."""
        with self._lock:
            if self.status != "idle":
                return
            self.status = "running"
        threading.Thread(target=self._loop, name="clusterix-precompute", daemon=True).start()

    def stop(self) -> None:
        """Ask the thread to stop after the page it is on (at shutdown)."""
        self._stop.set()

    def run_once(self) -> None:
        """Precompute every page of the current data, in the calling thread."""
        from clusterix.app.peers import region_peers
        from clusterix.app.profile import profile_charts, region_profile

        workspace = self.workspace
        self._started = time.monotonic()
        self.status, self.done, self.failed, self.error = "running", 0, 0, None
        try:
            items = list(page_items(workspace))
        except ClusterixError as error:  # e.g. a dataset whose indicators cannot be computed
            self.status, self.error = "failed", str(error)
            return
        self.total = len(items)
        for dataset, measure, period, region in items:
            if self._stop.is_set():
                return
            try:
                region_profile(workspace, region, dataset=dataset, measure=measure, year=period)
                for k in PAGE_PEERS:
                    region_peers(workspace, region, dataset=dataset, measure=measure, year=period, k=k)
                profile_charts(workspace, region, dataset=dataset, measure=measure, year=period)
            except ClusterixError as error:  # one region: the page says so when asked; go on
                self.failed += 1
                self.error = f"{dataset} {region}: {error}"
            self.done += 1
        self.seconds = round(time.monotonic() - self._started, 1)
        self.status = "done"

    def _loop(self) -> None:
        _lower_priority()
        workspace = self.workspace
        try:
            while not self._stop.is_set():
                version = workspace.caches.store_version(workspace.store)
                self.run_once()
                while not self._stop.wait(self.poll_seconds):
                    if workspace.caches.store_version(workspace.store) != version:
                        break
        except Exception as error:  # noqa: BLE001 - reported on /health and logged; requests still compute on demand
            self.status, self.error = "failed", f"unexpected error: {type(error).__name__}: {error}"
            _log.exception("Precomputing the region pages failed")

    def describe(self) -> dict[str, Any]:
        """``status, done, total, failed, seconds, error``, for ``/health``."""
        return {
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "failed": self.failed,
            "seconds": self.seconds,
            "error": self.error,
        }


def _lower_priority() -> None:
    """Run the calling thread at a lower CPU priority (Linux schedules threads one by one)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed: the same priority then
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _NICENESS)

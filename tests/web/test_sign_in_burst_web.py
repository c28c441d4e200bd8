"""A burst of sign-ins through the web app: 429 with Retry-After beyond the limit, and the
password checks wait their turn off the event loop, so other requests are still answered."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest

from clusterix.tracking import accounts
from clusterix.tracking.accounts import MAX_FAILURES_PER_ACCOUNT
from tests.tracking.webapp import BACKENDS, tracker_app
from tests.tracking.world import CHEAP_HASHER

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh event loop in its own thread: the browser tests' Playwright
    keeps a loop running in the main thread for the whole session, where asyncio.run refuses."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(params=BACKENDS)
def app_world(request, tmp_path, monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)
    with tracker_app(tmp_path, request.param) as made:
        yield made


async def _send(app, requests: list[tuple[str, str, dict | None]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.5", 4242))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await asyncio.gather(*(client.request(method, url, json=body) for method, url, body in requests))


def test_a_parallel_burst_of_logins_is_answered_429_beyond_the_limit(app_world) -> None:
    app, _ = app_world
    login = "/api/v1/auth/login"
    wrong = [("POST", login, {"email": "carol@example.org", "password": f"guess {i}"}) for i in range(30)]
    answers = _run(_send(app, wrong))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * MAX_FAILURES_PER_ACCOUNT + [429] * (30 - MAX_FAILURES_PER_ACCOUNT)
    for answer in answers:
        if answer.status_code == 429:
            assert answer.json()["error"]["code"] == "too_many_attempts"
            assert 0 < int(answer.headers["retry-after"]) <= 901


def test_health_is_answered_while_a_login_burst_waits_for_password_checks(app_world, monkeypatch) -> None:
    app, _ = app_world
    finished: list[str] = []
    slow_verify = CHEAP_HASHER.verify

    class _SlowHasher:
        def verify(self, stored: str, password: str) -> bool:
            import time

            time.sleep(0.05)  # a costly hash, as argon2's defaults are
            return slow_verify(stored, password)

        def __getattr__(self, name: str):
            return getattr(CHEAP_HASHER, name)

    monkeypatch.setattr(accounts, "_hasher", _SlowHasher())

    async def run() -> None:
        transport = httpx.ASGITransport(app=app, client=("198.51.100.3", 4242))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

            async def login(i: int) -> None:
                # a different account each time: every one is checked (under the per-address limit)
                await client.post("/api/v1/auth/login", json={"email": f"u{i}@example.org", "password": "x" * 12})
                finished.append("login")

            async def health() -> None:
                await asyncio.sleep(0.1)
                answer = await client.get("/api/v1/health")
                assert answer.status_code == 200
                finished.append("health")

            await asyncio.gather(*(login(i) for i in range(45)), health())

    _run(run())
    # 45 checks of 0.05 s, two at a time, take over 1 s; /health did not wait for them (it used to
    # queue behind them for a worker thread: 45 exceeds the 40 threads of the pool).
    assert finished.index("health") < 5, finished

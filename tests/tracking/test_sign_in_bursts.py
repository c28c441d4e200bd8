"""Parallel sign-in guesses are cut at the rate limit, in one process and across workers.

The limit used to be checked before the attempt was recorded, so 40 guesses sent at once
all had their passwords checked and a correct one in the burst got in. Here the burst is
real threads: on DuckDB they share one serialised store (the web app's threads); on
PostgreSQL each opens its own connection, as the workers of separate processes would.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from clusterix.storage import SerialDatabase, Store
from clusterix.tracking import TooManyAttemptsError, accounts, authenticate
from clusterix.tracking.accounts import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS
from tests.tracking.world import CHEAP_HASHER, PASSWORD

BURST = 40


class _CountingHasher:
    """The cheap hasher, counting the password verifications (thread-safe)."""

    def __init__(self) -> None:
        self.verified = 0
        self._lock = threading.Lock()

    def verify(self, stored: str, password: str) -> bool:
        with self._lock:
            self.verified += 1
        return CHEAP_HASHER.verify(stored, password)

    def __getattr__(self, name: str):
        return getattr(CHEAP_HASHER, name)


@pytest.fixture
def hasher(monkeypatch) -> _CountingHasher:
    counting = _CountingHasher()
    monkeypatch.setattr(accounts, "_hasher", counting)
    return counting


def _burst(store_target: str, store: Store, guesses: list[tuple[str, str]], address: str = "203.0.113.9") -> list:
    """Send ``guesses`` (e-mail, password) at once; each outcome is a User, None or the error."""
    shared = SerialDatabase.wrap(store) if not store_target.startswith("postgresql") else None
    start = threading.Barrier(len(guesses))

    def guess(pair: tuple[str, str]) -> object:
        start.wait()
        if shared is not None:
            try:
                return authenticate(shared, *pair, address=address)
            except TooManyAttemptsError as error:
                return error
        with Store.open(store_target) as own:  # a worker of its own
            try:
                return authenticate(own, *pair, address=address)
            except TooManyAttemptsError as error:
                return error

    with ThreadPoolExecutor(max_workers=len(guesses)) as pool:
        return list(pool.map(guess, guesses))


def test_a_burst_of_wrong_guesses_is_checked_only_up_to_the_limit(store_target, store, world, hasher) -> None:
    outcomes = _burst(store_target, store, [("carol@example.org", f"wrong guess {i}") for i in range(BURST)])
    refused = [o for o in outcomes if isinstance(o, TooManyAttemptsError)]
    assert sum(o is None for o in outcomes) == MAX_FAILURES_PER_ACCOUNT
    assert len(refused) == BURST - MAX_FAILURES_PER_ACCOUNT
    assert hasher.verified == MAX_FAILURES_PER_ACCOUNT
    assert all(0 < error.retry_after <= 901 for error in refused)
    # The right password is refused now too, without being checked.
    with pytest.raises(TooManyAttemptsError):
        authenticate(store, "carol@example.org", PASSWORD, address="203.0.113.9")
    assert hasher.verified == MAX_FAILURES_PER_ACCOUNT


def test_a_correct_guess_hidden_in_a_burst_gets_in_only_within_the_limit(store_target, store, world, hasher) -> None:
    guesses = [("bob@example.org", f"wrong guess {i}") for i in range(BURST - 1)] + [("bob@example.org", PASSWORD)]
    outcomes = _burst(store_target, store, guesses)
    checked = [o for o in outcomes if not isinstance(o, TooManyAttemptsError)]
    # The limit holds: a success forgives the earlier failures of its account (at most the
    # limit less one), so at most twice the limit of guesses are checked, never the burst.
    assert len(checked) <= 2 * MAX_FAILURES_PER_ACCOUNT
    assert hasher.verified == len(checked)
    assert sum(o is not None for o in checked) <= 1


def test_the_limit_per_address_holds_across_accounts_under_a_burst(store_target, store, world, hasher) -> None:
    guesses = [(f"nobody{i}@example.org", "a wrong password") for i in range(MAX_FAILURES_PER_ADDRESS + 10)]
    outcomes = _burst(store_target, store, guesses, address="198.51.100.7")
    assert sum(o is None for o in outcomes) == MAX_FAILURES_PER_ADDRESS
    assert hasher.verified == MAX_FAILURES_PER_ADDRESS
    # Another address is not affected.
    assert authenticate(store, "alice@example.org", PASSWORD, address="192.0.2.1") is not None

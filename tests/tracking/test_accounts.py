"""Users, argon2 hashes, sessions and the sign-in rate limit, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from clusterix.errors import DataSourceError, InvalidInputError
from clusterix.storage import Store
from clusterix.tracking import (
    AccessDeniedError,
    TooManyAttemptsError,
    UnknownOrganisationError,
    accounts,
    authenticate,
    create_session,
    create_user,
    delete_session,
    ensure_tracking_schema,
    list_users,
    schema,
    session_for,
)
from clusterix.tracking.schema import TRACKING_SCHEMA_VERSION
from tests.tracking.world import PASSWORD, add_organisations


def test_schema_is_applied_once_and_again_harmlessly(store) -> None:
    ensure_tracking_schema(store.database)
    schema._READY.discard(store.database)  # as a new process would
    ensure_tracking_schema(store.database)
    rows = store.database.query("SELECT version FROM tracking_schema_version")
    assert rows["version"].tolist() == [TRACKING_SCHEMA_VERSION]


def test_passwords_are_stored_as_argon2id_hashes_only(store, world) -> None:
    hashes = store.database.query("SELECT email, password_hash FROM users ORDER BY id")
    assert len(hashes) == 4
    for stored in hashes["password_hash"]:
        assert stored.startswith("$argon2id$")
        assert PASSWORD not in stored
        assert PasswordHasher().verify(stored, PASSWORD)
    # Each hash has its own salt: equal passwords, different hashes.
    assert hashes["password_hash"].nunique() == 4


def test_authenticate_matches_email_case_insensitively_and_rejects_wrong_passwords(store, world) -> None:
    assert authenticate(store, "  Alice@Example.ORG ", PASSWORD).id == world.alice.id
    assert authenticate(store, "alice@example.org", PASSWORD + "x") is None
    assert authenticate(store, "nobody@example.org", PASSWORD) is None
    assert authenticate(store, "alice@example.org", None) is None  # type: ignore[arg-type]
    attempts = store.database.query("SELECT email, succeeded FROM login_attempts ORDER BY attempted")
    assert attempts["succeeded"].astype(bool).tolist() == [True, False, False]


def test_a_weak_hash_is_replaced_on_sign_in(store, tmp_path, monkeypatch) -> None:
    add_organisations(store, tmp_path)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", weak)
    user = create_user(store, "old@example.org", PASSWORD, role="admin", as_owner=True)
    before = store.database.scalar("SELECT password_hash FROM users WHERE id = ?", (user.id,))
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1))
    assert authenticate(store, "old@example.org", PASSWORD) is not None
    after = store.database.scalar("SELECT password_hash FROM users WHERE id = ?", (user.id,))
    assert after != before
    assert "m=1024,t=2,p=1" in after and "m=8,t=1,p=1" in before
    assert authenticate(store, "old@example.org", PASSWORD) is not None


def test_create_user_checks_its_input(store, world) -> None:
    with pytest.raises(InvalidInputError, match="already exists"):
        create_user(store, "ALICE@example.org", PASSWORD, organisation_id="A", actor=world.admin)
    with pytest.raises(UnknownOrganisationError, match="'Z' is not in the store"):
        create_user(store, "zed@example.org", PASSWORD, organisation_id="Z", actor=world.admin)
    with pytest.raises(InvalidInputError, match="must manage an organisation"):
        create_user(store, "zed@example.org", PASSWORD, actor=world.admin)
    with pytest.raises(InvalidInputError, match="15 to 1024 characters"):
        create_user(store, "zed@example.org", "short", organisation_id="A", actor=world.admin)
    with pytest.raises(InvalidInputError, match="'role' parameter of create_user"):
        create_user(store, "zed@example.org", PASSWORD, role="root", actor=world.admin)
    with pytest.raises(InvalidInputError, match="e-mail address"):
        create_user(store, "not an address", PASSWORD, organisation_id="A", actor=world.admin)
    with pytest.raises(AccessDeniedError, match="Only an admin") as denied:
        create_user(store, "zed@example.org", PASSWORD, organisation_id="A", actor=world.alice)
    assert not denied.value.anonymous
    with pytest.raises(AccessDeniedError) as denied:
        create_user(store, "zed@example.org", PASSWORD, organisation_id="A", actor=None)
    assert denied.value.anonymous
    assert int(store.database.scalar("SELECT count(*) FROM users")) == 4  # nothing half-written


def test_list_users_is_for_admins(store, world) -> None:
    assert [u.email for u in list_users(store, actor=world.admin)] == [
        "admin@example.org",
        "alice@example.org",
        "bob@example.org",
        "carol@example.org",
    ]
    with pytest.raises(AccessDeniedError):
        list_users(store, actor=world.alice)


def test_sessions_store_only_a_digest_and_end_on_sign_out(store, world) -> None:
    token, session = create_session(store, world.alice, kind="cookie")
    assert session.user == world.alice
    assert store.database.scalar("SELECT count(*) FROM auth_sessions WHERE token_hash = ?", (token,)) == 0
    assert session_for(store, token, kind="cookie").csrf_token == session.csrf_token
    assert session_for(store, token, kind="bearer") is None  # a cookie secret is no API token
    assert session_for(store, token + "x", kind="cookie") is None
    other, _ = create_session(store, world.alice, kind="cookie")
    assert other != token
    delete_session(store, token)
    assert session_for(store, token, kind="cookie") is None
    assert session_for(store, other, kind="cookie") is not None


def test_expired_sessions_are_refused(store, world, monkeypatch) -> None:
    token, _ = create_session(store, world.alice, kind="bearer")
    later = accounts._now() + accounts.SESSION_LIFETIMES["bearer"] + timedelta(seconds=1)
    monkeypatch.setattr(accounts, "_now", lambda: later)
    assert session_for(store, token, kind="bearer") is None


def test_five_failures_per_account_and_address_block_the_sixth_attempt(store, world) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        assert authenticate(store, "alice@example.org", "wrong password", address="10.0.0.1") is None
    with pytest.raises(TooManyAttemptsError, match="Too many failed sign-ins") as blocked:
        authenticate(store, "alice@example.org", PASSWORD, address="10.0.0.1")  # even the right password
    assert 0 < blocked.value.retry_after <= 15 * 60 + 1
    # Another address, and another account from the same address, are not blocked.
    assert authenticate(store, "alice@example.org", PASSWORD, address="10.0.0.2") is not None
    assert authenticate(store, "bob@example.org", PASSWORD, address="10.0.0.1") is not None


def test_the_block_lifts_after_the_window(store, world, monkeypatch) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        authenticate(store, "alice@example.org", "wrong password", address="10.0.0.1")
    later = accounts._now() + accounts.LOGIN_WINDOW + timedelta(seconds=1)
    monkeypatch.setattr(accounts, "_now", lambda: later)
    assert authenticate(store, "alice@example.org", PASSWORD, address="10.0.0.1") is not None


def test_a_success_forgives_earlier_failures(store, world) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT - 1):
        authenticate(store, "alice@example.org", "wrong password", address="10.0.0.1")
    assert authenticate(store, "alice@example.org", PASSWORD, address="10.0.0.1") is not None
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT - 1):
        authenticate(store, "alice@example.org", "wrong password", address="10.0.0.1")
    assert authenticate(store, "alice@example.org", PASSWORD, address="10.0.0.1") is not None


def test_unknown_accounts_are_throttled_too(store, world) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        authenticate(store, "ghost@example.org", "guess", address="10.0.0.9")
    with pytest.raises(TooManyAttemptsError):
        authenticate(store, "ghost@example.org", "guess", address="10.0.0.9")


def test_sql_like_text_is_data(store, world) -> None:
    hostile = "x'); DROP TABLE users; --@example.org"
    assert authenticate(store, hostile, "' OR '1'='1") is None
    assert int(store.database.scalar("SELECT count(*) FROM users")) == 4
    user = create_user(
        store,
        "robert@example.org",
        PASSWORD,
        display_name="Robert'); DROP TABLE users;--",
        role="admin",
        actor=world.admin,
    )
    assert list_users(store, actor=world.admin)[-1].display_name == "Robert'); DROP TABLE users;--"
    assert user.id == 5


def test_a_store_from_a_newer_clusterix_is_refused(store) -> None:
    ensure_tracking_schema(store.database)
    store.database.execute("INSERT INTO tracking_schema_version (version, applied_at) VALUES (99, '2030-01-01')")
    schema._READY.discard(store.database)
    with pytest.raises(DataSourceError, match="version 99, newer than this clusterix"):
        ensure_tracking_schema(store.database)


def test_a_read_only_store_without_the_tables_says_how_to_fix_it(tmp_path) -> None:
    path = str(tmp_path / "plain.duckdb")
    Store.open(path).close()
    with Store.open(path, read_only=True) as store, pytest.raises(DataSourceError, match="open the store writable"):
        list_users(store, as_owner=True)

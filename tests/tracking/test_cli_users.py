"""``clusterix users add|list``: the first admin from the command line."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from clusterix.cli import app
from clusterix.storage import Store
from clusterix.tracking import accounts, authenticate
from tests.tracking.world import CHEAP_HASHER, PASSWORD, add_organisations

runner = CliRunner()


@pytest.fixture
def target(tmp_path, monkeypatch) -> str:
    monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)
    path = str(tmp_path / "store.duckdb")
    with Store.open(path) as store:
        add_organisations(store, tmp_path)
    return path


def test_add_an_admin_with_the_password_on_stdin(target) -> None:
    result = runner.invoke(
        app,
        ["users", "add", "Root@Example.org", "--role", "admin", "--password-stdin", "--db", target],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "added admin root@example.org (id 1)" in result.output
    with Store.open(target) as store:
        user = authenticate(store, "root@example.org", PASSWORD)
        assert user is not None and user.is_admin
        stored = store.database.scalar("SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$") and PasswordHasher().verify(stored, PASSWORD)


def test_add_a_member_of_an_organisation_and_list(target) -> None:
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "alice@example.org",
            "--organisation",
            "A",
            "--name",
            "Alice",
            "--password-stdin",
            "--db",
            target,
        ],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["users", "list", "--db", target])
    assert listed.exit_code == 0
    assert "alice@example.org" in listed.output and "Alice" in listed.output and "member" in listed.output
    assert "$argon2" not in listed.output


@pytest.mark.parametrize(
    ("arguments", "stdin", "message"),
    [
        (["x@example.org", "--organisation", "ZZ"], PASSWORD, "Organisation 'ZZ' is not in the store"),
        (["x@example.org"], PASSWORD, "A member must manage an organisation"),
        (["x@example.org", "--role", "root"], PASSWORD, "'role' parameter of create_user"),
        (["x@example.org", "--organisation", "A"], "short", "15 to 1024 characters"),
        (["x@example.org", "--organisation", "A"], "", "held no password"),
        (["not-an-email", "--organisation", "A"], PASSWORD, "must be an e-mail address"),
    ],
)
def test_user_errors_exit_with_code_2(target, arguments, stdin, message) -> None:
    result = runner.invoke(app, ["users", "add", *arguments, "--password-stdin", "--db", target], input=stdin + "\n")
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_no_terminal_and_no_stdin_flag_is_a_clear_error(target) -> None:
    result = runner.invoke(app, ["users", "add", "x@example.org", "--organisation", "A", "--db", target])
    assert result.exit_code == 2
    assert "--password-stdin" in result.output


def test_the_password_prompt_asks_twice(target, monkeypatch) -> None:
    from clusterix.cli import users as cli_users

    monkeypatch.setattr(cli_users, "_is_terminal", lambda: True)
    mismatch = runner.invoke(
        app,
        ["users", "add", "p@example.org", "--organisation", "A", "--db", target],
        input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert mismatch.exit_code == 0, mismatch.output
    assert "Error: The two entered values do not match." in mismatch.output
    assert PASSWORD not in mismatch.output  # hidden input is not echoed
    with Store.open(target) as store:
        assert authenticate(store, "p@example.org", PASSWORD) is not None

"""Account commands of the ``clusterix`` command line: ``clusterix users add|list``.

Whoever may write the store may add users here; this is how the first admin of a web
platform is created (the web form for adding users is for admins only).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from clusterix.errors import InvalidInputError

__all__ = ["register"]

_out = Console()
_err = Console(stderr=True)

Db = Annotated[str | None, typer.Option(help="The store (path or postgresql:// URL).")]


def _is_terminal() -> bool:
    return sys.stdin.isatty()


def _read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or typed twice at a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise InvalidInputError("--password-stdin: standard input held no password (an empty first line).")
        return password
    if not _is_terminal():
        raise InvalidInputError("No terminal to ask for the password; pipe it in with --password-stdin.")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def register(app: typer.Typer, user_errors: Callable) -> None:
    """Add the ``users`` command group to the main application."""
    users = typer.Typer(help="Accounts of the web platform (members and admins).", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.command("add")
    @user_errors
    def add_command(
        email: Annotated[str, typer.Argument(help="E-mail address, used to sign in.")],
        role: Annotated[str, typer.Option(help="member (manages one organisation) or admin.")] = "member",
        organisation: Annotated[
            str | None, typer.Option(help="Id of the organisation the user manages (required for members).")
        ] = None,
        name: Annotated[str | None, typer.Option(help="Display name (default: the part before @).")] = None,
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
        ] = False,
        db: Db = None,
    ) -> None:
        """Add a user to the store (asks for the password unless --password-stdin)."""
        from clusterix.storage import Store
        from clusterix.tracking import create_user

        password = _read_password(password_stdin)
        with Store.open(db) as store:
            user = create_user(
                store,
                email,
                password,
                display_name=name,
                role=role,
                organisation_id=organisation,
                as_owner=True,
            )
        where = f" for organisation {user.organisation_id}" if user.organisation_id else ""
        _err.print(f"added {user.role} {user.email} (id {user.id}){where}", highlight=False)

    @users.command("list")
    @user_errors
    def list_command(db: Db = None) -> None:
        """List the users of the store (never their password hashes)."""
        from clusterix.storage import Store
        from clusterix.tracking import list_users

        with Store.open(db) as store:
            found = list_users(store, as_owner=True)
        table = Table("id", "email", "name", "role", "organisation", "created")
        for user in found:
            table.add_row(
                str(user.id),
                user.email,
                user.display_name,
                user.role,
                user.organisation_id or "",
                user.created.strftime("%Y-%m-%d %H:%M"),
            )
        _out.print(table)

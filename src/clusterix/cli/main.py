"""The ``clusterix`` command line: the root Typer app and its command groups.

The error contract (:func:`clusterix.cli._shared.user_errors`): an anticipated failure
(any :class:`~clusterix.errors.ClusterixError`, a file that cannot be read or written)
becomes one ``error: ...`` line on stderr and exit code 2; an unexpected one an
``internal error: ...`` line asking for a report, exit code 1. The traceback is shown only
with ``--debug``. Each group lives in its own module and calls the application layer
(:mod:`clusterix.app`).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from clusterix import __version__
from clusterix.cli import data, indicators, partners, profile, users, web
from clusterix.cli._shared import out as _out
from clusterix.cli._shared import set_debug, user_errors

__all__ = ["app", "main"]

app = typer.Typer(
    name="clusterix",
    help="Smart regional profiling: specialisation, relatedness and complexity indicators.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        _out.print(f"clusterix {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an error (also CLUSTERIX_DEBUG=1).")
    ] = False,
) -> None:
    """clusterix command line."""
    set_debug(debug)


for group in (indicators, data, profile, partners, users, web):
    group.register(app, user_errors)


def main() -> None:
    """Console entry point."""
    app(prog_name="clusterix")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

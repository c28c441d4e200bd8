"""Optional dependencies: the extras of ``pyproject.toml``, imported only when used.

The core install covers the library and the command line. The web app (``web``), the
region reports (``report``), a PostgreSQL store (``postgres``) and the approximate
partner index (``ann``) need extras. :func:`require` imports a module of an extra and,
when it is missing, raises :class:`~clusterix.errors.InvalidInputError` naming the exact
install command, so every face tells the user what to do instead of showing a traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from clusterix.errors import InvalidInputError

__all__ = ["install_command", "require"]


def install_command(extra: str) -> str:
    """The pip command that installs ``extra``.

    >>> install_command("web")
    "pip install 'clusterix[web]'"
    """
    return f"pip install 'clusterix[{extra}]'"


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """Import and return ``module``, or name the extra that provides it.

    ``purpose`` says what needs the module, as the subject of a sentence ("The web app",
    "Rendering a region report"); the error reads "<purpose> needs the '<extra>' extra:
    pip install 'clusterix[<extra>]'".

    >>> require("json", "web", "The web app").__name__
    'json'
    >>> require("clusterix_no_such_module", "web", "The web app")
    Traceback (most recent call last):
    ...
    clusterix.errors.InvalidInputError: The web app needs the 'web' extra: pip install 'clusterix[web]'
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise InvalidInputError(f"{purpose} needs the {extra!r} extra: {install_command(extra)}") from error

"""What every command group of the command line shares: the consoles, the error contract
(``user_errors``), the option types and the writers of result tables.

The error contract: a command ends either normally (exit code 0) or with one line on
stderr. A failure clusterix anticipates (any :class:`~clusterix.errors.ClusterixError`, a
file that cannot be read or written, no memory left) prints ``error: ...`` naming what and
where, and exits with code 2; anything else is a bug, and prints ``internal error: ...``
with a hint to report it, exit code 1. The traceback is shown only with ``clusterix --debug``
(or ``CLUSTERIX_DEBUG=1``).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import traceback
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, NoReturn

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from typer.exceptions import TyperException

from clusterix.errors import ClusterixError, InvalidInputError

__all__ = ["Db", "check_db", "err", "fail", "out", "set_debug", "store_table", "user_errors", "write_tables"]

err = Console(stderr=True)
out = Console()

USER_ERROR = 2
"""Exit code of an anticipated failure: bad input, options, files or store."""
INTERNAL_ERROR = 1
"""Exit code of an unexpected failure (a bug in clusterix)."""

_debug = {"on": False}


def set_debug(on: bool) -> None:
    """Show tracebacks (``clusterix --debug`` or ``CLUSTERIX_DEBUG=1``)."""
    _debug["on"] = on or os.environ.get("CLUSTERIX_DEBUG", "") not in ("", "0")


def _line(prefix: str, message: str) -> None:
    # one line: newlines folded; escaped, as a message may hold brackets that are not
    # markup, e.g. pip install 'clusterix[web]'
    text = " ".join(message.split())
    err.print(f"[bold red]{prefix}[/] {escape(text)}", highlight=False, soft_wrap=True)


def fail(message: str, code: int = USER_ERROR) -> NoReturn:
    """Print ``error: message`` as one line on stderr and exit with ``code``."""
    _line("error:", message)
    raise typer.Exit(code)


def _os_message(error: OSError) -> str:
    what = error.strerror or str(error) or type(error).__name__
    where = [str(name) for name in (error.filename, error.filename2) if name]
    return f"{what}: {' -> '.join(where)}" if where else what


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Apply the error contract (module docstring) to a command."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, TyperException):
            raise  # typer's own exits and usage errors
        except ClusterixError as error:
            _show_traceback()
            fail(str(error))
        except OSError as error:  # a file or folder that cannot be read or written, a full disk
            _show_traceback()
            fail(_os_message(error))
        except MemoryError:
            _show_traceback()
            fail("not enough memory for this input; free memory or split the input.")
        except KeyboardInterrupt:
            _line("error:", "interrupted.")
            raise typer.Exit(130) from None
        except Exception as error:  # noqa: BLE001 - the contract is total: a bug becomes one line too
            _show_traceback()
            detail = " ".join(str(error).split())[:300]
            _line(
                "internal error:",
                f"{type(error).__name__}{': ' + detail if detail else ''}. This is a bug in clusterix: "
                "please report it to the maintainers with the command you ran (run it again as "
                "'clusterix --debug ...' to see the traceback).",
            )
            raise typer.Exit(INTERNAL_ERROR) from None

    return wrapper


def _show_traceback() -> None:
    if _debug["on"]:
        err.print(traceback.format_exc(), highlight=False, markup=False, end="")


def check_db(value: str | None) -> str | None:
    """Refuse a ``--db`` that is not a store before the command does any work."""
    if value is None:
        return None
    from clusterix.storage.db import check_target

    try:
        check_target(value)
    except ClusterixError as error:
        fail(str(error))
    return value


Db = Annotated[
    str | None,
    typer.Option(help="The store: DuckDB path or postgresql:// URL (else CLUSTERIX_DB).", callback=check_db),
]


def output_kind(out: Path) -> str:
    suffixes = [s.lower() for s in out.suffixes]
    if suffixes and suffixes[-1] in (".parquet", ".pq"):
        return "parquet"
    if ".csv" in suffixes:
        return "csv"
    raise InvalidInputError(f"--out must end in .csv, .csv.gz or .parquet; got {out.name}")


def write_tables(frames: Iterable[pd.DataFrame], out: Path) -> int:
    """Write frames with the same columns one after another to CSV (.gz) or Parquet, so a
    long panel never has to be held in memory at once. Returns the number of rows.

    The file appears only once complete; a folder that cannot be created or written, or a
    full disk, raises :class:`~clusterix.errors.InvalidInputError` naming ``out``.
    """
    kind = output_kind(out)
    try:
        return _write_tables(frames, out, kind)
    except OSError as error:
        if isinstance(error, ClusterixError):
            raise
        raise InvalidInputError(f"Cannot write {out}: {error.strerror or error}.") from error


def _write_tables(frames: Iterable[pd.DataFrame], out: Path, kind: str) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    rows = 0
    writer = None
    try:
        if kind == "parquet":
            try:
                import pyarrow as pa
                import pyarrow.parquet as pq
            except ImportError as error:
                raise InvalidInputError("Writing Parquet needs pyarrow: pip install 'clusterix[io]'") from error
            for frame in frames:
                batch = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(partial, batch.schema)
                writer.write_table(batch)
                rows += len(frame)
        else:
            opener = gzip.open if out.suffix.lower() == ".gz" else open
            with opener(partial, "wt", encoding="utf-8", newline="") as handle:
                for frame in frames:
                    frame.to_csv(handle, index=False, header=rows == 0)
                    rows += len(frame)
        if writer is not None:
            writer.close()
            writer = None
        partial.replace(out)  # the output appears only once complete
    finally:
        if writer is not None:
            writer.close()
        with contextlib.suppress(OSError):  # the folder is not there or not writable: nothing was left
            partial.unlink(missing_ok=True)
    return rows


def store_table(db: str | None, dataset: str, measure: str | None) -> pd.DataFrame:
    """A stored dataset's observations with a value, as a long table ``region, activity, time,
    value`` (:func:`clusterix.app.datasets.observations_table`, the one loader of every face)."""
    from clusterix.app import Workspace
    from clusterix.app.datasets import observations_table

    with Workspace.open(db, read_only=True) as workspace:
        table = observations_table(workspace, dataset, measure)
    if table.missing:
        err.print(f"{table.missing:,} observations without a value (e.g. ':') left out")
    return table.frame

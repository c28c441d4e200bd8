"""What every command group of the command line shares: the consoles, the error contract
(``user_errors``), the option types and the writers of result tables."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape

from clusterix.errors import ClusterixError, InvalidInputError

__all__ = ["Db", "err", "out", "store_table", "user_errors", "write_tables"]

err = Console(stderr=True)
out = Console()

Db = Annotated[str | None, typer.Option(help="The store (path or postgresql:// URL).")]


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn clusterix errors into 'error: ...' and exit code 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ClusterixError as error:
            # escaped: a message may hold brackets that are not markup, e.g. pip install 'clusterix[web]'
            err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def output_kind(out: Path) -> str:
    suffixes = [s.lower() for s in out.suffixes]
    if suffixes and suffixes[-1] in (".parquet", ".pq"):
        return "parquet"
    if ".csv" in suffixes:
        return "csv"
    raise InvalidInputError(f"--out must end in .csv, .csv.gz or .parquet; got {out.name}")


def write_tables(frames: Iterable[pd.DataFrame], out: Path) -> int:
    """Write frames with the same columns one after another to CSV (.gz) or Parquet, so a
    long panel never has to be held in memory at once. Returns the number of rows."""
    kind = output_kind(out)
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

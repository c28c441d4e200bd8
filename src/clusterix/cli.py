"""The ``clusterix`` command line: a thin shell over the library.

User errors (any :class:`~clusterix.errors.ClusterixError`) become a one-line message
on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterable
from functools import wraps
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from clusterix import __version__
from clusterix.errors import ClusterixError, InvalidInputError
from clusterix.indicators.conventions import CONVENTIONS, resolve_conventions
from clusterix.indicators.frame import complexity_frames, region_summary
from clusterix.pipeline import ComplexityOptions, run_all
from clusterix.tables import read_table, validate_long

app = typer.Typer(
    name="clusterix",
    help="Smart regional profiling: specialisation, relatedness and complexity indicators.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
_err = Console(stderr=True)
_out = Console()


def _user_errors(command):
    """Turn clusterix errors into 'error: ...' and exit code 2."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ClusterixError as error:
            _err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        _out.print(f"clusterix {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """clusterix command line."""


def _output_kind(out: Path) -> str:
    suffixes = [s.lower() for s in out.suffixes]
    if suffixes and suffixes[-1] in (".parquet", ".pq"):
        return "parquet"
    if ".csv" in suffixes:
        return "csv"
    raise InvalidInputError(f"--out must end in .csv, .csv.gz or .parquet; got {out.name}")


def write_tables(frames: Iterable[pd.DataFrame], out: Path) -> int:
    """Write frames with the same columns one after another to CSV (.gz) or Parquet, so a
    long panel never has to be held in memory at once. Returns the number of rows."""
    kind = _output_kind(out)
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


@app.command()
@_user_errors
def indicators(
    input: Annotated[Path | None, typer.Argument(help="Long table: CSV (.gz), TSV, Parquet or Excel.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output .csv, .csv.gz or .parquet.")] = Path(
        "indicators.csv.gz"
    ),
    dataset: Annotated[str | None, typer.Option(help="Read this dataset from the store instead of a file.")] = None,
    measure: Annotated[
        str | None, typer.Option(help="With --dataset: the measure to use (see 'clusterix datasets').")
    ] = None,
    db: Annotated[str | None, typer.Option(help="The store (path or postgresql:// URL).")] = None,
    region: Annotated[str, typer.Option(help="Region column.")] = "region",
    activity: Annotated[str, typer.Option(help="Activity column (industry, technology, ...).")] = "activity",
    value: Annotated[str, typer.Option(help="Value column (employment, patents, ...).")] = "value",
    time: Annotated[str | None, typer.Option(help="Time column, for panels.")] = None,
    threshold: Annotated[float, typer.Option(help="Presence where RCA >= threshold.")] = 1.0,
    method: Annotated[str, typer.Option(help="ECI method: eigenvector or reflections.")] = "eigenvector",
    cog_variant: Annotated[str, typer.Option(help="COG variant: growthlab or atlas.")] = "growthlab",
    conventions: Annotated[str, typer.Option(help=f"Peer conventions: {', '.join(CONVENTIONS)}.")] = "growthlab",
    summary: Annotated[Path | None, typer.Option(help="Also write region-level concentration measures here.")] = None,
    encoding: Annotated[str, typer.Option(help="Text encoding of CSV/TSV input.")] = "utf-8",
) -> None:
    """Compute RCA, presence, diversity, ubiquity, ECI, PCI, density, COI and COG."""
    options = ComplexityOptions(
        threshold=threshold,
        method=method,
        cog_variant=cog_variant,
        conventions=resolve_conventions(conventions, function="indicators"),
    )
    _output_kind(out)  # fail on a bad --out before reading a large input
    if (input is None) == (dataset is None):
        raise InvalidInputError("Give either an INPUT file or --dataset NAME (from the store), not both.")
    if dataset is not None:
        frame = _store_observations(db, dataset, measure)
        region, activity, value, time = "region", "activity", "value", "time"
    else:
        frame = read_table(input, encoding=encoding)
    table = validate_long(frame, region=region, activity=activity, value=value, time=time)
    n_periods = 1 if table.periods is None else len(table.periods)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_err,
        transient=True,
        disable=not _err.is_terminal,
    ) as progress:
        task = progress.add_task("periods", total=n_periods)

        def tracked():
            for result in run_all(table.matrices(), options):
                progress.advance(task)
                yield result

        frames = complexity_frames(tracked(), table, region=region, activity=activity, time=time)
        rows = write_tables(frames, out)
    _err.print(f"wrote {rows:,} rows to {out}")
    if summary is not None:
        write_tables(
            [region_summary(frame, region=region, activity=activity, value=value, time=time)],
            summary,
        )
        _err.print(f"wrote region summary to {summary}")


def _store_observations(db: str | None, dataset: str, measure: str | None) -> pd.DataFrame:
    """A dataset's observations with a value, as a long table for the indicators."""
    from clusterix.storage import Store

    with Store.open(db, read_only=True) as store:
        frame = store.observations(dataset, measure=measure)
    measures = frame["measure"].unique()
    if len(measures) > 1:
        listed = ", ".join(repr(m) for m in measures[:10])
        raise InvalidInputError(
            f"Dataset {dataset!r} holds {len(measures)} measures ({listed}); choose one with --measure."
        )
    missing = frame["value"].isna()
    if missing.any():
        _err.print(f"{int(missing.sum()):,} observations without a value (e.g. ':') left out")
    return frame.loc[~missing, ["region", "activity", "time", "value"]]


@app.command()
@_user_errors
def quickstart(
    data_from: Annotated[
        Path | None,
        typer.Option("--from", help="Folder with local copies of the real data sets."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for the results.")] = Path("out"),
) -> None:
    """Run the indicators on real UK employment data (BRES, by NUTS2 x SIC4) and show
    the most complex regions; without data, on a clearly labelled synthetic example."""
    from clusterix.quickstart import run_quickstart

    report = run_quickstart(data_from, out)
    _out.print(report.title, style="bold")
    _out.print(report.table)
    for line in report.notes:
        _out.print(line)


import clusterix.cli_partners as cli_partners  # noqa: E402 - partners, evaluate partners
from clusterix import cli_data, cli_profile, cli_users, cli_web  # noqa: E402 - register their commands on `app`

cli_data.register(app, _user_errors)
cli_profile.register(app, _user_errors)
cli_partners.register(app, _user_errors)
cli_users.register(app, _user_errors)
cli_web.register(app, _user_errors)


def main() -> None:
    """Console entry point."""
    app(prog_name="clusterix")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

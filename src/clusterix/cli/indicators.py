"""Indicator commands of the command line: ``indicators`` and ``quickstart``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from clusterix.cli._shared import err as _err
from clusterix.cli._shared import out as _out
from clusterix.cli._shared import output_kind, store_table, write_tables
from clusterix.errors import InvalidInputError
from clusterix.indicators.conventions import CONVENTIONS, resolve_conventions
from clusterix.indicators.frame import complexity_frames, region_summary
from clusterix.indicators.pipeline import ComplexityOptions, run_all
from clusterix.tables import read_long_table, validate_long

__all__ = ["register"]


def register(app: typer.Typer, _user_errors) -> None:
    """Add ``indicators`` and ``quickstart`` to the main application."""

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
        summary: Annotated[
            Path | None, typer.Option(help="Also write region-level concentration measures here.")
        ] = None,
        encoding: Annotated[str, typer.Option(help="Text encoding of CSV/TSV input.")] = "utf-8",
    ) -> None:
        """Compute RCA, presence, diversity, ubiquity, ECI, PCI, density, COI and COG."""
        options = ComplexityOptions(
            threshold=threshold,
            method=method,
            cog_variant=cog_variant,
            conventions=resolve_conventions(conventions, function="indicators"),
        )
        output_kind(out)  # fail on a bad --out before reading a large input
        if (input is None) == (dataset is None):
            raise InvalidInputError("Give either an INPUT file or --dataset NAME (from the store), not both.")
        if dataset is not None:
            frame = store_table(db, dataset, measure)
            region, activity, value, time = "region", "activity", "value", "time"
            table = validate_long(frame, region=region, activity=activity, value=value, time=time)
        else:
            frame, table = read_long_table(
                input, encoding=encoding, region=region, activity=activity, value=value, time=time
            )
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
        from clusterix.app.quickstart import run_quickstart

        report = run_quickstart(data_from, out)
        _out.print(report.title, style="bold")
        _out.print(report.table)
        for line in report.notes:
            _out.print(line)

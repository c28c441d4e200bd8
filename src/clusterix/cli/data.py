"""Data commands of the ``clusterix`` command line: fetch, ingest, datasets, regions.

A thin shell: each command parses its options, calls the readers and the store, and
prints a short report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from clusterix.cli._shared import Db
from clusterix.errors import InvalidInputError

__all__ = ["register"]

_err = Console(stderr=True)
_out = Console()

Name = Annotated[str | None, typer.Option(help="Dataset name (default: the file name).")]
Replace = Annotated[bool, typer.Option(help="Replace a dataset of the same name.")]
Reference = Annotated[
    Path | None,
    typer.Option(help="Folder with the official NUTS tables (else they are downloaded and cached)."),
]


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=_err,
        transient=True,
        disable=not _err.is_terminal,
    )


def _tracked(frames: Iterable[pd.DataFrame], progress: Progress, description: str) -> Iterator[pd.DataFrame]:
    task = progress.add_task(description, total=None)
    for frame in frames:
        progress.advance(task, len(frame))
        yield frame


def _ensure_regions(store, version: int | None, reference: Path | None) -> None:
    """Load NUTS ``version`` into the store if it is not there yet."""
    if version is None or not store.regions(version=version).empty:
        return
    from clusterix.reference.nuts import nuts_regions

    store.import_regions(nuts_regions(version, source=reference))


_SCHEMES = {"nace_r2": "2", "nace_r2_1": "2.1"}
Scheme = Annotated[
    str | None,
    typer.Option(help="Check activity codes against nace_r2 (NACE Rev. 2) or nace_r2_1 (Rev. 2.1)."),
]
Classification = Annotated[
    Path | None,
    typer.Option(help="Local file of the NACE classification (else it is downloaded; Rev. 2.1 ships offline)."),
]


def _ensure_classification(store, scheme: str | None, source: Path | None) -> None:
    """Load a NACE revision into the store if it is not there yet, under both spellings
    of its codes ('10.11' and Eurostat's 'C1011')."""
    if scheme is None:
        return
    if scheme not in _SCHEMES:
        raise InvalidInputError(f"--activity-scheme must be one of {', '.join(_SCHEMES)}; got {scheme!r}.")
    if store.has_classification(scheme):
        return
    from clusterix.reference.nace import nace_codes

    codes = nace_codes(_SCHEMES[scheme], source=source)
    both = pd.concat([codes, codes.assign(code=codes["eurostat"])], ignore_index=True)
    store.import_classification(scheme, both.drop_duplicates("code"))


def _import_observations(
    db: str | None,
    frames: Iterable[pd.DataFrame],
    *,
    nuts_version: int | None,
    reference: Path | None,
    activity_scheme: str | None,
    classification: Path | None,
    **options,
):
    """Open the store, load the reference data the checks need, and import ``frames``."""
    from clusterix.storage import Store

    with Store.open(db) as store:
        _ensure_regions(store, nuts_version, reference)
        _ensure_classification(store, activity_scheme, classification)
        return store.import_observations(
            frames, region_version=nuts_version, activity_scheme=activity_scheme, **options
        )


def _report(result, path: Path, *, sheet: str | None = None) -> None:
    where = f"{path} (sheet {sheet!r})" if sheet is not None else str(path)
    if not result.created:
        _out.print(f"{where} is already in the store as {result.dataset!r} ({result.rows:,} rows); nothing changed")
        return
    dropped = f"; {result.dropped:,} rows with unknown codes dropped" if result.dropped else ""
    _out.print(f"imported {result.rows:,} rows from {where} as {result.dataset!r}{dropped}")


def register(app: typer.Typer, user_errors: Callable) -> None:
    """Add the data commands to the main application."""
    ingest = typer.Typer(help="Import official and user files into the store.", no_args_is_help=True)
    fetch = typer.Typer(help="Download official files (cached, checksummed).", no_args_is_help=True)
    app.add_typer(ingest, name="ingest")
    app.add_typer(fetch, name="fetch")

    @fetch.command("eurostat")
    @user_errors
    def fetch_eurostat_command(
        dataset: Annotated[str, typer.Argument(help="Eurostat dataset code, e.g. sbs_r_nuts06_r2.")],
        filter: Annotated[
            list[str] | None, typer.Option("--filter", help="dim=value, repeatable (e.g. geo=DE21).")
        ] = None,
        folder: Annotated[Path | None, typer.Option(help="Cache folder (else CLUSTERIX_DATA_DIR).")] = None,
        start: Annotated[str | None, typer.Option(help="First period, e.g. 2015.")] = None,
        end: Annotated[str | None, typer.Option(help="Last period.")] = None,
        format: Annotated[str, typer.Option(help="tsv or sdmx-csv.")] = "tsv",
        refresh: Annotated[bool, typer.Option(help="Download again even if cached.")] = False,
    ) -> None:
        """Download a Eurostat dataset through the public dissemination API."""
        from clusterix.ingest.eurostat import fetch_eurostat

        filters: dict[str, list[str]] = {}
        for item in filter or []:
            dimension, sep, value = item.partition("=")
            if not sep or not dimension or not value:
                raise InvalidInputError(f"--filter must look like dim=value; got {item!r}.")
            filters.setdefault(dimension.strip(), []).append(value.strip())
        path = fetch_eurostat(
            dataset, filters=filters or None, folder=folder, start=start, end=end, format=format, refresh=refresh
        )
        _out.print(f"{dataset} -> {path}")

    @ingest.command("eurostat")
    @user_errors
    def ingest_eurostat(
        path: Annotated[Path, typer.Argument(help="Eurostat bulk TSV (.tsv/.tsv.gz) or SDMX-CSV file.")],
        db: Db = None,
        name: Name = None,
        activity_dimension: Annotated[
            str | None, typer.Option(help="The dimension holding activities (default: nace_r2 ...).")
        ] = None,
        nuts_version: Annotated[int | None, typer.Option(help="Check regions against NUTS 2013/2016/2021.")] = None,
        reference: Reference = None,
        activity_scheme: Scheme = None,
        classification: Classification = None,
        unknown_codes: Annotated[str, typer.Option(help="raise, or drop rows with unknown codes.")] = "raise",
        dimensions: Annotated[
            str | None,
            typer.Option(help="Expected dimensions, e.g. freq,unit,nace_r2,geo: refuse another dataset's file."),
        ] = None,
        allow_negative: Annotated[bool, typer.Option(help="Accept negative values (e.g. growth rates).")] = False,
        encoding: Annotated[str, typer.Option(help="Text encoding.")] = "utf-8",
        replace: Replace = False,
    ) -> None:
        """Import a Eurostat bulk TSV or SDMX-CSV file (flags kept)."""
        from clusterix.ingest import eurostat

        with _progress() as progress:
            frames = eurostat.read_eurostat(
                path,
                activity_dimension=activity_dimension or "auto",
                expected_dimensions=dimensions.split(",") if dimensions else None,
                allow_negative=allow_negative,
                encoding=encoding,
            )
            result = _import_observations(
                db,
                _tracked(frames, progress, f"importing {path.name}"),
                source="eurostat",
                path=path,
                name=name,
                nuts_version=nuts_version,
                reference=reference,
                activity_scheme=activity_scheme,
                classification=classification,
                unknown_codes=unknown_codes,
                replace=replace,
                allow_negative=allow_negative,
            )
        _report(result, path)

    @ingest.command("csv")
    @user_errors
    def ingest_csv(
        path: Annotated[Path, typer.Argument(help="CSV (.gz), TSV, Parquet or Excel file.")],
        region: Annotated[str, typer.Option(help="Region column.")] = "region",
        activity: Annotated[str, typer.Option(help="Activity column.")] = "activity",
        value: Annotated[str, typer.Option(help="Value column.")] = "value",
        time: Annotated[str | None, typer.Option(help="Time column (else one period, 'all').")] = None,
        measure: Annotated[str | None, typer.Option(help="Measure column (else the value column's name).")] = None,
        db: Db = None,
        name: Name = None,
        nuts_version: Annotated[int | None, typer.Option(help="Check regions against NUTS 2013/2016/2021.")] = None,
        reference: Reference = None,
        activity_scheme: Scheme = None,
        classification: Classification = None,
        unknown_codes: Annotated[str, typer.Option(help="raise, or drop rows with unknown codes.")] = "raise",
        encoding: Annotated[str, typer.Option(help="Text encoding of CSV/TSV.")] = "utf-8",
        sheet: Annotated[
            str | None,
            typer.Option(help="Excel: the sheet to read, by name or 0-based index (default: the first)."),
        ] = None,
        replace: Replace = False,
    ) -> None:
        """Import a user table with a column mapping (streamed in chunks, all or nothing)."""
        from clusterix.ingest.user_table import read_user_table
        from clusterix.tables import open_table

        table = open_table(path, encoding=encoding, sheet=sheet)
        frames = read_user_table(table, region=region, activity=activity, value=value, time=time, measure=measure)
        with _progress() as progress:
            result = _import_observations(
                db,
                _tracked(frames, progress, f"importing {path.name}"),
                # a workbook's sheets are imported one by one: the sheet is part of the provenance
                source="csv" if table.sheet is None else f"csv:sheet={table.sheet}",
                path=path,
                name=name,
                nuts_version=nuts_version,
                reference=reference,
                activity_scheme=activity_scheme,
                classification=classification,
                unknown_codes=unknown_codes,
                replace=replace,
            )
        _report(result, path, sheet=table.sheet)

    @ingest.command("cordis")
    @user_errors
    def ingest_cordis(
        path: Annotated[
            Path,
            typer.Argument(help="CORDIS organisations file (CSV or JSON), or the folder of the H2020 extract."),
        ],
        projects: Annotated[Path | None, typer.Option(help="The matching CORDIS projects file.")] = None,
        db: Db = None,
        name: Name = None,
        replace: Replace = False,
    ) -> None:
        """Import CORDIS organisations, projects and participations."""
        from clusterix.ingest import cordis
        from clusterix.storage import Store

        if path.is_dir():
            tables = cordis.read_h2020_participations(path)
            source_file = sorted(path.glob("*participations*"))[0] if list(path.glob("*participations*")) else path
        elif path.suffix.lower() == ".json":
            tables = cordis.read_cordis_json(projects_path=projects, organizations_path=path)
            source_file = path
        else:
            tables = cordis.read_cordis_csv(projects_path=projects, organizations_path=path)
            source_file = path
        organisations, project_table, participations = _cordis_tables(tables)
        with Store.open(db) as store:
            result = store.import_organisations(
                organisations=organisations,
                projects=project_table,
                participations=participations,
                source="cordis",
                path=source_file,
                name=name,
                replace=replace,
            )
        _report(result, source_file)

    @app.command()
    @user_errors
    def datasets(
        db: Db = None,
        json_output: Annotated[bool, typer.Option("--json", help="Print JSON records instead of a table.")] = False,
    ) -> None:
        """What is loaded, with row counts and provenance."""
        from clusterix.storage import Store

        with Store.open(db) as store:
            frame = store.datasets()
        if json_output:
            _out.print_json(frame.to_json(orient="records", date_format="iso"))
            return
        table = Table("name", "kind", "source", "rows", "imported", "file", "sha256")
        for row in frame.itertuples():
            table.add_row(
                row.name,
                row.kind,
                row.source,
                f"{row.row_count:,}",
                str(row.imported_at)[:19],
                str(row.source_file),
                str(row.checksum)[:12],
            )
        _out.print(table if len(frame) else "the store is empty")

    @app.command()
    @user_errors
    def regions(
        level: Annotated[int | None, typer.Option(help="NUTS level 0-3.")] = None,
        version: Annotated[int, typer.Option(help="NUTS version: 2013, 2016 or 2021.")] = 2021,
        db: Db = None,
        reference: Reference = None,
    ) -> None:
        """List NUTS regions (loading the version into the store on first use)."""
        from clusterix.storage import Store

        with Store.open(db) as store:
            _ensure_regions(store, version, reference)
            frame = store.regions(level=level, version=version)
        table = Table("code", "name", "level", "parent")
        for row in frame.itertuples():
            table.add_row(row.code, str(row.name), str(row.level), str(row.parent or ""))
        _out.print(table)
        _out.print(f"{len(frame):,} regions (NUTS {version}{'' if level is None else f', level {level}'})")


def _cordis_tables(tables) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Accept the readers' result as a mapping or a (organisations, projects, participations) triple."""
    if isinstance(tables, dict):
        return tables["organisations"], tables["projects"], tables["participations"]
    if hasattr(tables, "organisations"):
        return tables.organisations, tables.projects, tables.participations
    organisations, projects, participations = tables
    return organisations, projects, participations

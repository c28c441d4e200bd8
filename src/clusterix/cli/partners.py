"""Partner commands of the ``clusterix`` command line: ``partners`` and ``evaluate partners``.

Organisations and participations come from the store (``clusterix ingest cordis``) or,
with ``--from DIR``, straight from the CORDIS H2020 extract. The fitted recommender is
cached on disk (see :func:`clusterix.partners.inputs.fit_cached`), so only the first call
on the same data pays for the fit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from clusterix.errors import DataSourceError, InvalidInputError, UnknownCodeError

__all__ = ["register"]

_out = Console()
_err = Console(stderr=True)

_FORMATS = ("table", "json", "csv")
_EXTRACT = "cordis-h2020-participations"

Db = Annotated[str | None, typer.Option(help="The store (path or postgresql:// URL).")]
From = Annotated[
    Path | None,
    typer.Option(
        "--from",
        help=f"Read the CORDIS H2020 extract from DIR/{_EXTRACT} (or DIR itself) instead of the store.",
    ),
]


def _extract_folder(folder: Path) -> Path:
    """The folder of the H2020 extract: DIR/cordis-h2020-participations, or DIR when it holds the files."""
    for candidate in (folder / _EXTRACT, folder):
        if (candidate / "h2020_participations.csv.gz").is_file():
            return candidate
    raise DataSourceError(
        f"No CORDIS H2020 extract in {folder}: expected {folder / _EXTRACT}/h2020_participations.csv.gz "
        "(the folder of data sets, or the extract's own folder)."
    )


def _cordis_tables(db: str | None, data_from: Path | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(organisations, projects, participations)`` from the extract or from the store."""
    if data_from is not None:
        from clusterix.ingest.cordis import read_h2020_participations

        return tuple(read_h2020_participations(_extract_folder(data_from)))
    from clusterix.storage import Store

    with Store.open(db, read_only=True) as store:
        organisations = store.organisations()
        participations = store.participations()
    if organisations.empty or participations.empty:
        raise DataSourceError(
            "The store holds no CORDIS organisations or participations. Import them with "
            "'clusterix ingest cordis FOLDER', or read the extract directly with --from DIR."
        )
    projects = pd.DataFrame(
        {
            "id": participations["project_id"].astype(str),
            "start_date": participations["start_date"],
            "programme_part": participations.get("programme_part"),
        }
    ).drop_duplicates("id")
    return organisations, projects.reset_index(drop=True), participations


def _split_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or None


def _emit(frame: pd.DataFrame, format: str, title: str, reasons: pd.Series | None) -> None:
    """Print a result table as a rich table (with reasons below), JSON records or CSV."""
    if format == "json":
        typer.echo(frame.to_json(orient="records", indent=2))
        return
    if format == "csv":
        typer.echo(frame.to_csv(index=False), nl=False)
        return
    table = Table(title=title, title_justify="left")
    # with reasons, the kind and the shared partners are in the words: keep the table within 80 columns
    hidden = ["reason", "kind", "shared_partners"] if reasons is not None else ["reason"]
    shown = frame.drop(columns=hidden, errors="ignore")
    for column in shown.columns:
        numeric = pd.api.types.is_numeric_dtype(shown[column]) and not pd.api.types.is_bool_dtype(shown[column])
        table.add_column(
            column if column == "partner_id" else column.replace("_", " "),
            justify="right" if numeric else "left",
            no_wrap=column == "partner_id",
            overflow="fold",
        )
    for row in shown.itertuples(index=False):
        table.add_row(*[f"{value:.2f}" if isinstance(value, float) else str(value) for value in row])
    _out.print(table)
    if reasons is not None:
        for rank, partner, reason in zip(frame["rank"], frame["partner_id"], reasons, strict=True):
            _out.print(f"{rank:>3}. {partner}: {reason}", highlight=False, soft_wrap=True)


def register(app: typer.Typer, user_errors: Callable) -> None:
    """Add ``partners`` and ``evaluate partners`` to the main application."""

    @app.command("partners")
    @user_errors
    def partners_command(
        org_id: Annotated[str, typer.Argument(metavar="ORG_ID", help="The organisation (CORDIS PIC or store id).")],
        k: Annotated[int, typer.Option("--k", help="Number of partners.")] = 10,
        kinds: Annotated[
            str | None,
            typer.Option(help="Only partners of these kinds, comma-separated (enterprise,higher_education,...)."),
        ] = None,
        regions: Annotated[
            str | None, typer.Option(help="Only partners in these NUTS regions or countries, comma-separated.")
        ] = None,
        explain: Annotated[
            bool, typer.Option("--explain", help="Show each partner's score components and the reason in words.")
        ] = False,
        db: Db = None,
        data_from: From = None,
        format: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
        refresh: Annotated[bool, typer.Option("--refresh", help="Fit again instead of using the cache.")] = False,
    ) -> None:
        """Recommend collaboration partners for an organisation, with the reasons."""
        from clusterix.app import Workspace
        from clusterix.app.partners import fitted, partner_recommendations, recommender_data
        from clusterix.partners.inputs import closest_ids, explain_partners, participations_with_projects
        from clusterix.partners.recommender import COMPONENTS

        if format not in _FORMATS:
            raise InvalidInputError(f"--format must be one of {', '.join(_FORMATS)}; got {format!r}.")
        if k < 1:
            raise InvalidInputError(f"--k must be at least 1; got {k}.")
        if data_from is not None:
            data = recommender_data(*participations_with_projects(_cordis_tables(db, data_from)))
        else:  # the store: the same inputs as the web's recommender
            with Workspace.open(db, read_only=True) as workspace:
                data = recommender_data(workspace.store.organisations(), workspace.store.participations())
        organisations, collaborations = data.organisations, data.collaborations
        if org_id not in set(organisations["id"]):
            hint = closest_ids(org_id, organisations)
            suggestion = f" Closest ids: {', '.join(hint)}." if hint else ""
            raise UnknownCodeError(
                f"Unknown organisation id {org_id!r}: not among the {len(organisations):,} organisations "
                f"{'in ' + str(data_from) if data_from is not None else 'in the store'}.{suggestion}"
            )
        started = time.perf_counter()
        model, hit = fitted(data, refresh=refresh)
        if hit:
            _err.print("using the cached model (--refresh to fit again)", highlight=False)
        else:
            seconds = time.perf_counter() - started
            _err.print(f"fitted the recommender in {seconds:.0f} s and cached it", highlight=False)
        if format == "json" and not explain and data_from is None:  # exactly the API's JSON
            with Workspace.open(db, read_only=True) as workspace:
                found = partner_recommendations(
                    workspace, org_id, k=k, kinds=_split_list(kinds), regions=_split_list(regions), recommender=model
                )
            typer.echo(found.model_dump_json(indent=1))
            return
        result = model.recommend(org_id, k=k, kinds=_split_list(kinds), regions=_split_list(regions))
        result.insert(0, "rank", range(1, len(result) + 1))
        reasons = None
        if explain:
            result = explain_partners(result, org_id, organisations, collaborations)
            reasons = result["reason"]
            order = ["rank", "partner_id", "kind", "score", *COMPONENTS, "shared_partners", "reason"]
        else:
            order = ["rank", "partner_id", "name", "kind", "country", "region", "score"]
        result = result[[column for column in order if column in result.columns]]
        if "name" in result.columns and result["name"].isna().all():
            result = result.drop(columns="name")
        if format != "table":
            reasons = None
        _emit(result, format, f"Partners for {org_id}", reasons)

    evaluate_app = typer.Typer(help="Evaluate methods on held-out data.", no_args_is_help=True)

    @evaluate_app.command("partners")
    @user_errors
    def evaluate_partners(
        data_from: From = None,
        db: Db = None,
        split_year: Annotated[int, typer.Option(help="First held-out year.")] = 2019,
        sample: Annotated[
            int | None, typer.Option(help="Evaluate a seeded sample of this many queries (default: all).")
        ] = None,
        seed: Annotated[int, typer.Option(help="Seed of the query sample.")] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    ) -> None:
        """Recall@10, Recall@50, nDCG@10 and MRR of the baselines and the recommender on a temporal split."""
        from clusterix.partners.comparison import COMPARISON_COLUMNS, compare_methods, relative_gain
        from clusterix.partners.evaluation import temporal_split

        split = temporal_split(_cordis_tables(db, data_from), split_year=split_year)
        _err.print(
            f"split {split_year}: {len(split.queries):,} queries, {len(split.candidates):,} candidates, "
            f"{len(split.test_pairs):,} test pairs",
            highlight=False,
        )
        table = compare_methods(
            split,
            sample=sample,
            seed=seed,
            progress=lambda name, seconds: _err.print(f"  {name}: {seconds:.0f} s", highlight=False),
        )
        gain = relative_gain(table)
        if as_json:
            payload: dict[str, Any] = {
                "split_year": split_year,
                "queries": len(split.queries) if sample is None else min(sample, len(split.queries)),
                "seed": seed,
                "methods": {
                    name: {column: round(float(row[column]), 6) for column in (*COMPARISON_COLUMNS, "seconds")}
                    for name, row in table.iterrows()
                },
                "recall@10_gain_over_best_baseline": round(gain, 6),
            }
            typer.echo(json.dumps(payload, indent=2))
            return
        output = Table(title=f"Partner recommendation, split {split_year}", title_justify="left")
        output.add_column("method")
        for column in COMPARISON_COLUMNS:
            output.add_column(column, justify="right")
        for name, row in table.iterrows():
            output.add_row(str(name), *[f"{row[column]:.4f}" for column in COMPARISON_COLUMNS])
        _out.print(output)
        _out.print(f"recommender Recall@10 vs the best baseline: {gain:+.1%}", highlight=False)

    app.add_typer(evaluate_app, name="evaluate")

"""Profiling commands of the ``clusterix`` command line: profile, peers, complementarity.

Each reads a long table from a file (``--input``) or from the store (``--dataset``),
calls the profiling library and prints JSON or writes an HTML/PDF report.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console

from clusterix.cli._shared import store_table
from clusterix.errors import InvalidInputError

__all__ = ["register"]

_out = Console()

Input = Annotated[Path | None, typer.Option("--input", help="Long table file (CSV, TSV, Parquet, Excel).")]
Dataset = Annotated[str | None, typer.Option(help="Read this dataset from the store instead of a file.")]
Measure = Annotated[str | None, typer.Option(help="With --dataset: the measure to use.")]
Db = Annotated[str | None, typer.Option(help="The store (path or postgresql:// URL).")]
RegionColumn = Annotated[str, typer.Option("--region", help="Region column.")]
ActivityColumn = Annotated[str, typer.Option("--activity", help="Activity column.")]
ValueColumn = Annotated[str, typer.Option("--value", help="Value column.")]
TimeColumn = Annotated[str | None, typer.Option("--time", help="Time column.")]
Year = Annotated[str | None, typer.Option("--year", help="The period to profile (default: the last).")]


def _long_table(
    input: Path | None, dataset: str | None, measure: str | None, db: str | None, columns: dict[str, str | None]
) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """The long table and its column names, from a file or from the store."""
    if (input is None) == (dataset is None):
        raise InvalidInputError("Give either --input FILE or --dataset NAME (from the store).")
    if dataset is not None:
        frame = store_table(db, dataset, measure)
        return frame, {"region": "region", "activity": "activity", "value": "value", "time": "time"}
    from clusterix.tables import read_table

    return read_table(input), columns


def _profiler(frame: pd.DataFrame, columns: dict[str, str | None], **options: Any):
    from clusterix.profiling.profile import RegionProfiler

    return RegionProfiler(
        frame,
        region=columns["region"],
        activity=columns["activity"],
        value=columns["value"],
        time=columns["time"],
        **options,
    )


def _emit(payload: dict, format: str, out: Path | None, render: Callable[[Path, str], object]) -> None:
    """JSON to stdout (or ``--out``), or ``render(out, format)`` for an HTML page or a PDF."""
    if format == "json":
        text = json.dumps(payload, indent=1, ensure_ascii=False, default=str)
        if out is None:
            typer.echo(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
            _out.print(f"wrote {out}")
        return
    if format not in ("html", "pdf"):
        raise InvalidInputError(f"--format must be json, html or pdf; got {format!r}.")
    if out is None:
        raise InvalidInputError(f"--format {format} needs --out FILE.")
    render(out, format)
    _out.print(f"wrote {out}")


def _profile_report(payload: dict) -> Callable[[Path, str], object]:
    def render(path: Path, format: str) -> object:
        from clusterix.profiling.report import write_report

        return write_report(payload, path, format=format)

    return render


def _tables_report(title: str, sections: list) -> Callable[[Path, str], object]:
    def render(path: Path, format: str) -> object:
        from clusterix.profiling.report import write_tables_report

        return write_tables_report(title, sections, path, format=format)

    return render


def register(app: typer.Typer, user_errors: Callable) -> None:
    """Add the profiling commands to the main application."""

    @app.command("profile")
    @user_errors
    def profile_command(
        region_code: Annotated[str, typer.Argument(metavar="REGION", help="Region code, e.g. UKI3.")],
        input: Input = None,
        dataset: Dataset = None,
        measure: Measure = None,
        db: Db = None,
        region: RegionColumn = "region",
        activity: ActivityColumn = "activity",
        value: ValueColumn = "value",
        time: TimeColumn = None,
        year: Year = None,
        clusters: Annotated[
            str | None,
            typer.Option(
                help="Cluster mapping: uk-segments (SIC), nace-segments (Eurostat NACE), us (NAICS), or a file."
            ),
        ] = None,
        clusters_from: Annotated[Path | None, typer.Option(help="Folder of the data sets for --clusters.")] = None,
        min_value: Annotated[float, typer.Option(help="Significance guard: smallest value reported.")] = 10.0,
        top: Annotated[int, typer.Option(help="Items per list.")] = 10,
        format: Annotated[str, typer.Option(help="json, html or pdf.")] = "json",
        out: Annotated[Path | None, typer.Option(help="Output file (required for html and pdf).")] = None,
    ) -> None:
        """A region's profile: specialisations, clusters, complexity, emerging activities, options."""
        if dataset is not None and input is None:  # the stored dataset: the same use case as the web profile
            from clusterix.app import Workspace
            from clusterix.app.profile import region_profile

            with Workspace.open(db, read_only=True) as workspace:
                payload = region_profile(workspace, region_code, dataset=dataset, measure=measure, year=year)
            payload = payload.model_dump(mode="json")
            _emit(payload, format, out, _profile_report(payload))
            return
        from clusterix.app.profile import cluster_table, profile_from_table

        columns = {"region": region, "activity": activity, "value": value, "time": time}
        frame, columns = _long_table(input, dataset, measure, db, columns)
        payload = profile_from_table(
            frame,
            region_code,
            columns=columns,
            year=year,
            clusters=cluster_table(frame, columns, clusters, clusters_from),
            min_value=min_value,
            top=top,
        )
        _emit(payload, format, out, _profile_report(payload))

    @app.command("peers")
    @user_errors
    def peers_command(
        region_code: Annotated[str, typer.Argument(metavar="REGION", help="Region code.")],
        input: Input = None,
        dataset: Dataset = None,
        measure: Measure = None,
        db: Db = None,
        region: RegionColumn = "region",
        activity: ActivityColumn = "activity",
        value: ValueColumn = "value",
        time: TimeColumn = None,
        year: Year = None,
        k: Annotated[int, typer.Option(help="How many peers.")] = 10,
        metric: Annotated[str, typer.Option(help="euclidean, mahalanobis or cosine.")] = "euclidean",
        aspirational: Annotated[bool, typer.Option(help="Only peers with a higher ECI.")] = False,
        format: Annotated[str, typer.Option(help="json, html or pdf.")] = "json",
        out: Annotated[Path | None, typer.Option(help="Output file (required for html and pdf).")] = None,
    ) -> None:
        """Structurally similar regions (and aspirational peers) with the reasons."""
        from clusterix.profiling.peers import peer_regions

        title = f"{'Aspirational peers' if aspirational else 'Peers'} of {region_code} ({metric} distance)"
        if dataset is not None and input is None:  # the stored dataset: the same use case as the web
            from clusterix.app import Workspace
            from clusterix.app.peers import region_peers

            with Workspace.open(db, read_only=True) as workspace:
                found = region_peers(
                    workspace, region_code, dataset=dataset, measure=measure, year=year, k=k, metric=metric,
                    aspirational=aspirational,
                )  # fmt: skip
            payload = found.model_dump(mode="json")
            table = pd.DataFrame(payload["items"]).drop(columns="gaps", errors="ignore")
            if "similar_on" in table:
                table["similar_on"] = table["similar_on"].map(", ".join)
            _emit(payload, format, out, _tables_report(title, [("Peers, most similar first", table)]))
            return
        columns = {"region": region, "activity": activity, "value": value, "time": time}
        frame, columns = _long_table(input, dataset, measure, db, columns)
        indicators = _profiler(frame, columns).structural_indicators(year)
        peers = peer_regions(
            indicators, region_code, k=k, metric=metric, aspirational_by="eci" if aspirational else None
        )
        records = [
            {
                "peer": str(peer),
                "rank": int(row["rank"]),
                "distance": float(row["distance"]),
                "similar_on": list(row["similar_on"]) if not isinstance(row["similar_on"], str) else row["similar_on"],
            }
            for peer, row in peers.iterrows()
        ]
        payload = {"region": region_code, "metric": metric, "peers": records}
        # no peer (an aspirational search for the region of the highest ECI) is an empty table, not a KeyError
        table = pd.DataFrame(records, columns=["peer", "rank", "distance", "similar_on"])
        table["similar_on"] = table["similar_on"].astype(str)
        _emit(payload, format, out, _tables_report(title, [("Peers, most similar first", table)]))

    @app.command("complementarity")
    @user_errors
    def complementarity_command(
        regions: Annotated[list[str], typer.Argument(metavar="REGION...", help="Two or more region codes.")],
        research: Annotated[Path | None, typer.Option(help="Research long table (region, activity, value).")] = None,
        industry: Annotated[Path | None, typer.Option(help="Industry long table (region, activity, value).")] = None,
        research_dataset: Annotated[str | None, typer.Option(help="Research dataset in the store.")] = None,
        industry_dataset: Annotated[str | None, typer.Option(help="Industry dataset in the store.")] = None,
        research_measure: Annotated[str | None, typer.Option(help="Measure of the research dataset.")] = None,
        industry_measure: Annotated[str | None, typer.Option(help="Measure of the industry dataset.")] = None,
        db: Db = None,
        region: RegionColumn = "region",
        activity: ActivityColumn = "activity",
        value: ValueColumn = "value",
        top: Annotated[int, typer.Option(help="Opportunities per ordered pair.")] = 5,
        format: Annotated[str, typer.Option(help="json, html or pdf.")] = "json",
        out: Annotated[Path | None, typer.Option(help="Output file (required for html and pdf).")] = None,
    ) -> None:
        """Where one region's research strengths meet another's industrial strengths."""
        from clusterix.profiling.complementarity import complementarity, opportunities, rca_table

        if len(regions) < 2:
            raise InvalidInputError("Give at least two regions.")
        stored = research is None and industry is None and (research_dataset or industry_dataset)
        if stored:  # both sides from the store: the same use case as the web
            from clusterix.app import Workspace
            from clusterix.app.complementarity import complementarity_between

            with Workspace.open(db, read_only=True) as workspace:
                found = complementarity_between(
                    workspace, regions, research=research_dataset, industry=industry_dataset,
                    research_measure=research_measure, industry_measure=industry_measure, top=top,
                )  # fmt: skip
            payload = found.model_dump(mode="json")
            codes = [item["code"] for item in payload["regions"]]
            matrix_table = pd.DataFrame(payload["matrix"], index=codes, columns=codes).reset_index(
                names="research region"
            )
            sections = [("Complementarity: research of the row region x industry of the column region", matrix_table)]
            sections += [
                (
                    f"Opportunities {pair['research_region']}->{pair['industry_region']}",
                    pd.DataFrame(pair["opportunities"]),
                )
                for pair in payload["pairs"]
            ]
            _emit(payload, format, out, _tables_report("Research x industry complementarity", sections))
            return
        columns = {"region": region, "activity": activity, "value": value, "time": None}

        def wide(path: Path | None, dataset: str | None, measure: str | None, side: str) -> pd.DataFrame:
            if (path is None) == (dataset is None):
                raise InvalidInputError(f"Give either --{side} FILE or --{side}-dataset NAME.")
            frame, names = _long_table(path, dataset, measure, db, columns)
            missing = [names[c] for c in ("region", "activity", "value") if names[c] not in frame.columns]
            if missing:
                raise InvalidInputError(
                    f"The {side} table lacks column(s) {missing}; it has {list(frame.columns)[:20]}."
                )
            time = names.get("time")
            if time in frame.columns and frame[time].nunique() > 1:
                latest = sorted(frame[time].astype(str).unique())[-1]
                frame = frame[frame[time].astype(str) == latest]
                Console(stderr=True).print(f"{side}: using the latest period, {latest}")
            numbers = pd.to_numeric(frame[names["value"]], errors="coerce").astype(float)
            return frame.assign(**{names["value"]: numbers}).pivot_table(
                index=names["region"], columns=names["activity"], values=names["value"], aggfunc="sum", fill_value=0.0
            )

        research_table = wide(research, research_dataset, research_measure, "research")
        industry_table = wide(industry, industry_dataset, industry_measure, "industry")
        research_rca, industry_rca = rca_table(research_table), rca_table(industry_table)
        shared = research_rca.index.intersection(industry_rca.index)
        research_rca, industry_rca = research_rca.loc[shared], industry_rca.loc[shared]
        matrix = complementarity(research_rca, industry_rca, regions=regions)
        pairs = {
            f"{a}->{b}": opportunities(research_rca, industry_rca, None, a, b, top=top).to_dict("records")
            for a in regions
            for b in regions
            if a != b
        }
        payload = {"regions": regions, "matrix": matrix.round(6).values.tolist(), "opportunities": pairs}
        sections = [
            (
                "Complementarity: research of the row region x industry of the column region",
                matrix.round(6).reset_index(names="research region"),
            )
        ]
        sections += [(f"Opportunities {pair}", pd.DataFrame(rows)) for pair, rows in pairs.items()]
        _emit(payload, format, out, _tables_report("Research x industry complementarity", sections))

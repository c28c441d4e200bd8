"""Temporal splits of the CORDIS tables: the held-out split, and the recommender's inputs from its training part."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clusterix._validation import check_number, parameter_error
from clusterix.errors import InvalidInputError
from clusterix.partners.candidates import KNOWLEDGE_KINDS  # the knowledge side: CORDIS HES and REC
from clusterix.partners.network import CollaborationGraph, collaboration_edges

__all__ = ["TemporalSplit", "split_inputs", "temporal_split"]


@dataclass(frozen=True, eq=False)
class TemporalSplit:
    """A temporal hold-out of the CORDIS collaboration network (see :func:`temporal_split`).

    Attributes
    ----------
    split_year : int
        Training projects start before this year; test pairs collaborate from it on.
    train_participations : DataFrame
        The participations in training projects (the CORDIS participations columns).
    train_projects : DataFrame
        The training projects.
    organisations : DataFrame
        The organisations that take part in a training project (``id``, ``kind``, ``country``, ...).
    graph : CollaborationGraph
        The training collaboration graph; its nodes are ``organisations`` (isolated ones included).
    test_pairs : DataFrame
        ``enterprise``, ``institution``, ``year`` (first test year together), ``projects``
        (shared test projects), ``enterprise_known``, ``institution_known`` (has a training
        participation): every new enterprise - knowledge institution pair.
    queries : DataFrame
        ``organisation_id``, ``side`` (``'enterprise'`` or ``'knowledge'``), ``country`` and
        ``test_partners`` (its test partners among the candidates), sorted by id.
    candidates : DataFrame
        The fixed candidate list that score functions score, in column order:
        ``organisation_id``, ``side``, ``kind``, ``country`` (sorted by id). Every
        enterprise and knowledge institution with a training participation.
    """

    split_year: int
    train_participations: pd.DataFrame
    train_projects: pd.DataFrame
    organisations: pd.DataFrame
    graph: CollaborationGraph
    test_pairs: pd.DataFrame
    queries: pd.DataFrame
    candidates: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"TemporalSplit(split_year={self.split_year}, {len(self.queries)} queries, "
            f"{len(self.candidates)} candidates, {len(self.test_pairs)} test pairs)"
        )


def _side(kind: pd.Series) -> pd.Series:
    side = pd.Series(None, index=kind.index, dtype=object)
    side[kind == "enterprise"] = "enterprise"
    side[kind.isin(KNOWLEDGE_KINDS)] = "knowledge"
    return side


def temporal_split(tables: Any, *, split_year: int = 2019) -> TemporalSplit:
    """Split CORDIS participations in time for link-prediction evaluation.

    Parameters
    ----------
    tables : CordisTables
        ``(organisations, projects, participations)`` from a CORDIS reader, e.g.
        :func:`clusterix.ingest.cordis.read_h2020_participations`.
    split_year : int
        The first test year.

    Returns
    -------
    TemporalSplit
        Training data: participations in projects starting before ``split_year``. Test
        pairs: enterprise (``PRC``) - knowledge institution (``HES`` or ``REC``) pairs
        that share a project starting in or after ``split_year`` and shared none before.
        Queries: the enterprises and knowledge institutions with a training participation
        that have at least one test partner which is itself a candidate; an enterprise's
        candidates are the knowledge institutions, and vice versa.

    Raises
    ------
    InvalidInputError
        Tables without the needed columns, a bad ``split_year``, or no test pairs.

    Notes
    -----
    Projects without a start date are in neither part. A test partner without any
    training participation (a newcomer) cannot be ranked by a method that learns from
    history, so it is kept in ``test_pairs`` but not counted in the queries' metrics.
    """
    function = "temporal_split"
    try:
        organisations, projects, participations = tables
    except (TypeError, ValueError) as error:
        raise parameter_error(
            "tables", function, "CordisTables (organisations, projects, participations)", type(tables).__name__
        ) from error
    for name, table, columns in (
        ("organisations", organisations, ("id", "kind", "country")),
        ("projects", projects, ("id", "start_date", "programme_part")),
        ("participations", participations, ("project_id", "organisation_id")),
    ):
        if not isinstance(table, pd.DataFrame) or any(column not in table.columns for column in columns):
            raise parameter_error("tables", function, f"a {name} table with the columns {', '.join(columns)}", name)
    check_number(split_year, name="split_year", function=function, integer=True)

    year = pd.to_datetime(projects["start_date"]).dt.year
    project_year = pd.Series(year.to_numpy(), index=projects["id"].astype("str"))
    participation_year = participations["project_id"].astype("str").map(project_year)
    in_train = (participation_year < split_year).to_numpy(dtype=bool, na_value=False)
    train_participations = participations[in_train].reset_index(drop=True)
    train_projects = projects[(year < split_year).to_numpy(dtype=bool, na_value=False)].reset_index(drop=True)
    known_ids = np.unique(train_participations["organisation_id"].astype("str").to_numpy(dtype=object))
    organisation_ids = organisations["id"].astype("str")
    train_organisations = organisations[organisation_ids.isin(known_ids).to_numpy()]
    train_organisations = train_organisations.assign(id=train_organisations["id"].astype("str"))
    train_organisations = train_organisations.sort_values("id").reset_index(drop=True)

    edges = collaboration_edges(participations, projects)
    graph = CollaborationGraph.from_edges(edges, until_year=split_year, nodes=train_organisations["id"])

    side = pd.Series(_side(organisations["kind"]).to_numpy(), index=organisation_ids.to_numpy())
    side_1 = edges["org_1"].map(side)
    side_2 = edges["org_2"].map(side)
    mixed = ((side_1 == "enterprise") & (side_2 == "knowledge")) | ((side_1 == "knowledge") & (side_2 == "enterprise"))
    pairs = edges[mixed.to_numpy(dtype=bool)]
    first_is_enterprise = (side_1[mixed] == "enterprise").to_numpy(dtype=bool)
    pairs = pd.DataFrame(
        {
            "enterprise": np.where(first_is_enterprise, pairs["org_1"], pairs["org_2"]),
            "institution": np.where(first_is_enterprise, pairs["org_2"], pairs["org_1"]),
            "year": pairs["year"].to_numpy(),
        }
    )
    before = pairs[pairs["year"] < split_year][["enterprise", "institution"]].drop_duplicates()
    after = (
        pairs[pairs["year"] >= split_year]
        .groupby(["enterprise", "institution"], as_index=False)
        .agg(year=("year", "min"), projects=("year", "size"))
    )
    after = after.merge(before, on=["enterprise", "institution"], how="left", indicator=True)
    test_pairs = after[after["_merge"] == "left_only"].drop(columns="_merge")
    known = set(known_ids.tolist())
    test_pairs = test_pairs.assign(
        year=test_pairs["year"].astype(np.int64),
        projects=test_pairs["projects"].astype(np.int64),
        enterprise_known=test_pairs["enterprise"].isin(known),
        institution_known=test_pairs["institution"].isin(known),
    ).reset_index(drop=True)
    if test_pairs.empty:
        raise InvalidInputError(
            f"No enterprise - knowledge institution pair first collaborates in or after {split_year}: "
            "there is nothing to evaluate. Choose an earlier split_year."
        )

    candidate_side = _side(train_organisations["kind"])
    is_candidate = candidate_side.notna().to_numpy()
    candidates = pd.DataFrame(
        {
            "organisation_id": train_organisations["id"].to_numpy(dtype=object)[is_candidate],
            "side": candidate_side.to_numpy(dtype=object)[is_candidate],
            "kind": train_organisations["kind"].to_numpy(dtype=object)[is_candidate],
            "country": train_organisations["country"].to_numpy(dtype=object)[is_candidate],
        }
    )
    warm = test_pairs[test_pairs["enterprise_known"] & test_pairs["institution_known"]]
    counts = pd.concat([warm["enterprise"].value_counts(), warm["institution"].value_counts()]).rename("test_partners")
    queries = candidates[candidates["organisation_id"].isin(counts.index)][["organisation_id", "side", "country"]]
    queries = queries.assign(test_partners=queries["organisation_id"].map(counts).astype(np.int64)).reset_index(
        drop=True
    )
    return TemporalSplit(
        split_year=int(split_year),
        train_participations=train_participations,
        train_projects=train_projects,
        organisations=train_organisations,
        graph=graph,
        test_pairs=test_pairs,
        queries=queries,
        candidates=candidates,
    )


def split_inputs(split: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``fit`` inputs from the training part of a temporal split of CORDIS tables.

    Parameters
    ----------
    split : TemporalSplit
        Only its training tables are read (``organisations``, ``train_projects``,
        ``train_participations``), so nothing from the held-out years leaks in.

    Returns
    -------
    organisations : DataFrame
        The split's organisations with ``activities``: the programme parts of each
        organisation's training participations as ``year:part`` (the project's start
        year), ``';'``-joined with repetitions (one per participation and part).
    collaborations : DataFrame
        :func:`clusterix.partners.network.collaboration_edges` of the training tables.
    """
    projects, participations = split.train_projects, split.train_participations
    parts = pd.Series(projects["programme_part"].to_numpy(dtype=object), index=projects["id"].astype(str))
    years = pd.Series(pd.to_datetime(projects["start_date"]).dt.year.to_numpy(), index=projects["id"].astype(str))
    table = pd.DataFrame(
        {
            "organisation": participations["organisation_id"].astype(str).to_numpy(dtype=object),
            "part": participations["project_id"].astype(str).map(parts).to_numpy(dtype=object),
            "year": participations["project_id"].astype(str).map(years).to_numpy(dtype=object),
        }
    ).dropna()
    table = table.assign(part=table["part"].astype(str).str.split(";")).explode("part")
    table = table[table["part"].str.strip() != ""]
    table["entry"] = table["year"].astype(int).astype(str) + ":" + table["part"].str.strip()
    joined = table.groupby("organisation")["entry"].agg(";".join)
    organisations = split.organisations.assign(
        activities=split.organisations["id"].astype(str).map(joined).to_numpy(dtype=object)
    )
    return organisations, collaboration_edges(participations, projects)

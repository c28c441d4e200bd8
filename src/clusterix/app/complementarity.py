"""Use cases of complementarity: where one region's research strengths meet another's industrial strengths."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from clusterix.app._convert import plain, records
from clusterix.app.datasets import StoredTable, dataset_record, names, observations_table
from clusterix.app.results import Complementarity
from clusterix.errors import InvalidInputError, UnknownCodeError

if TYPE_CHECKING:
    from clusterix.app.workspace import Workspace

__all__ = ["complementarity_between"]


@dataclass(frozen=True)
class _Side:
    """One side of a comparison: a dataset's RCA table of one period, with the names."""

    dataset: str
    measure: str
    periods: list[str]
    region_names: dict[str, str]
    activity_names: dict[str, str]
    table: StoredTable

    def rca(self, period: str) -> pd.DataFrame:
        """Region x activity RCA of ``period`` (only RCA: complementarity needs no complexity)."""
        from clusterix.profiling.complementarity import rca_table

        frame = self.table.frame
        frame = frame[frame["time"].astype(str) == period]
        sizes = frame.pivot_table(index="region", columns="activity", values="value", aggfunc="sum", fill_value=0.0)
        sizes.index = [str(r) for r in sizes.index]
        sizes.columns = [str(a) for a in sizes.columns]
        return rca_table(sizes.astype(float))

    def period(self, year: str | None) -> str:
        """``year`` where the dataset has it, else its last period."""
        return year if year in self.periods else self.periods[-1]


def _side(workspace: Workspace, dataset: str | None, measure: str | None) -> _Side:
    def build() -> _Side:
        table = observations_table(workspace, dataset, measure)
        regions, activities = names(workspace, table)
        periods = sorted(str(t) for t in table.frame["time"].unique())
        if not periods:
            raise UnknownCodeError(f"Dataset {table.dataset!r} holds no values of measure {table.measure!r}.")
        return _Side(table.dataset, table.measure, periods, regions, activities, table)

    record = dataset_record(workspace, dataset)
    key = ("complementarity-side", record["name"], measure, str(record.get("imported_at")))
    return workspace.caches.get(key, build)  # type: ignore[no-any-return]


def complementarity_between(
    workspace: Workspace, regions: Sequence[str], *, research: str | None = None, industry: str | None = None,
    research_measure: str | None = None, industry_measure: str | None = None, year: str | None = None, top: int = 5,
) -> Complementarity:  # fmt: skip
    """Research x industry complementarity between ``regions`` with the opportunities behind each ordered pair.

    Both sides default to the same dataset: the score then measures how one region's
    specialisations meet the other's in the same activities (identity relatedness).

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    regions : sequence of str
        Two or more region codes.
    research, industry : str, optional
        The datasets of each side (default: the first dataset; industry defaults to research).
    research_measure, industry_measure : str, optional
        Their measures.
    year : str, optional
        The period, where a dataset has it (else that dataset's last period).
    top : int
        Opportunities per ordered pair.

    Returns
    -------
    Complementarity
        The matrix (research of the row region x industry of the column region) and the
        opportunities of every ordered pair, with field and industry titles.

    References
    ----------
    Balland, P.-A. and Boschma, R. (2021). Complementary interregional linkages and Smart
    Specialisation: an empirical study on European regions. Regional Studies 55(6).
    """
    from clusterix.profiling.complementarity import complementarity, opportunities

    regions = list(dict.fromkeys(regions))
    if len(regions) < 2:
        raise InvalidInputError(f"Complementarity needs at least two different regions; got {regions}.")
    research_side = _side(workspace, research, research_measure)
    industry_side = _side(workspace, industry or research_side.dataset, industry_measure)
    if year is not None and year not in research_side.periods + industry_side.periods:
        raise UnknownCodeError(
            f"No period {year!r} in {research_side.dataset!r} or {industry_side.dataset!r} (periods: "
            f"{', '.join(sorted(set(research_side.periods + industry_side.periods)))})."
        )
    # the year where a dataset has it, else that dataset's last period (datasets may cover different years)
    research_period, industry_period = research_side.period(year), industry_side.period(year)
    research_rca = research_side.rca(research_period)
    industry_rca = industry_side.rca(industry_period)
    shared = research_rca.index.intersection(industry_rca.index)
    for code in regions:
        if code not in shared:
            raise UnknownCodeError(
                f"Region {code!r} is not in both datasets ({research_side.dataset!r} and "
                f"{industry_side.dataset!r}); regions in both include {', '.join(map(str, shared[:8]))}."
            )
    research_rca, industry_rca = research_rca.loc[shared], industry_rca.loc[shared]
    matrix = complementarity(research_rca, industry_rca, regions=regions)
    pairs = []
    for a in regions:
        for b in regions:
            if a == b:
                continue
            rows = opportunities(research_rca, industry_rca, None, a, b, top=top)
            rows["field_name"] = [research_side.activity_names.get(str(code)) for code in rows["field"]]
            rows["industry_name"] = [industry_side.activity_names.get(str(code)) for code in rows["industry"]]
            pairs.append(
                {
                    "research_region": a,
                    "industry_region": b,
                    "score": plain(matrix.loc[a, b]),
                    "opportunities": records(rows),
                }
            )
    names = research_side.region_names | industry_side.region_names
    return Complementarity.model_validate(
        {
            "regions": [{"code": code, "name": names.get(code)} for code in regions],
            "research": {
                "dataset": research_side.dataset,
                "measure": research_side.measure,
                "year": research_period,
            },
            "industry": {
                "dataset": industry_side.dataset,
                "measure": industry_side.measure,
                "year": industry_period,
            },
            "matrix": [[plain(value) for value in row] for row in matrix.to_numpy()],
            "pairs": pairs,
        }
    )

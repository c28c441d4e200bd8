"""Use cases about the loaded datasets: what is loaded, one dataset's observations as a long
table, its activity codes with titles, and the memoised analysis (every period computed once)."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from clusterix.app._convert import records
from clusterix.app.caches import Caches
from clusterix.app.results import Activities
from clusterix.errors import InvalidInputError, UnknownCodeError
from clusterix.storage import Store

if TYPE_CHECKING:
    from clusterix.app.workspace import Workspace
    from clusterix.profiling.profile import RegionProfiler

__all__ = [
    "Analysis",
    "StoredTable",
    "analysis",
    "INDUSTRY_COMMAND",
    "RESEARCH_SOURCES",
    "dataset_activities",
    "region_coverage",
    "fresh_table_counts",
    "table_counts",
    "dataset_for_region",
    "region_analysis",
    "datasets_covering",
    "dataset_record",
    "list_datasets",
    "names",
    "observations_table",
]


def list_datasets(workspace: Workspace) -> list[dict[str, Any]]:
    """What is loaded, with the measures and periods of each observation dataset.

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.

    Returns
    -------
    list of dict
        One record per dataset (name, kind, source, source_file, checksum, imported_at,
        row_count, region_version, description, measures, periods), computed once per store
        version; each call returns its own copy.
    """
    caches, store = workspace.caches, workspace.store
    version = caches.store_version(store)
    cached = caches.datasets_memo
    if cached is None or cached[0] != version:
        cached = (version, _dataset_items(store, caches))
        caches.datasets_memo = cached
    return copy.deepcopy(cached[1])


def _dataset_items(store: Store, caches: Caches) -> list[dict[str, Any]]:
    """The datasets with their measures and periods (a scan of the observations, once per state of the datasets)."""
    items = records(store.datasets())
    key = ("periods", tuple((r["name"], r["imported_at"], r["row_count"]) for r in items))
    table = caches.get(key, store.observation_periods)
    for record in items:
        own = table[table["dataset"] == record["name"]]
        record["measures"] = sorted(str(m) for m in own["measure"].unique())
        record["periods"] = sorted(str(t) for t in own["time"].unique())
    return items


def dataset_for_region(workspace: Workspace, code: str, dataset: str | None) -> str | None:
    """The dataset a region's profile is built from: ``dataset`` when given, else the first
    observation dataset that holds the region (``None`` when none does: the first dataset's
    error then names the region).

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    code : str
        The region.
    dataset : str, optional
        The dataset asked for.

    Returns
    -------
    str or None
        The dataset's name.
    """
    if dataset is not None:
        return dataset
    covering = datasets_covering(workspace, code)
    return covering[0] if covering else None


def region_analysis(
    workspace: Workspace, code: str, dataset: str | None, measure: str | None, year: str | None
) -> tuple[Analysis, int]:
    """The :class:`Analysis` a region's results come from (:func:`dataset_for_region`) and the
    position of the period asked for (default: the last).

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    code : str
        The region.
    dataset, measure, year : str, optional
        Which data.

    Returns
    -------
    tuple of (Analysis, int)
        The analysis and the period's position in ``Analysis.periods``.
    """
    found = analysis(workspace, dataset_for_region(workspace, code, dataset), measure)
    return found, found.period_index(year)


def datasets_covering(workspace: Workspace, code: str) -> list[str]:
    """The observation datasets that hold region ``code``, in import order (kept per store version).

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    code : str
        The region.

    Returns
    -------
    list of str
        Dataset names.
    """
    version = workspace.caches.store_version(workspace.store)
    return workspace.caches.results.get(  # type: ignore[no-any-return]
        ("covering", version, code), lambda: workspace.store.datasets_covering(code)
    )


def dataset_record(workspace: Workspace, dataset: str | None) -> dict[str, Any]:
    """The record of observation dataset ``dataset`` (default: the first loaded).

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    dataset : str, optional
        The dataset's name.

    Returns
    -------
    dict
        The dataset's record from :func:`list_datasets`.

    Raises
    ------
    UnknownCodeError
        No observation dataset is loaded, or none of that name.
    """
    items = [item for item in list_datasets(workspace) if item["kind"] == "observations"]
    if not items:
        raise UnknownCodeError("The store holds no observation dataset; import one first (clusterix ingest).")
    if dataset is None:
        return items[0]
    for item in items:
        if item["name"] == dataset:
            return item
    known = ", ".join(repr(item["name"]) for item in items)
    raise UnknownCodeError(f"No observation dataset named {dataset!r} in the store (loaded: {known}).")


def _measure(record: dict[str, Any], measure: str | None) -> str:
    measures = record["measures"]
    if measure is None:
        if len(measures) > 1:
            raise InvalidInputError(
                f"Dataset {record['name']!r} holds {len(measures)} measures ({', '.join(map(repr, measures))}); "
                "choose one with measure= (--measure on the command line)."
            )
        if not measures:
            raise UnknownCodeError(f"Dataset {record['name']!r} holds no observations.")
        return str(measures[0])
    if measure not in measures:
        raise UnknownCodeError(
            f"Dataset {record['name']!r} has no measure {measure!r} (measures: {', '.join(map(repr, measures))})."
        )
    return measure


@dataclass(frozen=True)
class StoredTable:
    """One dataset and measure as a long table ``region, activity, time, value`` (values present only)."""

    dataset: str
    measure: str
    region_version: int | None
    frame: pd.DataFrame
    missing: int


def observations_table(workspace: Workspace, dataset: str | None, measure: str | None = None) -> StoredTable:
    """The observations of one dataset and measure that have a value: the one loader of stored data.

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    dataset : str, optional
        The dataset (default: the first observation dataset loaded).
    measure : str, optional
        The measure (default: the dataset's only one).

    Returns
    -------
    StoredTable
        The long table and how many observations without a value (e.g. Eurostat's ``:``) were left out.

    Raises
    ------
    UnknownCodeError
        Unknown dataset or measure.
    InvalidInputError
        The dataset holds several measures and none was chosen.
    """
    record = dataset_record(workspace, dataset)
    chosen = _measure(record, measure)
    frame = workspace.store.observations(record["name"], measure=chosen)
    missing = frame["value"].isna()
    version = record.get("region_version")
    return StoredTable(
        dataset=str(record["name"]),
        measure=chosen,
        region_version=None if version is None else int(version),
        frame=frame.loc[~missing, ["region", "activity", "time", "value"]].reset_index(drop=True),
        missing=int(missing.sum()),
    )


def _activity_names(store: Store, dataset: str) -> dict[str, str]:
    """Activity titles from the loaded classification that covers most of the dataset's activity
    codes (at least half of them); none when no classification fits."""
    coverage, activities = store.classification_coverage(dataset)
    if coverage.empty:
        return {}
    scheme, covered = str(coverage["scheme"].iloc[0]), int(coverage["n"].iloc[0])
    if covered * 2 < activities:
        return {}
    return store.classification_titles(scheme)


def _cluster_strength(store: Store, table: pd.DataFrame) -> pd.DataFrame | None:
    """Cluster strength and stars from the loaded cluster mapping that covers most of the table's
    activities (at least half of them); ``None`` when no mapping fits."""
    from clusterix.profiling.clusters import cluster_strength

    activities = set(table["activity"].astype(str))
    best, best_cover = None, 0
    for _, mapping in sorted(store.cluster_mappings().items()):
        cover = len(activities.intersection(mapping["industry"]))
        if cover > best_cover:
            best, best_cover = mapping, cover
    if best is None or best_cover * 2 < len(activities):
        return None
    strength = cluster_strength(table, best, time="time", unmapped="other")
    titles = best.dropna(subset=["cluster_name"]).drop_duplicates("cluster").set_index("cluster")["cluster_name"]
    return strength.assign(cluster_name=strength["cluster"].map(titles))  # names, not codes, on the profile


def names(workspace: Workspace, table: StoredTable) -> tuple[dict[str, str], dict[str, str]]:
    """Region names (of the dataset's NUTS version) and activity titles (of the classification
    that covers most of its activity codes) of a stored table.

    Parameters
    ----------
    workspace : Workspace
        The store.
    table : StoredTable
        From :func:`observations_table`.

    Returns
    -------
    region_names, activity_names : dict
        Code -> name; empty when the store has none.
    """
    store = workspace.store
    regions = (
        store.regions(version=table.region_version)
        if table.region_version is not None
        else pd.DataFrame(columns=["code", "name"])
    )
    return dict(zip(regions["code"], regions["name"], strict=True)), _activity_names(store, table.dataset)


class Analysis:
    """One dataset and measure, every period computed once (a RegionProfiler) with region and
    activity names and, where a loaded cluster mapping fits, cluster strength and stars."""

    def __init__(
        self, workspace: Workspace, dataset: str | None, measure: str | None, *, key: tuple[str, ...] = ()
    ) -> None:
        from clusterix.profiling.profile import RegionProfiler, small_activities

        #: names this dataset version (name, measure, import time): results computed from it are kept under it
        self.key = key
        store = workspace.store
        table = observations_table(workspace, dataset, measure)
        self.dataset = table.dataset
        self.measure = table.measure
        self.region_version = table.region_version
        self.region_names, self.activity_names = names(workspace, table)
        # activities too small to compare are left out of complexity and the lists, and named in the notes
        self.small_activities, self.small_threshold = small_activities(table.frame)
        frame = table.frame
        self._small_totals: pd.Series | None = None
        if self.small_activities:
            small = frame["activity"].isin(self.small_activities)
            # the regions' totals still count them: only the comparisons leave them out
            self._small_totals = frame[small].groupby(["time", "region"])["value"].sum()
            frame = frame[~small]
        self.profiler: RegionProfiler = RegionProfiler(
            frame,
            time="time",
            region_names=self.region_names,
            activity_names=self.activity_names,
            clusters=_cluster_strength(store, table.frame),
        )
        self.periods = [str(p) for p in self.profiler.periods]

    def period_index(self, year: str | None) -> int:
        """The position of period ``year`` (default: the last)."""
        if year is None:
            return len(self.periods) - 1
        if year not in self.periods:
            raise UnknownCodeError(
                f"Dataset {self.dataset!r} has no period {year!r}; periods are {', '.join(self.periods)}."
            )
        return self.periods.index(year)

    def measures_table(self, index: int) -> pd.DataFrame:
        """Per region of one period: total, diversity, ECI, COI and the concentration measures."""
        from clusterix.indicators.frame import region_measures

        result = self.profiler.results[index]
        measures = region_measures(result.matrix)
        table = pd.DataFrame(
            {"diversity": result.diversity, "eci": result.eci, "coi": result.coi, **measures},
            index=pd.Index([str(r) for r in result.matrix.regions], name="region"),
        )
        if self._small_totals is not None and "total" in table:
            period = self.periods[index]
            small = self._small_totals[self._small_totals.index.get_level_values("time").astype(str) == period]
            extra = small.droplevel("time").groupby(level=0).sum().reindex(table.index, fill_value=0.0)
            table["total"] = table["total"] + extra.to_numpy()  # the small activities count in the total
        return table


def analysis(workspace: Workspace, dataset: str | None, measure: str | None) -> Analysis:
    """The memoised :class:`Analysis` of a dataset and measure (recomputed after a re-import).

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    dataset, measure : str, optional
        As for :func:`observations_table`.

    Returns
    -------
    Analysis
        Every period of the dataset computed once, with names and cluster stars.
    """
    record = dataset_record(workspace, dataset)
    chosen = _measure(record, measure)
    key = ("analysis", record["name"], chosen, str(record.get("imported_at")))
    return workspace.caches.get(key, lambda: Analysis(workspace, record["name"], chosen, key=key))  # type: ignore[no-any-return]


def dataset_activities(workspace: Workspace, *, dataset: str | None = None, measure: str | None = None) -> Activities:
    """The activity codes of a dataset (any period) with their titles when a classification gives them.

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    dataset, measure : str, optional
        As for :func:`observations_table`.

    Returns
    -------
    Activities
        ``dataset, measure, items[code, name]``.
    """
    found = analysis(workspace, dataset, measure)
    codes = sorted({str(a) for result in found.profiler.results for a in result.matrix.activities})
    return Activities.model_validate(
        {
            "dataset": found.dataset,
            "measure": found.measure,
            "items": [{"code": code, "name": found.activity_names.get(code)} for code in codes],
        }
    )


def table_counts(workspace: Workspace, *, max_age: float = 1.0) -> dict[str, int]:
    """The rows of every table of the store, counted at most once every ``max_age`` seconds.

    ``/api/v1/health`` reports them; a monitor polling it often, or during a burst of
    sign-ins that hold the store, must not queue a round of counting queries per poll.

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    max_age : float
        How old the counts may be, in seconds.

    Returns
    -------
    dict of str to int
        Rows by table name.
    """
    fresh = fresh_table_counts(workspace, max_age=max_age)
    if fresh is not None:
        return fresh
    writes = getattr(workspace.store.database, "data_writes", None)
    counts = workspace.store.table_counts()
    workspace.caches.counts_memo = (time.monotonic(), writes, counts)
    return counts


def fresh_table_counts(workspace: Workspace, *, max_age: float = 1.0) -> dict[str, int] | None:
    """The counts of :func:`table_counts` if they are younger than ``max_age`` seconds and no
    data were written through this process since, else ``None``: no query, cheap enough for
    the event loop.

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    max_age : float
        How old the counts may be, in seconds.

    Returns
    -------
    dict of str to int or None
        Rows by table name, or ``None``.
    """
    counted = workspace.caches.counts_memo
    if counted is None or getattr(workspace.store.database, "data_writes", None) != counted[1]:
        return None  # a write through this process since: count again
    return counted[2] if time.monotonic() - counted[0] < max_age else None


#: Sources of research data (projects, publications); every other observation source counts as industry.
RESEARCH_SOURCES = ("eurito-nuts1", "eurito-nuts2", "eurito-nuts3", "cordis-h2020-counts")
#: What to run when a region has no industry data (Eurostat SBS employment by NUTS 2 region and NACE division).
INDUSTRY_COMMAND = (
    "clusterix fetch eurostat sbs_r_nuts06_r2 --filter indic_sb=V16110, then clusterix ingest eurostat FILE "
    "--nuts-version 2016 --activity-scheme nace_r2 (or run clusterix demo online, which does both)"
)


def region_coverage(workspace: Workspace, code: str) -> dict[str, Any]:
    """What the store knows about region ``code``: the observation datasets that hold it, each
    as industry or research data, and what is missing with the command that fetches it.

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    code : str
        The region.

    Returns
    -------
    dict
        ``datasets`` (``name, description, kind`` each, in import order) and ``missing``
        (plain sentences, empty when industry and research data are both there).
    """
    covering = set(datasets_covering(workspace, code))
    items = [
        {
            "name": item["name"],
            "description": item.get("description"),
            "kind": "research" if item.get("source") in RESEARCH_SOURCES else "industry",
        }
        for item in list_datasets(workspace)
        if item["name"] in covering
    ]
    kinds = {item["kind"] for item in items}
    missing = []
    if "industry" not in kinds:
        missing.append(f"No industry data (employment or firms by activity) covers {code}: {INDUSTRY_COMMAND}.")
    if "research" not in kinds:
        missing.append(
            f"No research data covers {code}: load Nesta's EURITO tables with clusterix demo --from DIR "
            "(H2020 projects by region and SDG) or import projects by region and field with clusterix ingest csv."
        )
    return {"datasets": items, "missing": missing}

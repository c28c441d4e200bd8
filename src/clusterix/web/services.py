"""What the web app shows, computed from the store: the one payload function behind each
API route and its HTML page.

Every function takes the open :class:`~clusterix.storage.Store` (and, for heavy results,
the app's :class:`Caches`) and returns JSON-ready dicts. They use only the Store and
Database API (standard SQL that DuckDB and PostgreSQL both run) and the library's public
functions; they raise the library's errors (``UnknownCodeError`` for an unknown region,
dataset or organisation, ``InvalidInputError`` for a bad choice), which the web layer maps
to 404 and 422.
"""

from __future__ import annotations

import copy
import gc
import json
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusterix.errors import ClusterixError, DataSourceError, InvalidInputError, UnknownCodeError
from clusterix.storage import Store

__all__ = [
    "INDICATORS",
    "Caches",
    "NotReadyError",
    "PayloadCache",
    "complementarity_between",
    "dataset_activities",
    "indicator_geojson",
    "indicator_values",
    "list_datasets",
    "list_regions",
    "organisation_detail",
    "partner_recommendations",
    "region_detail",
    "region_peers",
    "region_profile",
    "search_organisations",
]

_log = logging.getLogger("clusterix.web")

#: Region indicators the map can show: per-region measures of one period, and ``lq``
#: (location quotient = RCA) of one activity.
INDICATORS = {
    "eci": "Economic complexity index (ECI)",
    "diversity": "Diversity (activities with RCA >= 1)",
    "coi": "Complexity outlook index (COI)",
    "total": "Total (sum of the measure)",
    "entropy": "Entropy (bits)",
    "herfindahl": "Herfindahl concentration",
    "hachman": "Hachman index",
    "krugman": "Krugman specialisation",
    "specialisation_gini": "Specialisation Gini",
    "lq": "Location quotient of one activity",
}
_METRICS = ("euclidean", "mahalanobis", "cosine")


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: numpy numbers as Python ones, NaN and infinities as None, dates as text."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NaT or (not isinstance(value, str | int | float | bool | list | dict) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{key: _plain(value) for key, value in row.items()} for row in frame.to_dict("records")]


class NotReadyError(Exception):
    """A result is still being computed in the background (e.g. the partner recommender)."""

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# --------------------------------------------------------------------------- caches


class PayloadCache:
    """Finished responses (serialised JSON bytes) by key, least recently used first out.

    Bounded twice: at most ``max_entries`` entries and ``max_bytes`` bytes in all (a body
    larger than ``max_bytes`` is never kept). ``max_entries=0`` turns the cache off.
    Thread-safe: routes run in worker threads.
    """

    def __init__(self, *, max_entries: int = 2048, max_bytes: int = 128 * 1024 * 1024) -> None:
        if max_entries < 0 or max_bytes < 0:
            raise InvalidInputError(
                f"PayloadCache bounds must be >= 0. Got max_entries={max_entries!r}, max_bytes={max_bytes!r}."
            )
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> bytes | None:
        """The body stored under ``key`` (now the most recently used), or ``None``."""
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        """Keep ``body`` under ``key``, dropping the least recently used entries beyond the bounds."""
        if self.max_entries == 0 or len(body) > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.size -= len(previous)
            self._entries[key] = body
            self.size += len(body)
            while len(self._entries) > self.max_entries or self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


def _data_state(store: Store) -> tuple[Any, ...]:
    """What changes when data is imported: the datasets table's size, newest id, newest import
    time and rows, and the number of regions and classification codes (one cheap query)."""
    frame = store.database.query(
        "SELECT count(*) AS datasets, max(id) AS newest, max(imported_at) AS imported, sum(row_count) AS rows, "
        "(SELECT count(*) FROM regions) AS regions, (SELECT count(*) FROM classifications) AS codes FROM datasets"
    )
    return tuple(str(value) for value in frame.iloc[0].tolist())


class Caches:
    """In-memory results of one app: profilers per dataset and measure, boundaries per NUTS
    version, dataset metadata, finished API responses and the fitted partner recommender.

    Entries are keyed by the dataset's import time as well as its name, so a re-imported
    dataset is computed afresh. Each key is built once even when requests arrive together.

    Finished responses (``payloads``) are keyed by the store's version
    (:meth:`store_version`), which changes on every import: at once for imports through this
    process's store (its database counts its writes to the data tables, see
    :mod:`clusterix.web.app`), within ``version_ttl`` seconds for imports by another process
    (a PostgreSQL store shared with ``clusterix ingest``).
    """

    def __init__(
        self, *, boundaries: str | Path | None = None, max_payloads: int = 2048,
        max_payload_bytes: int = 128 * 1024 * 1024, version_ttl: float = 1.0,
    ) -> None:  # fmt: skip
        if not version_ttl >= 0:
            raise InvalidInputError(f"Caches version_ttl must be a number of seconds >= 0. Got {version_ttl!r}.")
        self.boundaries_source = boundaries
        self.version_ttl = version_ttl
        self.payloads = PayloadCache(max_entries=max_payloads, max_bytes=max_payload_bytes)
        self._values: dict[Hashable, Any] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._version_read = -math.inf
        self._refresh_lock = threading.Lock()
        self._refreshing = False
        self._datasets: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None
        self.partners = _PartnerState()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The cached value of ``key``, built by ``build()`` on first use (errors are not cached)."""
        if key in self._values:
            return self._values[key]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = build()
            return self._values[key]

    def fresh_version(self, store: Store) -> tuple[Any, ...] | None:
        """The store version when it is known without a query, else ``None``: cheap enough for
        the event loop. Known means: no write through this process since it was read, and read
        less than ``version_ttl`` seconds ago or being re-read right now (the requests meanwhile
        use the old version instead of all waiting for the query)."""
        version = self._version
        if version is None or version[0] != getattr(store.database, "data_writes", None):
            return None
        if self._refreshing or time.monotonic() - self._version_read < self.version_ttl:
            return version
        return None

    def store_version(self, store: Store) -> tuple[Any, ...]:
        """The store's version: this process's count of data writes and the data state
        (:func:`_data_state`, re-read by one thread at a time, at most every ``version_ttl``
        seconds). When it changes, the finished responses of the old version are dropped."""
        with self._refresh_lock:
            version = self._version
            # the write count is read before the state: a write meanwhile shows as a new version next time
            writes = getattr(store.database, "data_writes", None)
            recent = time.monotonic() - self._version_read < self.version_ttl
            if version is not None and version[0] == writes and recent:
                return version
            self._refreshing = True
            try:
                version = (writes, _data_state(store))
            finally:
                self._refreshing = False
            with self._guard:
                if version != self._version:
                    if self._version is not None:
                        self.payloads.clear()
                    self._version = version
                self._version_read = time.monotonic()
            return version

    def clear(self) -> None:
        """Forget everything (after the store changed under the app)."""
        with self._guard:
            self._values.clear()
            self._version = None
            self._datasets = None
        self.payloads.clear()
        self.partners = _PartnerState()


# --------------------------------------------------------------------------- regions and boundaries


def _region_versions(store: Store) -> list[int]:
    frame = store.database.query("SELECT DISTINCT version FROM regions ORDER BY version")
    return [int(v) for v in frame["version"]]


def list_regions(
    store: Store, *, level: int | None = None, version: int | None = None, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    """One page of the NUTS regions of ``version`` (default: the newest loaded), by code."""
    versions = _region_versions(store)
    if version is None:
        version = versions[-1] if versions else 2021
    elif version not in versions:
        raise UnknownCodeError(f"No NUTS {version} regions are loaded in the store (loaded versions: {versions}).")
    frame = store.regions(level=level, version=version)
    page = frame.iloc[offset : offset + limit]
    return {"items": _records(page), "total": len(frame), "limit": limit, "offset": offset}


def _boundary_index(caches: Caches, version: int) -> dict[str, Any]:
    """``code -> geometry`` of one NUTS version's boundaries, or ``{}`` when they cannot be read."""

    def build() -> dict[str, Any]:
        from clusterix.reference.geo import GEO_VERSIONS, nuts_boundaries

        if version not in GEO_VERSIONS:
            return {}
        try:
            collection = nuts_boundaries(version, source=caches.boundaries_source)
        except (DataSourceError, InvalidInputError) as error:
            _log.warning("No NUTS %s boundaries for the map: %s", version, error)
            return {}
        return {feature["properties"]["NUTS_ID"]: feature["geometry"] for feature in collection["features"]}

    return caches.get(("boundaries", version), build)


def _geometries(caches: Caches, codes: Sequence[str], version: int | None) -> dict[str, tuple[Any, int]]:
    """Geometry and its NUTS version for each code: the region version first, then the others."""
    order = [v for v in (version, 2016, 2021, 2024, 2013) if v is not None]
    found: dict[str, tuple[Any, int]] = {}
    for candidate in dict.fromkeys(order):
        missing = [code for code in codes if code not in found]
        if not missing:
            break
        index = _boundary_index(caches, candidate)
        for code in missing:
            if code in index:
                found[code] = (index[code], candidate)
    return found


def region_detail(store: Store, caches: Caches, code: str, *, version: int | None = None) -> dict[str, Any]:
    """One region with its GeoJSON geometry (``None`` when no boundary file has it)."""
    versions = _region_versions(store)
    candidates = [version] if version is not None else versions[::-1]
    for candidate in candidates:
        frame = store.database.query(
            "SELECT code, name, level, parent, country, version FROM regions WHERE code = ? AND version = ?",
            (code, candidate),
        )
        if not frame.empty:
            record = _records(frame)[0]
            geometry = _geometries(caches, [code], int(record["version"])).get(code)
            record["geometry"] = geometry[0] if geometry else None
            record["geometry_version"] = geometry[1] if geometry else None
            return record
    where = f"NUTS {version}" if version is not None else f"the loaded NUTS versions {versions}"
    raise UnknownCodeError(f"Unknown region {code!r}: it is not in {where}.")


# --------------------------------------------------------------------------- datasets


def list_datasets(store: Store, caches: Caches | None = None) -> list[dict[str, Any]]:
    """What is loaded, with the measures and periods of each observation dataset.

    With ``caches``, the list is computed once per store version (:meth:`Caches.store_version`);
    each call returns its own copy.
    """
    if caches is None:
        return _dataset_items(store, None)
    version = caches.store_version(store)
    cached = caches._datasets
    if cached is None or cached[0] != version:
        cached = (version, _dataset_items(store, caches))
        caches._datasets = cached
    return copy.deepcopy(cached[1])


def _dataset_items(store: Store, caches: Caches | None) -> list[dict[str, Any]]:
    """:func:`list_datasets` computed from the store; with ``caches``, the measures and periods
    (a scan of the observations) are computed once per state of the datasets table."""
    datasets = store.datasets()
    records = _records(datasets)

    def periods() -> pd.DataFrame:
        return store.database.query(
            "SELECT d.name AS dataset, o.measure AS measure, o.time AS time, count(*) AS n "
            "FROM observations o JOIN datasets d ON d.id = o.dataset_id GROUP BY d.name, o.measure, o.time"
        )

    if caches is None:
        table = periods()
    else:
        key = ("periods", tuple((r["name"], r["imported_at"], r["row_count"]) for r in records))
        table = caches.get(key, periods)
    items = []
    for record in records:
        own = table[table["dataset"] == record["name"]]
        record["measures"] = sorted(str(m) for m in own["measure"].unique())
        record["periods"] = sorted(str(t) for t in own["time"].unique())
        items.append(record)
    return items


def _dataset_record(store: Store, caches: Caches, dataset: str | None) -> dict[str, Any]:
    items = [item for item in list_datasets(store, caches) if item["kind"] == "observations"]
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
                "choose one with measure=."
            )
        return measures[0]
    if measure not in measures:
        raise UnknownCodeError(
            f"Dataset {record['name']!r} has no measure {measure!r} (measures: {', '.join(map(repr, measures))})."
        )
    return measure


class _Analysis:
    """One dataset and measure, every period computed once (a RegionProfiler) with region names."""

    def __init__(self, store: Store, record: dict[str, Any], measure: str) -> None:
        from clusterix.profiling.profile import RegionProfiler

        frame = store.observations(record["name"], measure=measure)
        frame = frame.loc[frame["value"].notna(), ["region", "activity", "time", "value"]]
        version = record.get("region_version")
        names = store.regions(version=int(version)) if version is not None else pd.DataFrame(columns=["code", "name"])
        self.dataset = record["name"]
        self.measure = measure
        self.region_version = None if version is None else int(version)
        self.region_names = dict(zip(names["code"], names["name"], strict=True))
        self.activity_names = _activity_names(store, record["name"])
        self.profiler = RegionProfiler(
            frame, time="time", region_names=self.region_names, activity_names=self.activity_names
        )
        self.periods = [str(p) for p in self.profiler.periods]

    def period_index(self, year: str | None) -> int:
        if year is None:
            return len(self.periods) - 1
        if year not in self.periods:
            raise UnknownCodeError(f"Dataset {self.dataset!r} has no period {year!r}; periods are {self.periods}.")
        return self.periods.index(year)

    def measures_table(self, index: int) -> pd.DataFrame:
        """Per region of one period: total, diversity, ECI, COI and the concentration measures."""
        from clusterix.indicators.frame import region_measures

        result = self.profiler.results[index]
        measures = region_measures(result.matrix)
        return pd.DataFrame(
            {"diversity": result.diversity, "eci": result.eci, "coi": result.coi, **measures},
            index=pd.Index([str(r) for r in result.matrix.regions], name="region"),
        )


def _activity_names(store: Store, dataset: str) -> dict[str, str]:
    """Activity titles from the loaded classification that covers most of the dataset's activity
    codes (at least half of them); none when no classification fits."""
    coverage = store.database.query(
        "SELECT c.scheme AS scheme, count(*) AS n FROM classifications c WHERE c.code IN "
        "(SELECT DISTINCT o.activity FROM observations o JOIN datasets d ON d.id = o.dataset_id WHERE d.name = ?) "
        "GROUP BY c.scheme ORDER BY n DESC, scheme",
        (dataset,),
    )
    if coverage.empty:
        return {}
    activities = int(
        store.database.scalar(
            "SELECT count(DISTINCT o.activity) FROM observations o JOIN datasets d ON d.id = o.dataset_id "
            "WHERE d.name = ?",
            (dataset,),
        )
    )
    scheme, covered = str(coverage["scheme"].iloc[0]), int(coverage["n"].iloc[0])
    if covered * 2 < activities:
        return {}
    titles = store.database.query("SELECT code, name FROM classifications WHERE scheme = ?", (scheme,))
    return {str(code): str(name) for code, name in zip(titles["code"], titles["name"], strict=True) if name}


def _analysis(store: Store, caches: Caches, dataset: str | None, measure: str | None) -> _Analysis:
    record = _dataset_record(store, caches, dataset)
    chosen = _measure(record, measure)
    key = ("analysis", record["name"], chosen, str(record.get("imported_at")))
    return caches.get(key, lambda: _Analysis(store, record, chosen))


def dataset_activities(
    store: Store, caches: Caches, *, dataset: str | None = None, measure: str | None = None
) -> dict[str, Any]:
    """The activity codes of a dataset (any period) with their titles when a classification gives them."""
    analysis = _analysis(store, caches, dataset, measure)
    codes = sorted({str(a) for result in analysis.profiler.results for a in result.matrix.activities})
    return {
        "dataset": analysis.dataset,
        "measure": analysis.measure,
        "items": [{"code": code, "name": analysis.activity_names.get(code)} for code in codes],
    }


def indicator_values(
    store: Store,
    caches: Caches,
    *,
    dataset: str | None = None,
    measure: str | None = None,
    year: str | None = None,
    indicator: str = "eci",
    activity: str | None = None,
) -> dict[str, Any]:
    """One indicator for every region of a dataset, measure and period (default: the last)."""
    if indicator not in INDICATORS:
        raise InvalidInputError(f"Unknown indicator {indicator!r}; indicators are {', '.join(map(repr, INDICATORS))}.")
    analysis = _analysis(store, caches, dataset, measure)
    index = analysis.period_index(year)
    result = analysis.profiler.results[index]
    regions = [str(r) for r in result.matrix.regions]
    if indicator == "lq":
        if activity is None:
            raise InvalidInputError("indicator=lq needs activity= (an activity code of the dataset).")
        activities = [str(a) for a in result.matrix.activities]
        if activity not in activities:
            raise UnknownCodeError(
                f"Activity {activity!r} is not in dataset {analysis.dataset!r} in period {analysis.periods[index]} "
                f"(e.g. {activities[:5]})."
            )
        values = result.rca[:, activities.index(activity)]
    else:
        if activity is not None:
            raise InvalidInputError(f"activity= applies to indicator=lq only, not to {indicator!r}.")
        values = analysis.measures_table(index)[indicator].to_numpy()
    items = [
        {"region": code, "name": analysis.region_names.get(code), "value": _plain(value)}
        for code, value in zip(regions, values, strict=True)
    ]
    finite = [item["value"] for item in items if item["value"] is not None]
    return {
        "dataset": analysis.dataset,
        "measure": analysis.measure,
        "year": analysis.periods[index],
        "years": analysis.periods,
        "indicator": indicator,
        "label": INDICATORS[indicator]
        + (f" {activity} {analysis.activity_names.get(activity, '')}".rstrip() if activity else ""),
        "activity": activity,
        "region_version": analysis.region_version,
        "min": min(finite) if finite else None,
        "max": max(finite) if finite else None,
        "items": items,
    }


def indicator_geojson(store: Store, caches: Caches, **query: Any) -> dict[str, Any]:
    """:func:`indicator_values` as a GeoJSON FeatureCollection for the map; regions without a
    boundary are listed in ``unmapped``."""
    values = indicator_values(store, caches, **query)
    codes = [item["region"] for item in values["items"]]
    geometries = _geometries(caches, codes, values["region_version"])
    features = []
    for item in values["items"]:
        if item["region"] not in geometries:
            continue
        geometry, version = geometries[item["region"]]
        features.append(
            {
                "type": "Feature",
                "id": item["region"],
                "properties": {**item, "geometry_version": version},
                "geometry": geometry,
            }
        )
    meta = {key: value for key, value in values.items() if key != "items"}
    meta["unmapped"] = [code for code in codes if code not in geometries]
    return {"type": "FeatureCollection", "features": features, "metadata": meta}


# --------------------------------------------------------------------------- profiles, peers, complementarity


def region_profile(
    store: Store, caches: Caches, code: str, *, dataset: str | None = None, measure: str | None = None,
    year: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """:meth:`RegionProfiler.profile` of ``code`` with the dataset and measure named."""
    analysis = _analysis(store, caches, dataset, measure)
    index = analysis.period_index(year)
    profile = analysis.profiler.profile(code, period=analysis.profiler.periods[index])
    profile["dataset"] = analysis.dataset
    profile["measure"] = analysis.measure
    profile["periods"] = analysis.periods
    return profile


def region_peers(
    store: Store, caches: Caches, code: str, *, dataset: str | None = None, measure: str | None = None,
    year: str | None = None, k: int = 10, metric: str = "euclidean", aspirational: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """:func:`~clusterix.profiling.peers.peer_regions` over the profiler's structural indicators."""
    from clusterix.profiling.peers import peer_regions

    if metric not in _METRICS:
        raise InvalidInputError(f"Unknown metric {metric!r}; metrics are {', '.join(_METRICS)}.")
    analysis = _analysis(store, caches, dataset, measure)
    index = analysis.period_index(year)
    indicators = analysis.profiler.structural_indicators(analysis.profiler.periods[index])
    indicators.index = [str(r) for r in indicators.index]
    if code not in indicators.index:
        raise UnknownCodeError(
            f"Region {code!r} is not in dataset {analysis.dataset!r} in period {analysis.periods[index]} "
            f"(regions include {list(indicators.index[:8])})."
        )
    peers = peer_regions(indicators, code, k=k, metric=metric, aspirational_by="eci" if aspirational else None)
    items = []
    for peer, row in peers.iterrows():
        gaps = {
            column.removeprefix("gap_"): _plain(row[column]) for column in peers.columns if column.startswith("gap_")
        }
        items.append(
            {
                "region": str(peer),
                "name": analysis.region_names.get(str(peer)),
                "rank": int(row["rank"]),
                "distance": _plain(row["distance"]),
                "similar_on": [part.strip() for part in str(row["similar_on"]).split(",") if part.strip()],
                "gaps": gaps,
            }
        )
    return {
        "region": code,
        "name": analysis.region_names.get(code),
        "dataset": analysis.dataset,
        "measure": analysis.measure,
        "year": analysis.periods[index],
        "metric": metric,
        "aspirational": aspirational,
        "items": items,
    }


def _rca_wide(analysis: _Analysis, index: int) -> pd.DataFrame:
    from clusterix.profiling.complementarity import rca_table

    result = analysis.profiler.results[index]
    sizes = pd.DataFrame(
        result.matrix.values.toarray(),
        index=[str(r) for r in result.matrix.regions],
        columns=[str(a) for a in result.matrix.activities],
    )
    return rca_table(sizes)


def complementarity_between(
    store: Store, caches: Caches, regions: Sequence[str], *, research: str | None = None,
    industry: str | None = None, research_measure: str | None = None, industry_measure: str | None = None,
    year: str | None = None, top: int = 5,
) -> dict[str, Any]:  # fmt: skip
    """Research x industry complementarity between ``regions`` with the opportunities behind
    each ordered pair. Both sides default to the same dataset: the score then measures how
    one region's specialisations meet the other's in the same activities (identity relatedness)."""
    from clusterix.profiling.complementarity import complementarity, opportunities

    regions = list(dict.fromkeys(regions))
    if len(regions) < 2:
        raise InvalidInputError(f"Complementarity needs at least two different regions; got {regions}.")
    research_analysis = _analysis(store, caches, research, research_measure)
    industry_analysis = _analysis(store, caches, industry or research_analysis.dataset, industry_measure)
    if year is not None and year not in research_analysis.periods + industry_analysis.periods:
        raise UnknownCodeError(
            f"No period {year!r} in {research_analysis.dataset!r} or {industry_analysis.dataset!r} (periods: "
            f"{sorted(set(research_analysis.periods + industry_analysis.periods))})."
        )
    # the year where a dataset has it, else that dataset's last period (datasets may cover different years)
    research_index = research_analysis.period_index(year if year in research_analysis.periods else None)
    industry_index = industry_analysis.period_index(year if year in industry_analysis.periods else None)
    research_rca = _rca_wide(research_analysis, research_index)
    industry_rca = _rca_wide(industry_analysis, industry_index)
    shared = research_rca.index.intersection(industry_rca.index)
    for code in regions:
        if code not in shared:
            raise UnknownCodeError(
                f"Region {code!r} is not in both datasets ({research_analysis.dataset!r} and "
                f"{industry_analysis.dataset!r}); regions in both include {list(shared[:8])}."
            )
    research_rca, industry_rca = research_rca.loc[shared], industry_rca.loc[shared]
    matrix = complementarity(research_rca, industry_rca, regions=regions)
    pairs = []
    for a in regions:
        for b in regions:
            if a == b:
                continue
            rows = opportunities(research_rca, industry_rca, None, a, b, top=top)
            rows["field_name"] = [research_analysis.activity_names.get(str(code)) for code in rows["field"]]
            rows["industry_name"] = [industry_analysis.activity_names.get(str(code)) for code in rows["industry"]]
            pairs.append({"research_region": a, "industry_region": b, "score": _plain(matrix.loc[a, b]),
                          "opportunities": _records(rows)})  # fmt: skip
    names = research_analysis.region_names | industry_analysis.region_names
    return {
        "regions": [{"code": code, "name": names.get(code)} for code in regions],
        "research": {"dataset": research_analysis.dataset, "measure": research_analysis.measure,
                     "year": research_analysis.periods[research_index]},
        "industry": {"dataset": industry_analysis.dataset, "measure": industry_analysis.measure,
                     "year": industry_analysis.periods[industry_index]},
        "matrix": [[_plain(value) for value in row] for row in matrix.to_numpy()],
        "pairs": pairs,
    }  # fmt: skip


# --------------------------------------------------------------------------- organisations


_ORGANISATION_COLUMNS = "id, name, kind, country, region, description"


def search_organisations(
    store: Store, *, q: str | None = None, kind: str | None = None, country: str | None = None,
    limit: int = 20, offset: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """One page of organisations whose name or id contains ``q`` (case-insensitive), of one
    ``kind`` and ``country`` when given, ordered by name then id."""
    conditions, parameters = [], []
    if q:
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append("(lower(coalesce(name, '')) LIKE ? ESCAPE '\\' OR lower(id) LIKE ? ESCAPE '\\')")
        parameters += [pattern, pattern]
    if kind:
        conditions.append("kind = ?")
        parameters.append(kind)
    if country:
        conditions.append("country = ?")
        parameters.append(country)
    where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
    total = int(store.database.scalar(f"SELECT count(*) FROM organisations{where}", parameters))
    frame = store.database.query(
        f"SELECT {_ORGANISATION_COLUMNS} FROM organisations{where} ORDER BY name, id LIMIT ? OFFSET ?",
        [*parameters, int(limit), int(offset)],
    )
    return {"items": _records(frame), "total": total, "limit": limit, "offset": offset}


def organisation_detail(store: Store, organisation_id: str, *, projects: int = 20) -> dict[str, Any]:
    """One organisation with its participation count, partner count and latest projects."""
    frame = store.database.query(
        f"SELECT {_ORGANISATION_COLUMNS}, external_ids FROM organisations WHERE id = ?", (organisation_id,)
    )
    if frame.empty:
        raise UnknownCodeError(f"Unknown organisation {organisation_id!r}.")
    record = _records(frame)[0]
    external = record.pop("external_ids")
    try:
        record["external_ids"] = json.loads(external) if external else {}
    except (TypeError, ValueError):
        record["external_ids"] = {"text": str(external)}
    record["participations"] = int(
        store.database.scalar("SELECT count(*) FROM participations WHERE organisation_id = ?", (organisation_id,))
    )
    record["partners"] = int(
        store.database.scalar(
            "SELECT count(DISTINCT b.organisation_id) FROM participations a JOIN participations b "
            "ON a.project_id = b.project_id AND b.organisation_id <> a.organisation_id WHERE a.organisation_id = ?",
            (organisation_id,),
        )
    )
    latest = store.database.query(
        "SELECT j.id, j.acronym, j.title, j.programme_part, j.start_date, j.end_date, p.role "
        "FROM participations p JOIN projects j ON j.id = p.project_id WHERE p.organisation_id = ? "
        "ORDER BY j.start_date DESC, j.id LIMIT ?",
        (organisation_id, int(projects)),
    )
    for column in ("start_date", "end_date"):  # DATE: a Timestamp from DuckDB, a date from PostgreSQL
        latest[column] = pd.to_datetime(latest[column]).dt.date.astype(object).where(latest[column].notna(), None)
    record["projects"] = _records(latest)
    return record


# --------------------------------------------------------------------------- partner recommendations


class _PartnerState:
    """The partner recommender of one app, fitted once in a background thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.status = "idle"  # idle -> fitting -> ready | failed
        self.error: str | None = None
        self.recommender: Any = None
        self.started: float | None = None
        self.seconds: float | None = None

    def start(self, store: Store) -> None:
        """Begin fitting in the background unless it has begun already."""
        with self.lock:
            if self.status != "idle":
                return
            self.status = "fitting"
            self.started = time.monotonic()
        threading.Thread(target=self._fit, args=(store,), name="clusterix-partners-fit", daemon=True).start()

    def _fit(self, store: Store) -> None:
        try:
            recommender = fit_recommender(store)
        except ClusterixError as error:
            self.error, self.status = str(error), "failed"
            _log.warning("The partner recommender cannot be fitted: %s", error)
            return
        except Exception as error:  # noqa: BLE001 - reported on the page and logged with the traceback
            self.error, self.status = f"unexpected error: {type(error).__name__}", "failed"
            _log.exception("Fitting the partner recommender failed")
            return
        self.recommender = recommender
        # The fitted model is long-lived: move it (and everything loaded so far) out of the
        # garbage collector's reach, or every full collection re-traverses it and stalls all
        # requests (about 0.2 s on the demo data, a tail of the latencies under load).
        gc.collect()
        gc.freeze()
        self.seconds = time.monotonic() - (self.started or time.monotonic())
        self.status = "ready"

    def describe(self) -> dict[str, Any]:
        elapsed = None if self.started is None else round(time.monotonic() - self.started, 1)
        return {"status": self.status, "error": self.error, "elapsed_seconds": elapsed, "fit_seconds": self.seconds}


def fit_recommender(store: Store):
    """A :class:`~clusterix.partners.recommender.PartnerRecommender` fitted on the store's
    organisations and collaborations (the inputs of
    :func:`~clusterix.partners.inputs.recommender_inputs`; inner label years by
    :func:`~clusterix.partners.inputs.default_label_years`, as ``clusterix partners`` does)."""
    from clusterix.partners.inputs import default_label_years, recommender_inputs
    from clusterix.partners.recommender import PartnerRecommender

    organisations = store.organisations()
    participations = store.participations()
    if organisations.empty or participations.empty:
        raise InvalidInputError("The store holds no organisations and participations to recommend partners from.")
    organisations, collaborations = recommender_inputs(organisations, participations)
    model = PartnerRecommender(label_years=default_label_years(collaborations))
    return model.fit(organisations, collaborations)


def partner_recommendations(
    store: Store, caches: Caches, organisation_id: str, *, k: int = 10, kinds: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The ``k`` best new partners of an organisation, each with its score and the
    contribution of every component (the reasons), best first.

    Raises
    ------
    UnknownCodeError
        The organisation is not in the store.
    NotReadyError
        The recommender is still being fitted (fitting starts on the first call).
    """
    from clusterix.partners.recommender import COMPONENTS

    organisation = store.database.query(
        f"SELECT {_ORGANISATION_COLUMNS} FROM organisations WHERE id = ?", (organisation_id,)
    )
    if organisation.empty:
        raise UnknownCodeError(f"Unknown organisation {organisation_id!r}.")
    state = caches.partners
    state.start(store)
    if state.status == "failed":
        raise DataSourceError(f"Partner recommendations are not available: {state.error}")
    if state.status != "ready":
        described = state.describe()
        raise NotReadyError(
            f"The partner recommender is being fitted on the collaboration history ({described['elapsed_seconds']} s "
            "so far); try again in a few seconds."
        )
    recommender = state.recommender
    if organisation_id not in recommender.ids_:
        raise UnknownCodeError(f"Organisation {organisation_id!r} was added after the recommender was fitted.")
    frame = recommender.recommend(organisation_id, k=k, kinds=kinds, regions=regions)
    items = []
    for record in frame.to_dict("records"):
        items.append(
            {
                "partner_id": str(record["partner_id"]),
                "name": _plain(record.get("name")),
                "kind": record["kind"],
                "country": _plain(record["country"]) or None,
                "region": _plain(record.get("region")) or None,
                "score": _plain(record["score"]),
                "components": {name: _plain(record[name]) for name in COMPONENTS},
            }
        )
    return {
        "organisation": _records(organisation)[0],
        "k": k,
        "kinds": list(kinds) if kinds else None,
        "regions": list(regions) if regions else None,
        "components": list(COMPONENTS),
        "items": items,
    }

"""The region profile: specialisations, cluster stars, concentration, complexity position,
emerging activities and diversification options, each with the figures behind it.

:class:`RegionProfiler` computes the indicators of a table once (all regions, all periods,
through :func:`clusterix.indicators.pipeline.run`); :meth:`RegionProfiler.profile` then assembles one
region's profile from those arrays in milliseconds. :func:`profile` does both for one region.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clusterix._validation import check_number
from clusterix.errors import InvalidInputError, UnknownCodeError
from clusterix.indicators.frame import region_measures
from clusterix.indicators.pipeline import ComplexityOptions, ComplexityResult, run_all
from clusterix.indicators.specialisation import rca
from clusterix.tables import read_table, validate_long

__all__ = [
    "CAVEAT_MIN_ACTIVITIES",
    "CAVEAT_MIN_REGIONS",
    "CAVEAT_MIN_TOTAL",
    "MIN_ACTIVITY_SHARE",
    "QUADRANTS",
    "RegionProfiler",
    "profile",
    "small_activities",
]

# Balland et al. (2019): relatedness density (x) against complexity (y), split at the medians
# of the activities the region does not yet have. Best first.
QUADRANTS = (
    "high relatedness, high complexity",
    "high relatedness, low complexity",
    "low relatedness, high complexity",
    "low relatedness, low complexity",
)


def _labels(names: pd.Series | dict | None) -> dict:
    if names is None:
        return {}
    return dict(names.items()) if isinstance(names, pd.Series) else dict(names)


def _plain(value: Any) -> Any:
    """JSON-ready scalars: numpy numbers as Python ones, NaN as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


#: A profile whose region total is below this gets a caution note (counts such as projects).
CAVEAT_MIN_TOTAL = 100.0
#: A region active in fewer activities than this gets a caution note.
CAVEAT_MIN_ACTIVITIES = 5
#: A comparison of fewer regions than this gets a caution note.
CAVEAT_MIN_REGIONS = 10


#: Activities below this share of a dataset's total are left out of complexity by the app layer.
MIN_ACTIVITY_SHARE = 1e-5


def small_activities(
    frame: pd.DataFrame, *, activity: str = "activity", value: str = "value", share: float = MIN_ACTIVITY_SHARE
) -> tuple[list[Any], float]:
    """The activities too small to be compared: a total (over every region and period) below
    ``share`` of the table's grand total, and that threshold in the table's unit.

    A tiny national activity (a few hundred jobs in peat extraction in a country of 30
    million) gets extreme location quotients and complexity from a handful of
    establishments; left in, it shows up as an implausible diversification option.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table.
    activity, value : str
        Its columns.
    share : float
        The minimum share of the grand total, in [0, 1).

    Returns
    -------
    tuple of (list, float)
        The small activities, smallest first, and the threshold.

    References
    ----------
    Balland, P.-A. et al. (2019). Smart specialization policy in the European Union:
    relatedness, knowledge complexity and regional diversification. Regional Studies 53(9).
    """
    check_number(share, name="share", function="small_activities", low=0, high=1)
    totals = frame.groupby(activity, sort=False)[value].sum()
    threshold = float(share * totals.sum())
    small = totals[totals < threshold].sort_values(kind="stable")
    return list(small.index), threshold


class RegionProfiler:
    """Indicators of every region of a long table, computed once, and profiles from them.

    Parameters
    ----------
    data : long table (DataFrame or file path) of region, activity, (time,) value.
    region, activity, value, time : its column names.
    threshold : presence where RCA >= threshold (specialisation).
    min_value : significance guard: activities with less than this value in the region are
        not reported as specialisations or emerging activities (tiny counts give huge LQs).
    region_names, activity_names : optional labels (Series or dict code -> name).
    clusters : optional cluster strength table from
        :func:`clusterix.profiling.clusters.cluster_strength` (region, cluster, ...).
    research : optional second long table ``region, activity, value`` of research or
        technology activity (e.g. projects by field); its RCAs give the region's research
        specialisations next to the industrial ones.
    top : how many items each list of a profile holds.
    """

    def __init__(
        self,
        data: pd.DataFrame | str,
        *,
        region: str = "region",
        activity: str = "activity",
        value: str = "value",
        time: str | None = None,
        threshold: float = 1.0,
        min_value: float = 10.0,
        region_names: pd.Series | dict | None = None,
        activity_names: pd.Series | dict | None = None,
        clusters: pd.DataFrame | None = None,
        research: pd.DataFrame | None = None,
        top: int = 10,
    ) -> None:
        check_number(min_value, name="min_value", function="RegionProfiler", low=0)
        check_number(top, name="top", function="RegionProfiler", low=1, integer=True)
        frame = read_table(data) if isinstance(data, str) else data
        table = validate_long(frame, region=region, activity=activity, value=value, time=time)
        self.options = ComplexityOptions(threshold=threshold)
        self.results: list[ComplexityResult] = list(run_all(table.matrices(), self.options))
        self.periods = [result.matrix.period for result in self.results]
        self.min_value = float(min_value)
        self.top = int(top)
        self.region_names = _labels(region_names)
        self.activity_names = _labels(activity_names)
        self.clusters = clusters
        self.time_column = time
        self._row = [{label: i for i, label in enumerate(r.matrix.regions)} for r in self.results]
        self._column = [{label: j for j, label in enumerate(r.matrix.activities)} for r in self.results]
        self._structure = [self._structure_of(result) for result in self.results]
        self._research = None
        if research is not None:
            research_table = validate_long(research, region="region", activity="activity", value="value")
            matrix = next(research_table.matrices())
            self._research = (matrix, rca(matrix.values).toarray(), {r: i for i, r in enumerate(matrix.regions)})

    @staticmethod
    def _structure_of(result: ComplexityResult) -> pd.DataFrame:
        measures = region_measures(result.matrix)
        return pd.DataFrame(
            {
                "total": measures.pop("total"),
                "diversity": result.diversity,
                "eci": result.eci,
                "coi": result.coi,
                **measures,
            },
            index=result.matrix.regions,
        )

    def structural_indicators(self, period: Any = None) -> pd.DataFrame:
        """Per region of a period: log size, diversity, ECI, entropy, Hachman, Krugman —
        the inputs of :func:`clusterix.profiling.peers.peer_regions`."""
        structure = self._structure[self._period_index(period)]
        return pd.DataFrame(
            {
                "log_total": np.log(structure["total"]),
                "diversity": structure["diversity"],
                "eci": structure["eci"],
                "entropy": structure["entropy"],
                "hachman": structure["hachman"],
                "krugman": structure["krugman"],
            }
        )

    def _period_index(self, period: Any) -> int:
        if period is None:
            return len(self.results) - 1
        for index, known in enumerate(self.periods):
            if str(known) == str(period):
                return index
        raise UnknownCodeError(
            f"No period {period!r} in the data; periods are {', '.join(str(p) for p in self.periods)}."
        )

    def profile(self, region: str, *, period: Any = None) -> dict[str, Any]:
        """The profile of ``region`` in ``period`` (default: the last) as a JSON-ready dict."""
        index = self._period_index(period)
        result = self.results[index]
        row = self._row[index].get(region)
        if row is None:
            known = ", ".join(str(code) for code in list(self._row[index])[:8])
            raise UnknownCodeError(
                f"Unknown region {region!r} in period {self.periods[index]!r} (regions include {known}, ...)."
            )
        activities = result.matrix.activities
        values = result.matrix.values[[row], :].toarray().ravel()
        structure = self._structure[index]
        total = float(values.sum())
        eci_rank = int((structure["eci"] > structure["eci"].iloc[row]).sum()) + 1
        options, frame = self._diversification(result, row, activities)
        summary = {name: _plain(structure[name].iloc[row]) for name in structure.columns}
        summary.update({"eci_rank": eci_rank, "n_regions": len(structure)})
        return {
            "region": region,
            "name": self.region_names.get(region),
            "period": None if self.periods[index] is None else str(self.periods[index]),
            "summary": summary,
            "specialisations": self._specialisations(result, row, values, total, activities),
            "research_specialisations": self._research_specialisations(region),
            "clusters": self._clusters(region, self.periods[index]),
            "emerging": self._emerging(region, index),
            "diversification": options,
            "diversification_frame": frame,
            "trends": self._trends(region),
            "notes": [
                *self._caveats(values, total, len(structure)),
                f"Complexity is relative to this dataset: the ECI ranks the region {eci_rank} of the "
                f"{len(structure)} regions of {len(activities)} activities compared here (period "
                f"{self.periods[index]}). It is a standardised score (mean 0, standard deviation 1 across "
                "those regions): positive means a more diverse structure of less ubiquitous activities than "
                "the average region compared, negative a less diverse one. Another set of regions gives "
                "other values.",
                f"Specialisation: RCA >= {self.options.threshold:g}; activities below {self.min_value:g} "
                "in the region are left out of specialisations and emerging activities.",
                "Diversification options: activities the region lacks, by relatedness density and "
                "complexity (PCI), split at the medians of those activities (Balland et al. 2019).",
            ],
        }

    def _caveats(self, values: np.ndarray, total: float, regions: int) -> list[str]:
        """Plain warnings for a profile built on few observations (see docs/methods.md)."""
        caveats = []
        active = int((values > 0).sum())
        if total < CAVEAT_MIN_TOTAL:
            caveats.append(
                f"Caution: this profile rests on few observations (a total of {total:g} across "
                f"{active} activities, below {CAVEAT_MIN_TOTAL:g}): one more or less counts a lot, and "
                "specialisations and complexity may change strongly from one period to the next."
            )
        elif active < CAVEAT_MIN_ACTIVITIES:
            caveats.append(
                f"Caution: the region is active in only {active} activities (fewer than "
                f"{CAVEAT_MIN_ACTIVITIES}); its diversity and complexity rest on very few of them."
            )
        if regions < CAVEAT_MIN_REGIONS:
            caveats.append(
                f"Caution: only {regions} regions are compared; complexity and relatedness need more "
                f"(at least {CAVEAT_MIN_REGIONS}) to be stable."
            )
        return caveats

    def _name(self, activity: Any) -> Any:
        return self.activity_names.get(activity)

    def _specialisations(self, result, row, values, total, activities) -> list[dict]:
        rca = result.rca[row]
        keep = np.flatnonzero((result.mcp[row] == 1) & (values >= self.min_value))
        order = keep[np.argsort(-rca[keep], kind="stable")][: self.top]
        return [
            {
                "activity": _plain(activities[j]),
                "name": self._name(activities[j]),
                "value": _plain(values[j]),
                "lq": _plain(rca[j]),
                "share": _plain(values[j] / total) if total else None,
                "pci": _plain(result.pci[j]),
            }
            for j in order
        ]

    def _research_specialisations(self, region: str) -> list[dict]:
        """The region's research fields with RCA >= threshold, best first (if research data given)."""
        if self._research is None:
            return []
        matrix, rca_values, rows = self._research
        if region not in rows:
            return []
        row = rows[region]
        values = matrix.values[[row], :].toarray().ravel()
        keep = np.flatnonzero((rca_values[row] >= self.options.threshold) & (values > 0))
        order = keep[np.argsort(-rca_values[row][keep], kind="stable")][: self.top]
        return [
            {"activity": _plain(matrix.activities[j]), "value": _plain(values[j]), "lq": _plain(rca_values[row][j])}
            for j in order
        ]

    def _clusters(self, region: str, period: Any) -> list[dict]:
        if self.clusters is None:
            return []
        rows = self.clusters[self.clusters["region"] == region]
        if self.time_column is not None and self.time_column in rows:
            rows = rows[rows[self.time_column].astype(str) == str(period)]
        rows = rows.sort_values(["stars", "lq"], ascending=False).head(self.top)
        names = ("cluster", "size", "lq", "focus", "size_star", "specialisation_star", "focus_star", "stars")
        return [
            {name: _plain(record.get(name)) for name in names} | {"name": record.get("cluster_name")}
            for record in rows.to_dict("records")
        ]

    def _emerging(self, region: str, index: int) -> list[dict]:
        """Specialisations gained since the first period, then the fastest growing ones."""
        if index == 0:
            return []
        start, end = self.results[0], self.results[index]
        if region not in self._row[0]:
            return []
        i0, i1 = self._row[0][region], self._row[index][region]
        common = [a for a in end.matrix.activities if a in self._column[0]]
        j0 = np.array([self._column[0][a] for a in common], dtype=int)
        j1 = np.array([self._column[index][a] for a in common], dtype=int)
        v0 = start.matrix.values[[i0], :].toarray().ravel()[j0]
        v1 = end.matrix.values[[i1], :].toarray().ravel()[j1]
        rca0, rca1 = start.rca[i0][j0], end.rca[i1][j1]
        threshold = self.options.threshold
        significant = v1 >= self.min_value
        gained = significant & (rca0 < threshold) & (rca1 >= threshold)
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.where(v0 >= self.min_value, v1 / v0 - 1.0, np.nan)
        growing = significant & ~gained & (rca1 >= threshold) & np.isfinite(growth) & (growth > 0)
        order = list(np.flatnonzero(gained)[np.argsort(-rca1[gained], kind="stable")])
        order += list(np.flatnonzero(growing)[np.argsort(-growth[growing], kind="stable")])
        return [
            {
                "activity": _plain(common[k]),
                "name": self._name(common[k]),
                "value_start": _plain(v0[k]),
                "value_end": _plain(v1[k]),
                "lq_start": _plain(rca0[k]),
                "lq_end": _plain(rca1[k]),
                "growth": _plain(growth[k]),
                "status": "gained" if gained[k] else "growing",
            }
            for k in order[: self.top]
        ]

    def _diversification(self, result, row, activities) -> tuple[list[dict], dict]:
        present = result.mcp[row] == 1
        density, pci, cog = result.density[row], result.pci, result.cog[row]
        absent = np.flatnonzero(~present)
        if absent.size == 0:
            return [], {"density_median": None, "pci_median": None, "points": []}
        density_median = float(np.median(density[absent]))
        pci_median = float(np.median(pci[absent]))
        quadrant = (density[absent] < density_median) * 2 + (pci[absent] < pci_median)
        order = absent[np.lexsort((-cog[absent], -density[absent], quadrant))][: self.top]
        labels = dict(zip(absent, quadrant, strict=True))
        options = [
            {
                "activity": _plain(activities[j]),
                "name": self._name(activities[j]),
                "density": _plain(density[j]),
                "pci": _plain(pci[j]),
                "cog": _plain(cog[j]),
                "quadrant": QUADRANTS[labels[j]],
            }
            for j in order
        ]
        points = [
            {"activity": _plain(a), "density": _plain(d), "pci": _plain(p), "present": bool(m)}
            for a, d, p, m in zip(activities, density, pci, present, strict=True)
        ]
        return options, {"density_median": density_median, "pci_median": pci_median, "points": points}

    def _trends(self, region: str) -> list[dict]:
        trends = []
        for period, rows, structure in zip(self.periods, self._row, self._structure, strict=True):
            if region in rows:
                record = structure.iloc[rows[region]]
                trends.append(
                    {
                        "period": None if period is None else str(period),
                        "total": _plain(record["total"]),
                        "diversity": _plain(record["diversity"]),
                        "eci": _plain(record["eci"]),
                    }
                )
        return trends


def profile(region: str, data: pd.DataFrame | str, *, period: Any = None, **options: Any) -> dict[str, Any]:
    """The profile of one region: :class:`RegionProfiler` (``**options``) then ``.profile``."""
    if not isinstance(region, str):
        raise InvalidInputError(f"region must be a region code (text); got {region!r}.")
    return RegionProfiler(data, **options).profile(region, period=period)

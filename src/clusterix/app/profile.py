"""Use cases of the region profile: from a stored dataset (every face) or from a long table
(the command line's ``--input FILE``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from clusterix.app.datasets import Analysis, region_analysis
from clusterix.app.results import Profile, Profiles
from clusterix.errors import InvalidInputError, UnknownCodeError

if TYPE_CHECKING:
    from clusterix.app.workspace import Workspace

__all__ = [
    "EXPORT_FORMATS",
    "profile_export",
    "CLUSTER_DEFAULTS",
    "cluster_table",
    "profile_from_table",
    "region_profile",
    "region_profiles",
]

#: The named default cluster mappings: ``--clusters NAME`` with ``--clusters-from DIR``.
CLUSTER_DEFAULTS = ("uk-segments", "nace-segments", "us")


def region_profile(
    workspace: Workspace, code: str, *, dataset: str | None = None, measure: str | None = None,
    year: str | None = None,
) -> Profile:  # fmt: skip
    """A region's profile from a stored dataset: specialisations, cluster stars, complexity,
    emerging activities and diversification options, with region and activity names.

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    code : str
        NUTS code, e.g. ``UKI3``.
    dataset, measure, year : str, optional
        Which data (defaults: the first dataset that holds the region, its only measure, the last period).

    Returns
    -------
    Profile
        :meth:`clusterix.profiling.profile.RegionProfiler.profile` with the dataset, measure
        and periods named; ``clusters`` holds the stars where a loaded cluster mapping
        covers at least half of the activities.

    References
    ----------
    Balland, P.-A. et al. (2019). Smart specialization policy in the European Union:
    relatedness, knowledge complexity and regional diversification. Regional Studies 53(9).
    Ketels, C. and Protsiv, S. (2013). Methodology and findings report for a cluster mapping
    of related sectors. European Cluster Observatory.
    """
    found, index = region_analysis(workspace, code, dataset, measure, year)

    def build() -> Profile:
        payload = found.profiler.profile(code, period=found.profiler.periods[index])
        payload["dataset"] = found.dataset
        payload["measure"] = found.measure
        payload["periods"] = found.periods
        if found.small_activities:
            payload["notes"].append(_small_note(found))
        return Profile.model_validate(payload)

    # computed once per dataset version, region and period (precomputed by clusterix.app.precompute)
    return workspace.caches.results.get((*found.key, "profile", found.periods[index], code), build)  # type: ignore[no-any-return]


def profile_charts(
    workspace: Workspace, code: str, *, dataset: str | None = None, measure: str | None = None,
    year: str | None = None,
) -> dict[str, str]:  # fmt: skip
    """The charts of a region's profile as SVG markup: ``specialisations``, ``diversification``
    and ``trends`` where the profile has the figures for them.

    The same charts as the HTML report (:mod:`clusterix.profiling.report`); drawing them is
    the costliest part of a profile page, so they are kept per dataset version, region and
    period like the profile itself.

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    code : str
        NUTS code, e.g. ``UKI3``.
    dataset, measure, year : str, optional
        As for :func:`region_profile`.

    Returns
    -------
    dict of str to str
        SVG markup by chart name; empty when matplotlib is not installed (the ``report``
        extra: ``pip install 'clusterix[report]'``).
    """
    found, index = region_analysis(workspace, code, dataset, measure, year)
    profile = region_profile(workspace, code, dataset=found.dataset, measure=found.measure, year=found.periods[index])

    def build() -> dict[str, str]:
        try:
            from clusterix.profiling.report import _html_charts  # the same charts as the HTML report
        except ImportError:
            return {}
        try:
            return _html_charts(profile.model_dump())
        except ImportError:  # matplotlib is imported when the first chart is drawn
            return {}

    return workspace.caches.results.get((*found.key, "charts", found.periods[index], code), build)  # type: ignore[no-any-return]


def cluster_table(
    frame: pd.DataFrame, columns: dict[str, str | None], clusters: str | None, source: Path | None
) -> pd.DataFrame | None:
    """Cluster strength for a long table from a named default mapping (:data:`CLUSTER_DEFAULTS`,
    read from the folder ``source``) or a mapping file; ``None`` without ``clusters``.

    Parameters
    ----------
    frame : DataFrame
        The long table.
    columns : dict
        Its ``region``, ``activity``, ``value`` and ``time`` column names.
    clusters : str, optional
        A default mapping's name or the path of a mapping file (``industry, cluster``).
    source : Path, optional
        The folder of the data sets holding the default mappings.

    Returns
    -------
    DataFrame or None
        :func:`clusterix.profiling.clusters.cluster_strength` with a ``region`` column.
    """
    if clusters is None:
        return None
    from clusterix.profiling import (
        cluster_mapping,
        cluster_strength,
        nace_segments,
        uk_segments,
        us_cluster_definitions,
    )

    defaults = {"uk-segments": uk_segments, "nace-segments": nace_segments, "us": us_cluster_definitions}
    if clusters in defaults:
        if source is None:
            raise InvalidInputError(f"--clusters {clusters} needs --clusters-from DIR (the folder of the data sets).")
        mapping = defaults[clusters](source)
    else:
        from clusterix.tables import read_table

        mapping = cluster_mapping(read_table(Path(clusters)))
    region = str(columns["region"])
    return cluster_strength(
        frame,
        mapping,
        region=region,
        activity=str(columns["activity"]),
        value=str(columns["value"]),
        time=columns["time"],
        unmapped="other",
    ).rename(columns={region: "region"})


def profile_from_table(
    frame: pd.DataFrame, code: str, *, columns: dict[str, str | None], year: str | None = None,
    clusters: pd.DataFrame | None = None, min_value: float = 10.0, top: int = 10,
) -> dict[str, Any]:  # fmt: skip
    """A region's profile from a long table (a user's file).

    Parameters
    ----------
    frame : DataFrame
        The long table.
    code : str
        The region.
    columns : dict
        Its ``region``, ``activity``, ``value`` and ``time`` column names.
    year : str, optional
        The period (default: the last).
    clusters : DataFrame, optional
        :func:`cluster_table` of the same table.
    min_value : float
        Significance guard: smallest value reported.
    top : int
        Items per list.

    Returns
    -------
    dict
        :meth:`clusterix.profiling.profile.RegionProfiler.profile`, JSON-ready.
    """
    from clusterix.profiling.profile import RegionProfiler

    profiler = RegionProfiler(
        frame,
        region=str(columns["region"]),
        activity=str(columns["activity"]),
        value=str(columns["value"]),
        time=columns["time"],
        min_value=min_value,
        top=top,
        clusters=clusters,
    )
    return profiler.profile(code, period=year)


def charts_available() -> bool:
    """Whether the profile charts can be drawn: matplotlib (the ``report`` extra) is installed.

    Returns
    -------
    bool
        ``False`` when ``pip install 'clusterix[report]'`` is needed for the charts.
    """
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def _small_note(found: Analysis) -> str:
    """The note naming the activities left out for their size (docs/methods.md)."""
    from clusterix.profiling.profile import MIN_ACTIVITY_SHARE

    shown = [found.activity_names.get(str(code)) or str(code) for code in found.small_activities[:5]]
    more = len(found.small_activities) - len(shown)
    return (
        f"Left out of complexity, relatedness and these lists for their size: {len(found.small_activities)} "
        f"activities with less than {MIN_ACTIVITY_SHARE:.3%} of the dataset's total ({found.small_threshold:,.0f} "
        f"{found.measure} over all regions and periods): {'; '.join(shown)}{f' and {more} more' if more > 0 else ''}."
    )


#: The formats of :func:`profile_export` and their media types.
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
_EXPORT_TABLES = ("specialisations", "research_specialisations", "clusters", "emerging", "diversification")


def profile_export(
    workspace: Workspace, code: str, *, format: str, dataset: str | None = None, measure: str | None = None,
    year: str | None = None,
) -> bytes:  # fmt: skip
    """A region's profile as a file: ``csv`` (every list of the profile, one row per item, with
    a ``table`` column), ``html`` (the self-contained report) or ``pdf`` (the printed report).

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    code : str
        NUTS code, e.g. ``UKI3``.
    format : {"csv", "html", "pdf"}
        The file format.
    dataset, measure, year : str, optional
        As for :func:`region_profile`.

    Returns
    -------
    bytes
        The file (see :data:`EXPORT_FORMATS` for the media types); kept per dataset version.

    Raises
    ------
    InvalidInputError
        An unknown format, or ``html``/``pdf`` without the ``report`` extra
        (``pip install 'clusterix[report]'``).
    """
    from clusterix._validation import check_option

    check_option(format, tuple(EXPORT_FORMATS), name="format", function="profile_export")
    found, index = region_analysis(workspace, code, dataset, measure, year)
    profile = region_profile(workspace, code, dataset=found.dataset, measure=found.measure, year=found.periods[index])
    key = (*found.key, "export", found.periods[index], code, format)  # per dataset version, like the profile
    return workspace.caches.results.get(key, lambda: _export(profile.model_dump(), format))  # type: ignore[no-any-return]


def _export(payload: dict[str, Any], format: str) -> bytes:
    if format == "csv":
        frames = [pd.DataFrame(payload[name]).assign(table=name) for name in _EXPORT_TABLES if payload.get(name)]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"table": []})
        frame.insert(0, "region", payload["region"])
        frame.insert(1, "region_name", payload.get("name"))
        frame.insert(2, "dataset", payload["dataset"])
        frame.insert(3, "period", payload.get("period"))
        columns = ["region", "region_name", "dataset", "period", "table"]
        frame = frame[columns + [c for c in frame.columns if c not in columns]]
        frame = frame.map(lambda v: ";".join(map(str, v)) if isinstance(v, list) else v)
        return frame.to_csv(index=False).encode("utf-8")
    from clusterix.extras import require

    require("jinja2", "report", "A region report")
    require("matplotlib", "report", "A region report")
    from clusterix.profiling.report import render_html, render_pdf

    if format == "html":
        return render_html(payload).encode("utf-8")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="clusterix-report-") as folder:
        path = render_pdf(payload, Path(folder) / "report.pdf")
        return path.read_bytes()


def region_profiles(workspace: Workspace, code: str) -> Profiles:
    """A region's profile from every observation dataset that holds it, in import order: its
    industry and its research competences side by side.

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    code : str
        NUTS code, e.g. ``AT12``.

    Returns
    -------
    Profiles
        ``region`` and ``items``, one :class:`~clusterix.app.results.Profile` per dataset (its
        only measure, its last period; a dataset with several measures is skipped, as it
        needs a choice).

    Raises
    ------
    UnknownCodeError
        No dataset holds the region.
    """
    from clusterix.app.datasets import datasets_covering, list_datasets

    covering = datasets_covering(workspace, code)
    if not covering:
        raise UnknownCodeError(f"No dataset of the store holds region {code!r}.")
    single = {item["name"] for item in list_datasets(workspace) if len(item.get("measures") or []) <= 1}
    items = [region_profile(workspace, code, dataset=name) for name in covering if name in single]
    return Profiles.model_validate({"region": code, "items": [item.model_dump() for item in items]})

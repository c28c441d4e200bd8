"""Use cases about regions: the NUTS regions loaded, one region with its boundary, and one
indicator for every region of a dataset (as values and as GeoJSON for the map)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from clusterix.app._convert import plain, records
from clusterix.app.datasets import analysis
from clusterix.app.results import FeatureCollection, Indicators, Page, Region, RegionDetail
from clusterix.errors import DataSourceError, InvalidInputError, UnknownCodeError

if TYPE_CHECKING:
    from clusterix.app.workspace import Workspace

__all__ = ["INDICATORS", "indicator_geojson", "indicator_values", "list_regions", "region_detail"]

_log = logging.getLogger("clusterix.app")

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


def list_regions(
    workspace: Workspace, *, level: int | None = None, version: int | None = None, limit: int = 100, offset: int = 0
) -> Page[Region]:
    """One page of the NUTS regions of ``version`` (default: the newest loaded), by code.

    Parameters
    ----------
    workspace : Workspace
        The store.
    level : int, optional
        NUTS level 0-3.
    version : int, optional
        NUTS version (2013, 2016, 2021, ...).
    limit, offset : int
        The page.

    Returns
    -------
    Page[Region]
        ``items`` from ``offset`` of ``total``.
    """
    versions = workspace.store.region_versions()
    if version is None:
        version = versions[-1] if versions else 2021
    elif version not in versions:
        raise UnknownCodeError(f"No NUTS {version} regions are loaded in the store (loaded versions: {versions}).")
    frame = workspace.store.regions(level=level, version=version)
    page = frame.iloc[offset : offset + limit]
    return Page[Region].model_validate({"items": records(page), "total": len(frame), "limit": limit, "offset": offset})


def _boundary_index(workspace: Workspace, version: int) -> dict[str, Any]:
    """``code -> geometry`` of one NUTS version's boundaries, or ``{}`` when they cannot be read."""

    def build() -> dict[str, Any]:
        from clusterix.reference.geo import GEO_VERSIONS, nuts_boundaries

        if version not in GEO_VERSIONS:
            return {}
        try:
            collection = nuts_boundaries(version, source=workspace.boundaries)
        except (DataSourceError, InvalidInputError) as error:
            _log.warning("No NUTS %s boundaries for the map: %s", version, error)
            return {}
        return {feature["properties"]["NUTS_ID"]: feature["geometry"] for feature in collection["features"]}

    return workspace.caches.get(("boundaries", version), build)  # type: ignore[no-any-return]


def _geometries(workspace: Workspace, codes: Sequence[str], version: int | None) -> dict[str, tuple[Any, int]]:
    """Geometry and its NUTS version for each code: the region version first, then the others."""
    order = [v for v in (version, 2016, 2021, 2024, 2013) if v is not None]
    found: dict[str, tuple[Any, int]] = {}
    for candidate in dict.fromkeys(order):
        missing = [code for code in codes if code not in found]
        if not missing:
            break
        index = _boundary_index(workspace, candidate)
        for code in missing:
            if code in index:
                found[code] = (index[code], candidate)
    return found


def region_detail(workspace: Workspace, code: str, *, version: int | None = None) -> RegionDetail:
    """One region with its GeoJSON geometry (``None`` when no boundary file has it).

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    code : str
        NUTS code, e.g. ``UKI3``.
    version : int, optional
        NUTS version (default: the newest loaded that has the code).

    Returns
    -------
    RegionDetail
        The region's row with ``geometry`` and ``geometry_version``.

    Raises
    ------
    UnknownCodeError
        The code is not in the loaded versions.
    """
    versions = workspace.store.region_versions()
    candidates = [version] if version is not None else versions[::-1]
    for candidate in candidates:
        frame = workspace.store.region(code, candidate)
        if not frame.empty:
            record = records(frame)[0]
            geometry = _geometries(workspace, [code], int(record["version"])).get(code)
            record["geometry"] = geometry[0] if geometry else None
            record["geometry_version"] = geometry[1] if geometry else None
            return RegionDetail.model_validate(record)
    loaded = ", ".join(str(v) for v in versions)
    where = f"NUTS {version}" if version is not None else f"the loaded NUTS versions ({loaded})"
    raise UnknownCodeError(f"Unknown region {code!r}: it is not in {where}.")


def indicator_values(
    workspace: Workspace,
    *,
    dataset: str | None = None,
    measure: str | None = None,
    year: str | None = None,
    indicator: str = "eci",
    activity: str | None = None,
) -> Indicators:
    """One indicator for every region of a dataset, measure and period (default: the last).

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    dataset, measure, year : str, optional
        Which data (defaults: the first dataset, its only measure, the last period).
    indicator : str
        A key of :data:`INDICATORS`.
    activity : str, optional
        The activity of ``indicator="lq"``.

    Returns
    -------
    Indicators
        The values per region with the names, the range and the period.
    """
    if indicator not in INDICATORS:
        raise InvalidInputError(f"Unknown indicator {indicator!r}; indicators are {', '.join(map(repr, INDICATORS))}.")
    found = analysis(workspace, dataset, measure)
    index = found.period_index(year)
    result = found.profiler.results[index]
    regions = [str(r) for r in result.matrix.regions]
    if indicator == "lq":
        if activity is None:
            raise InvalidInputError("indicator=lq needs activity= (an activity code of the dataset).")
        activities = [str(a) for a in result.matrix.activities]
        if activity not in activities:
            raise UnknownCodeError(
                f"Activity {activity!r} is not in dataset {found.dataset!r} in period {found.periods[index]} "
                f"(e.g. {activities[:5]})."
            )
        values = result.rca[:, activities.index(activity)]
    else:
        if activity is not None:
            raise InvalidInputError(f"activity= applies to indicator=lq only, not to {indicator!r}.")
        values = found.measures_table(index)[indicator].to_numpy()
    items = [
        {"region": code, "name": found.region_names.get(code), "value": plain(value)}
        for code, value in zip(regions, values, strict=True)
    ]
    finite = [item["value"] for item in items if item["value"] is not None]
    return Indicators.model_validate(
        {
            "dataset": found.dataset,
            "measure": found.measure,
            "year": found.periods[index],
            "years": found.periods,
            "indicator": indicator,
            "label": INDICATORS[indicator]
            + (f" {activity} {found.activity_names.get(activity, '')}".rstrip() if activity else ""),
            "activity": activity,
            "region_version": found.region_version,
            "min": min(finite) if finite else None,
            "max": max(finite) if finite else None,
            "items": items,
        }
    )


def indicator_geojson(workspace: Workspace, **query: Any) -> FeatureCollection:
    """:func:`indicator_values` as a GeoJSON FeatureCollection for the map.

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    **query
        The keywords of :func:`indicator_values`.

    Returns
    -------
    FeatureCollection
        One feature per region with a boundary; regions without one are listed in
        ``metadata["unmapped"]``.
    """
    values = indicator_values(workspace, **query).model_dump()
    codes = [item["region"] for item in values["items"]]
    geometries = _geometries(workspace, codes, values["region_version"])
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
    return FeatureCollection.model_validate({"type": "FeatureCollection", "features": features, "metadata": meta})

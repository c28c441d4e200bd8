"""NUTS region boundaries for maps: Eurostat GISCO's GeoJSON files, checked and filtered by level.

GISCO publishes one file per NUTS version, scale and projection holding every level,
e.g. ``NUTS_RG_60M_2021_4326.geojson`` (``RG``: region polygons; ``60M``: 1:60 million,
coarse and small, good for choropleth maps; ``4326``: WGS84 longitude/latitude). Each
feature has the properties ``NUTS_ID``, ``LEVL_CODE`` (0-3), ``CNTR_CODE``, ``NAME_LATN``
and ``NUTS_NAME``. Extra-regio codes (``DEZZ``) have no territory and no feature.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

from clusterix._validation import check_option, parameter_error
from clusterix.errors import DataSourceError
from clusterix.ingest.downloads import RemoteFile, fetch

__all__ = ["GEO_VERSIONS", "SCALES", "nuts_boundaries", "remote_boundaries"]

#: NUTS versions whose boundaries GISCO publishes and clusterix can download.
GEO_VERSIONS = (2013, 2016, 2021, 2024)
#: GISCO scales, the coarsest (smallest file) first: the order in which a folder is searched.
SCALES = ("60M", "20M", "10M", "03M", "01M")

# GISCO's distribution service for NUTS (https://gisco-services.ec.europa.eu/distribution/v2/nuts/),
# listed on Eurostat's page "GISCO: Geographical information and maps - NUTS". No checksums are
# published: fetch() records the SHA-256 of the first download.
_GISCO_NUTS = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
_NAME = re.compile(r"NUTS_RG_(\d{2}M)_(\d{4})_4326\.geojson(\.gz)?")
_CODE = re.compile(r"[A-Z]{2}[0-9A-Z]{0,3}")


def remote_boundaries(version: int) -> RemoteFile:
    """The official GISCO file of a NUTS version (1:60 million, WGS84, all levels)."""
    name = f"NUTS_RG_60M_{version}_4326.geojson"
    return RemoteFile(name, _GISCO_NUTS + name)


def nuts_boundaries(version: int, *, level: int | None = None, source: str | Path | None = None) -> dict[str, Any]:
    """The NUTS regions of a version as a GeoJSON FeatureCollection, optionally of one level.

    Parameters
    ----------
    version : {2013, 2016, 2021, 2024}
        The NUTS version of the boundaries (it must match the codes of the data mapped).
    level : {None, 0, 1, 2, 3}
        Keep the features of one level (``LEVL_CODE``); all levels by default.
    source : str or Path, optional
        A GISCO file (``.geojson`` or ``.geojson.gz``), or a folder holding
        ``NUTS_RG_<scale>_<version>_4326.geojson[.gz]`` directly or in a subfolder
        ``nuts-<version>-geo`` (the coarsest scale found is used). By default the 1:60
        million file is downloaded from GISCO once.

    Returns
    -------
    dict
        A new FeatureCollection (the file's other top-level members, such as ``crs``,
        are kept); the caller may change it freely.

    Raises
    ------
    InvalidInputError
        Bad ``version``, ``level`` or ``source`` (including a GISCO file of another version).
    DataSourceError
        No such file, not JSON (with line and column), not a FeatureCollection, or a
        feature without a valid ``NUTS_ID``/``LEVL_CODE`` (named by its 1-based position).

    Examples
    --------
    >>> regions = nuts_boundaries(2021, level=2, source="nuts-2021-geo/")  # doctest: +SKIP
    >>> len(regions["features"])  # doctest: +SKIP
    334
    """
    function = "nuts_boundaries"
    check_option(version, GEO_VERSIONS, name="version", function=function)
    check_option(level, (None, 0, 1, 2, 3), name="level", function=function)
    path = _boundary_file(int(version), source, function)
    collection = _read(path)
    features = [
        feature for feature in collection["features"] if level is None or feature["properties"]["LEVL_CODE"] == level
    ]
    return {**collection, "features": features}


def _boundary_file(version: int, source: str | Path | None, function: str) -> Path:
    if source is None:
        return fetch(remote_boundaries(version))
    path = Path(source)
    if path.is_file():
        match = _NAME.fullmatch(path.name)
        if match and int(match.group(2)) != version:
            raise parameter_error(
                "source", function, f"a file of NUTS {version} boundaries (version={version})", str(source)
            )
        return path
    if not path.is_dir():
        raise parameter_error("source", function, "a GISCO GeoJSON file or a folder holding one", str(source))
    for folder in (path, path / f"nuts-{version}-geo"):
        for scale in SCALES:
            for suffix in ("", ".gz"):
                candidate = folder / f"NUTS_RG_{scale}_{version}_4326.geojson{suffix}"
                if candidate.is_file():
                    return candidate
    raise DataSourceError(
        f"{path} holds no GISCO NUTS {version} boundaries: looked for NUTS_RG_<scale>_{version}_4326.geojson "
        f"(or .gz; scale {', '.join(SCALES)}) there and in nuts-{version}-geo/. Download "
        f"{remote_boundaries(version).url} or pass source=None."
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                collection = json.load(handle)
        else:
            with open(path, encoding="utf-8") as handle:
                collection = json.load(handle)
    except json.JSONDecodeError as error:
        raise DataSourceError(
            f"{path}, line {error.lineno}, column {error.colno}: not valid JSON ({error.msg}); "
            "expected a GeoJSON FeatureCollection from GISCO."
        ) from error
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise DataSourceError(f"{path}: cannot be read ({error}).") from error
    kind = collection.get("type") if isinstance(collection, dict) else type(collection).__name__
    if kind != "FeatureCollection" or not isinstance(collection.get("features"), list):
        raise DataSourceError(
            f"{path}: not a GeoJSON FeatureCollection (its type is {kind!r}); expected GISCO's "
            "NUTS_RG_..._4326.geojson with a 'features' list."
        )
    seen: dict[str, int] = {}
    for number, feature in enumerate(collection["features"], start=1):
        _check_feature(path, number, feature, seen)
    return collection


def _check_feature(path: Path, number: int, feature: Any, seen: dict[str, int]) -> None:
    where = f"{path}, feature {number}"
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict) or feature.get("type") != "Feature":
        raise DataSourceError(f"{where}: not a GeoJSON Feature with properties.")
    code = properties.get("NUTS_ID")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise DataSourceError(
            f"{where}, property 'NUTS_ID': value {code!r} is not a NUTS code; GISCO NUTS files name each "
            "region in NUTS_ID, e.g. 'DE21'."
        )
    if code in seen:
        raise DataSourceError(f"{where}, property 'NUTS_ID': {code!r} appears twice (first in feature {seen[code]}).")
    seen[code] = number
    level = properties.get("LEVL_CODE", len(code) - 2)
    if isinstance(level, bool) or level != len(code) - 2:
        raise DataSourceError(
            f"{where}, property 'LEVL_CODE': value {level!r} does not match the level of {code!r} ({len(code) - 2})."
        )
    properties["LEVL_CODE"] = len(code) - 2  # an integer even where the file has 2.0 or none
    if "geometry" not in feature:
        raise DataSourceError(f"{where}: {code!r} has no 'geometry' member.")

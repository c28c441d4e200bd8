"""NUTS boundaries from GISCO's real GeoJSON files in ../shared/data."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from clusterix.errors import DataSourceError, InvalidInputError
from clusterix.reference import geo
from clusterix.reference.geo import nuts_boundaries
from clusterix.reference.nuts import nuts_regions

# Stated in the SOURCE.md files of nuts-2016-geo and nuts-2021-geo (and recounted below).
STATED = {2016: {0: 37, 1: 125, 2: 332, 3: 1522}, 2021: {0: 37, 1: 125, 2: 334, 3: 1514}}


def raw_levels(path: Path) -> Counter:
    with open(path, encoding="utf-8") as handle:
        return Counter(feature["properties"]["LEVL_CODE"] for feature in json.load(handle)["features"])


@pytest.mark.parametrize("version", [2016, 2021])
def test_feature_counts_per_level(shared_data: Path, version: int) -> None:
    folder = shared_data / f"nuts-{version}-geo"
    assert dict(raw_levels(folder / f"NUTS_RG_60M_{version}_4326.geojson")) == STATED[version]
    everything = nuts_boundaries(version, source=folder)
    assert everything["type"] == "FeatureCollection" and "crs" in everything
    assert len(everything["features"]) == sum(STATED[version].values())
    for level, count in STATED[version].items():
        collection = nuts_boundaries(version, level=level, source=folder)
        assert len(collection["features"]) == count
        assert {feature["properties"]["LEVL_CODE"] for feature in collection["features"]} == {level}


def test_source_may_be_the_data_folder_the_geo_folder_or_the_file(shared_data: Path) -> None:
    folder = shared_data / "nuts-2021-geo"
    sources = [shared_data, folder, folder / "NUTS_RG_60M_2021_4326.geojson", str(folder)]
    ids = [{f["properties"]["NUTS_ID"] for f in nuts_boundaries(2021, source=s)["features"]} for s in sources]
    assert all(found == ids[0] for found in ids)


def test_gzipped_file_of_another_scale(shared_data: Path) -> None:
    folder = shared_data / "nuts-2016-geo"
    fine = nuts_boundaries(2016, level=2, source=folder / "NUTS_RG_20M_2016_4326.geojson.gz")
    coarse = nuts_boundaries(2016, level=2, source=folder)  # the 60M file is preferred in a folder
    assert {f["properties"]["NUTS_ID"] for f in fine["features"]} == {
        f["properties"]["NUTS_ID"] for f in coarse["features"]
    }


@pytest.mark.parametrize("version", [2016, 2021])
def test_every_nuts_2_region_has_a_boundary(shared_data: Path, version: int) -> None:
    regions = nuts_regions(version, level=2, source=shared_data / "nuts-codes-and-changes")
    codes = set(regions["code"])
    mapped = {f["properties"]["NUTS_ID"] for f in nuts_boundaries(version, level=2, source=shared_data)["features"]}
    extra_regio = {code for code in codes if code.endswith("ZZ")}  # no territory, no polygon
    assert len(extra_regio) == 37
    assert codes - extra_regio == mapped


def test_level_3_in_2016_shows_norways_2018_merger(shared_data: Path) -> None:
    """GISCO's 2016 file already has NO060 (Trøndelag, merged 1 January 2018); the table has NO061/NO062."""
    regions = set(nuts_regions(2016, level=3, source=shared_data / "nuts-codes-and-changes")["code"])
    mapped = {f["properties"]["NUTS_ID"] for f in nuts_boundaries(2016, level=3, source=shared_data)["features"]}
    assert {code for code in regions - mapped if not code.endswith("ZZZ")} == {"NO061", "NO062"}
    assert mapped - regions == {"NO060"}


def test_each_call_returns_a_new_collection(shared_data: Path) -> None:
    first = nuts_boundaries(2021, level=0, source=shared_data)
    first["features"].clear()
    assert len(nuts_boundaries(2021, level=0, source=shared_data)["features"]) == 37


def test_download_uses_the_gisco_file(shared_data: Path, monkeypatch) -> None:
    requested = []

    def fake_fetch(remote):  # stands in for the network
        requested.append(remote)
        return shared_data / "nuts-2021-geo" / remote.filename

    monkeypatch.setattr(geo, "fetch", fake_fetch)
    assert len(nuts_boundaries(2021, level=2)["features"]) == 334
    assert requested[0].url == (
        "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/NUTS_RG_60M_2021_4326.geojson"
    )


# --------------------------------------------------------------------------------------
# Clear errors
# --------------------------------------------------------------------------------------


def write(path: Path, content: object) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def feature(code: object, level: object = None) -> dict:
    properties = {"NUTS_ID": code} if level is None else {"NUTS_ID": code, "LEVL_CODE": level}
    return {"type": "Feature", "properties": properties, "geometry": None}


def test_malformed_files_are_named(tmp_path: Path) -> None:
    cases = [
        ('{"type": "FeatureCollection",\n "features": [}', r"bad.geojson, line 2, column 15: not valid JSON"),
        ({"type": "Feature", "properties": {}}, r"not a GeoJSON FeatureCollection \(its type is 'Feature'\)"),
        ([1, 2], r"not a GeoJSON FeatureCollection \(its type is 'list'\)"),
        (
            {"type": "FeatureCollection", "features": [feature("DE1", 1), feature(None)]},
            r"bad.geojson, feature 2, property 'NUTS_ID': value None is not a NUTS code",
        ),
        (
            {"type": "FeatureCollection", "features": [feature("DE21", 3)]},
            r"feature 1, property 'LEVL_CODE': value 3 does not match the level of 'DE21' \(2\)",
        ),
        (
            {"type": "FeatureCollection", "features": [feature("DE21"), feature("DE21")]},
            r"feature 2, property 'NUTS_ID': 'DE21' appears twice \(first in feature 1\)",
        ),
    ]
    for content, message in cases:
        with pytest.raises(DataSourceError, match=message):
            nuts_boundaries(2021, source=write(tmp_path / "bad.geojson", content))


def test_a_collection_without_levels_is_read_by_code(tmp_path: Path) -> None:
    path = tmp_path / "NUTS_RG_60M_2021_4326.geojson.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(
            {"type": "FeatureCollection", "features": [feature("DE"), feature("DE2"), feature("DE21")]},
            handle,
        )
    collection = nuts_boundaries(2021, level=2, source=tmp_path)
    assert [f["properties"] for f in collection["features"]] == [{"NUTS_ID": "DE21", "LEVL_CODE": 2}]


def test_bad_arguments(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"The 'version' parameter of nuts_boundaries must be one of"):
        nuts_boundaries(2020, source=shared_data)
    with pytest.raises(InvalidInputError, match=r"The 'level' parameter of nuts_boundaries"):
        nuts_boundaries(2021, level=5, source=shared_data)
    with pytest.raises(InvalidInputError, match=r"must be a file of NUTS 2021 boundaries"):
        nuts_boundaries(2021, source=shared_data / "nuts-2016-geo" / "NUTS_RG_60M_2016_4326.geojson")
    with pytest.raises(InvalidInputError, match=r"The 'source' parameter of nuts_boundaries must be a GISCO"):
        nuts_boundaries(2021, source=tmp_path / "absent")
    with pytest.raises(DataSourceError, match=r"holds no GISCO NUTS 2013 boundaries"):
        nuts_boundaries(2013, source=shared_data)

"""Nesta's EURITO count tables read and recoded to one NUTS version: a tiny file in the
official layout (hand-checked sums), and the real H2020 x SDG table of ../shared/data."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from clusterix.errors import InvalidInputError
from clusterix.ingest.eurito import SDG_TITLES, pool_years, read_eurito_counts, topic_title
from clusterix.reference.nuts import convert_versions

HEADER = "sdg,year,region_type,region_year_spec,region_id,region_level,value\n"


def _write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(header + "".join(row + "\n" for row in rows))
    return path


@pytest.fixture
def reference(shared_data: Path) -> Path:
    return shared_data / "nuts-codes-and-changes"


def test_rows_of_older_versions_are_recoded_and_merged_regions_added_up(tmp_path: Path, reference: Path) -> None:
    # DE915 (Goettingen) and DE919 (Osterode am Harz), NUTS 2013, became DE91C in NUTS 2016.
    path = _write(
        tmp_path / "sdg.csv.gz",
        [
            "3,2015,NUTS,2013,DE915,3,4",
            "3,2015,NUTS,2013,DE919,3,1",
            "3,2017,NUTS,2016,DE91C,3,7",
            "7,2021,NUTS,2021,DE91C,3,2",
            "7,2015,NUTS,2013,DE915,3,3",  # DE919 has no SDG 7 count in 2015: the merge is incomplete
            "3,2015,NUTS,2013,AT130,3,9",  # Vienna, unchanged
            "3,2015,NUTS,2013,DE9,1,99",  # another level: left out
        ],
    )
    counts = read_eurito_counts(path, field="sdg", measure="projects", level=3)
    assert counts.observations["nuts_version"].value_counts().to_dict() == {2013: 4, 2016: 1, 2021: 1}
    recoded, left_out = convert_versions(counts.observations, to_version=2021, source=reference)
    got = {(r.region, r.activity, r.time): r.value for r in recoded.itertuples()}
    assert got == {
        ("DE91C", "SDG03", "2015"): 5.0,  # 4 + 1
        ("DE91C", "SDG03", "2017"): 7.0,
        ("DE91C", "SDG07", "2021"): 2.0,
        ("AT130", "SDG03", "2015"): 9.0,
    }
    assert left_out == 1  # the incomplete merge
    assert dict(zip(counts.titles["code"], counts.titles["name"], strict=True)) == {
        "SDG03": "Good health and well-being",
        "SDG07": "Affordable and clean energy",
    }
    pooled = pool_years(recoded)
    assert {(r.region, r.activity, r.time): r.value for r in pooled.itertuples()} == {
        ("DE91C", "SDG03", "2015-2021"): 12.0,
        ("DE91C", "SDG07", "2015-2021"): 2.0,
        ("AT130", "SDG03", "2015-2021"): 9.0,
    }


def test_bad_tables_are_refused(tmp_path: Path, reference: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"missing column\(s\) \['sdg', 'year'"):
        read_eurito_counts(_write(tmp_path / "a.csv.gz", ["x"], header="topic\n"), field="sdg", measure="m")
    path = _write(tmp_path / "b.csv.gz", ["3,2015,NUTS,2013,AT130,3,9"])
    with pytest.raises(InvalidInputError, match="no rows at NUTS level 2"):
        read_eurito_counts(path, field="sdg", measure="m", level=2)
    with pytest.raises(InvalidInputError, match="'to_version' parameter"):
        convert_versions(read_eurito_counts(path, field="sdg", measure="m", level=3).observations, to_version=2013)
    with pytest.raises(InvalidInputError, match="'field' parameter"):
        read_eurito_counts(path, field="fields", measure="m")


def test_topic_titles() -> None:
    assert topic_title("deep_learning", "ai") == "Deep learning"
    assert topic_title("artificial_intelligence", "ai") == "Artificial intelligence"
    assert topic_title("impact_studies_2", "covid_cluster") == "Covid-19 research: impact studies (2)"
    assert topic_title("vaccines", "covid_cluster") == "Covid-19 research: vaccines"
    assert len(SDG_TITLES) == 17 and SDG_TITLES[9] == "Industry, innovation and infrastructure"


def test_the_real_sdg_table_lands_on_nuts_2021(shared_data: Path, reference: Path) -> None:
    path = shared_data / "cordis-nuts-sdg-indicators" / "cordis_projects_by_nuts_sdg_count.csv.gz"
    counts = read_eurito_counts(path, field="sdg", measure="projects", level=2)
    frame, _ = convert_versions(counts.observations, to_version=2021, source=reference)
    from clusterix.reference.nuts import nuts_regions

    known = set(nuts_regions(2021, level=2, source=reference)["code"])
    assert set(frame["region"]) <= known  # every code is a NUTS 2021 code
    # the Scottish regions of NUTS 2013 (UKM2, UKM3) do not appear; today's UKM7 and UKM8 have data
    # (the source has no Southern Scotland, UKM9, count at all)
    assert {"UKM7", "UKM8"} <= set(frame["region"]) and not {"UKM2", "UKM3"} & set(frame["region"])
    assert not frame.duplicated(["region", "activity", "time", "measure"]).any()
    # nothing invented: the recoded total is the source's NUTS 2 total less what could not be recoded
    import pandas as pd

    source = pd.read_csv(path)
    level2 = source[source["region_level"] == 2]
    assert frame["value"].sum() <= level2["value"].sum()
    assert frame["value"].sum() >= 0.98 * level2["value"].sum()

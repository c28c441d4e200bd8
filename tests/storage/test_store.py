"""The store on DuckDB and PostgreSQL: schema, provenance, idempotent and transactional imports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterix import InvalidInputError, UnknownCodeError
from clusterix.ingest.downloads import sha256_of
from clusterix.storage import SCHEMA_VERSION, Store
from tests.conftest import assert_same_contents, store_contents


def observations(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "region": ["DE21", "DE22", "DE21", "DE22"],
            "activity": ["C10", "C10", "C11", "C11"],
            "time": ["2019"] * 4,
            "measure": ["unit=NR"] * 4,
            "value": [10.0, 20.0, np.nan, 5.0],
            "flag": [None, "p", None, "e"],
            "line": [2, 3, 4, 5],
            "column": ["2019"] * 4,
        }
    )
    return frame.assign(**overrides)


def source_file(tmp_path: Path, name: str = "sbs.tsv", text: str = "a file\n") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_schema_version_is_recorded(store: Store) -> None:
    assert store.database.scalar("SELECT max(version) FROM schema_version") == SCHEMA_VERSION


def test_reopening_keeps_the_data_and_the_schema(store_target: str, tmp_path: Path) -> None:
    with Store.open(store_target) as store:
        store.import_observations([observations()], source="eurostat", path=source_file(tmp_path))
    with Store.open(store_target) as store:
        assert store.table_counts()["observations"] == 4
        assert int(store.database.scalar("SELECT count(*) FROM schema_version")) == 1


def test_import_records_provenance_and_values(store: Store, tmp_path: Path) -> None:
    path = source_file(tmp_path)
    result = store.import_observations([observations()], source="eurostat", path=path, description="SBS")
    assert (result.dataset, result.rows, result.created) == ("sbs", 4, True)
    datasets = store.datasets()
    assert datasets["name"].tolist() == ["sbs"]
    row = datasets.iloc[0]
    assert row["checksum"] == sha256_of(path)
    assert row["source_file"] == str(path)
    assert int(row["row_count"]) == 4
    assert row["kind"] == "observations" and row["source"] == "eurostat"
    stored = store.observations("sbs")
    assert stored["value"].isna().sum() == 1  # a missing value (':') is kept, with its flag
    flags = dict(zip(stored["region"] + stored["activity"], stored["flag"], strict=True))
    assert flags["DE22C10"] == "p" and flags["DE22C11"] == "e"
    assert stored.loc[stored["region"].eq("DE22") & stored["activity"].eq("C10"), "value"].item() == 20.0


def test_reimporting_the_same_file_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = source_file(tmp_path)
    first = store.import_observations([observations()], source="eurostat", path=path)
    before = store_contents(store)
    again = store.import_observations([observations(value=[1.0, 1.0, 1.0, 1.0])], source="eurostat", path=path)
    assert not again.created and again.dataset == first.dataset and again.rows == 4
    assert_same_contents(before, store_contents(store))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (observations(value=[1.0, -2.0, 3.0, 4.0]), r"sbs2.tsv, line 3, column '2019': negative value -2"),
        (observations(value=[1.0, "x", 3.0, 4.0]), r"sbs2.tsv, line 3, column '2019': value 'x' is not a number"),
        (
            observations(region=["DE21", "DE21", "DE21", "DE22"], activity=["C10"] * 4),
            r"sbs2.tsv, lines 2, 3, 4: duplicate observation \(region 'DE21', activity 'C10'",
        ),
        (
            observations(region=["DE21", None, "DE21", "DE22"]),
            r"sbs2.tsv, line 3, column 'region': the region is missing",
        ),
    ],
    ids=["negative", "not-a-number", "duplicate", "missing-region"],
)
def test_a_failed_import_leaves_the_store_exactly_as_it_was(
    store: Store, tmp_path: Path, bad: pd.DataFrame, message: str
) -> None:
    store.import_observations([observations()], source="eurostat", path=source_file(tmp_path))
    before = store_contents(store)
    path = source_file(tmp_path, "sbs2.tsv", "another file\n")
    good_first_chunk = observations(time=["2020"] * 4)
    with pytest.raises(InvalidInputError, match=message):
        store.import_observations([good_first_chunk, bad], source="eurostat", path=path)
    assert_same_contents(before, store_contents(store))


def test_unknown_region_codes_raise_naming_file_line_and_code(store: Store, tmp_path: Path) -> None:
    store.import_regions(
        pd.DataFrame(
            {
                "code": ["DE", "DE2", "DE21"],
                "version": 2021,
                "name": ["Deutschland", "Bayern", "Oberbayern"],
                "level": [0, 1, 2],
                "parent": [None, "DE", "DE2"],
                "country": "DE",
            }
        )
    )
    before = store_contents(store)
    with pytest.raises(
        UnknownCodeError, match=r"sbs.tsv, line 3, column 'region': unknown NUTS 2021 region code 'DE22'"
    ):
        store.import_observations([observations()], source="eurostat", path=source_file(tmp_path), region_version=2021)
    assert_same_contents(before, store_contents(store))
    result = store.import_observations(
        [observations()], source="eurostat", path=source_file(tmp_path), region_version=2021, unknown_codes="drop"
    )
    assert (result.rows, result.dropped) == (2, 2)
    assert set(store.observations("sbs")["region"]) == {"DE21"}


def test_codes_cannot_be_checked_without_reference_data(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UnknownCodeError, match="no regions are loaded for 2016"):
        store.import_observations([observations()], source="eurostat", path=source_file(tmp_path), region_version=2016)
    assert store.table_counts()["datasets"] == 0


def test_unknown_activity_codes_are_checked_against_a_classification(store: Store, tmp_path: Path) -> None:
    store.import_classification(
        "nace_r2",
        pd.DataFrame({"code": ["C", "C10"], "name": ["Manufacturing", "Food"], "level": [1, 2], "parent": [None, "C"]}),
    )
    with pytest.raises(UnknownCodeError, match=r"line 4, column 'activity': unknown nace_r2 activity code 'C11'"):
        store.import_observations(
            [observations()], source="eurostat", path=source_file(tmp_path), activity_scheme="nace_r2"
        )


def test_a_name_clash_needs_replace(store: Store, tmp_path: Path) -> None:
    store.import_observations([observations()], source="eurostat", path=source_file(tmp_path))
    (tmp_path / "newer").mkdir()
    newer = source_file(tmp_path / "newer", "sbs.tsv", "newer release\n")
    with pytest.raises(InvalidInputError, match="A dataset named 'sbs' already exists"):
        store.import_observations([observations(value=[1.0, 2.0, 3.0, 4.0])], source="eurostat", path=newer)
    result = store.import_observations(
        [observations(value=[1.0, 2.0, 3.0, 4.0])], source="eurostat", path=newer, replace=True
    )
    assert result.created and store.table_counts()["datasets"] == 1
    assert store.observations("sbs")["value"].sum() == 10.0


def test_unknown_dataset_is_named(store: Store) -> None:
    with pytest.raises(UnknownCodeError, match="No dataset named 'nope'"):
        store.observations("nope")


def test_organisations_projects_participations(store: Store, tmp_path: Path) -> None:
    path = source_file(tmp_path, "organizations.csv")
    organisations = pd.DataFrame(
        {
            "id": ["1", "2", "3"],
            "kind": ["enterprise", "higher_education", "research"],
            "country": ["DE", "EL", "UK"],
            "name": ["A GmbH", "Univ", "Lab"],
        }
    )
    projects = pd.DataFrame({"id": ["p1"], "acronym": ["X"], "start_date": ["2019-01-01"], "ec_contribution": [1e6]})
    participations = pd.DataFrame(
        {
            "project_id": ["p1", "p1"],
            "organisation_id": ["1", "2"],
            "role": ["coordinator", "participant"],
            "ec_contribution": [5e5, 5e5],
        }
    )
    result = store.import_organisations(
        organisations=organisations, projects=projects, participations=participations, source="cordis", path=path
    )
    assert result.created and result.rows == 6
    assert store.organisations(kind="research")["id"].tolist() == ["3"]
    joined = store.participations()
    assert joined["organisation_id"].tolist() == ["1", "2"]
    assert str(joined["start_date"].iloc[0])[:10] == "2019-01-01"
    before = store_contents(store)
    assert not store.import_organisations(organisations=organisations, source="cordis", path=path).created
    assert_same_contents(before, store_contents(store))


def test_bad_organisations_leave_the_store_unchanged(store: Store, tmp_path: Path) -> None:
    before = store_contents(store)
    bad_kind = pd.DataFrame({"id": ["1"], "kind": ["company"]})
    with pytest.raises(InvalidInputError, match="kind 'company'; kinds are enterprise"):
        store.import_organisations(organisations=bad_kind, source="cordis", path=source_file(tmp_path))
    repeated = pd.DataFrame({"id": ["1"], "kind": ["enterprise"]})
    twice = pd.DataFrame({"project_id": ["p", "p"], "organisation_id": ["1", "1"], "line": [7, 9]})
    with pytest.raises(InvalidInputError, match=r"line 9: organisation '1' takes part in project 'p' more than once"):
        store.import_organisations(
            organisations=repeated, participations=twice, source="cordis", path=source_file(tmp_path)
        )
    assert_same_contents(before, store_contents(store))

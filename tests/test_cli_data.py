"""The data commands end to end: real files into a store, back out into the indicators,
and bad files refused with the store left exactly as it was."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clusterix.cli import app
from clusterix.indicators import complexity
from clusterix.ingest.downloads import sha256_of
from clusterix.storage import Store
from tests.conftest import assert_same_contents, store_contents

runner = CliRunner()


# How the real ONS table maps onto the store's columns.
UK_COLUMNS = (
    "--region",
    "nuts2_code",
    "--activity",
    "sic4",
    "--value",
    "value",
    "--time",
    "year",
    "--measure",
    "source",
)


def invoke(*arguments: str):
    return runner.invoke(app, [str(a) for a in arguments])


@pytest.fixture(scope="module")
def uk_store(tmp_path_factory, shared_data: Path) -> tuple[Path, Path]:
    """A store with the real ONS BRES/IDBR table imported, NUTS 2013 codes checked (shared by
    the tests of this module, none of which changes it)."""
    db = tmp_path_factory.mktemp("uk") / "store.duckdb"
    source = shared_data / "uk-bres-nuts2-sic4" / "gb_nuts2_sic4_bres_idbr.csv.gz"
    result = invoke(
        "ingest",
        "csv",
        source,
        *UK_COLUMNS,
        "--nuts-version",
        "2013",
        "--reference",
        shared_data / "nuts-codes-and-changes",
        "--db",
        db,
        "--name",
        "uk_bres",
    )
    assert result.exit_code == 0, result.output
    return db, source


def test_real_uk_table_lands_with_provenance_and_counts(uk_store, shared_data: Path) -> None:
    db, source = uk_store
    raw = pd.read_csv(source, dtype={"sic4": str})
    with Store.open(db) as store:
        datasets = store.datasets()
        assert datasets["name"].tolist() == ["uk_bres"]
        assert datasets["checksum"].iloc[0] == sha256_of(source)
        assert int(datasets["row_count"].iloc[0]) == len(raw) == 144_900
        stored = store.observations("uk_bres")
    assert stored.groupby("measure").size().to_dict() == raw.groupby("source").size().to_dict()
    # A spot check against the raw file: Cumbria (UKD1), SIC 0161, BRES 2015.
    expected = raw.query("source == 'BRES' and year == 2015 and nuts2_code == 'UKD1' and sic4 == '0161'")["value"]
    got = stored.query("measure == 'BRES' and time == '2015' and region == 'UKD1' and activity == '0161'")["value"]
    assert got.item() == expected.item() == 250.0


def test_reimport_changes_nothing(uk_store, shared_data: Path) -> None:
    db, source = uk_store
    before = store_contents(db)
    result = invoke(
        "ingest",
        "csv",
        source,
        *UK_COLUMNS,
        "--db",
        db,
    )
    assert result.exit_code == 0 and "nothing changed" in " ".join(result.output.split())
    assert_same_contents(before, store_contents(db))


def test_indicators_from_the_store_equal_indicators_from_the_file(uk_store, tmp_path: Path) -> None:
    db, source = uk_store
    out = tmp_path / "indicators.parquet"
    result = invoke("indicators", "--dataset", "uk_bres", "--measure", "BRES", "--db", db, "--out", out)
    assert result.exit_code == 0, result.output
    from_store = pd.read_parquet(out)
    raw = pd.read_csv(source, dtype={"sic4": str}).query("source == 'BRES'")
    direct = complexity(
        raw.assign(year=raw["year"].astype(str)), region="nuts2_code", activity="sic4", value="value", time="year"
    )
    assert len(from_store) == len(direct) == 4 * 39 * 525
    merged = from_store.astype({"region": str, "activity": str, "time": str}).merge(
        direct.astype({"nuts2_code": str, "sic4": str, "year": str}),
        left_on=["time", "region", "activity"],
        right_on=["year", "nuts2_code", "sic4"],
    )
    assert len(merged) == len(direct)
    for column in ("rca", "eci", "pci", "density", "cog"):
        np.testing.assert_allclose(merged[f"{column}_x"], merged[f"{column}_y"], atol=1e-12)


def test_several_measures_need_a_choice(uk_store, tmp_path: Path) -> None:
    db, _ = uk_store
    result = invoke("indicators", "--dataset", "uk_bres", "--db", db, "--out", tmp_path / "x.csv")
    assert result.exit_code == 2
    assert "holds 2 measures" in result.output and "--measure" in result.output


def test_datasets_command_lists_provenance(uk_store) -> None:
    db, source = uk_store
    result = invoke("datasets", "--db", db)
    assert result.exit_code == 0
    assert "uk_bres" in result.output and "144,900" in result.output
    records = json.loads(invoke("datasets", "--db", db, "--json").output)
    assert [r["name"] for r in records] == ["uk_bres"]
    assert records[0]["checksum"] == sha256_of(source)
    assert records[0]["row_count"] == 144_900
    assert records[0]["source_file"] == str(source)


def test_regions_command_lists_a_version_and_level(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "store.duckdb"
    reference = shared_data / "nuts-codes-and-changes"
    raw = pd.read_csv(reference / "nuts2016_to_nuts2021.csv", dtype=str)
    level2_2021 = raw.loc[raw["nuts_level"].astype(float).eq(2), "code_2021"].dropna().nunique()
    result = invoke("regions", "--level", "2", "--version", "2021", "--db", db, "--reference", reference)
    assert result.exit_code == 0, result.output
    assert f"{level2_2021:,} regions (NUTS 2021, level 2)" in result.output
    assert "DE21" in result.output and "Oberbayern" in result.output


def test_real_cordis_extract_lands(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "store.duckdb"
    folder = shared_data / "cordis-h2020-participations"
    result = invoke("ingest", "cordis", folder, "--db", db)
    assert result.exit_code == 0, result.output
    raw = pd.read_csv(folder / "h2020_participations.csv.gz", dtype={"pic": str, "rcn": str})
    with Store.open(db) as store:
        counts = store.table_counts()
        kinds = store.organisations().groupby("kind").size().to_dict()
    assert counts["participations"] == len(raw) == 144_726
    assert counts["organisations"] == raw["pic"].nunique() == 35_871
    assert counts["projects"] == raw["rcn"].nunique() == 31_451
    by_type = raw.drop_duplicates("pic").groupby("type").size()
    assert kinds["enterprise"] == by_type["PRC"] and kinds["higher_education"] == by_type["HES"]
    again = invoke("ingest", "cordis", folder, "--db", db)
    assert again.exit_code == 0 and "nothing changed" in " ".join(again.output.split())


def _csv(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


BAD_CSV = {
    "unknown-nuts": (
        "region,activity,value\nUKD1,0161,5\nXX99,0161,3\n",
        r"bad.csv, line 3, column 'region': "
        r"unknown NUTS 2013 region code 'XX99'",
    ),
    "negative": ("region,activity,value\nUKD1,0161,5\nUKD3,0161,-3\n", r"bad.csv, line 3, column 'value': negative"),
    "duplicate": ("region,activity,value\nUKD1,0161,5\nUKD1,0161,3\n", r"bad.csv, lines 2, 3: duplicate observation"),
    "not-a-number": (
        "region,activity,value\nUKD1,0161,5\nUKD3,0161,c\n",
        r"bad.csv, line 3, column 'value': value 'c'",
    ),
    "empty": ("", r"Cannot read .*bad.csv"),
}


@pytest.mark.parametrize("case", list(BAD_CSV))
def test_bad_user_files_leave_the_store_unchanged(uk_store, tmp_path: Path, shared_data: Path, case: str) -> None:
    db, _ = uk_store
    text, message = BAD_CSV[case]
    path = _csv(tmp_path, "bad.csv", text)
    before = store_contents(db)
    result = invoke(
        "ingest",
        "csv",
        path,
        "--nuts-version",
        "2013",
        "--db",
        db,
        "--reference",
        shared_data / "nuts-codes-and-changes",
    )
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert re.search(message, flat), flat
    assert "Traceback" not in result.output
    assert_same_contents(before, store_contents(db))


def test_latin1_file_read_as_utf8_is_refused_then_read_with_its_encoding(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    path = _csv(tmp_path, "latin.csv", "region,activity,value\nRégion,0161,5\nAutre,0161,3\n", "latin-1")
    result = invoke("ingest", "csv", path, "--db", db)
    assert result.exit_code == 2 and "latin.csv is not valid utf-8" in " ".join(result.output.split())
    assert invoke("ingest", "csv", path, "--db", db, "--encoding", "latin-1").exit_code == 0
    with Store.open(db) as store:
        assert sorted(store.observations("latin")["region"]) == ["Autre", "Région"]

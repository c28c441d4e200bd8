"""The malformed-input suite: every bad Eurostat file is refused with the file, line and
column named, exit code 2, and the store exactly as it was before (every table compared)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clusterix.cli import app
from clusterix.storage import Store
from tests.conftest import assert_same_contents, store_contents

runner = CliRunner()
HEADER = "freq,unit,nace_r2,geo\\TIME_PERIOD\t2019 \t2020 "

# name -> (file text, file encoding, expected message pieces)
BAD_FILES = {
    "empty": ("", "utf-8", ["empty.tsv, line 1", "the file is empty"]),
    "truncated": (
        f"{HEADER}\nA,NR,C10,DE21\t10\t12 p\nA,NR,C10,DE22\t5\n",
        "utf-8",
        ["truncated.tsv, line 3, column '2020'", "truncated"],
    ),
    "wrong-delimiter": (
        "freq,unit,nace_r2,geo,2019,2020\nA,NR,C10,DE21,10,12\n",
        "utf-8",
        ["wrong-delimiter.tsv, line 1, column 'freq'"],
    ),
    "latin1-as-utf8": (
        f"{HEADER}\nA,NR,C10,DE21\t10\t12\nA,Ré,C10,DE22\t5\t6\n",
        "latin-1",
        ["latin1-as-utf8.tsv, line 3, column", "not valid utf-8", "encoding='latin-1'"],
    ),
    "unknown-nuts": (
        f"{HEADER}\nA,NR,C10,DE21\t10\t12\nA,NR,C10,XX99\t5\t6\n",
        "utf-8",
        ["unknown-nuts.tsv, line 3, column 'region'", "unknown NUTS 2021 region code 'XX99'"],
    ),
    "unknown-nace": (
        f"{HEADER}\nA,NR,C10,DE21\t10\t12\nA,NR,C99,DE22\t5\t6\n",
        "utf-8",
        ["unknown-nace.tsv, line 3, column 'activity'", "unknown nace_r2_1 activity code 'C99'"],
    ),
    "duplicate-keys": (
        f"{HEADER}\nA,NR,C10,DE21\t10\t12\nA,NR,C10,DE21\t5\t6\n",
        "utf-8",
        ["duplicate-keys.tsv, line 3, column", "repeats line 2"],
    ),
    "negative": (
        f"{HEADER}\nA,NR,C10,DE21\t10\t12\nA,NR,C10,DE22\t-5\t6\n",
        "utf-8",
        ["negative.tsv, line 3, column '2019'", "negative"],
    ),
    "other-dataset": (
        "freq,unit,isced11,geo\\TIME_PERIOD\t2019 \t2020 \nA,NR,ED5,DE21\t10\t12\n",
        "utf-8",
        ["other-dataset.tsv, line 1, column", "header from a different Eurostat dataset"],
    ),
}


def ingest(path: Path, db: Path, reference: Path):
    return runner.invoke(
        app,
        [
            "ingest",
            "eurostat",
            str(path),
            "--db",
            str(db),
            "--nuts-version",
            "2021",
            "--reference",
            str(reference),
            "--activity-scheme",
            "nace_r2_1",
            "--dimensions",
            "freq,unit,nace_r2,geo",
        ],
    )


@pytest.fixture
def populated(tmp_path: Path, shared_data: Path) -> tuple[Path, Path]:
    """A store holding one good Eurostat file, with NUTS 2021 and NACE Rev. 2.1 loaded."""
    db = tmp_path / "store.duckdb"
    reference = shared_data / "nuts-codes-and-changes"
    good = tmp_path / "good.tsv.gz"
    with gzip.open(good, "wt", encoding="utf-8") as handle:
        handle.write(f"{HEADER}\nA,NR,C10,DE21\t10\t12 p\nA,NR,C10,DE22\t5\t:\n")
    result = ingest(good, db, reference)
    assert result.exit_code == 0, result.output
    return db, reference


def test_the_good_file_landed_with_flags(populated) -> None:
    db, _ = populated
    with Store.open(db) as store:
        stored = store.observations("good")
    assert len(stored) == 4
    row = stored.query("region == 'DE21' and time == '2020'")
    assert row["value"].item() == 12.0 and row["flag"].item() == "p"
    assert stored.query("region == 'DE22' and time == '2020'")["value"].isna().item()


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_malformed_file_is_refused_and_the_store_is_unchanged(populated, tmp_path: Path, case: str) -> None:
    db, reference = populated
    text, encoding, pieces = BAD_FILES[case]
    path = tmp_path / f"{case}.tsv"
    path.write_bytes(text.encode(encoding))
    before = store_contents(db)
    result = ingest(path, db, reference)
    message = " ".join(result.output.split())
    assert result.exit_code == 2, message
    assert message.startswith("error:") and "Traceback" not in result.output
    for piece in pieces:
        assert piece in message, message
    assert_same_contents(before, store_contents(db))

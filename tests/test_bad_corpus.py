"""The malformed-input corpus (``tests/data/bad/``), every file through the reader it is for.

Each case must end in one line on stderr, ``error: ...`` with the pieces the manifest names
(the file, and the line, row and column where there is one), exit code 2, no traceback,
and the store exactly as it was before (every table compared), on DuckDB and on
PostgreSQL. The corpus grows by adding a case to ``make_corpus.py`` and running it.
"""

from __future__ import annotations

import csv
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clusterix.cli import app
from tests.conftest import assert_same_contents, store_contents

CORPUS = Path(__file__).parent / "data" / "bad"
runner = CliRunner()


def _manifest() -> list[dict[str, str]]:
    with open(CORPUS / "manifest.csv", newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["command"]]


CASES = _manifest()
READERS = {
    "ingest csv": "user tables (CSV, TSV, Parquet, Excel)",
    "ingest eurostat": "Eurostat bulk TSV and SDMX-CSV",
    "ingest cordis": "CORDIS organisations and projects",
    "indicators": "long tables read by the indicators command",
}


def test_the_corpus_is_large_varied_and_complete() -> None:
    from tests.data.bad.make_corpus import CASES as GENERATED

    assert len(CASES) >= 60
    listed = {row["file"] for row in _manifest_all()}
    assert listed == {case.file for case in GENERATED}  # the manifest is the generator's
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file()}
    assert listed <= on_disk, sorted(listed - on_disk)
    assert on_disk - listed == {"make_corpus.py", "manifest.csv"}
    for reader in READERS:  # every reader has its share of bad files
        assert sum(row["command"].startswith(reader) for row in CASES) >= 6, reader
    assert all(row["expected"] for row in CASES)


def _manifest_all() -> list[dict[str, str]]:
    with open(CORPUS / "manifest.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def store_with_data(request, tmp_path_factory, shared_data: Path) -> str:
    """A store holding NUTS 2021 and one good dataset: every bad file must leave it as it is."""
    if request.param == "duckdb":
        target = str(tmp_path_factory.mktemp("corpus") / "store.duckdb")
    else:
        from tests.tracking.webapp import fresh_postgres_target

        target = fresh_postgres_target()
    good = tmp_path_factory.mktemp("good") / "good.csv"
    good.write_text("region,activity,value\nDE21,C10,5\nDE22,C10,3\n", encoding="utf-8")
    reference = shared_data / "nuts-codes-and-changes"
    result = runner.invoke(
        app, ["ingest", "csv", str(good), "--db", target, "--nuts-version", "2021", "--reference", str(reference)]
    )
    assert result.exit_code == 0, result.output
    # and a Eurostat file, so that the activity classification is loaded before the cases
    tsv = good.with_name("good-eurostat.tsv")
    tsv.write_text("freq,unit,nace_r2,geo\\TIME_PERIOD\t2019 \nA,NR,C10,DE21\t10\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["ingest", "eurostat", str(tsv), "--db", target, "--nuts-version", "2021", "--reference", str(reference),
         "--activity-scheme", "nace_r2_1", "--dimensions", "freq,unit,nace_r2,geo"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return target


@pytest.mark.parametrize("case", CASES, ids=[row["file"] for row in CASES])
def test_every_bad_file_is_one_line_naming_where_and_the_store_is_unchanged(
    case: dict[str, str], store_with_data: str, shared_data: Path, tmp_path: Path
) -> None:
    before = store_contents(store_with_data)
    command = case["command"].format(
        file=CORPUS / case["file"],
        dir=CORPUS,
        db="{db}",
        reference=shared_data / "nuts-codes-and-changes",
        out=tmp_path / "out.csv",
    )
    # the store's URL is not split by the shell
    arguments = [store_with_data if word == "{db}" else word for word in shlex.split(command)]
    result = runner.invoke(app, arguments)
    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output and "internal error" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    message = " ".join(output.split())
    for piece in case["expected"].split(" | "):
        assert piece in message, f"{piece!r} not in {message!r}"
    assert_same_contents(before, store_contents(store_with_data))
    assert not (tmp_path / "out.csv").exists()

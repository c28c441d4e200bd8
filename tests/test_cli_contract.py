"""The command line's error contract, the check of ``--db`` and the choice of a workbook's sheet.

- an anticipated failure is one ``error:`` line, exit code 2; an unexpected one an
  ``internal error:`` line asking for a report, exit code 1; the traceback only with
  ``--debug`` (or ``CLUSTERIX_DEBUG=1``);
- a ``--db`` that cannot be a store is refused before anything is created or written;
- ``ingest csv --sheet`` reads the sheet asked for, by name or index, and says which.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from clusterix.cli import app
from clusterix.errors import InvalidInputError
from clusterix.storage import Store
from clusterix.storage.db import check_target

runner = CliRunner()
ROWS = "region,activity,value\nUKD1,0161,5\nUKD3,0162,3\n"


def invoke(*arguments: object, env: dict[str, str] | None = None):
    return runner.invoke(app, [str(a) for a in arguments], env=env)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} | {
        str(p.relative_to(folder)) + "/": b"" for p in folder.rglob("*") if p.is_dir()
    }


# -- --db ------------------------------------------------------------------------------


def _data_files(folder: Path) -> dict[str, Path]:
    frame = pd.DataFrame({"region": ["UKD1"], "activity": ["0161"], "value": [5.0]})
    files = {
        "csv": folder / "table.csv",
        "tsv": folder / "table.tsv",
        "json": folder / "table.json",
        "parquet": folder / "table.parquet",
    }
    frame.to_csv(files["csv"], index=False)
    frame.to_csv(files["tsv"], index=False, sep="\t")
    frame.to_json(files["json"], orient="records")
    frame.to_parquet(files["parquet"])
    return files


@pytest.mark.parametrize("kind", ["csv", "tsv", "json", "parquet"])
def test_a_data_file_given_as_db_is_refused_and_left_as_it_was(tmp_path: Path, monkeypatch, kind: str) -> None:
    monkeypatch.chdir(tmp_path)
    target = _data_files(tmp_path)[kind]
    source = tmp_path / "input.csv"
    source.write_text(ROWS, encoding="utf-8")
    before = snapshot(tmp_path)
    for arguments in (("ingest", "csv", source, "--db", target), ("datasets", "--db", target)):
        result = invoke(*arguments)
        message = " ".join(result.output.split())
        assert result.exit_code == 2, message
        assert message.startswith("error:") and f"The store {target} (--db)" in message, message
        assert "not a DuckDB database" in message, message
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("target", "piece"),
    [
        ("mysql://user:pw@localhost/clusterix", "unsupported URL scheme 'mysql'"),
        ("sqlite:///clusterix.db", "unsupported URL scheme 'sqlite'"),
        ("https://example.org/store.duckdb", "unsupported URL scheme 'https'"),
        ("new-folder/results.csv", "ends in .csv, the suffix of a data file"),
        ("new-folder/panel.parquet", "ends in .parquet"),
        (".", "is a folder"),
    ],
)
def test_a_target_that_cannot_be_a_store_creates_nothing(tmp_path: Path, monkeypatch, target: str, piece: str) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "input.csv"
    source.write_text(ROWS, encoding="utf-8")
    before = snapshot(tmp_path)
    result = invoke("ingest", "csv", source, "--db", target)
    message = " ".join(result.output.split())
    assert result.exit_code == 2, message
    assert message.startswith("error:") and piece in message, message
    assert snapshot(tmp_path) == before  # no folder, no file


def test_what_can_be_a_store(tmp_path: Path) -> None:
    assert check_target(":memory:") == ":memory:"
    assert check_target("postgresql://u:p@localhost/db") and check_target("postgres://localhost/db")
    assert check_target(str(tmp_path / "new" / "store.duckdb"))  # not there yet: fine, nothing made
    assert not (tmp_path / "new").exists()
    empty = tmp_path / "empty.duckdb"
    empty.touch()
    assert check_target(str(empty))
    real = tmp_path / "real.duckdb"
    Store.open(str(real)).close()
    assert check_target(str(real))
    with pytest.raises(InvalidInputError, match="not a DuckDB database"):
        (tmp_path / "notes.duckdb").write_text("hello", encoding="utf-8")
        check_target(str(tmp_path / "notes.duckdb"))


def test_a_postgresql_store_is_accepted_by_the_check(tmp_path: Path) -> None:
    url = os.environ.get("CLUSTERIX_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("set CLUSTERIX_TEST_POSTGRES_URL to a test database (.ci/run does)")
    from tests.tracking.webapp import fresh_postgres_target

    target = fresh_postgres_target()
    source = tmp_path / "input.csv"
    source.write_text(ROWS, encoding="utf-8")
    result = invoke("ingest", "csv", source, "--db", target, "--name", "checked")
    assert result.exit_code == 0, result.output
    with Store.open(target) as store:
        assert len(store.observations("checked")) == 2


# -- the error contract ----------------------------------------------------------------


def test_an_unexpected_failure_is_one_line_asking_for_a_report(tmp_path: Path, monkeypatch) -> None:
    def broken(self):
        raise RuntimeError("the index is\nin a bad state")

    monkeypatch.setattr(Store, "datasets", broken)
    db = tmp_path / "store.duckdb"
    result = invoke("datasets", "--db", db)
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert len(lines) == 1 and lines[0].startswith("internal error: RuntimeError: the index is in a bad state")
    assert "please report it" in lines[0] and "--debug" in lines[0] and "Traceback" not in result.output


@pytest.mark.parametrize("how", ["option", "environment"])
def test_the_traceback_shows_only_when_asked(tmp_path: Path, monkeypatch, how: str) -> None:
    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(Store, "datasets", broken)
    db = tmp_path / "store.duckdb"
    if how == "option":
        result = invoke("--debug", "datasets", "--db", db)
    else:
        result = invoke("datasets", "--db", db, env={"CLUSTERIX_DEBUG": "1"})
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.output and "RuntimeError: boom" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("internal error: RuntimeError: boom")
    # and a user error with --debug: the traceback, then the same one line
    source = tmp_path / "bad.csv"
    source.write_text("region,activity,value\nUKD1,0161,inf\n", encoding="utf-8")
    result = invoke("--debug", "ingest", "csv", source, "--db", db)
    assert result.exit_code == 2 and "Traceback" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("error: ")


def test_a_file_system_failure_is_one_line_naming_the_path(tmp_path: Path, monkeypatch) -> None:
    def unreadable(self):
        raise PermissionError(13, "Permission denied", "/srv/clusterix/store.duckdb")

    monkeypatch.setattr(Store, "datasets", unreadable)
    result = invoke("datasets", "--db", tmp_path / "store.duckdb")
    assert result.exit_code == 2
    assert result.output.strip() == "error: Permission denied: /srv/clusterix/store.duckdb"


def test_an_unwritable_out_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    source = tmp_path / "input.csv"
    source.write_text(ROWS + "UKD1,0162,2\nUKD3,0161,1\n", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = invoke("indicators", source, "--out", locked / "out.csv")
        if os.geteuid() == 0:  # root may write anywhere: a path under a file cannot be created by anyone
            result = invoke("indicators", source, "--out", source / "out.csv")
            where = source / "out.csv"
        else:
            where = locked / "out.csv"
        assert result.exit_code == 2, result.output
        message = " ".join(result.output.split())
        assert message.startswith(f"error: Cannot write {where}"), message
        assert not list(locked.iterdir())
    finally:
        locked.chmod(0o700)


# -- --sheet ---------------------------------------------------------------------------


def _workbook(path: Path) -> Path:
    book = Workbook()
    notes = book.active
    notes.title = "Read me"
    notes.append(["Employment by region and activity, 2019"])
    data = book.create_sheet("data")
    data.append(["region", "activity", "value"])
    data.append(["UKD1", "0161", 5])
    data.append(["UKD3", "0162", 3])
    book.save(path)
    return path


@pytest.mark.parametrize("sheet", ["data", "1"])
def test_the_sheet_asked_for_is_read_and_named(tmp_path: Path, sheet: str) -> None:
    path = _workbook(tmp_path / "employment.xlsx")
    db = tmp_path / "store.duckdb"
    result = invoke("ingest", "csv", path, "--db", db, "--sheet", sheet, "--name", "employment")
    message = " ".join(result.output.split())
    assert result.exit_code == 0, message
    assert f"imported 2 rows from {path} (sheet 'data')" in message
    with Store.open(db) as store:
        stored = store.observations("employment")
        record = store.datasets().set_index("name").loc["employment"]
    assert sorted(stored["region"]) == ["UKD1", "UKD3"] and stored["value"].sum() == 8
    assert record["source"] == "csv:sheet=data"


def test_without_sheet_the_first_is_read_and_named(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "employment.xlsx")
    result = invoke("ingest", "csv", path, "--db", tmp_path / "store.duckdb")
    message = " ".join(result.output.split())
    assert result.exit_code == 2
    # the first sheet is notes: the error names it and the columns it lacks
    assert "employment.xlsx, sheet 'Read me': missing column(s)" in message, message

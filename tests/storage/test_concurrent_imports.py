"""Imports of the same file at once, each through a connection of its own (as two processes
on one PostgreSQL store): one creates the dataset, the others find it; never a duplicate and
never a database error. Different files under one name: one lands, the others get the
one-line 'already exists' error. (DuckDB has one writing process: its test is the threads of
one store, serialised.)"""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

from clusterix.errors import InvalidInputError
from clusterix.storage import Store
from tests.tracking.webapp import fresh_postgres_target

IMPORTS = 4


def _rows(scale: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": [f"R{i % 50}" for i in range(2000)],
            "activity": [f"A{i // 50}" for i in range(2000)],
            "time": "2020",
            "measure": "jobs",
            "value": [scale * (i + 1) for i in range(2000)],
        }
    )


def _all_at_once(target: str, work) -> list[object]:
    """Run ``work(store, i)`` in IMPORTS threads, each with a store (connection) of its own,
    released together; return each one's result or error."""
    stores = [Store.open(target) for _ in range(IMPORTS)]
    barrier = threading.Barrier(IMPORTS)
    results: list[object] = [None] * IMPORTS

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(stores[i], i)
        except Exception as error:  # noqa: BLE001 - the test looks at every outcome
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(IMPORTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for store in stores:
        store.close()
    return results


@pytest.fixture
def postgres_target() -> str:
    target = fresh_postgres_target()
    Store.open(target).close()  # the schema exists before the race
    return target


def test_the_same_file_imported_at_once_lands_once(postgres_target: str, tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    frame = _rows(1.0)
    frame.to_csv(path, index=False)
    results = _all_at_once(
        postgres_target, lambda store, i: store.import_observations([frame], source="csv", path=path, name="jobs")
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert sorted(r.created for r in results) == [False] * (IMPORTS - 1) + [True]
    assert {r.dataset for r in results} == {"jobs"} and {r.rows for r in results} == {2000}
    with Store.open(postgres_target) as store:
        datasets = store.datasets()
        assert datasets["name"].tolist() == ["jobs"]
        assert len(store.observations("jobs")) == 2000


def test_different_files_under_one_name_at_once_one_lands_the_others_are_told(
    postgres_target: str, tmp_path: Path
) -> None:
    paths = []
    for i in range(IMPORTS):
        path = tmp_path / f"jobs-{i}.csv"
        _rows(i + 1.0).to_csv(path, index=False)
        paths.append(path)

    def work(store: Store, i: int):
        return store.import_observations([_rows(i + 1.0)], source="csv", path=paths[i], name="jobs")

    results = _all_at_once(postgres_target, work)
    landed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(landed) == 1 and landed[0].created
    assert all(isinstance(r, InvalidInputError) and "A dataset named 'jobs' already exists" in str(r) for r in refused)
    with Store.open(postgres_target) as store:
        stored = store.observations("jobs")
        assert len(stored) == 2000 and store.datasets()["name"].tolist() == ["jobs"]
        # the rows are one file's, not a mix
        assert stored["value"].min() in {i + 1.0 for i in range(IMPORTS)}


def test_organisation_files_imported_at_once_land_once(postgres_target: str, tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    organisations = pd.DataFrame(
        {"id": [str(999990000 + i) for i in range(300)], "name": [f"Org {i}" for i in range(300)],
         "kind": ["enterprise"] * 300, "country": ["AT"] * 300}
    )  # fmt: skip
    organisations.to_csv(path, index=False)
    results = _all_at_once(
        postgres_target,
        lambda store, i: store.import_organisations(organisations=organisations, source="test", path=path, name="orgs"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert sorted(r.created for r in results) == [False] * (IMPORTS - 1) + [True]
    with Store.open(postgres_target) as store:
        assert store.database.scalar("SELECT count(*) FROM organisations") == 300

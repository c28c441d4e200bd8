"""``clusterix serve`` and ``clusterix demo``: one request answered in-process with ``--get``,
and the exit code 2 with one message when the demo has no data."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from clusterix.cli import app
from clusterix.storage import Store

from .conftest import build_tiny

runner = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_demo_without_data_names_both_ways(tmp_path) -> None:
    for arguments in (["demo"], ["demo", "--from", str(tmp_path)]):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 2, result.output
        message = _flat(result.output)
        assert "--from DIR" in message and "online" in message
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing was created


def test_serve_answers_one_request(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CLUSTERIX_SETTINGS_FILE", raising=False)
    target = tmp_path / "tiny.duckdb"
    with Store.open(target) as store:
        build_tiny(store, tmp_path)
        counts = store.table_counts()
    result = runner.invoke(app, ["serve", "--db", str(target), "--get", "/api/v1/health"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"] == counts
    missing = runner.invoke(app, ["serve", "--db", str(target), "--get", "/api/v1/regions/XA99"])
    assert missing.exit_code == 2
    assert json.loads(missing.output)["error"]["status"] == 404


def test_serve_rejects_bad_settings(tmp_path) -> None:
    settings = tmp_path / "web.toml"
    settings.write_text("port = 'eighty'\n")
    result = runner.invoke(app, ["serve", "--db", str(tmp_path / "x.duckdb"), "--settings", str(settings)])
    assert result.exit_code == 2
    assert "'port'" in _flat(result.output) and "settings file" in _flat(result.output)


@pytest.mark.shared
def test_a_demo_without_db_leaves_no_store_behind(tmp_path, shared_data, monkeypatch) -> None:
    import tempfile

    made = []

    def mkdtemp(prefix: str = "") -> str:
        folder = tmp_path / f"{prefix}run"
        folder.mkdir()
        made.append(folder)
        return str(folder)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    result = runner.invoke(app, ["demo", "--from", str(shared_data), "--get", "/api/v1/health"])
    assert result.exit_code == 0, result.output
    assert "a temporary store, deleted at exit" in _flat(result.output)
    assert made and not made[0].exists()  # the store and its folder are gone


@pytest.mark.shared
def test_demo_loads_real_data_and_answers(tmp_path, shared_data) -> None:
    target = tmp_path / "demo.duckdb"
    arguments = ["demo", "--from", str(shared_data), "--db", str(target), "--get", "/api/v1/datasets"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    names = [item["name"] for item in json.loads(result.output.splitlines()[-1])["items"]]
    assert names == [
        "uk-bres-employment", "cordis-h2020", "cordis-h2020-projects", "h2020-sdg-nuts2", "preprints-topics-nuts2",
        "h2020-sdg-nuts1", "h2020-sdg-nuts3",
    ]  # fmt: skip
    assert target.is_file()
    again = runner.invoke(app, arguments)  # loading twice changes nothing
    assert again.exit_code == 0
    with Store.open(target, read_only=True) as store:
        assert store.table_counts()["datasets"] == 7


@pytest.mark.shared
def test_demo_creates_an_administrator_on_request(tmp_path, shared_data) -> None:
    import re

    from clusterix.tracking.accounts import authenticate

    target = tmp_path / "demo.duckdb"
    arguments = ["demo", "--from", str(shared_data), "--db", str(target), "--admin", "ops@example.org"]
    result = runner.invoke(app, [*arguments, "--get", "/api/v1/health"])
    assert result.exit_code == 0, result.output
    password = re.search(r"password \(shown once\): (\S+)", result.output).group(1)
    with Store.open(target) as store:
        user = authenticate(store, "ops@example.org", password)
        assert user is not None and user.role == "admin"
        assert authenticate(store, "ops@example.org", password + "x") is None

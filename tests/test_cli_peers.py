"""`clusterix peers --aspirational` on the real UK BRES table: a region without higher-ECI
peers answers an empty list (it ended in a KeyError traceback), the others their peers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from clusterix.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def bres(tmp_path_factory, shared_data: Path) -> Path:
    table = pd.read_csv(shared_data / "uk-bres-nuts2-sic4" / "gb_nuts2_sic4_bres_idbr.csv.gz", dtype={"sic4": str})
    path = tmp_path_factory.mktemp("bres") / "bres.csv"
    table[table["source"] == "BRES"].to_csv(path, index=False)
    return path


@pytest.mark.parametrize("region", ["UKE1", "UKI3"])
def test_aspirational_peers_answer_without_a_traceback(bres: Path, region: str) -> None:
    arguments = ["peers", region, "--input", str(bres), "--region", "nuts2_code", "--activity", "sic4", "--time",
                 "year", "--aspirational"]  # fmt: skip
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    body = json.loads(result.output)
    assert body["region"] == region and isinstance(body["peers"], list)
    assert all(peer["peer"] != region for peer in body["peers"])
    if region == "UKI3":  # not the highest ECI: it has aspirational peers
        assert body["peers"]

"""The command line: a thin shell that writes the library's results or one 'error:' line."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from numpy.testing import assert_allclose
from typer.testing import CliRunner

from clusterix import __version__
from clusterix.cli import app
from clusterix.indicators import complexity

runner = CliRunner()

COLUMNS = ["region", "activity", "value", "rca", "mcp", "diversity", "ubiquity", "eci", "pci"]
COLUMNS += ["density", "coi", "cog"]


def chain() -> pd.DataFrame:
    """[[5,5,0],[0,5,5],[0,0,5]]: RCA presence is the connected chain [[1,1,0],[0,1,1],[0,0,1]]."""
    return pd.DataFrame(
        {
            "region": ["r0", "r0", "r1", "r1", "r2"],
            "activity": ["0111", "0112", "0112", "0113", "0113"],
            "value": [5.0, 5.0, 5.0, 5.0, 5.0],
        }
    )


@pytest.fixture
def input_csv(tmp_path):
    path = tmp_path / "input.csv"
    chain().to_csv(path, index=False)
    return path


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def assert_user_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"clusterix {__version__}"


def test_version_in_a_real_subprocess() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "clusterix", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"clusterix {__version__}"


def test_indicators_writes_csv(tmp_path, input_csv) -> None:
    out = tmp_path / "out" / "result.csv"
    result = invoke("indicators", input_csv, "--out", out)
    assert result.exit_code == 0, result.output
    assert "wrote 9 rows" in result.stderr
    frame = pd.read_csv(out, dtype={"activity": str})
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 9
    assert frame["activity"].tolist()[:3] == ["0111", "0112", "0113"]  # leading zeros kept
    expected = complexity(chain())
    assert_allclose(frame["eci"], expected["eci"], atol=1e-12)
    assert_allclose(frame["cog"], expected["cog"], atol=1e-12)


def test_indicators_writes_gzipped_csv(tmp_path, input_csv) -> None:
    out = tmp_path / "result.csv.gz"
    assert invoke("indicators", input_csv, "-o", out).exit_code == 0
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    assert len(pd.read_csv(out)) == 9


def test_indicators_writes_parquet(tmp_path, input_csv) -> None:
    out = tmp_path / "result.parquet"
    result = invoke("indicators", input_csv, "--out", out)
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 9
    assert_allclose(frame["eci"], complexity(chain())["eci"], atol=1e-12)


def test_indicators_panel_with_time(tmp_path) -> None:
    path = tmp_path / "panel.csv"
    second = chain().assign(value=[5.0, 5.0, 5.0, 5.0, 10.0])
    panel = pd.concat([chain().assign(year=2001), second.assign(year=2002)], ignore_index=True)
    panel.to_csv(path, index=False)
    out = tmp_path / "panel_out.csv"
    result = invoke("indicators", path, "--out", out, "--time", "year")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["year", *COLUMNS]
    assert len(frame) == 18
    assert frame["year"].tolist() == [2001] * 9 + [2002] * 9
    expected = complexity(panel, time="year")
    assert_allclose(frame["eci"], expected["eci"], atol=1e-12)


def test_indicators_with_custom_column_names_and_options(tmp_path) -> None:
    path = tmp_path / "custom.tsv"
    chain().rename(columns={"region": "nuts", "activity": "sic", "value": "jobs"}).to_csv(path, sep="\t", index=False)
    out = tmp_path / "custom.csv"
    result = invoke(
        "indicators", path, "--out", out, "--region", "nuts", "--activity", "sic", "--value", "jobs",
        "--conventions", "econgeo", "--cog-variant", "atlas",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame.columns[:2]) == ["nuts", "sic"]
    assert frame["density"].max() == pytest.approx(100.0)  # econgeo density in percent


def test_indicators_summary_file(tmp_path, input_csv) -> None:
    out = tmp_path / "cells.csv"
    summary = tmp_path / "regions.csv"
    result = invoke("indicators", input_csv, "--out", out, "--summary", summary)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(summary)
    assert frame.columns.tolist() == [
        "region", "total", "herfindahl", "entropy", "krugman", "hachman", "specialisation_gini",
    ]  # fmt: skip
    assert frame["region"].tolist() == ["r0", "r1", "r2"]
    # r0 and r1 split 5 + 5 over two activities: entropy 1 bit, HHI 1/2; r2 has one activity
    assert_allclose(frame["total"], [10, 10, 5])
    assert_allclose(frame["entropy"], [1.0, 1.0, 0.0], atol=1e-15)
    assert_allclose(frame["herfindahl"], [0.5, 0.5, 1.0])


def test_indicators_reads_latin1_with_encoding(tmp_path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(chain().assign(region=["Å", "Å", "é", "é", "ü"]).to_csv(index=False).encode("latin-1"))
    out = tmp_path / "latin_out.csv"
    assert_user_error(invoke("indicators", path, "--out", out), "utf-8", "--encoding latin-1")
    assert not out.exists()
    assert invoke("indicators", path, "--out", out, "--encoding", "latin-1").exit_code == 0
    assert pd.read_csv(out)["region"].unique().tolist() == ["Å", "é", "ü"]


@pytest.mark.parametrize(
    ("frame", "fragments"),
    [
        (chain().rename(columns={"value": "jobs"}), ["Missing column(s) ['value']", "jobs"]),
        (chain().assign(value=["5", ":", "5", "5", "5"]), ["bad.csv (rows numbered by line", "non-numeric", "row 3"]),
        (chain().assign(value=[5.0, -1.0, 5.0, 5.0, 5.0]), ["bad.csv (rows numbered by line", "negative", "row 3"]),
        (pd.concat([chain(), chain().iloc[[0]]]), ["Duplicate keys", "Aggregate"]),
        (chain().assign(region="r0").drop_duplicates(["region", "activity"]), ["single region"]),
    ],
    ids=["missing-column", "flag", "negative", "duplicate", "one-region"],
)
def test_bad_input_exits_2_with_one_error_line(tmp_path, frame: pd.DataFrame, fragments: list) -> None:
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "never.csv"
    assert_user_error(invoke("indicators", path, "--out", out), *fragments)
    assert not out.exists()


def test_missing_input_file_exits_2(tmp_path) -> None:
    assert_user_error(invoke("indicators", tmp_path / "nope.csv", "--out", tmp_path / "o.csv"), "No such input file")


def test_bad_output_suffix_exits_2(tmp_path, input_csv) -> None:
    assert_user_error(invoke("indicators", input_csv, "--out", tmp_path / "o.json"), "--out must end in")


@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        ("--threshold", "0", "'threshold' parameter"),
        ("--method", "power", "'method' parameter"),
        ("--cog-variant", "oec", "'cog_variant' parameter"),
        ("--conventions", "stata", "'conventions' parameter"),
    ],
)
def test_bad_options_exit_2(tmp_path, input_csv, option: str, value: str, fragment: str) -> None:
    assert_user_error(invoke("indicators", input_csv, "--out", tmp_path / "o.csv", option, value), fragment)


def test_ambiguous_result_exits_2(tmp_path) -> None:
    blocks = pd.DataFrame(
        {
            "region": ["a", "a", "b", "b", "c", "c", "d", "d"],
            "activity": ["x", "y", "x", "y", "z", "w", "z", "w"],
            "value": [2, 1, 1, 2, 2, 1, 1, 2],
        }
    )
    path = tmp_path / "blocks.csv"
    blocks.to_csv(path, index=False)
    assert_user_error(invoke("indicators", path, "--out", tmp_path / "o.csv"), "disconnected")


def test_quickstart_without_data_is_labelled_synthetic(tmp_path) -> None:
    result = invoke("quickstart", "--out", tmp_path / "qs")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # rich wraps long lines at the terminal width
    assert text.startswith("SYNTHETIC example")
    assert "(real data)" not in text
    cells = pd.read_csv(tmp_path / "qs" / "synthetic_example_indicators.csv.gz")
    assert {"eci", "pci", "density", "coi", "cog"} <= set(cells.columns)
    assert (tmp_path / "qs" / "synthetic_example_regions.csv").is_file()


def test_quickstart_with_an_empty_folder_falls_back_to_synthetic(tmp_path) -> None:
    result = invoke("quickstart", "--from", tmp_path, "--out", tmp_path / "qs")
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.stdout


@pytest.mark.shared
def test_quickstart_with_real_data(tmp_path, shared_data) -> None:
    result = invoke("quickstart", "--from", shared_data, "--out", tmp_path / "qs")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # rich wraps long lines at the terminal width
    assert "(real data)" in text
    assert "UK NUTS2 regions, BRES employment" in text
    assert "SYNTHETIC" not in text
    written = sorted(p.name for p in (tmp_path / "qs").iterdir())
    assert any(name.startswith("uk_bres_") and name.endswith("_indicators.csv.gz") for name in written)
    regions = pd.read_csv(next((tmp_path / "qs").glob("uk_bres_*_regions.csv")))
    assert regions["region"].str.match(r"^UK[A-Z]\d$").all()  # NUTS 2 codes
    assert len(regions) > 30

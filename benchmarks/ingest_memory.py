"""Peak memory of ``clusterix ingest csv`` against holding the whole file, on one generated file.

Writes a long CSV (region, activity, year, value; ``--rows`` rows, default 5 million) and
measures, each in a fresh process, the peak resident memory (``ru_maxrss`` of the child) of:

- ``baseline``: ``pandas.read_csv`` of the whole file as text columns, what ``ingest csv``
  did before it streamed (the frame alone, before any check or copy into the store);
- ``ingest csv``: the command itself, reading in chunks and staging them in a DuckDB store.

The ratio printed is ingest / baseline; streaming keeps ingest's peak about flat as the file
grows (run with two ``--rows`` values to see it), while the baseline grows with the file.

Usage: .venv/bin/python benchmarks/ingest_memory.py [--rows 5000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

BASELINE = """
import sys, pandas as pd
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, na_values=[""])
print(len(frame))
"""


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    """A long table of ``rows`` distinct (region, activity, year) keys, written in blocks."""
    rng = np.random.default_rng(seed)
    regions = [f"R{i:04d}" for i in range(1000)]
    block = 1_000_000
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("region,activity,year,value\n")
        for start in range(0, rows, block):
            index = np.arange(start, min(start + block, rows))
            frame = pd.DataFrame(
                {
                    "region": np.take(regions, index % 1000),
                    "activity": [f"{a:04d}" for a in (index // 1000) % 1000],
                    "year": 2000 + index // 1_000_000,
                    "value": rng.integers(0, 5000, len(index)),
                }
            )
            frame.to_csv(handle, header=False, index=False)


_WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], capture_output=True).returncode
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_of(command: list[str]) -> tuple[float, float]:
    """Peak RSS (MiB) and wall seconds of ``command``, run as the only child of a fresh
    wrapper process (so ``RUSAGE_CHILDREN`` is that command's own peak)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _WRAPPER, *command], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    code, peak_kib = result.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(command)} failed (exit {code})")
    return int(peak_kib) / 1024.0, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--keep", type=Path, help="Write the CSV and the store here instead of a temp folder.")
    options = parser.parse_args()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="clusterix-ingest-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "long.csv"
    write_csv(csv, options.rows)
    python = sys.executable
    ingest_mib, ingest_s = peak_of(
        [python, "-m", "clusterix", "ingest", "csv", str(csv), "--time", "year", "--db", str(folder / "store.duckdb")]
    )
    baseline_mib, baseline_s = peak_of([python, "-c", BASELINE, str(csv)])
    figures = {
        "rows": options.rows,
        "file MiB": round(csv.stat().st_size / 2**20, 1),
        "ingest csv peak MiB": round(ingest_mib, 1),
        "ingest csv seconds": round(ingest_s, 1),
        "whole-file read peak MiB (baseline)": round(baseline_mib, 1),
        "whole-file read seconds": round(baseline_s, 1),
        "ratio ingest / baseline": round(ingest_mib / baseline_mib, 2),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

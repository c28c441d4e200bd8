"""Import speed and peak memory of a Eurostat bulk TSV into the embedded store.

Generates a file in Eurostat's official bulk TSV format with ``--lines`` series x
``--years`` periods (default 500,000 x 20 = 10 million observations, values with flags
and ':' gaps), then imports it with ``clusterix.ingest.eurostat.read_eurostat_tsv`` into
a fresh DuckDB store through ``Store.import_observations`` -- the path of
``clusterix ingest eurostat`` -- in a fresh process, and prints rows per second and the
peak resident memory of that process. Goal: >= 1 million rows/s, memory bounded.

Usage: .venv/bin/python benchmarks/ingest.py [--lines N] [--years N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GIB = 1024**3


def generate(path: Path, lines: int, years: int, seed: int = 0) -> int:
    """Write a Eurostat-format TSV (gzip) with ``lines`` series; return the observation count."""
    rng = np.random.default_rng(seed)
    n_geo = max(1, int(np.sqrt(lines / 4)) * 2)
    geo = np.array([f"R{i:04d}" for i in range(n_geo)])
    n_nace = -(-lines // n_geo)
    nace = np.array([f"C{j:04d}" for j in range(n_nace)])
    series = pd.DataFrame({"nace": np.repeat(nace, n_geo)[:lines], "geo": np.tile(geo, n_nace)[:lines]})
    keys = "A,NR," + series["nace"] + "," + series["geo"]
    columns = {"freq,unit,nace_r2,geo\\TIME_PERIOD": keys}
    for year in range(2024 - years + 1, 2025):
        values = rng.gamma(2.0, 500.0, lines).round(1).astype(str)
        draw = rng.random(lines)
        values = np.where(draw < 0.05, ":", np.where(draw < 0.10, np.char.add(values, " p"), values))
        columns[f"{year} "] = values
    frame = pd.DataFrame(columns)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as handle:
        frame.to_csv(handle, sep="\t", index=False)
    return lines * years


def peak_memory() -> float:
    """High-water mark of this process's resident memory, in bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def worker(path: Path, store_path: Path) -> None:
    """Import ``path`` into a fresh store and print a JSON report."""
    from clusterix.ingest.eurostat import read_eurostat_tsv
    from clusterix.storage import Store

    baseline = peak_memory()
    started = time.perf_counter()
    with Store.open(store_path) as store:
        result = store.import_observations(read_eurostat_tsv(path), source="eurostat", path=path)
        stored = store.table_counts()["observations"]
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {"rows": result.rows, "stored": stored, "seconds": seconds, "peak": peak_memory(), "baseline": baseline}
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=500_000, help="series (file lines); default 500,000")
    parser.add_argument("--years", type=int, default=20, help="periods per series; default 20")
    parser.add_argument("--keep", type=Path, help="keep the generated file and store in this folder")
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        worker(*arguments.worker)
        return
    folder = arguments.keep or Path(tempfile.mkdtemp(prefix="clusterix-ingest-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthetic_eurostat_{arguments.lines}x{arguments.years}.tsv.gz"
    started = time.perf_counter()
    if path.is_file():  # a kept file from an earlier run with the same shape
        observations = arguments.lines * arguments.years
    else:
        observations = generate(path, arguments.lines, arguments.years)
    print(
        f"generated {observations:,} observations ({arguments.lines:,} lines x {arguments.years} periods) "
        f"in {time.perf_counter() - started:.1f} s: {path.stat().st_size / 1e6:.0f} MB gzip"
    )
    store = folder / "store.duckdb"
    store.unlink(missing_ok=True)
    output = subprocess.run(
        [sys.executable, __file__, "--worker", str(path), str(store)], check=True, capture_output=True, text=True
    ).stdout
    report = json.loads(output.strip().splitlines()[-1])
    rate = report["rows"] / report["seconds"]
    print(
        f"imported {report['rows']:,} observations ({report['stored']:,} stored) in {report['seconds']:.1f} s: "
        f"{rate / 1e6:.2f} million rows/s (goal >= 1.0: {'met' if rate >= 1e6 else 'NOT met'})"
    )
    print(f"peak memory {report['peak'] / GIB:.2f} GiB (baseline after imports {report['baseline'] / GIB:.2f} GiB)")
    print(
        f"| observations | seconds | million rows/s | peak GiB |\n|---:|---:|---:|---:|\n"
        f"| {report['rows']:,} | {report['seconds']:.1f} | {rate / 1e6:.2f} | {report['peak'] / GIB:.2f} |"
    )


if __name__ == "__main__":
    main()

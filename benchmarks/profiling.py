"""Profiles for every region of a large panel, and a 300-region complementarity matrix.

1. ``RegionProfiler`` on a seeded synthetic 2,000 regions x 5,000 activities x 2 periods
   panel: time to compute the indicators once, then the time of one profile (median over
   regions) and of all 2,000 profiles. Goal: one profile under 200 ms once the
   indicators are computed.
2. ``complementarity`` for 300 regions (research 200 fields, industry 600 activities,
   synthetic, seeded): the full region x region matrix with cross-space relatedness.
   Goal: under 10 s.
Peak memory is the process's resident high-water mark.

Usage: .venv/bin/python benchmarks/profiling.py [--regions N] [--activities N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pandas as pd

from clusterix.examples import synthetic_panel
from clusterix.profiling.complementarity import complementarity, rca_table
from clusterix.profiling.profile import RegionProfiler

GIB = 1024**3


def peak_memory() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def wide(panel: pd.DataFrame) -> pd.DataFrame:
    return panel.pivot_table(index="region", columns="activity", values="value", aggfunc="sum", fill_value=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=2000)
    parser.add_argument("--activities", type=int, default=5000)
    arguments = parser.parse_args()

    panel = synthetic_panel(arguments.regions, arguments.activities, 2, seed=3)
    started = time.perf_counter()
    profiler = RegionProfiler(panel, time="year", min_value=1)
    setup = time.perf_counter() - started
    regions = sorted(panel["region"].unique())
    timings = []
    started = time.perf_counter()
    for code in regions:
        tick = time.perf_counter()
        profiler.profile(code)
        timings.append(time.perf_counter() - tick)
    every = time.perf_counter() - started
    median, worst = statistics.median(timings), max(timings)
    print(
        f"profiles: {arguments.regions:,} regions x {arguments.activities:,} activities x 2 periods "
        f"({len(panel):,} input rows)"
    )
    print(
        f"  indicators once: {setup:.1f} s; one profile: median {median * 1000:.1f} ms, slowest "
        f"{worst * 1000:.1f} ms (goal < 200 ms: {'met' if worst < 0.2 else 'NOT met'}); all {len(regions):,} "
        f"profiles: {every:.1f} s; peak memory {peak_memory() / GIB:.2f} GiB"
    )

    research = rca_table(wide(synthetic_panel(300, 200, seed=4)))
    industry = rca_table(wide(synthetic_panel(300, 600, seed=5)))
    research.columns = [f"F{c}" for c in research.columns]  # fields and industries do not share codes
    started = time.perf_counter()
    matrix = complementarity(research, industry)
    seconds = time.perf_counter() - started
    print(
        f"complementarity: {matrix.shape[0]} x {matrix.shape[1]} regions from 200 research fields and 600 "
        f"industries (cross-space relatedness included): {seconds:.3f} s (goal < 10 s: "
        f"{'met' if seconds < 10 else 'NOT met'})"
    )
    print("| task | seconds | goal |\n|---|---:|---|")
    print(f"| indicators for {arguments.regions:,} x {arguments.activities:,} x 2 | {setup:.1f} | |")
    print(f"| one profile (median / slowest) | {median:.4f} / {worst:.4f} | < 0.2 |")
    print(f"| all {len(regions):,} profiles | {every:.1f} | |")
    print(f"| complementarity 300 x 300 | {seconds:.3f} | < 10 |")
    print(f"peak memory {peak_memory() / GIB:.2f} GiB")


if __name__ == "__main__":
    main()

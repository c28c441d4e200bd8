"""Benchmark ``clusterix.indicators.complexity`` against the Growth Lab's ``ecomplexity``.

Each (case, tool) pair runs in a fresh subprocess of this script (the hidden
``--worker`` option), so a tool's peak memory is its own. The worker's first call is
the warm-up and the memory measurement; the small cases then report the best of
``--repeats`` further calls, the large case that single run. Results (region, activity,
eci, pci, density, cog) go to temporary Parquet files that this process compares.

Peak memory is the worker's RSS high-water mark, reset just before the call, from
``VmHWM`` in ``/proc/self/status``. ``getrusage(RUSAGE_SELF).ru_maxrss`` is only the
fallback (e.g. macOS): on Linux it also carries the parent's RSS at spawn time.

Run from the project root::

    .venv/bin/python benchmarks/indicators.py [--quick] [--skip-slow-peer] [--data DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from clusterix.datasets import TRADE_FILE, load_trade_sitc4
from clusterix.examples import synthetic_panel

ROOT = Path(__file__).resolve().parents[1]
GIB = 2**30
TOLERANCE = 1e-6
COMPARED = ("eci", "pci", "density", "cog")
OURS = "clusterix"
PEER_OPTIONS = {  # ecomplexity variants: keyword arguments besides verbose=False
    "ecomplexity-fair": {"check_logsupermodularity": False},
    "ecomplexity-defaults": {},
}
TOOL_LABELS = {
    OURS: "clusterix",
    "ecomplexity-fair": "ecomplexity, check_logsupermodularity=False",
    "ecomplexity-defaults": "ecomplexity, defaults",
}
PEER_TABLE_LABELS = {"ecomplexity-fair": "no LSM check", "ecomplexity-defaults": "ecomplexity defaults"}


@dataclass(frozen=True)
class Case:
    """One benchmark case: its data, its peers and its goals."""

    name: str
    label: str
    title: str
    time: str | None
    peers: tuple[str, ...]
    single_run: bool = False
    min_ratio: float | None = None
    max_seconds: float | None = None
    max_peak_gib: float | None = None

    @property
    def keys(self) -> list[str]:
        return [key for key in (self.time, "region", "activity") if key is not None]


CASES = (
    Case(
        "trade",
        "Trade 226 x 785",
        "Trade data, 226 countries x 785 SITC4 products (1998-2000)",
        time=None,
        peers=("ecomplexity-fair", "ecomplexity-defaults"),
        min_ratio=20,
    ),
    Case(
        "panel",
        "Panel 300 x 600 x 10",
        "Synthetic panel, 300 regions x 600 activities x 10 years",
        time="year",
        peers=("ecomplexity-fair",),
    ),
    Case(
        "large",
        "Synthetic 2,000 x 5,000",
        "Synthetic, 2,000 regions x 5,000 activities, one period",
        time=None,
        peers=("ecomplexity-fair",),
        single_run=True,
        min_ratio=50,
        max_seconds=6,
        max_peak_gib=3,
    ),
)
CASES_BY_NAME = {case.name: case for case in CASES}


# --- worker: one tool on one case in a fresh process ---------------------------------


def load_case(case: Case, data_folder: Path) -> pd.DataFrame:
    """The input long table of a case."""
    if case.name == "trade":
        return load_trade_sitc4(data_folder)
    if case.name == "panel":
        return synthetic_panel(300, 600, 10, seed=1)
    return synthetic_panel(2000, 5000, seed=0)


def make_call(tool: str, data: pd.DataFrame, case: Case) -> Callable[[], pd.DataFrame]:
    """A no-argument call of ``tool`` on ``data`` that returns its long output table."""
    if tool == OURS:
        from clusterix.indicators import complexity

        return lambda: complexity(data, time=case.time)

    from ecomplexity import ecomplexity

    if case.time is None:  # ecomplexity needs a time column
        data = data.assign(time=0)
    columns = {"time": case.time or "time", "loc": "region", "prod": "activity", "val": "value"}
    options = {"verbose": False, **PEER_OPTIONS[tool]}

    def call() -> pd.DataFrame:
        # Silence its warnings and the log-supermodularity line it prints even when quiet.
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            return ecomplexity(data, columns, **options)

    return call


def _status_bytes(field: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` in bytes, or None off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def current_rss() -> int:
    """Resident set size of this process now, in bytes."""
    return _status_bytes("VmRSS") or peak_rss()


def peak_rss() -> int:
    """RSS high-water mark of this process, in bytes."""
    high_water = _status_bytes("VmHWM")
    if high_water is not None:
        return high_water
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max_rss if sys.platform == "darwin" else max_rss * 1024


def reset_peak_rss() -> None:
    """Reset the RSS high-water mark to the current RSS, where Linux allows it."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def run_worker(case: Case, tool: str, out_dir: Path, data_folder: Path, repeats: int) -> None:
    """Time and measure ``tool`` on ``case``; write its results and figures to ``out_dir``."""
    data = load_case(case, data_folder)
    call = make_call(tool, data, case)
    gc.collect()
    baseline = current_rss()
    reset_peak_rss()
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    peak = peak_rss()
    rows_out = len(result)
    result[[*case.keys, *COMPARED]].to_parquet(out_dir / f"{tool}.parquet")
    del result
    if not case.single_run:
        seconds = min(timed(call) for _ in range(repeats))
    figures = {
        "seconds": seconds,
        "baseline": baseline,
        "peak": peak,
        "rows_in": len(data),
        "rows_out": rows_out,
    }
    (out_dir / f"{tool}.json").write_text(json.dumps(figures))


def timed(call: Callable[[], object]) -> float:
    """Wall time of one call, in seconds."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


# --- parent: run the workers, compare, report -----------------------------------------


def run_tool(case: Case, tool: str, out_dir: Path, args: argparse.Namespace) -> dict | None:
    """Run one worker; its figures, or None (with a message) if it failed."""
    command = [
        sys.executable,
        __file__,
        "--worker",
        case.name,
        tool,
        str(out_dir),
        "--data",
        str(args.data),
        "--repeats",
        str(args.repeats),
    ]
    completed = subprocess.run(command, check=False)
    if completed.returncode != 0:
        print(f"  {TOOL_LABELS[tool]}: worker failed with exit code {completed.returncode}")
        return None
    figures = json.loads((out_dir / f"{tool}.json").read_text())
    timing = "one run" if case.single_run else f"best of {args.repeats}"
    print(
        f"  {TOOL_LABELS[tool]:<44} {figures['seconds']:9.3f} s ({timing})   "
        f"peak {figures['peak'] / GIB:.2f} GiB (+{(figures['peak'] - figures['baseline']) / GIB:.2f} "
        f"over baseline {figures['baseline'] / GIB:.2f})   {figures['rows_out']:,} rows out",
        flush=True,
    )
    return figures


def max_difference(ours_file: Path, peer_file: Path, keys: list[str]) -> tuple[float, int]:
    """Max absolute difference on COMPARED over the merged rows, and the merged row count.

    NaN on both sides counts as equal; NaN on one side only as an infinite difference.
    """
    frames = [pd.read_parquet(path) for path in (ours_file, peer_file)]
    for frame in frames:
        for key in ("region", "activity"):
            frame[key] = frame[key].astype(str)
    merged = frames[0].merge(frames[1], on=keys, suffixes=("_ours", "_peer"))
    worst = 0.0
    for column in COMPARED:
        ours = merged[f"{column}_ours"].to_numpy(dtype=np.float64)
        peer = merged[f"{column}_peer"].to_numpy(dtype=np.float64)
        difference = np.where(np.isnan(ours) & np.isnan(peer), 0.0, np.abs(ours - peer))
        worst = max(worst, float(np.max(np.nan_to_num(difference, nan=np.inf), initial=0.0)))
    return worst, len(merged)


def goal_note(met: bool, goal: str) -> str:
    return f"goal {goal}: {'met' if met else 'NOT met'}"


def run_case(case: Case, args: argparse.Namespace) -> list[dict]:
    """Benchmark one case; one table row per peer variant."""
    print(f"\n== {case.title} ==", flush=True)
    peers = case.peers
    if case.name == "large" and args.skip_slow_peer:
        print("  ecomplexity skipped (--skip-slow-peer)")
        peers = ()
    with tempfile.TemporaryDirectory(prefix="clusterix-bench-") as tmp:
        out_dir = Path(tmp)
        ours = run_tool(case, OURS, out_dir, args)
        if ours is None:
            return []
        print(f"  input rows {ours['rows_in']:,}")
        if case.max_seconds is not None:
            print(f"  clusterix {goal_note(ours['seconds'] < case.max_seconds, f'< {case.max_seconds} s')}")
        if case.max_peak_gib is not None:
            met = ours["peak"] / GIB < case.max_peak_gib
            print(f"  clusterix {goal_note(met, f'peak < {case.max_peak_gib} GiB')}")
        rows = []
        for peer in peers:
            figures = run_tool(case, peer, out_dir, args)
            if figures is None:
                continue
            ratio = figures["seconds"] / ours["seconds"]
            difference, merged = max_difference(out_dir / f"{OURS}.parquet", out_dir / f"{peer}.parquet", case.keys)
            agree = difference < TOLERANCE
            goal = ""
            if case.min_ratio is not None:
                goal = "   " + goal_note(ratio >= case.min_ratio, f">= {case.min_ratio}x")
            print(f"  ratio ecomplexity/clusterix ({TOOL_LABELS[peer]}): {ratio:.1f}x{goal}")
            print(
                f"  agreement: max |diff| on {', '.join(COMPARED)} = {difference:.2e} over {merged:,} merged "
                f"rows ({ours['rows_out']:,} clusterix, {figures['rows_out']:,} ecomplexity): "
                f"{'yes' if agree else 'NO'} (tolerance {TOLERANCE:g})",
                flush=True,
            )
            rows.append({"case": case, "peer": peer, "ours": ours, "theirs": figures, "agree": agree})
        if not rows:
            rows.append({"case": case, "peer": None, "ours": ours, "theirs": None, "agree": None})
        return rows


def peak_cell(figures: dict) -> str:
    return f"{figures['peak'] / GIB:.2f} (+{(figures['peak'] - figures['baseline']) / GIB:.2f})"


def markdown_table(rows: list[dict]) -> str:
    """The summary as a Markdown table for docs/benchmarks.md."""
    lines = [
        "| case | clusterix s | ecomplexity s | ratio | clusterix peak GiB | ecomplexity peak GiB | agree |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for row in rows:
        case, ours, theirs = row["case"], row["ours"], row["theirs"]
        label = case.label if row["peer"] is None else f"{case.label}, {PEER_TABLE_LABELS[row['peer']]}"
        cells = [label, f"{ours['seconds']:.3f}"]
        if theirs is None:
            cells += ["not run", "", peak_cell(ours), "", ""]
        else:
            cells += [
                f"{theirs['seconds']:.3f}",
                f"{theirs['seconds'] / ours['seconds']:.1f}x",
                peak_cell(ours),
                peak_cell(theirs),
                "yes" if row["agree"] else "NO",
            ]
        lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared" / "data",
        help="folder holding the shared data sets (default: ../shared/data from the project root)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per small case (default 5)")
    parser.add_argument("--quick", action="store_true", help="run only the trade data and the panel")
    parser.add_argument(
        "--skip-slow-peer",
        action="store_true",
        help="skip ecomplexity on the 2,000 x 5,000 case (about 290 s and 4.9 GB)",
    )
    parser.add_argument("--worker", nargs=3, metavar=("CASE", "TOOL", "OUT_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1; got {args.repeats}.")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        case_name, tool, out_dir = args.worker
        run_worker(CASES_BY_NAME[case_name], tool, Path(out_dir), args.data, args.repeats)
        return
    print(
        f"clusterix {version('clusterix')}, ecomplexity {version('ecomplexity')}, "
        f"numpy {np.__version__}, pandas {pd.__version__}, Python {sys.version.split()[0]}"
    )
    print("Peak = RSS high-water mark of a fresh process; (+x) = above its baseline after imports and data.")
    rows = []
    for case in CASES:
        if case.name == "large" and args.quick:
            continue
        if case.name == "trade" and not (args.data / TRADE_FILE).is_file():
            print(f"\n== {case.title} ==\n  skipped: {args.data / TRADE_FILE} not found (see --data)")
            continue
        rows.extend(run_case(case, args))
    print("\n" + markdown_table(rows))
    print(
        f"\nPeak GiB: absolute (above baseline). LSM check: ecomplexity's check_logsupermodularity. "
        f"Small cases: best of {args.repeats} after a warm-up; 2,000 x 5,000: one run each."
    )


if __name__ == "__main__":
    main()

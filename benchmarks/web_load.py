"""Load test of the web app as visitors use it: pages never requested before, a mix of pages and
API calls from 50 clients, and /api/v1/health during a burst of 100 sign-ins.

Starts the real server, ``clusterix demo --from DATA`` (uvicorn, one process; the region pages
are precomputed in the background, as ``serve`` and ``demo`` do), in a subprocess on a free
127.0.0.1 port with the helpers of ``benchmarks/web.py``, after adding an admin account to its
store with ``clusterix users add --password-stdin``. Waits until the partner recommender is
fitted and the precomputation is done, takes real region codes (``/api/v1/indicators``) and
organisation ids (``/api/v1/organisations``) from the server's own API, then runs three phases
with ``--clients`` asyncio clients (httpx, one connection each) on the same machine:

1. **cold**: every URL of the mix requested exactly once, in parallel, before any warm-up:
   region pages (HTML), API profiles and peers, indicator values, organisation searches (API
   and the Partners page's search fragment), partner recommendations (API and the Partners
   page). Goal: p95 < 300 ms.
2. **mixed**: after a 3 s warm-up, the same URLs for ``--duration`` seconds, the families in
   turn. Goal: p95 < 150 ms with 0 errors.
3. **sign-in burst**: ``--sign-ins`` concurrent ``POST /api/v1/auth/login`` with wrong passwords
   for the admin account from one client (answered 401, then 429 by the rate limit) while a
   thread of its own polls ``/api/v1/health`` every 20 ms. Goal: /health p99 < 100 ms.

Prints p50/p95/p99, max, requests, errors by status and req/s per family and overall, whether
each goal is met ("goal met"/"goal missed": a missed goal does not fail the script), and the
CPU share of the load generator and of the server. Stops the server on every exit path
(exceptions, Ctrl-C, SIGTERM); exits non-zero only if the server cannot be started.

Usage: .venv/bin/python benchmarks/web_load.py [--data ../shared/data] [--clients 50] [--duration 20] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.web import DATASET, ROOT, Result, _free_port, start_server, wait_ready  # noqa: E402

EMAIL = "load-admin@example.org"
PASSWORD = "tram violet kettle orbit"  # NIST policy: >= 15 characters, not a common password
INDICATORS = ("eci", "diversity", "coi", "total", "entropy", "herfindahl", "hachman", "krugman")
GOALS = {"cold": (95, 300.0), "mixed": (95, 150.0), "health during sign-in burst": (99, 100.0)}
HEALTH = "/api/v1/health"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads), from /proc; NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def discover(base: str, organisations: int) -> dict[str, list[str]]:
    """The URLs of the mix by family, from the server's API: regions with a value, organisations
    spread over the whole list (ids in order), search terms made from those ids."""
    get = httpx.Client(base_url=base, timeout=60.0)
    with get:
        values = get.get("/api/v1/indicators", params={"dataset": DATASET, "indicator": "eci"}).json()
        codes = [item["region"] for item in values["items"] if item["value"] is not None]
        total = get.get("/api/v1/organisations", params={"limit": 1}).json()["total"]
        pics: list[str] = []
        for offset in np.linspace(0, total - 100, max(1, organisations // 20)).astype(int):
            page = get.get("/api/v1/organisations", params={"limit": 100, "offset": int(offset)}).json()
            pics += [item["id"] for item in page["items"][:: max(1, 100 // 20)]][:20]
    pics = list(dict.fromkeys(pics))[:organisations]
    terms = sorted({pic[:5] for pic in pics})  # organisation names are empty in the H2020 extract: ids
    return {
        "region page (HTML)": [f"/regions/{code}" for code in codes],
        "API profile": [f"/api/v1/regions/{code}/profile?dataset={DATASET}" for code in codes],
        "API peers": [f"/api/v1/regions/{code}/peers?dataset={DATASET}" for code in codes],
        "API indicators": [f"/api/v1/indicators?dataset={DATASET}&indicator={name}&year={year}"
                           for name in INDICATORS for year in ("2015", "2016", "2017", "2018")],
        "API organisation search": [f"/api/v1/organisations?q={term}&limit=20" for term in terms],
        "partner search (HTML fragment)": [f"/partners/search?q={term}" for term in terms],
        "API partners": [f"/api/v1/organisations/{pic}/partners?k=10" for pic in pics],
        "partners page (HTML)": [f"/partners?org={pic}" for pic in pics],
    }  # fmt: skip


async def timed_gets(base: str, requests, clients: int, *, duration: float | None, server_pid: int) -> dict:
    """``clients`` clients take ``(family, path)`` pairs from the iterator ``requests`` until it
    ends or ``duration`` s have passed; latencies and non-200 answers by family."""
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sessions = [httpx.AsyncClient(base_url=base, timeout=60.0) for _ in range(clients)]
    stop_at = float("inf") if duration is None else time.perf_counter() + duration

    async def client(session: httpx.AsyncClient) -> None:
        for family, path in requests:
            if time.perf_counter() >= stop_at:
                return
            started = time.perf_counter()
            try:
                status = str((await session.get(path)).status_code)
            except httpx.HTTPError as error:
                status = type(error).__name__
            latencies[family].append(time.perf_counter() - started)
            if status != "200":
                errors[family][status] += 1

    started, cpu, server_cpu = time.perf_counter(), time.process_time(), cpu_seconds(server_pid)
    try:
        await asyncio.gather(*(client(session) for session in sessions))
    finally:
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        server_cpu = cpu_seconds(server_pid) - server_cpu
        await asyncio.gather(*(session.aclose() for session in sessions))
    return {"latencies": latencies, "errors": errors, "seconds": seconds, "cpu": cpu, "server_cpu": server_cpu}


def sign_in_burst(base: str, attempts: int, server_pid: int, poll: float = 0.02, baseline: float = 2.0) -> dict:
    """``attempts`` concurrent wrong sign-ins from one client while a thread polls /health every ``poll`` s."""
    samples: list[tuple[float, float, str]] = []  # (start, seconds, status)
    stop = threading.Event()

    def poller() -> None:
        with httpx.Client(base_url=base, timeout=30.0) as session:
            next_at = time.perf_counter()
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    status = str(session.get(HEALTH).status_code)
                except httpx.HTTPError as error:
                    status = type(error).__name__
                samples.append((started, time.perf_counter() - started, status))
                next_at = max(next_at + poll, time.perf_counter())
                time.sleep(max(0.0, next_at - time.perf_counter()))

    async def burst() -> tuple[list[str], list[float]]:
        limits = httpx.Limits(max_connections=attempts, max_keepalive_connections=attempts)
        async with httpx.AsyncClient(base_url=base, timeout=120.0, limits=limits) as session:

            async def attempt(number: int) -> tuple[str, float]:
                body = {"email": EMAIL, "password": f"wrong horse battery {number:04d}"}
                started = time.perf_counter()
                try:
                    status = str((await session.post("/api/v1/auth/login", json=body)).status_code)
                except httpx.HTTPError as error:
                    status = type(error).__name__
                return status, time.perf_counter() - started

            answers = await asyncio.gather(*(attempt(number) for number in range(attempts)))
        return [status for status, _ in answers], [seconds for _, seconds in answers]

    thread = threading.Thread(target=poller, daemon=True)
    thread.start()
    time.sleep(baseline)  # /health before the burst, for comparison
    started, cpu, server_cpu = time.perf_counter(), time.process_time(), cpu_seconds(server_pid)
    try:
        statuses, sign_in_seconds = asyncio.run(burst())
    finally:
        ended = time.perf_counter()
        cpu, server_cpu = time.process_time() - cpu, cpu_seconds(server_pid) - server_cpu
        stop.set()
        thread.join(timeout=30)
    during = [(seconds, status) for at, seconds, status in samples if started <= at < ended]
    before = [seconds for at, seconds, _ in samples if at < started]
    counts: dict[str, int] = defaultdict(int)
    for status in statuses:
        counts[status] += 1
    health_errors: dict[str, int] = defaultdict(int)
    for _, status in during:
        if status != "200":
            health_errors[status] += 1
    return {
        "latencies": {"/api/v1/health": [seconds for seconds, _ in during]},
        "errors": {"/api/v1/health": health_errors},
        "seconds": ended - started,
        "cpu": cpu,
        "server_cpu": server_cpu,
        "health_before_ms": {"polls": len(before), "p50": _ms(before, 50), "p99": _ms(before, 99)},
        "sign_ins": dict(counts),
        "sign_in_ms": {"p50": _ms(sign_in_seconds, 50), "max": _ms(sign_in_seconds, 100)},
    }


def _ms(values: list[float], percentile: float) -> float:
    return round(float(np.percentile(values, percentile)) * 1000.0, 1) if values else float("nan")


def summary(phase: str, run: dict) -> list[dict]:
    """One row per family and one for the whole phase (``Result.row`` of benchmarks/web.py)."""
    rows = []
    everything = [value for values in run["latencies"].values() for value in values]
    every_error: dict[str, int] = defaultdict(int)
    for found in run["errors"].values():
        for status, count in found.items():
            every_error[status] += count
    families = [(family, values, dict(run["errors"].get(family, {}))) for family, values in run["latencies"].items()]
    for family, values, errors in [*families, ("all", everything, dict(every_error))]:
        if not values:
            continue
        cpu = run["cpu"] if family == "all" else float("nan")
        row = Result(family, values, errors, run["seconds"], cpu).row()
        row = {"phase": phase, "family": row.pop("endpoint"), **{k: v for k, v in row.items() if k != "errors"}}
        row["errors"] = sum(errors.values())
        row["errors by status"] = ", ".join(f"{status}: {count}" for status, count in sorted(errors.items())) or "-"
        percentile, goal = GOALS[phase]
        met = row[f"p{percentile} ms"] < goal and (phase != "mixed" or not errors)
        row["goal"] = f"p{percentile} < {goal:.0f} ms{' and 0 errors' if phase == 'mixed' else ''}: " + (
            "goal met" if met else "goal missed"
        )
        rows.append(row)
    return rows


def verdict(phase: str, rows: list[dict]) -> dict:
    whole = next(row for row in rows if row["family"] == "all")
    percentile, goal = GOALS[phase]
    value = whole[f"p{percentile} ms"]
    zero_errors = phase == "mixed"
    met = value < goal and (not zero_errors or whole["errors"] == 0)
    text = (f"{phase}: p{percentile} {value:.1f} ms, {whole['errors']} errors; goal p{percentile} < {goal:.0f} ms"
            f"{' with 0 errors' if zero_errors else ''}: {'goal met' if met else 'goal missed'}")  # fmt: skip
    return {"phase": phase, "value_ms": value, "goal_ms": goal, "percentile": percentile, "met": met, "text": text}


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally that stops the server


def run(options: argparse.Namespace, folder: Path) -> dict:
    store = folder / "demo.duckdb"  # the store start_server of benchmarks/web.py gives the demo
    added = subprocess.run(
        [sys.executable, "-m", "clusterix", "users", "add", EMAIL, "--role", "admin", "--password-stdin",
         "--db", str(store)],
        input=PASSWORD + "\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    if added.returncode != 0:
        sys.exit(f"clusterix users add failed ({added.returncode}): {added.stderr.strip()}")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    server = start_server(options.data, port, folder)
    try:
        try:
            health = wait_ready(base, server, options.timeout)
            ready = time.monotonic() - started
            while (health.get("precompute") or {}).get("status") not in (None, "done", "failed", "idle"):
                if server.poll() is not None or time.monotonic() - started > options.timeout:
                    raise RuntimeError(f"the region pages were not precomputed: {health['precompute']}")
                time.sleep(2.0)
                health = httpx.get(f"{base}{HEALTH}", timeout=30.0).json()
        except (RuntimeError, TimeoutError, httpx.HTTPError) as error:
            log = (folder / "server.log").read_text(errors="replace")[-3000:]
            print(f"the server did not start: {error}\n--- end of server.log ---\n{log}", file=sys.stderr)
            sys.exit(1)
        precomputed = time.monotonic() - started
        meta = {
            "backend": health["backend"], "counts": health["counts"], "ready_seconds": round(ready, 1),
            "recommender_fit_seconds": health["partners"].get("fit_seconds"),
            "precompute": health.get("precompute"), "precomputed_seconds": round(precomputed, 1),
        }  # fmt: skip
        print(f"demo server on {base} ({health['backend']}, {health['counts'].get('organisations', 0):,} "
              f"organisations): recommender fitted after {ready:.0f} s, precompute {health.get('precompute')} "
              f"after {precomputed:.0f} s")  # fmt: skip
        signed = httpx.post(f"{base}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}, timeout=60)
        meta["right_sign_in_status"] = signed.status_code
        print(f"sign-in of {EMAIL} with the right password: {signed.status_code}")
        workloads = discover(base, options.organisations)
        meta["urls"] = {family: len(paths) for family, paths in workloads.items()}
        print(f"{sum(meta['urls'].values())} URLs: {meta['urls']}")
        cold = [(family, path) for family, paths in workloads.items() for path in paths]
        random.Random(0).shuffle(cold)  # families interleaved, as visitors would arrive

        def mixed():  # the families in turn, each cycling through its URLs
            cycles = {family: itertools.cycle(paths) for family, paths in workloads.items()}
            for family in itertools.cycle(workloads):
                yield family, next(cycles[family])

        runs = {}
        runs["cold"] = asyncio.run(timed_gets(base, iter(cold), options.clients, duration=None, server_pid=server.pid))
        asyncio.run(timed_gets(base, mixed(), options.clients, duration=3.0, server_pid=server.pid))  # warm-up
        runs["mixed"] = asyncio.run(
            timed_gets(base, mixed(), options.clients, duration=options.duration, server_pid=server.pid)
        )
        runs["health during sign-in burst"] = sign_in_burst(base, options.sign_ins, server.pid)
    finally:
        stop_server(server)
    return {"meta": meta, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of the mixed phase")
    parser.add_argument("--organisations", type=int, default=100, help="organisations in the partner families")
    parser.add_argument("--sign-ins", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the server to be ready")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, _sigterm)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="clusterix-web-load-") as folder:
        found = run(options, Path(folder))
    meta, runs = found["meta"], found["runs"]
    meta |= {"clients": options.clients, "duration": options.duration, "cores": cores, "command": sys.argv}
    print(f"{options.clients} clients, {cores} cores, load generator and server on the same machine")
    rows, verdicts = [], []
    for phase, phase_run in runs.items():
        phase_rows = summary(phase, phase_run)
        rows += phase_rows
        verdicts.append(verdict(phase, phase_rows))
    table = pd.DataFrame(rows).drop(columns=["client CPU %"]).set_index(["phase", "family"])
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 60):
        print(table.round(1).to_string())
    cpu = {}
    for phase, phase_run in runs.items():
        cpu[phase] = {"seconds": round(phase_run["seconds"], 1),
                      "load generator CPU %": round(100.0 * phase_run["cpu"] / phase_run["seconds"], 1),
                      "server CPU %": round(100.0 * phase_run["server_cpu"] / phase_run["seconds"], 1)}  # fmt: skip
        print(f"{phase}: {cpu[phase]['seconds']} s; CPU (100 % = one core) load generator "
              f"{cpu[phase]['load generator CPU %']} %, server {cpu[phase]['server CPU %']} %")  # fmt: skip
    burst = runs["health during sign-in burst"]
    print(f"sign-in burst: {options.sign_ins} wrong sign-ins from one client answered {burst['sign_ins']} "
          f"(401: {burst['sign_ins'].get('401', 0)}, 429: {burst['sign_ins'].get('429', 0)}); sign-in latency "
          f"{burst['sign_in_ms']} ms; /health before the burst {burst['health_before_ms']} ms")  # fmt: skip
    for item in verdicts:
        print(item["text"])
    if options.json:
        figures = {"meta": meta, "rows": rows, "cpu": cpu, "verdicts": verdicts, "sign_ins": burst["sign_ins"],
                   "sign_in_ms": burst["sign_in_ms"], "health_before_burst_ms": burst["health_before_ms"]}  # fmt: skip
        options.json.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
        print(f"figures written to {options.json}")


if __name__ == "__main__":
    main()

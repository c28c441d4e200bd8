"""Load test of the web app: p50/p95 latency and throughput of the region-profile and the
partner endpoints with 50 concurrent clients, on the demo store built from the real data.

Starts ``clusterix demo --from DATA`` on a free 127.0.0.1 port in a subprocess (the real
server: uvicorn, one process), waits until the partner recommender is fitted, warms both
endpoints up (each path once by one client: the cold latencies, reported too, then a short
burst), then runs each endpoint in turn: ``--clients`` asyncio clients (httpx, one
connection each) request as fast as they can, cycling through real region codes or busy
CORDIS organisations, until ``--duration`` seconds or ``--requests`` requests, whichever
comes first. Loopback only; it stops the server it started and exits by itself (2 to 4
minutes on 2 cores, most of it the demo load and the recommender's fit). Goal: p95 < 150 ms.

Usage: .venv/bin/python benchmarks/web.py [--data ../shared/data] [--clients 50] [--duration 20] [--requests 4000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
GOAL_P95_MS = 150.0
DATASET = "uk-bres-employment"
CORDIS_FILE = Path("cordis-h2020-participations") / "h2020_participations.csv.gz"


@dataclass
class Result:
    """The latencies (seconds) and failures of one endpoint's run."""

    endpoint: str
    latencies: list[float]
    errors: dict[int | str, int]
    seconds: float
    client_cpu: float  # CPU seconds the load generator itself used (it shares the machine with the server)

    def row(self) -> dict:
        values = np.asarray(self.latencies) * 1000.0
        return {
            "endpoint": self.endpoint,
            "requests": len(values),
            "errors": sum(self.errors.values()),
            "p50 ms": float(np.percentile(values, 50)) if len(values) else float("nan"),
            "p95 ms": float(np.percentile(values, 95)) if len(values) else float("nan"),
            "p99 ms": float(np.percentile(values, 99)) if len(values) else float("nan"),
            "max ms": float(values.max()) if len(values) else float("nan"),
            "req/s": len(values) / self.seconds if self.seconds else float("nan"),
            "client CPU %": 100.0 * self.client_cpu / self.seconds if self.seconds else float("nan"),
        }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data: Path, port: int, folder: Path) -> subprocess.Popen:
    """``clusterix demo`` on 127.0.0.1:``port`` with a fresh store in ``folder``; its output goes to a log file."""
    log = (folder / "server.log").open("w")
    command = [sys.executable, "-m", "clusterix", "demo", "--from", str(data), "--db", str(folder / "demo.duckdb"),
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=os.environ | {"PYTHONUNBUFFERED": "1"})


def wait_ready(base: str, server: subprocess.Popen, timeout: float) -> dict:
    """Wait until /api/v1/health answers and the partner recommender is fitted; return the health body."""
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the demo server exited with code {server.returncode}; see its server.log")
        try:
            body = httpx.get(f"{base}/api/v1/health", timeout=5.0).json()
            if body["partners"]["status"] == "ready":
                return body
            if body["partners"]["status"] == "failed":
                raise RuntimeError(f"the partner recommender failed: {body['partners']['error']}")
        except httpx.HTTPError:
            pass
        time.sleep(2.0)
    raise TimeoutError(f"the server was not ready within {timeout:g} s (last health: {body})")


def busy_organisations(data: Path, count: int) -> list[str]:
    """The ``count`` organisations with the most H2020 participations (PICs)."""
    table = pd.read_csv(data / CORDIS_FILE, usecols=["pic"], dtype={"pic": str})
    return table["pic"].value_counts().head(count).index.tolist()


async def run_load(base: str, endpoint: str, paths: list[str], clients: int, duration: float, limit: int) -> Result:
    """``clients`` concurrent clients GET ``paths`` in turn until ``duration`` s or ``limit`` requests."""
    latencies: list[float] = []
    errors: dict[int | str, int] = {}
    counter = iter(range(limit))
    # the clients exist before the clock starts: building one holds up the others' first requests
    sessions = [httpx.AsyncClient(base_url=base, timeout=30.0) for _ in range(clients)]
    stop_at = time.perf_counter() + duration

    async def client(client_number: int) -> None:
        session = sessions[client_number]
        for number in counter:
            if time.perf_counter() >= stop_at:
                return
            path = paths[(number + client_number) % len(paths)]
            started = time.perf_counter()
            try:
                response = await session.get(path)
                status: int | str = response.status_code
            except httpx.HTTPError as error:
                status = type(error).__name__
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors[status] = errors.get(status, 0) + 1

    started, cpu = time.perf_counter(), time.process_time()
    try:
        await asyncio.gather(*(client(number) for number in range(clients)))
    finally:
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        await asyncio.gather(*(session.aclose() for session in sessions))
    return Result(endpoint, latencies, errors, elapsed, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per endpoint (at most)")
    parser.add_argument("--requests", type=int, default=4000, help="requests per endpoint (at most)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the server and its fit")
    arguments = parser.parse_args()
    if not (arguments.data / CORDIS_FILE).is_file():
        sys.exit(f"needs the real data sets in {arguments.data} (--data); {CORDIS_FILE} is missing")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="clusterix-web-bench-") as folder:
        started = time.perf_counter()
        server = start_server(arguments.data, port, Path(folder))
        try:
            health = wait_ready(base, server, arguments.timeout)
            print(f"demo server on {base} ({health['backend']}, {health['counts'].get('organisations', 0):,} "
                  f"organisations) ready in {time.perf_counter() - started:.0f} s "
                  f"(recommender fit {health['partners']['fit_seconds']:.0f} s)")  # fmt: skip
            regions = httpx.get(f"{base}/api/v1/indicators", params={"dataset": DATASET}, timeout=60.0).json()
            codes = [item["region"] for item in regions["items"] if item["value"] is not None]
            organisations = busy_organisations(arguments.data, 200)
            workloads = {
                "GET /regions/{code}/profile": [f"/api/v1/regions/{code}/profile?dataset={DATASET}" for code in codes],
                "GET /organisations/{id}/partners": [f"/api/v1/organisations/{pic}/partners?k=10"
                                                     for pic in organisations],
            }  # fmt: skip
            results = []
            for endpoint, paths in workloads.items():
                # warm-up: every path once by one client (the cold cost: first-use caches, nothing cached
                # yet; reported), then a short burst at full concurrency
                cold = asyncio.run(run_load(base, f"{endpoint} (cold, 1 client)", paths, 1, 300.0, len(paths)))
                results.append(cold)
                asyncio.run(run_load(base, endpoint, paths, arguments.clients, 3.0, 500))
                results.append(
                    asyncio.run(
                        run_load(base, endpoint, paths, arguments.clients, arguments.duration, arguments.requests)
                    )
                )
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    table = pd.DataFrame([result.row() for result in results]).set_index("endpoint")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{arguments.clients} concurrent clients, {cores} cores, up to {arguments.duration:g} s or "
          f"{arguments.requests} requests per endpoint (client and server on the same machine)")  # fmt: skip
    print(table.round(1).to_string())
    for result in results:
        if result.errors:
            print(f"  {result.endpoint}: non-200 answers {result.errors}")
    loaded = [result for result in results if "(cold" not in result.endpoint]
    worst = max(result.row()["p95 ms"] for result in loaded)
    clean = not any(result.errors for result in results)
    verdict = "met" if worst < GOAL_P95_MS and clean else "NOT met"
    print(f"worst p95 under load {worst:.0f} ms (goal p95 < {GOAL_P95_MS:.0f} ms with no errors: {verdict})")


if __name__ == "__main__":
    main()

"""Partner recommendation at scale: fit and query time and peak memory on synthetic networks.

Seeded synthetic organisations and collaborations shaped like CORDIS (heavy-tailed degrees,
``clusterix.examples.synthetic_collaborations``) of 100,000 and 1,000,000 organisations.
Embeddings are *given* (seeded unit vectors of dimension 384, the size of all-MiniLM-L6-v2),
as the goal is stated for a fit with embeddings at hand; the time to compute real
embeddings is measured separately on real sentences with the ``embeddings`` extra and
extrapolated per million texts (printed as such). Goals: one recommendation among 1 M
organisations in under 50 ms median; fit of 1 M organisations in under 10 minutes.

Each size runs in its own process, so peak memory (VmHWM) is that size's own.

Usage: .venv/bin/python benchmarks/partners_scale.py [--sizes 100000 1000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np

GIB = 1024**3


def peak_rss() -> int:
    """RSS high-water mark of this process, in bytes (Linux VmHWM)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def worker(size: int, queries: int) -> dict:
    """Generate, fit and query one size; return the figures."""
    from clusterix.examples import synthetic_collaborations
    from clusterix.partners import PartnerRecommender

    started = time.perf_counter()
    organisations, collaborations = synthetic_collaborations(size, seed=0)
    generate = time.perf_counter() - started
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((size, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    def given(texts: list[str]) -> np.ndarray:
        return vectors

    model = PartnerRecommender(embedder=given, seed=0)
    started = time.perf_counter()
    model.fit(organisations, collaborations)
    fit = time.perf_counter() - started
    with_history = np.flatnonzero(model.graph_.degree > 0)
    chosen = model.ids_[rng.choice(with_history, size=min(queries, len(with_history)), replace=False)]
    model.recommend(chosen[0], k=10)  # warm-up
    times = []
    for org in chosen:
        started = time.perf_counter()
        result = model.recommend(org, k=10)
        times.append(time.perf_counter() - started)
        assert len(result) == 10, (org, len(result))
    started = time.perf_counter()
    model.recommend_many(list(chosen), k=10)
    batch = time.perf_counter() - started
    return {
        "organisations": size,
        "collaborations": len(collaborations),
        "generate_s": generate,
        "fit_s": fit,
        "query_median_ms": 1000 * statistics.median(times),
        "query_p95_ms": 1000 * float(np.percentile(times, 95)),
        "batch_per_query_ms": 1000 * batch / len(chosen),
        "peak_gib": peak_rss() / GIB,
        "pool_recall": model.pool_recall_,
    }


def embedding_rate(texts: int) -> float | None:
    """Seconds per 1,000 texts for the real all-MiniLM-L6-v2 embedder (None without the extra)."""
    from clusterix.partners.embeddings import SentenceEmbedder, embeddings_available

    if not embeddings_available():
        return None
    words = [
        "wind",
        "turbine",
        "blade",
        "composite",
        "battery",
        "hydrogen",
        "genome",
        "vaccine",
        "sensor",
        "robot",
        "soil",
        "water",
        "grid",
    ]
    rng = np.random.default_rng(0)
    sentences = [" ".join(rng.choice(words, size=12)) for _ in range(texts)]
    embedder = SentenceEmbedder()
    embedder(sentences[:64])  # load the model
    started = time.perf_counter()
    embedder(sentences)
    return 1000 * (time.perf_counter() - started) / texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--embed-texts", type=int, default=2000)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        print(json.dumps(worker(arguments.worker, arguments.queries)))
        return
    rows = []
    for size in arguments.sizes:
        output = subprocess.run(
            [sys.executable, __file__, "--worker", str(size), "--queries", str(arguments.queries)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        row = json.loads(output.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{row['organisations']:>9,} organisations, {row['collaborations']:>11,} collaboration rows: "
            f"fit {row['fit_s']:.0f} s (embeddings given), one query median {row['query_median_ms']:.1f} ms "
            f"(p95 {row['query_p95_ms']:.1f} ms), batched {row['batch_per_query_ms']:.1f} ms/query, "
            f"peak {row['peak_gib']:.2f} GiB (data generation {row['generate_s']:.0f} s, not counted)",
            flush=True,
        )
    largest = max(rows, key=lambda row: row["organisations"])
    if largest["organisations"] >= 1_000_000:
        query_ok = "met" if largest["query_median_ms"] < 50 else "NOT met"
        fit_ok = "met" if largest["fit_s"] < 600 else "NOT met"
        print(f"goal one query < 50 ms median at 1 M: {query_ok}; fit < 10 min at 1 M: {fit_ok}")
    rate = embedding_rate(arguments.embed_texts)
    if rate is None:
        print("embedding time: the 'embeddings' extra is not installed")
    else:
        print(
            f"embedding time (all-MiniLM-L6-v2, CPU, {arguments.embed_texts:,} texts of 12 words): "
            f"{rate:.1f} s per 1,000 texts, so about {rate * 1000 / 60:.0f} min per million (extrapolated)"
        )


if __name__ == "__main__":
    main()

"""Recall latency at 1k, 10k and 100k stored propositions, and what hybrid scoring
costs over a plain Chroma query on the same store in the same run.

    python -m benchmarks.recall_latency [--sizes 1000 10000 100000] [--queries 100]

For each size a store of synthetic propositions is built once (ledger + Chroma,
embedded with MiniLM) under ~/.cache/familiar-bench/ and reused. Each query is timed
end to end with a cold embedding cache: `recall(query, k=5)` (embed, vector + BM25
candidates, scoring, MMR) and, as the peer, the query embedded and sent to Chroma
for 5 neighbours. Prints p50/p95 ms for both and their ratio.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from benchmarks.common import CACHE, Figure, emit, familiar, median, percentile, progress
from benchmarks.synthetic import propositions, queries

TARGET_P95_MS = {10_000: 30.0, 100_000: 100.0}
STORE_VERSION = 2  # 2: distinct sentences at 100k (benchmarks/synthetic.py)


def build_store(n: int, root: Path = CACHE) -> Path:
    """A Familiar home with n current propositions; built once, then reused."""
    from memory.models import Candidate

    home = root / f"recall-{n}-v{STORE_VERSION}"
    if (home / ".complete").exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    fam = familiar(home)
    try:
        texts = propositions(n)
        t0 = time.perf_counter()
        chunk = 5000
        for start in range(0, n, chunk):
            with fam.ledger.transaction():
                for i, text in enumerate(texts[start : start + chunk], start):
                    fam.ledger.insert_proposition(Candidate(
                        text=text, reasoning="synthetic", confidence=3 + i % 7, decay=1 + i % 10,
                        kind="preference", origin="rules", evidence=[]))
            fam.memory.sync()
            progress(f"  store of {n:,}: {min(start + chunk, n):,} propositions "
                     f"({time.perf_counter() - t0:.0f} s)")
    finally:
        fam.close()
    (home / ".complete").write_text("ok")
    return home


def measure(home: Path, qs: list[str], k: int = 5) -> tuple[list[float], list[float]]:
    fam = familiar(home)
    try:
        mem, recaller = fam.memory, fam.recaller
        recaller.recall("warm up the caches and the model", k)
        mem.index.query(mem.embedder.embed(["warm up"])[0], k)
        full, plain = [], []
        for q in qs:
            mem.clear_embedding_cache()
            t = time.perf_counter()
            recaller.recall(q, k)
            full.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            mem.index.query(mem.embedder.embed([q])[0], k)
            plain.append((time.perf_counter() - t) * 1000)
        return full, plain
    finally:
        fam.close()


def run(sizes: list[int], n_queries: int) -> list[Figure]:
    figures = []
    qs = queries(n_queries)
    for n in sizes:
        progress(f"recall latency at {n:,} propositions")
        home = build_store(n)
        full, plain = measure(home, qs)
        p95 = percentile(full, 95)
        target = TARGET_P95_MS.get(n)
        figures.append(Figure(
            f"recall k=5 at {n:,} propositions, p50 / p95", f"{median(full):.1f} / {p95:.1f}", "ms",
            target=f"p95 < {target:.0f} ms" if target else "",
            met=(p95 < target) if target else None,
            peer=f"plain Chroma query {median(plain):.1f} / {percentile(plain, 95):.1f} ms, "
                 f"hybrid costs x{median(full) / median(plain):.2f} at p50"))
    return figures


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args(argv)
    emit(run(args.sizes, args.queries), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

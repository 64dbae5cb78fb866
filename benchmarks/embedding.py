"""Embedding throughput of the embedded MiniLM: one batch call vs. one call per
sentence, same sentences, same run.

    python -m benchmarks.embedding [--sentences 512] [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.common import Figure, emit, median
from benchmarks.synthetic import propositions


def run(n: int, runs: int) -> list[Figure]:
    from memory.embedder import MiniLMEmbedder

    emb = MiniLMEmbedder()
    texts = propositions(n, seed=3)
    emb.embed(texts[:8])  # load outside the timing
    batch, single = [], []
    for _ in range(runs):
        t = time.perf_counter()
        emb.embed(texts)
        batch.append(n / (time.perf_counter() - t))
        t = time.perf_counter()
        for text in texts:
            emb.embed([text])
        single.append(n / (time.perf_counter() - t))
    return [Figure("embedding, MiniLM, batched", f"{median(batch):.0f}", "sent/s",
                   peer=f"one by one {median(single):.0f} sent/s, "
                        f"batching x{median(batch) / median(single):.1f}")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=512)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args(argv)
    emit(run(args.sentences, args.runs), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

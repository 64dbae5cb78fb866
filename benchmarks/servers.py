"""Familiar against servers, next to the embedded defaults, in the same run.

    python -m benchmarks.servers [--propositions 1000] [--queries 50] [--runs 3] [--max-tokens 96]

1. Recall latency over a Chroma server (``chroma run`` on loopback) and over the
   embedded Chroma store: the same synthetic propositions in two fresh homes, the same
   queries, interleaved; each ``recall(query, k=5)`` timed end to end with a cold
   embedding cache (embed, vector + BM25 candidates, scoring, MMR). p50 / p95 ms.
2. Generation speed over llama-cpp-python's OpenAI-compatible server
   (``python -m llama_cpp.server``) and in-process, on the same GGUF (the embedded
   SmolLM2), the same prompt, greedy, the same thread count; runs interleaved.
   tokens/s = generated tokens (counted by one tokenizer) / wall time of the stream.

Both servers run on this machine, so the figures are what the HTTP hop costs, not
what a bigger server host would give.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, emit, familiar, median, percentile, progress
from benchmarks.synthetic import propositions, queries

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Give me three ideas for a vegetarian dinner, one sentence each."},
]


def _fill(fam, texts: list[str]) -> None:
    from memory.models import Candidate

    with fam.ledger.transaction():
        for i, text in enumerate(texts):
            fam.ledger.insert_proposition(Candidate(
                text=text, reasoning="synthetic", confidence=3 + i % 7, decay=1 + i % 10,
                kind="preference", origin="rules", evidence=[]))
    fam.memory.sync()


def recall_figures(root: Path, n: int, n_queries: int) -> list[Figure]:
    from tests.servers import ChromaServer

    server = ChromaServer(root / "chroma-data").start()
    try:
        texts, qs = propositions(n), queries(n_queries)
        sides = {"embedded": familiar(root / "embedded"),
                 "server": familiar(root / "server", memory={"chroma_url": server.url})}
        try:
            for name, fam in sides.items():
                progress(f"  {name}: indexing {n:,} propositions")
                _fill(fam, texts)
                fam.recaller.recall("warm up the caches and the model", 5)
            times: dict[str, list[float]] = {name: [] for name in sides}
            for q in qs:
                for name, fam in sides.items():
                    fam.memory.clear_embedding_cache()
                    t = time.perf_counter()
                    fam.recaller.recall(q, 5)
                    times[name].append((time.perf_counter() - t) * 1000)
            assert not any(f.notices for f in sides.values()), "a side fell back"
        finally:
            for fam in sides.values():
                fam.close()
    finally:
        server.stop()
    emb, srv = times["embedded"], times["server"]
    return [Figure(f"recall k=5 over a Chroma server, {n:,} props, p50 / p95",
                   f"{median(srv):.1f} / {percentile(srv, 95):.1f}", "ms",
                   peer=f"embedded Chroma {median(emb):.1f} / {percentile(emb, 95):.1f} ms, "
                        f"server costs x{median(srv) / median(emb):.2f} at p50")]


def generation_figures(root: Path, runs: int, max_tokens: int) -> list[Figure]:
    from assistant.llm import LlamaCppLLM, OpenAICompatLLM, embedded_model_path
    from tests.servers import LlamaServer

    path = embedded_model_path("smollm2", root / "cache")
    threads = max(1, (os.cpu_count() or 2) // 2)  # llama-cpp-python's own default, both sides
    local = LlamaCppLLM(path, n_ctx=2048, n_threads=threads, name="in-process")
    server = LlamaServer(path, root / "llama-server.log")
    server.argv += ["--n_threads", str(threads)]
    server.start()
    try:
        remote = OpenAICompatLLM(server.url, timeout_s=300)

        def rate(llm) -> float:
            t = time.perf_counter()
            text = "".join(llm.stream(MESSAGES, max_tokens=max_tokens, temperature=0.0))
            secs = time.perf_counter() - t
            return local.count_tokens(text) / secs

        rate(local), rate(remote)  # warm-up: weights paged in, caches built
        ours, theirs = [], []
        for r in range(runs):
            progress(f"  generation run {r + 1}/{runs}")
            theirs.append(rate(remote))
            ours.append(rate(local))
    finally:
        server.stop()
        local.close()
    return [Figure(f"generation over llama.cpp server, {path.name}", f"{median(theirs):.1f}",
                   "tok/s", peer=f"in-process {median(ours):.1f} tok/s, "
                                 f"ratio {median(theirs) / median(ours):.3f}")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--propositions", type=int, default=1000)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=96)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="familiar-bench-servers-") as tmp:
        root = Path(tmp)
        progress("recall: Chroma server vs embedded")
        figures = recall_figures(root, args.propositions, args.queries)
        progress("generation: llama.cpp server vs in-process")
        figures += generation_figures(root, args.runs, args.max_tokens)
    emit(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Generation speed of the embedded model through Familiar, against llama-cpp-python
called directly on the same GGUF with the same prompt and settings, in the same run.

    python -m benchmarks.generation [--model smollm2] [--runs 5] [--max-tokens 128]

Both sides stream a greedy chat completion; their runs are interleaved so that a
noisy machine slows both alike. tokens/s = generated tokens / wall time of the
stream (prompt evaluation included, as a user waits for it). Target: Familiar
reaches at least 0.95 of direct.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks.common import CACHE, Figure, emit, median, progress

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Give me three ideas for a vegetarian dinner, one sentence each."},
]


def _timed(chunks, count_tokens) -> tuple[float, int, str]:
    t = time.perf_counter()
    text = "".join(chunks)
    return time.perf_counter() - t, count_tokens(text), text


def run(model: str, runs: int, max_tokens: int, n_gpu_layers: int = 0) -> list[Figure]:
    from llama_cpp import Llama

    from assistant.llm import make_llm
    from assistant.settings import LLMSettings

    settings = LLMSettings(backend="embedded", model=model, n_gpu_layers=n_gpu_layers)
    ours = make_llm(settings, CACHE / "models")
    ours.preflight()
    path = ours.model_path
    n_ctx = ours.n_ctx
    direct = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=settings.n_threads,
                   n_gpu_layers=n_gpu_layers, seed=0, verbose=False)

    def count(text: str) -> int:
        return len(direct.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def direct_stream():
        for chunk in direct.create_chat_completion(messages=MESSAGES, max_tokens=max_tokens,
                                                   temperature=0.0, stream=True):
            piece = chunk["choices"][0].get("delta", {}).get("content")
            if piece:
                yield piece

    # one untimed warm-up each (weights paged in, caches built)
    "".join(ours.stream(MESSAGES, max_tokens=16, temperature=0.0))
    "".join(direct_stream())
    rates_ours, rates_direct = [], []
    for r in range(runs):
        progress(f"  generation run {r + 1}/{runs}")
        for side, rates in (("ours", rates_ours), ("direct", rates_direct)):
            chunks = (ours.stream(MESSAGES, max_tokens=max_tokens, temperature=0.0)
                      if side == "ours" else direct_stream())
            secs, tokens, _ = _timed(chunks, count)
            rates.append(tokens / secs)
    ratio = median(rates_ours) / median(rates_direct)
    where = f"GPU ({n_gpu_layers} layers)" if n_gpu_layers else "CPU"
    return [Figure(f"generation, {Path(path).name} on {where}", f"{median(rates_ours):.1f}",
                   "tok/s", target=">= 0.95 of direct", met=ratio >= 0.95,
                   peer=f"llama-cpp-python direct {median(rates_direct):.1f} tok/s, "
                        f"ratio {ratio:.3f}")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="smollm2", help="embedded model name (smollm2, gemma3)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--n-gpu-layers", type=int, default=0)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args(argv)
    emit(run(args.model, args.runs, args.max_tokens, args.n_gpu_layers), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

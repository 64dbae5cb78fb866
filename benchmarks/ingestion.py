"""Ingestion throughput of the user model.

    python -m benchmarks.ingestion [--observations 600] [--llm-batches 3]

- the model-independent layer (rules → relate → revise → ledger + index) over real
  chat turns (PrefEval's distractor conversations, read from ../shared/eval) and over
  screen-like observations (several lines of window text each): observations/s;
- the full pipeline with the embedded language model: seconds per batch of
  `usermodel.batch_size` observations.

The cheap path has to keep up with a capture every 2 s (0.5 observations/s).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks.common import Figure, emit, familiar, median, progress, temp_home
from benchmarks.synthetic import propositions

DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "prefeval-dev"


def chat_turns(n: int, data: Path = DATA) -> list[tuple[str, str]]:
    from benchmarks.prefeval_recall import distractor_turns

    try:
        turns = distractor_turns(data)
    except OSError:
        progress(f"  {data} not found; using synthetic chat turns")
        turns = [("user", t.replace("The user", "I")) for t in propositions(n, seed=5)]
    return (turns * (n // max(1, len(turns)) + 1))[:n]


def screen_texts(n: int) -> list[str]:
    lines = propositions(n * 8, seed=9)
    return ["\n".join(s.replace("The user ", "").capitalize() for s in lines[i * 8 : i * 8 + 8])
            for i in range(n)]


def rule_rate(items: list[tuple[str, str, str]]) -> float:
    """Observations/s through stage 1 for (source, role, text) items."""
    from memory.models import NewObservation

    fam = familiar(temp_home())
    try:
        fam.memory.embed(["warm up"])
        fam.observe_many([NewObservation(source=s, text=t, role=r) for s, r, t in items])
        t = time.perf_counter()
        fam.user_model.process()
        return len(items) / (time.perf_counter() - t)
    finally:
        fam.close()


def llm_batch_seconds(batches: int, n_gpu_layers: int = 0) -> tuple[float, int]:
    from memory.models import NewObservation

    fam = familiar(temp_home(), llm={"backend": "embedded", "n_gpu_layers": n_gpu_layers})
    try:
        size = fam.settings.usermodel.batch_size
        turns = [t for t in chat_turns(400) if t[0] == "user"][: size * batches]
        fam.observe_many([NewObservation(source="chat", text=t, role=r) for r, t in turns])
        fam.llm.complete([{"role": "user", "content": "hi"}], max_tokens=4)  # load the weights
        fam.user_model.process(llm_budget=0)  # stage 1 outside the timing
        times = []
        for _ in range(batches):
            t = time.perf_counter()
            fam.user_model.process(llm_budget=size)
            times.append(time.perf_counter() - t)
        return median(times), size
    finally:
        fam.close()


def run(n: int, llm_batches: int, n_gpu_layers: int = 0) -> list[Figure]:
    if n_gpu_layers:  # the rules do not use the GPU: only the model's figure is new
        return _llm_figures(llm_batches, n_gpu_layers)
    progress("ingestion: rules over chat turns")
    chat = rule_rate([("chat", r, t) for r, t in chat_turns(n)])
    progress("ingestion: rules over screen text")
    screen = rule_rate([("screen", "user", t) for t in screen_texts(max(50, n // 4))])
    figures = [
        Figure("ingestion, rules, chat turns", f"{chat:.1f}", "obs/s", target=">= 0.5 obs/s",
               met=chat >= 0.5),
        Figure("ingestion, rules, screen observations (8 lines)", f"{screen:.1f}", "obs/s",
               target=">= 0.5 obs/s", met=screen >= 0.5),
    ]
    return figures + _llm_figures(llm_batches, n_gpu_layers)


def _llm_figures(llm_batches: int, n_gpu_layers: int) -> list[Figure]:
    if not llm_batches:
        return []
    progress("ingestion: full pipeline with the embedded model")
    secs, size = llm_batch_seconds(llm_batches, n_gpu_layers)
    where = f" on GPU ({n_gpu_layers} layers)" if n_gpu_layers else ""
    return [Figure(f"ingestion, embedded LLM{where}, batch of {size}", f"{secs:.1f}", "s/batch",
                   note=f"{size / secs:.2f} observations/s through the model")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--observations", type=int, default=600)
    ap.add_argument("--llm-batches", type=int, default=3, help="0 skips the model")
    ap.add_argument("--n-gpu-layers", type=int, default=0, help="offload the model to a GPU")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args(argv)
    emit(run(args.observations, args.llm_batches, args.n_gpu_layers), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""PrefEval recall through the user model (the protocol in ../shared/eval/README.md).

For each item, in a fresh data dir: feed the preference conversation as chat
observations, then the first N distractor messages, run the user model until nothing
is pending, recall with the item's question (k=5). A hit: a recalled proposition
rests on an observation of the preference conversation.

    python -m benchmarks.prefeval_recall                      # rules only, N = 10 and 50
    python -m benchmarks.prefeval_recall --llm embedded --limit 5   # + SmolLM2, 5 items/topic
    python -m benchmarks.prefeval_recall --llm http://127.0.0.1:8080/v1
    python -m benchmarks.prefeval_recall --llm /path/to/model.gguf --n 10 50 300

Prints recall@1 and recall@5 per form and N with seconds per item.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "eval" / "prefeval-dev"
FORMS = {"explicit": "explicit_preference", "persona": "implicit_persona",
         "choice": "implicit_choice"}
ACK = "Got it, I'll keep that in mind."


def preference_turns(form: str, item: dict) -> list[tuple[str, str]]:
    """(role, text) of the conversation that carries the preference."""
    if form == "explicit":
        return [("user", item["preference"]), ("assistant", ACK)]
    conv = item["conversation"]
    if form == "persona":
        turns = []
        for key in sorted(conv, key=int):
            turns += [("user", conv[key]["user"]), ("assistant", conv[key]["assistant"])]
        return turns
    return [("user", conv["query"]), ("assistant", conv["assistant_options"]),
            ("user", conv["user_selection"]), ("assistant", conv["assistant_acknowledgment"])]


def distractor_turns(data: Path) -> list[tuple[str, str]]:
    convs = json.loads((data / "filtered_inter_turns.json").read_text())
    return [(m["role"], m["content"]) for c in convs for m in c["conversation"]
            if m.get("content", "").strip()]


class CachedLLM:
    """Same prompt at temperature 0 → same answer: distractor batches repeat across
    items, so the benchmark asks the model once per distinct prompt."""

    def __init__(self, llm):
        self.llm, self.name, self.cache, self.calls = llm, llm.name, {}, 0

    @property
    def n_ctx(self):
        return self.llm.n_ctx

    @property
    def model_path(self):
        """The GGUF in use; None for a server."""
        return getattr(self.llm, "model_path", None)

    def preflight(self):
        self.llm.preflight()

    def complete(self, messages, *, schema=None, max_tokens=512, temperature=0.0):
        key = hashlib.sha256(json.dumps([messages, schema, max_tokens, temperature]).encode()).hexdigest()
        if key not in self.cache or temperature > 0:
            self.calls += 1
            self.cache[key] = self.llm.complete(messages, schema=schema, max_tokens=max_tokens,
                                                temperature=temperature)
        return self.cache[key]

    def stream(self, *a, **k):
        return self.llm.stream(*a, **k)

    def count_tokens(self, text):
        return self.llm.count_tokens(text)


def make_llm(spec: str, cache_dir: Path):
    from assistant.llm import make_llm as build
    from assistant.settings import LLMSettings

    if spec == "none":
        return None
    if spec in ("embedded", "smollm2", "gemma3"):
        s = LLMSettings(backend="embedded", model="smollm2" if spec == "embedded" else spec)
    elif spec.startswith("http://") or spec.startswith("https://"):
        s = LLMSettings(backend="server", url=spec)
    else:
        s = LLMSettings(backend="gguf", model=spec)
    llm = build(s, cache_dir)
    llm.preflight()
    return CachedLLM(llm)


def run_item(form, item, distractors, n, llm, llm_cap, workdir: Path) -> tuple[bool, bool, float]:
    from assistant.services import Familiar, NewObservation
    from assistant.settings import load_settings

    from memory.vector_index import ChromaIndex

    home = Path(tempfile.mkdtemp(prefix="item-", dir=workdir))
    t0 = time.perf_counter()
    fam = Familiar(load_settings(home, llm={"backend": "none"}))
    try:
        if llm is not None:
            fam.__dict__["llm"] = llm
            fam.settings.usermodel.llm_max_confidence = llm_cap
        obs = [NewObservation("chat", text, role=role, external_id=f"pref-{i}")
               for i, (role, text) in enumerate(preference_turns(form, item))]
        obs += [NewObservation("chat", text, role=role, external_id=f"d-{j}")
                for j, (role, text) in enumerate(distractors[:n])]
        fam.observe_many(obs)
        fam.user_model.process()
        results = fam.recaller.recall(item["question"], k=5)
        hits = [any((e.external_id or "").startswith("pref-") for e in r.proposition.evidence)
                for r in results]
    finally:
        fam.close()
        ChromaIndex.forget_clients()
        shutil.rmtree(home, ignore_errors=True)
    return (bool(hits[:1]) and hits[0]), any(hits), time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the prefeval-dev folder")
    ap.add_argument("--forms", nargs="+", choices=list(FORMS), default=list(FORMS))
    ap.add_argument("--n", type=int, nargs="+", default=[10, 50], help="distractor counts")
    ap.add_argument("--llm", default="none",
                    help="none (rules only), embedded, gemma3, a .gguf path or a server URL")
    ap.add_argument("--limit", type=int, help="items per topic (default: all)")
    ap.add_argument("--topics", nargs="+", help="topic file stems (default: all in --data)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    if not (args.data / "filtered_inter_turns.json").is_file():
        print(f"prefeval_recall: no PrefEval data at {args.data}; pass --data", file=sys.stderr)
        return 2
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    logging.basicConfig(level=logging.ERROR)
    distractors = distractor_turns(args.data)
    topics = args.topics or sorted(p.stem for p in (args.data / "explicit_preference").glob("*.json"))
    workdir = Path(tempfile.mkdtemp(prefix="familiar-prefeval-"))
    llm = make_llm(args.llm, workdir / "cache")
    llm_cap = 5 if args.llm in ("embedded", "smollm2", "gemma3") else 8
    rows = []
    print(f"model: {args.llm}; topics: {', '.join(topics)}; limit: {args.limit or 'all'}")
    print(f"{'form':<10}{'N':>5}{'items':>7}{'r@1':>7}{'r@5':>7}{'s/item':>9}")
    try:
        for form in args.forms:
            items = []
            for t in topics:
                data = json.loads((args.data / FORMS[form] / f"{t}.json").read_text())
                items += data[: args.limit] if args.limit else data
            for n in args.n:
                r1 = r5 = 0
                times = []
                for item in items:
                    h1, h5, secs = run_item(form, item, distractors, n, llm, llm_cap, workdir)
                    r1 += h1
                    r5 += h5
                    times.append(secs)
                row = {"form": form, "n": n, "items": len(items), "recall@1": r1 / len(items),
                       "recall@5": r5 / len(items), "seconds_per_item": statistics.mean(times),
                       "model": args.llm}
                rows.append(row)
                print(f"{form:<10}{n:>5}{len(items):>7}{row['recall@1']:>7.2f}{row['recall@5']:>7.2f}"
                      f"{row['seconds_per_item']:>9.2f}", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if llm is not None:
        print(f"model calls: {llm.calls} (distinct prompts)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

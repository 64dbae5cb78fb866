"""PrefEval multiple choice through personalized chat (the second measure of
../shared/eval/README.md).

    python -m benchmarks.prefeval_mcq                          # embedded SmolLM2, all items
    python -m benchmarks.prefeval_mcq --limit 5 --n 10         # 5 items per topic
    python -m benchmarks.prefeval_mcq --llm gemma3 | --llm /path/model.gguf | --llm http://host:8080/v1

For each `mcq_options` item, its 4 options shuffled with a fixed seed (index 0 is the
one that respects the preference; its position cycles through A-D from item to item,
so always picking one letter scores exactly chance), the model answers the item's question, constrained
by a JSON schema to one of A/B/C/D, under three system prompts built by the chat's
own `system_prompt`:

(a) none: nothing known about the user;
(b) recalled: the propositions chat would put there (`ChatService.personalise` with the
    question) after the user model has read the explicit preference, an
    acknowledgement and N distractor messages in a fresh data dir (the recall
    protocol, sharing benchmarks.prefeval_recall's helpers; rules only unless
    --usermodel-llm);
(c) gold: the preference itself (the ceiling).

Prints accuracy per condition (chance 0.25), how often the answer could not be read,
the letters chosen (small models lean on one position), and for (b) how often the
recalled propositions included one resting on the preference.

``--method likelihood`` (or ``both``) also scores each option as the model's own reply
to the question under the same three system prompts (``benchmarks.mcq_likelihood``:
mean token log-probability, the highest wins); it shows whether what Familiar puts in
the prompt moves a model too small to pick a letter. It needs a local GGUF.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.prefeval_recall import DEFAULT_DATA, distractor_turns, make_llm, preference_turns

LETTERS = "ABCD"
SCHEMA = {"type": "object", "properties": {"answer": {"type": "string", "enum": list(LETTERS)}},
          "required": ["answer"], "additionalProperties": False}
CONDITIONS = ("none", "recalled", "gold")


def shuffled(options: list[str], seed: int, topic: str, index: int) -> tuple[list[str], str]:
    """The options in a fixed random order, and the letter of the right one (index 0).
    The right one's position cycles through A-D with the item's index (from a seeded
    start), so a model that always picks one letter scores exactly chance."""
    rng = random.Random(f"{seed}:{topic}")
    right = (rng.randrange(len(options)) + index) % len(options)
    others = list(range(1, len(options)))
    random.Random(f"{seed}:{topic}:{index}").shuffle(others)
    order = others[:right] + [0] + others[right:]
    return [options[i] for i in order], LETTERS[right]


def question_text(question: str, options: list[str]) -> str:
    lines = [f"{LETTERS[i]}. {o}" for i, o in enumerate(options)]
    return (f"{question}\n\nWhich of these answers suits me best?\n" + "\n".join(lines)
            + "\n\nAnswer with the letter of the best option: A, B, C or D.")


def ask(llm, system: str, user: str) -> str | None:
    from assistant.errors import ModelError
    from assistant.llm import parse_json_output

    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    try:
        out = parse_json_output(llm.complete(messages, schema=SCHEMA, max_tokens=48, temperature=0.0))
    except ModelError:
        return None
    letter = out.get("answer") if isinstance(out, dict) else None
    return letter if letter in LETTERS else None


def recalled_known(item: dict, distractors, n: int, usermodel_llm, workdir: Path):
    """(the texts chat would put in the prompt for the question, hit on the preference)."""
    from assistant.chat import ChatService
    from assistant.services import Familiar, NewObservation
    from assistant.settings import load_settings
    from memory.vector_index import ChromaIndex

    home = Path(tempfile.mkdtemp(prefix="item-", dir=workdir))
    fam = Familiar(load_settings(home, llm={"backend": "none"}))
    try:
        if usermodel_llm is not None:
            fam.__dict__["llm"] = usermodel_llm
        obs = [NewObservation("chat", text, role=role, external_id=f"pref-{i}")
               for i, (role, text) in enumerate(preference_turns("explicit", item))]
        obs += [NewObservation("chat", text, role=role, external_id=f"d-{j}")
                for j, (role, text) in enumerate(distractors[:n])]
        fam.observe_many(obs)
        fam.user_model.process()
        p = ChatService(fam).personalise(item["question"], [])
        from assistant.instructions import text_of

        hit = any((e.external_id or "").startswith("pref-") for k in p.known for e in k.evidence)
        return [text_of(i) for i in p.instructions], [k.text for k in p.known], hit
    finally:
        fam.close()
        ChromaIndex.forget_clients()
        shutil.rmtree(home, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the prefeval-dev folder")
    ap.add_argument("--llm", default="embedded", help="embedded, gemma3, a .gguf path or a server URL")
    ap.add_argument("--limit", type=int, help="items per topic (default: all)")
    ap.add_argument("--topics", nargs="+", help="topic file stems (default: all in --data)")
    ap.add_argument("--n", type=int, default=10, help="distractor messages before the question")
    ap.add_argument("--seed", type=int, default=0, help="seed of the option order")
    ap.add_argument("--usermodel-llm", action="store_true",
                    help="let the model run in the user model too (default: rules only)")
    ap.add_argument("--method", choices=["letter", "likelihood", "both"], default="letter",
                    help="letter: the model picks A-D (default); likelihood: the option it "
                         "finds most probable as its reply (a local GGUF)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    if not (args.data / "mcq_options").is_dir():
        print(f"prefeval_mcq: no PrefEval data at {args.data}; pass --data", file=sys.stderr)
        return 2
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    logging.basicConfig(level=logging.ERROR)
    from assistant.chat_prompt import system_prompt

    distractors = distractor_turns(args.data)
    topics = args.topics or sorted(p.stem for p in (args.data / "mcq_options").glob("*.json"))
    workdir = Path(tempfile.mkdtemp(prefix="familiar-mcq-"))
    llm = make_llm(args.llm, workdir / "cache")
    if llm is None:
        print("prefeval_mcq: a language model is needed; pass --llm", file=sys.stderr)
        return 2
    methods = ["letter", "likelihood"] if args.method == "both" else [args.method]
    scorer = None
    if "likelihood" in methods:
        gguf = getattr(llm, "model_path", None)
        if gguf is None:
            print("prefeval_mcq: --method likelihood needs a local GGUF (embedded, gemma3 or a "
                  ".gguf path), not a server", file=sys.stderr)
            return 2
        from benchmarks.mcq_likelihood import LikelihoodScorer

        scorer = LikelihoodScorer(Path(gguf))
    correct = Counter()
    likely = Counter()
    unreadable = Counter()
    letters = {c: Counter() for c in CONDITIONS}
    truth = Counter()
    hits = items = 0
    t0 = time.perf_counter()
    print(f"model: {llm.name}; topics: {', '.join(topics)}; limit: {args.limit or 'all'}; "
          f"N={args.n}; user model: {'rules + model' if args.usermodel_llm else 'rules only'}")
    try:
        for topic in topics:
            data = json.loads((args.data / "mcq_options" / f"{topic}.json").read_text())
            for index, item in enumerate(data[: args.limit] if args.limit else data):
                options, right = shuffled(item["classification_task_options"], args.seed, topic, index)
                user = question_text(item["question"], options)
                instr, known, hit = recalled_known(
                    item, distractors, args.n, llm if args.usermodel_llm else None, workdir)
                systems = {"none": system_prompt([], []),
                           "recalled": system_prompt(instr, known),
                           "gold": system_prompt([], [f'The user said: "{item["preference"]}"'])}
                for cond in CONDITIONS:
                    if "letter" in methods:
                        answer = ask(llm, systems[cond], user)
                        correct[cond] += answer == right
                        unreadable[cond] += answer is None
                        letters[cond][answer or "?"] += 1
                    if scorer is not None:
                        best, _ = scorer.choose(systems[cond], item["question"], options)
                        likely[cond] += LETTERS[best] == right
                truth[right] += 1
                hits += hit
                items += 1
            print(f"  {topic}: {items} items so far ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rows = []
    if "letter" in methods:
        print(f"{'condition':<10}{'items':>7}{'accuracy':>10}{'unreadable':>12}  answers")
        for cond in CONDITIONS:
            acc = correct[cond] / items
            dist = " ".join(f"{k}:{letters[cond][k]}" for k in [*LETTERS, "?"] if letters[cond][k])
            print(f"{cond:<10}{items:>7}{acc:>10.2f}{unreadable[cond]:>12}  {dist}")
            rows.append({"method": "letter", "condition": cond, "items": items, "accuracy": acc,
                         "unreadable": unreadable[cond], "answers": dict(letters[cond])})
    if scorer is not None:
        print(f"{'likelihood':<10}{'items':>7}{'accuracy':>10}")
        for cond in CONDITIONS:
            acc = likely[cond] / items
            print(f"{cond:<10}{items:>7}{acc:>10.2f}")
            rows.append({"method": "likelihood", "condition": cond, "items": items, "accuracy": acc})
    print("right answers by position: " + " ".join(f"{k}:{truth[k]}" for k in LETTERS))
    print(f"(b) recalled a proposition resting on the preference for {hits}/{items} items; "
          f"{(time.perf_counter() - t0) / items:.1f} s per item")
    if args.json:
        args.json.write_text(json.dumps({"model": args.llm, "n": args.n, "rows": rows,
                                         "recall_hits": hits, "items": items}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

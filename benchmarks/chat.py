"""What personalization costs a chat turn on the embedded model.

    python -m benchmarks.chat [--model smollm2] [--runs 5] [--max-tokens 128]
                              [--size 10000] [--queries 50] [--json PATH]

1. Recall overhead: on a store of ``--size`` synthetic propositions (built once under
   ~/.cache/familiar-bench/ and reused, shared with benchmarks.recall_latency), the
   time to gather what goes into the system prompt (`ChatService.personalise`: every
   standing instruction, recall for the message, recall for the user's latest messages,
   the reply-style propositions), with a cold embedding cache, over ``--queries``
   requests; alone, and after a four-message conversation (two recalls), both as in
   the app (the earlier messages were embedded on their own turns) and as in a fresh
   process (they are embedded again). Then the whole prompt assembly (`prepare`: the
   above plus token counting to fit the window).
   Target: personalization adds < 50 ms (p95).
2. Generation: the same message streamed with a plain system prompt and with the
   personalized one built from that store; time to first token and tokens/s (after
   the first token), medians over ``--runs`` interleaved runs, greedy, with the
   model's KV cache cleared before each run so neither prompt reuses the other's.
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.common import Figure, emit, familiar, median, percentile, progress

MESSAGE = "What should I cook for dinner tonight?"
HISTORY = [("user", "I'm planning a small dinner party on Saturday."),
           ("assistant", "Nice! How many guests, and any dietary needs?"),
           ("user", "Six people, two of them don't eat meat."),
           ("assistant", "Then a vegetable lasagne and a big salad would suit everyone.")]
TARGET_MS = 50.0


def _history():
    from datetime import datetime, timezone

    from assistant.chat_store import ChatMessage

    at = datetime.now(timezone.utc)
    return [ChatMessage(id=i, role=r, text=t, at=at) for i, (r, t) in enumerate(HISTORY, 1)]


def recall_overhead(svc, qs: list[str]) -> list[Figure]:
    """What personalising one message costs, the embedding cache emptied before each:
    - message only (a first message);
    - after 4 messages, in the app: the user's earlier messages were embedded on their
      own turns (as each turn's message), so only the new one is embedded here;
    - after 4 messages, in a fresh process (one `familiar chat` per turn): the earlier
      messages are embedded again, in the same batch as the new one."""
    mem = svc.fam.memory
    history = _history()
    said = [m.shown_text for m in history if m.role == "user"]
    svc.personalise("warm up the caches and the embedder", history)
    svc.prepare("warm up the tokenizer", history)
    alone, in_app, fresh, whole, embed = [], [], [], [], []

    def timed(out, fn):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)

    for q in qs:
        mem.clear_embedding_cache()
        timed(alone, lambda: svc.personalise(q, []))
        mem.clear_embedding_cache()
        mem.embed(said)  # the earlier turns, as the app embedded them then
        timed(in_app, lambda: svc.personalise(q, history))
        mem.clear_embedding_cache()
        timed(fresh, lambda: svc.personalise(q, history))
        mem.clear_embedding_cache()
        timed(embed, lambda: mem.embed([q, *said]))  # what the fresh process embeds
        mem.clear_embedding_cache()
        mem.embed(said)
        timed(whole, lambda: svc.prepare(q, history))
    n = mem.ledger.counts().propositions
    figs = []
    for what, xs in ((f"personalise, message only, {n:,} propositions", alone),
                     (f"personalise, after 4 messages (app), {n:,} propositions", in_app)):
        p95 = percentile(xs, 95)
        figs.append(Figure(f"{what}, p50 / p95", f"{median(xs):.1f} / {p95:.1f}", "ms",
                           target=f"p95 < {TARGET_MS:.0f} ms", met=p95 < TARGET_MS))
    # The 50 ms goal is for a chat turn in the running app. One `familiar chat` process
    # per turn first spends about a second starting (importing Chroma, loading the
    # model), which this figure is small beside; it is reported, not held to 50 ms.
    figs.append(Figure(f"personalise, after 4 messages (fresh process), {n:,} propositions, "
                       "p50 / p95", f"{median(fresh):.1f} / {percentile(fresh, 95):.1f}", "ms",
                       note="as one `familiar chat` per turn: the earlier messages embedded again"))
    figs.append(Figure("  of which embedding the message and the 3 earlier ones (fresh), p50 / p95",
                       f"{median(embed):.1f} / {percentile(embed, 95):.1f}", "ms"))
    figs.append(Figure("whole prompt assembly (prepare), after 4 messages (app), p50 / p95",
                       f"{median(whole):.1f} / {percentile(whole, 95):.1f}", "ms",
                       note="personalise plus counting tokens to fit the context window"))
    return figs


def _stream(llm, messages, max_tokens: int) -> tuple[float, float, int]:
    """(seconds to the first piece, tokens/s after it, tokens generated)."""
    raw = getattr(llm, "_llama", None)
    if raw is not None:
        raw.reset()  # no reuse of the previous prompt's KV cache
    t0 = time.perf_counter()
    first = None
    pieces = []
    for piece in llm.stream(messages, max_tokens=max_tokens, temperature=0.0):
        if first is None:
            first = time.perf_counter()
        pieces.append(piece)
    end = time.perf_counter()
    tokens = llm.count_tokens("".join(pieces))
    first = first or end
    rate = (tokens - 1) / (end - first) if tokens > 1 and end > first else float("nan")
    return first - t0, rate, tokens


def generation(svc, runs: int, max_tokens: int) -> list[Figure]:
    from assistant.chat_prompt import SYSTEM

    llm = svc.fam.llm
    plain = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": MESSAGE}]
    prompt = svc.prepare(MESSAGE, [])
    personal = prompt.messages
    sizes = {name: sum(llm.count_tokens(m["content"]) for m in msgs)
             for name, msgs in (("plain", plain), ("personal", personal))}
    _stream(llm, plain, 8)  # weights paged in
    results = {"plain": ([], [], []), "personal": ([], [], [])}
    for r in range(runs):
        progress(f"  generation run {r + 1}/{runs}")
        for name, msgs in (("plain", plain), ("personal", personal)):
            ttft, rate, tokens = _stream(llm, msgs, max_tokens)
            for xs, v in zip(results[name], (ttft, rate, tokens)):
                xs.append(v)
    figs = []
    for name, label in (("plain", "without personalization"), ("personal", "with personalization")):
        ttft, rate, tokens = results[name]
        figs.append(Figure(f"time to first token, {label}", f"{median(ttft) * 1000:.0f}", "ms",
                           note=f"prompt {sizes[name]} tokens"
                                + (f", {len(prompt.used)} propositions" if name == "personal" else "")))
        figs.append(Figure(f"tokens/s after the first, {label}", f"{median(rate):.1f}", "tok/s",
                           note=f"median answer {median(tokens):.0f} tokens"))
    return figs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="smollm2", help="embedded model (smollm2, gemma3)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--size", type=int, default=10_000, help="stored propositions")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--n-gpu-layers", type=int, default=0)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args(argv)

    from assistant.chat import ChatService
    from benchmarks.recall_latency import build_store
    from benchmarks.synthetic import queries

    home = build_store(args.size)
    fam = familiar(home, llm={"backend": "embedded", "model": args.model,
                              "n_gpu_layers": args.n_gpu_layers})
    try:
        svc = ChatService(fam, temperature=0.0)
        progress(f"recall overhead at {args.size:,} propositions")
        figures = recall_overhead(svc, queries(args.queries))
        progress(f"generation on {fam.llm.name}")
        figures += generation(svc, args.runs, args.max_tokens)
    finally:
        fam.close()
    emit(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

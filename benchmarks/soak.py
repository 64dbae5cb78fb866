"""Soak: a day of use at accelerated time, within a wall-clock budget.

    python -m benchmarks.soak [--minutes 20] [--chat fake|embedded|none] [--seed 1] [--json F]

Simulated days of use, from 30 days ago towards now, until the budget is spent
(a day takes about a minute on a laptop): a screen observation every 2 s (window
text as OCR gives it: app, title, a few lines, consecutive frames of one window
merged as `capture` does), a chat turn every 10 min (`Familiar.chat` with a fake
model that streams a reply and proposes nothing, or the embedded model), the user
model (`process`) every 5 simulated minutes, and retention (observations older than
12 simulated hours expire) every simulated hour, which keeps the ledger's size
bounded, so resident memory should stay flat. It prints errors, resident memory at the start,
middle and end, and whether the ledger and the index agree at the end.
"""

from __future__ import annotations

import argparse
import random
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

from benchmarks.common import Figure, emit, familiar, median, progress, rss_mb, temp_home
from benchmarks.synthetic import OBJECTS, QUALIFIERS, VERBS

CAPTURE_EVERY = timedelta(seconds=2)
CHAT_EVERY = timedelta(minutes=10)
PROCESS_EVERY = timedelta(minutes=5)
RETENTION_EVERY = timedelta(hours=1)
RETENTION_DAYS = 0.5
SIMULATED_DAYS = 30

APPS = [
    ("Firefox", "{o} - Wikipedia — Mozilla Firefox"),
    ("Code", "{o}.py — project — Visual Studio Code"),
    ("Slack", "#general | Team — Slack"),
    ("Thunderbird", "Inbox — Re: {o}"),
    ("Terminal", "user@laptop: ~/src"),
    ("LibreOffice", "Notes on {o}.odt — LibreOffice Writer"),
]
LINES = [
    "I {v} {o} {q}", "Re: {o} {q}", "TODO: look into {o}", "{o} — 12 results", "Search: {o}",
    "Meeting about {o} at {h}:30", "def handle_{w}(request):", "  return {w}_cache.get(key)",
    "$ git commit -m \"update {w}\"", "Posted by Sam: anyone into {o}?", "Total: {n}.{m} EUR",
    "My doctor moved the appointment to {h}:00", "Payment due: credit card {n} EUR",
]
CHATS = [
    "What should I cook tonight? I'm into {o}.", "Can you summarise what I read about {o}?",
    "I {v} {o} {q}.", "Remind me what I said about {o}.", "Any ideas for the weekend?",
]


class FakeChatModel:
    """Streams a short reply; proposes nothing when asked for propositions."""

    name = "soak-fake"
    n_ctx = 4096

    def __init__(self, rng: random.Random):
        self.rng = rng

    def preflight(self) -> None:
        pass

    def complete(self, messages, *, schema=None, max_tokens=512, temperature=0.0) -> str:
        return '{"propositions": []}'

    def stream(self, messages, *, max_tokens=512, temperature=0.7) -> Iterator[str]:
        reply = f"Here is an idea: try {self.rng.choice(OBJECTS)} {self.rng.choice(QUALIFIERS)}."
        for i in range(0, len(reply), 6):
            yield reply[i : i + 6]

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)


def fill(template: str, rng: random.Random) -> str:
    o = rng.choice(OBJECTS)
    return " ".join(template.format(
        v=rng.choice(VERBS).replace("is ", "am "), o=o, q=rng.choice(QUALIFIERS),
        w=o.split()[0].lower().strip(",."), h=rng.randint(8, 18), n=rng.randint(3, 900),
        m=rng.randint(10, 99)).split())


def screen(rng: random.Random, app_title: tuple[str, str]) -> tuple[str, str, str]:
    app, title = app_title
    lines = [fill(rng.choice(LINES), rng) for _ in range(rng.randint(3, 8))]
    return app, fill(title, rng), "\n".join(lines)


def run(minutes: float, chat: str, seed: int) -> list[Figure]:
    from assistant.retention import apply_retention
    from assistant.services import Familiar, NewObservation

    rng = random.Random(seed)
    home = temp_home("familiar-soak-")
    fam = familiar(home, **({"llm": {"backend": "embedded"}} if chat == "embedded" else {}))
    if chat == "fake":
        fam.__dict__["llm"] = FakeChatModel(rng)
    can_chat = chat != "none" and hasattr(Familiar, "chat")
    errors: Counter[str] = Counter()
    first_error: dict[str, str] = {}
    counts: Counter[str] = Counter()
    process_s: list[float] = []
    rss = {"start": rss_mb()}

    def attempt(kind: str, fn):
        try:
            fn()
            counts[kind] += 1
        except Exception as exc:  # noqa: BLE001 - a soak counts errors, it does not stop
            key = f"{kind}: {type(exc).__name__}"
            errors[key] += 1
            first_error.setdefault(key, traceback.format_exc(limit=3).strip().splitlines()[-1])

    fam.memory  # load the index and the embedder before the clock starts  # noqa: B018
    rss["loaded"] = rss_mb()
    day_start = datetime.now().astimezone() - timedelta(days=SIMULATED_DAYS)
    sim = day_start
    next_chat, next_process, next_retention = sim, sim + PROCESS_EVERY, sim + RETENTION_EVERY
    window = rng.choice(APPS)
    budget = minutes * 60
    t0 = time.monotonic()
    midpoint_taken = False
    while sim < day_start + timedelta(days=SIMULATED_DAYS) and time.monotonic() - t0 < budget:
        if rng.random() < 0.1:  # switch windows now and then
            window = rng.choice(APPS)
        app, title, text = screen(rng, window)
        attempt("capture", lambda: fam.record_screen(NewObservation(
            "screen", text, at=sim, app=app, window=title)))
        if can_chat and sim >= next_chat:
            attempt("chat", lambda: fam.chat(fill(rng.choice(CHATS), rng)))
            next_chat += CHAT_EVERY
        if sim >= next_process:
            started = time.monotonic()
            attempt("process", lambda: fam.user_model.process())
            process_s.append(time.monotonic() - started)
            next_process += PROCESS_EVERY

        def retention():
            report = apply_retention(fam.ledger, RETENTION_DAYS, now=sim)
            counts["expired"] += report.observations
            fam.memory.sync()

        if sim >= next_retention:
            attempt("retention", retention)
            next_retention += RETENTION_EVERY
        if not midpoint_taken and time.monotonic() - t0 >= budget / 2:
            rss["middle"] = rss_mb()
            midpoint_taken = True
        if counts["capture"] % 500 == 0:
            progress(f"  {sim:%H:%M} simulated, {time.monotonic() - t0:.0f} s, "
                     f"{counts['capture']} captures, {sum(errors.values())} errors, "
                     f"RSS {rss_mb():.0f} MB")
        sim += CAPTURE_EVERY
    wall = time.monotonic() - t0
    attempt("process", lambda: fam.user_model.process())
    rss.setdefault("middle", rss_mb())
    rss["end"] = rss_mb()
    c = fam.ledger.counts()
    in_step = fam.memory.in_step()
    queue = len(fam.ledger.index_queue())
    integrity = fam.ledger.integrity_ok()
    simulated_h = (sim - day_start).total_seconds() / 3600
    fam.close()

    figures = [
        Figure("simulated time covered", round(simulated_h, 2), "hours",
               note=f"in {wall:.0f} s of wall time ({simulated_h * 3600 / max(wall, 1e-9):.0f}x)"),
        Figure("screen captures recorded", counts["capture"], "",
               note="consecutive frames of one window merge into one observation"),
        Figure("chat turns", counts["chat"], "", note="" if can_chat else "chat not run"),
        Figure("process runs", counts["process"], "",
               note=f"median {median(process_s) if process_s else 0:.2f} s, "
                    f"max {max(process_s) if process_s else 0:.2f} s"),
        Figure("retention runs", counts["retention"], "",
               note=f"{counts['expired']} observation(s) expired"),
        Figure("errors", sum(errors.values()), "", target="0", met=not errors,
               note="; ".join(f"{k} ×{n}: {first_error[k]}" for k, n in errors.items())),
        Figure("RSS start (before loading models)", round(rss["start"]), "MB"),
        Figure("RSS after loading the index and embedder", round(rss["loaded"]), "MB"),
        Figure("RSS middle", round(rss["middle"]), "MB"),
        Figure("RSS end", round(rss["end"]), "MB",
               target="flat (end ≤ middle × 1.2)", met=rss["end"] <= rss["middle"] * 1.2),
        Figure("ledger at the end", f"{c.observations} obs", "",
               note=f"{c.propositions} current propositions, {c.superseded} superseded, "
                    f"{c.pending} pending"),
        Figure("index agrees with ledger", str(in_step and queue == 0), "", target="True",
               met=in_step and queue == 0),
        Figure("SQLite integrity_check", "ok" if integrity else "FAILED", "", target="ok",
               met=integrity),
    ]
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=20.0, help="wall-clock budget (default 20)")
    p.add_argument("--chat", choices=["fake", "embedded", "none"], default="fake")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json")
    args = p.parse_args(argv)
    figures = run(args.minutes, args.chat, args.seed)
    emit(figures, args.json)
    return 0 if all(f.met is not False for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())

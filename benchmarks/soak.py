"""Soak: days of use at accelerated time, within a wall-clock budget.

    python -m benchmarks.soak [--minutes 20] [--chat fake|embedded|none] [--seed 1] [--json F]

Simulated time runs from 30 days ago towards now until the budget is spent. What a
day of use does, on the clock of that simulated time:

- a screen capture every 2 s: window text as OCR gives it (app, title, a few lines),
  recorded through ``Familiar.record_screen``, the path `capture` takes, which checks
  and redacts every frame and merges consecutive frames of one window; about one
  frame in 40 shows a secret (a card number, an IBAN, a GitHub token, a password),
  and the stored observation is read back to prove the secret never reached the ledger;
- a chat turn every 10 min (``Familiar.chat``: recall, prompt, a streamed reply) with a
  fake model, or the embedded one;
- the user model (``process``) every 5 min: rule extraction on everything, then the
  model stage on batches; the fake model proposes one claim per observation that
  names a topic and answers revision requests, so propositions are revised (new
  revision rows, old ones superseded) as the same topics come back;
- a review every 2 h: the user confirms one proposition and edits another;
- the decay job every hour. Familiar has no background "decay": a proposition's
  freshness is a term computed at recall time from its decay and its newest evidence.
  What runs on a schedule is retention (``assistant/retention.py``): observations
  older than 6 simulated hours expire, and every proposition that rested on them is
  re-scored as a new revision (expired evidence counts half; user-confirmed ones keep
  their confidence and only lose the links). That is the job run here, and its
  figures say how many observations expired and how many propositions were re-scored.

All of it runs on the simulated clock (``memory.timeutil.simulated_clock``): a chat
message, a proposition's evidence time and the retention cutoff are simulated times,
as they would be on a real day. Resident memory is sampled every 15 simulated minutes. Retention keeps the ledger's
observations bounded, so once the first 6 simulated hours have passed and the caches
have filled, memory should stop growing: the verdict is a least-squares line through
the samples of the second half of the run, whose rise over that half must stay within
5 %. At the end the ledger must pass SQLite's integrity check and the index must hold
exactly the ledger's current propositions, with their metadata and vectors.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from benchmarks.common import Figure, emit, familiar, median, progress, rss_mb, temp_home
from benchmarks.synthetic import OBJECTS, QUALIFIERS, VERBS

CAPTURE_EVERY = timedelta(seconds=2)
CHAT_EVERY = timedelta(minutes=10)
PROCESS_EVERY = timedelta(minutes=5)
REVIEW_EVERY = timedelta(hours=2)
DECAY_EVERY = timedelta(hours=1)
SAMPLE_EVERY = timedelta(minutes=15)
RETENTION_DAYS = 0.25  # 6 simulated hours: a short run already sees expiry
SIMULATED_DAYS = 30
SECRET_EVERY = 40  # about one frame in this many shows a secret
FLAT_TOLERANCE = 0.05  # second-half rise of the fitted line, as a share of its start

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
OBSERVATION_LINE = re.compile(r"^\[(\d+)\] \((\w+)(?:, [^)]*)?, user\) (.*)$", re.M)
NEW_CLAIM = re.compile(r"^New proposition: (.*)$", re.M)


class FakeModel:
    """Streams a short chat reply; proposes one claim per observation that names a
    topic (citing it as evidence); answers a revision request with the new claim."""

    name = "soak-fake"
    n_ctx = 4096

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.calls: Counter[str] = Counter()

    def preflight(self) -> None:
        pass

    def complete(self, messages, *, schema=None, max_tokens=512, temperature=0.0) -> str:
        props = (schema or {}).get("properties", {})
        body = messages[-1]["content"]
        if "propositions" in props:
            self.calls["propose"] += 1
            out = []
            for n, _source, text in OBSERVATION_LINE.findall(body):
                topic = next((o for o in OBJECTS if o in text), None)
                if topic:
                    out.append({"text": f"The user {self.rng.choice(VERBS)} {topic}.",
                                "reasoning": "It keeps coming up on their screen.",
                                "confidence": self.rng.randint(4, 8), "decay": self.rng.randint(2, 9),
                                "evidence": [int(n)]})
            return json.dumps({"propositions": out[:4]})
        if "text" in props:
            self.calls["revise"] += 1
            claim = NEW_CLAIM.search(body)
            return json.dumps({"text": claim.group(1) if claim else "The user is busy.",
                               "reasoning": "The new evidence agrees with the stored claim.",
                               "confidence": 7, "decay": 6})
        self.calls["other"] += 1
        return "{}"

    def stream(self, messages, *, max_tokens=512, temperature=0.7) -> Iterator[str]:
        self.calls["chat"] += 1
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


class Window:
    """One window on screen: its title stays, its text grows a line now and then (typing,
    a new message, scrolling) and only the last VISIBLE lines are on screen."""

    VISIBLE = 12

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.app, title = rng.choice(APPS)
        self.title = fill(title, rng)
        self.lines = [fill(rng.choice(LINES), rng) for _ in range(rng.randint(3, 8))]

    def frame(self, extra: str | None = None) -> str:
        """The text OCR reads now; ``extra`` is a line that appears on screen."""
        if extra is not None:
            self.lines.append(extra)
        elif self.rng.random() < 0.3:
            self.lines.append(fill(self.rng.choice(LINES), self.rng))
        return "\n".join(self.lines[-self.VISIBLE :])


# -- secrets shown on screen now and then ------------------------------------------------
def _luhn_card(rng: random.Random) -> str:
    from capture.redact import luhn_valid

    body = "4" + "".join(rng.choice(string.digits) for _ in range(14))
    number = next(body + d for d in string.digits if luhn_valid(body + d))
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


def _iban(rng: random.Random) -> str:
    bban = "".join(rng.choice(string.digits) for _ in range(18))
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "DE00")) % 97
    return f"DE{check:02d}{bban}"


def _token(rng: random.Random, n: int) -> str:
    alnum = string.ascii_letters + string.digits
    while True:
        s = "".join(rng.choice(alnum) for _ in range(n))
        if any(c.isdigit() for c in s) and any(c.isupper() for c in s) and any(c.islower() for c in s):
            return s


def secret_line(rng: random.Random) -> tuple[str, str, str]:
    """(kind, the secret, the screen line that shows it)."""
    kind = rng.choice(["card", "iban", "api_key", "password"])
    if kind == "card":
        s = _luhn_card(rng)
        return kind, s, f"Card number  {s}  exp 08/29"
    if kind == "iban":
        s = _iban(rng)
        return kind, s, f"Please pay into {s} by Friday."
    if kind == "api_key":
        s = "ghp_" + _token(rng, 36)
        return kind, s, f"$ export GITHUB_TOKEN={s}"
    s = rng.choice(string.ascii_uppercase) + _token(rng, 10) + rng.choice(string.digits)
    return kind, s, f"Password: {s}"


# -- the end-of-run checks -----------------------------------------------------------------
def secrets_on_disk(data_dir: Path, secrets: list[str]) -> int:
    """How many of ``secrets`` appear, as UTF-8, in any file under ``data_dir``."""
    blobs = [p.read_bytes() for p in Path(data_dir).rglob("*") if p.is_file()]
    return sum(1 for s in set(secrets) if any(s.encode() in b for b in blobs))


def index_agreement(fam) -> tuple[bool, str]:
    """The index holds exactly the ledger's current propositions, nothing is queued, and
    each entry's metadata and vector are those of the ledger's text."""
    mem = fam.memory
    current = fam.ledger.current_ids()
    queued = len(fam.ledger.index_queue())
    ids_ok = mem.index.ids() == set(current)
    problems = []
    if not ids_ok:
        problems.append(f"ids differ ({len(mem.index.ids() ^ set(current))} ids)")
    if queued:
        problems.append(f"{queued} change(s) still queued")
    col = getattr(mem.index, "col", None)
    if col is not None and ids_ok and current:
        got = col.get(ids=[str(i) for i in current], include=["metadatas", "embeddings"])
        props = {p.id: p for p in fam.ledger.propositions(current)}
        wrong_meta = sum(1 for i, m in zip(got["ids"], got["metadatas"])
                         if (m["confidence"], m["decay"]) != (props[int(i)].confidence,
                                                             props[int(i)].decay))
        expected = mem.embedder.embed([props[int(i)].text for i in got["ids"]])
        stored = np.asarray(got["embeddings"], dtype=np.float32)
        wrong_vec = int(np.sum(np.sum(expected * stored, axis=1) < 0.999))
        if wrong_meta:
            problems.append(f"{wrong_meta} entr(ies) with stale confidence/decay")
        if wrong_vec:
            problems.append(f"{wrong_vec} entr(ies) whose vector is not their text's")
    detail = (f"{len(current)} current propositions, ids, metadata and vectors match"
              if not problems else "; ".join(problems))
    return not problems, detail


def flatness(samples: list[tuple[float, float, float]]) -> dict:
    """samples: (wall s, simulated h, RSS MB). A least-squares line through the second
    half: its rise over that half, in MB and as a share of where it starts."""
    half = samples[len(samples) // 2 :]
    if len(half) < 3:
        return {"ok": None, "rise_mb": float("nan"), "rise_share": float("nan"),
                "mb_per_sim_day": float("nan"), "n": len(half)}
    wall = np.array([s[0] for s in half])
    sim = np.array([s[1] for s in half])
    rss = np.array([s[2] for s in half])
    slope_wall, icept = np.polyfit(wall, rss, 1)
    slope_sim = np.polyfit(sim, rss, 1)[0]
    start = slope_wall * wall[0] + icept
    rise = slope_wall * (wall[-1] - wall[0])
    return {"ok": bool(rise <= FLAT_TOLERANCE * start), "rise_mb": float(rise),
            "rise_share": float(rise / start), "mb_per_sim_day": float(slope_sim * 24),
            "n": len(half), "from_h": float(sim[0]), "to_h": float(sim[-1])}


def run(minutes: float, chat: str, seed: int) -> list[Figure]:
    from assistant.retention import apply_retention
    from assistant.services import NewObservation
    from memory.timeutil import simulated_clock

    rng = random.Random(seed)
    home = temp_home("familiar-soak-")
    fam = familiar(home, **({"llm": {"backend": "embedded"}} if chat == "embedded" else {}))
    model = None
    if chat == "fake":
        model = FakeModel(rng)
        fam.__dict__["llm"] = model
    can_chat = chat != "none"
    errors: Counter[str] = Counter()
    first_error: dict[str, str] = {}
    counts: Counter[str] = Counter()
    process_s: list[float] = []
    rss_start = rss_mb()

    def attempt(kind: str, fn):
        try:
            out = fn()
            counts[kind] += 1
            return out
        except Exception as exc:  # noqa: BLE001 - a soak counts errors, it does not stop
            key = f"{kind}: {type(exc).__name__}"
            errors[key] += 1
            first_error.setdefault(key, traceback.format_exc(limit=3).strip().splitlines()[-1])
            return None

    fam.memory  # load the index and the embedder before the clock starts  # noqa: B018
    rss_loaded = rss_mb()
    day_start = datetime.now().astimezone() - timedelta(days=SIMULATED_DAYS)
    sim = day_start
    next_chat, next_process = sim, sim + PROCESS_EVERY
    next_review, next_decay, next_sample = sim + REVIEW_EVERY, sim + DECAY_EVERY, sim
    window = Window(rng)
    budget = minutes * 60
    samples: list[tuple[float, float, float]] = []  # (wall s, simulated h, RSS MB)
    ledger_obs: list[int] = []
    leaked: list[str] = []
    secrets: list[str] = []
    shown: Counter[str] = Counter()
    t0 = time.monotonic()

    def capture():
        secret = line = None
        if rng.randrange(SECRET_EVERY) == 0:
            kind, secret, line = secret_line(rng)
            shown[kind] += 1
            secrets.append(secret)
        text = window.frame(line)
        obs_id, merged = fam.record_screen(NewObservation("screen", text, at=sim, app=window.app,
                                                          window=window.title))
        counts["merged"] += merged
        if secret is not None:
            stored = fam.ledger.observation(obs_id)
            if secret in stored.text or secret in (stored.window or ""):
                leaked.append(kind)

    def review():
        props = [p for p in fam.ledger.list_propositions() if not p.user_confirmed]
        if len(props) >= 2:
            a, b = rng.sample(props, 2)
            fam.confirm_proposition(a.id)
            fam.edit_proposition(b.id, text=b.text.rstrip(".") + " " + rng.choice(QUALIFIERS[1:]) + ".")
            counts["reviewed"] += 2

    def decay_job():
        report = apply_retention(fam.ledger, RETENTION_DAYS, now=sim)
        counts["expired"] += report.observations
        counts["rescored"] += len(report.rescored)
        counts["unlinked"] += len(report.unlinked)
        fam.memory.sync()

    # Every timestamp Familiar takes (chat messages, processing, retention) is simulated time.
    with simulated_clock(lambda: sim):
        while sim < day_start + timedelta(days=SIMULATED_DAYS) and time.monotonic() - t0 < budget:
            if sim >= next_sample:
                samples.append((time.monotonic() - t0, (sim - day_start).total_seconds() / 3600, rss_mb()))
                ledger_obs.append(fam.ledger.counts().observations)
                next_sample += SAMPLE_EVERY
                if len(samples) % 4 == 1:
                    progress(f"  {(sim - day_start).total_seconds() / 3600:5.1f} h simulated, "
                             f"{time.monotonic() - t0:4.0f} s, {counts['capture']} captures, "
                             f"{sum(errors.values())} errors, RSS {samples[-1][2]:.0f} MB, "
                             f"{ledger_obs[-1]} observations in the ledger")
            if rng.random() < 0.02:  # switch windows now and then (about every 100 s)
                window = Window(rng)
            attempt("capture", capture)
            if can_chat and sim >= next_chat:
                attempt("chat", lambda: fam.chat(fill(rng.choice(CHATS), rng)))
                next_chat += CHAT_EVERY
            if sim >= next_process:
                started = time.monotonic()
                report = attempt("process", lambda: fam.user_model.process())
                if report is not None:
                    counts["model batches"] += report.llm_batches
                    counts["failed batches"] += report.llm_failed_batches
                process_s.append(time.monotonic() - started)
                next_process += PROCESS_EVERY
            if sim >= next_review:
                attempt("review", review)
                next_review += REVIEW_EVERY
            if sim >= next_decay:
                attempt("decay job", decay_job)
                next_decay += DECAY_EVERY
            sim += CAPTURE_EVERY
        wall = time.monotonic() - t0
        samples.append((wall, (sim - day_start).total_seconds() / 3600, rss_mb()))
        attempt("process", lambda: fam.user_model.process())
    c = fam.ledger.counts()
    agree, agree_detail = index_agreement(fam)
    integrity = fam.ledger.integrity_ok()
    revisions = fam.ledger.db.execute("SELECT count(*) FROM revisions").fetchone()[0]
    simulated_h = (sim - day_start).total_seconds() / 3600
    fam.close()
    on_disk = secrets_on_disk(fam.settings.data_dir, secrets)

    flat = flatness(samples)
    mid = samples[len(samples) // 2]
    quarters = [samples[min(len(samples) - 1, round(q * (len(samples) - 1)))] for q in (0, .25, .5, .75, 1)]
    rss_values = [s[2] for s in samples]
    secrets_shown = sum(shown.values())
    figures = [
        Figure("simulated time covered", round(simulated_h, 2), "hours",
               note=f"in {wall:.0f} s of wall time ({simulated_h * 3600 / max(wall, 1e-9):.0f}x)"),
        Figure("screen captures recorded", counts["capture"], "",
               note=f"one every 2 simulated s; {counts['merged']} merged into the observation "
                    "of their window's previous frames"),
        Figure("secrets shown on screen / stored", f"{secrets_shown} / {len(leaked)}", "",
               target="0 stored", met=not leaked and secrets_shown > 0,
               note=", ".join(f"{n} {k}" for k, n in sorted(shown.items()))
               + "; each stored observation read back after its frame"),
        Figure("secrets found in the data dir's files at the end", on_disk, "", target="0",
               met=on_disk == 0, note=f"every file under the data dir (ledger, WAL, index) "
                                      f"searched for all {secrets_shown} secrets"),
        Figure("chat turns", counts["chat"], "", note="one every 10 simulated min"
               if can_chat else "chat not run"),
        Figure("process runs", counts["process"], "",
               note=f"every 5 simulated min; median {median(process_s) if process_s else 0:.2f} s, "
                    f"max {max(process_s) if process_s else 0:.2f} s; {counts['model batches']} "
                    f"model batches ({counts['failed batches']} failed)"),
        Figure("revisions written", revisions, "",
               note=f"{c.superseded} superseded propositions kept; "
                    f"{counts['reviewed']} user confirmations and edits"),
        Figure("decay job runs (retention expiry + re-score)", counts["decay job"], "",
               note=f"hourly: {counts['expired']} observation(s) older than {RETENTION_DAYS * 24:g} simulated h expired, "
                    f"{counts['rescored']} proposition(s) re-scored, "
                    f"{counts['unlinked']} confirmed one(s) unlinked"),
        Figure("errors", sum(errors.values()), "", target="0", met=not errors,
               note="; ".join(f"{k} ×{n}: {first_error[k]}" for k, n in errors.items())),
        Figure("RSS start (before loading models)", round(rss_start), "MB"),
        Figure("RSS after loading the index and embedder", round(rss_loaded), "MB"),
        Figure("RSS after warm-up (start of the second half)", round(mid[2]), "MB",
               note=f"at {mid[1]:.1f} simulated h, {mid[0]:.0f} s"),
        Figure("RSS end", round(samples[-1][2]), "MB",
               note=f"peak {max(rss_values):.0f} MB; {len(samples)} samples; at 0/¼/½/¾/end: "
                    + ", ".join(f"{s[2]:.0f}" for s in quarters)),
        Figure("RSS rise over the second half (fitted)",
               round(flat["rise_mb"], 1) if flat["ok"] is not None else "n/a", "MB",
               target=f"flat (≤ {FLAT_TOLERANCE:.0%})", met=flat["ok"],
               note=(f"{flat['rise_share']:+.1%} over {flat['from_h']:.0f}–{flat['to_h']:.0f} "
                     f"simulated h ({flat['n']} samples), {flat['mb_per_sim_day']:+.1f} MB per "
                     f"simulated day") if flat["ok"] is not None
               else f"only {flat['n']} samples in the second half: run longer"),
        Figure("ledger observations (second half: min–max)",
               f"{min(ledger_obs[len(ledger_obs) // 2:] or [0])}–{max(ledger_obs[len(ledger_obs) // 2:] or [0])}", "",
               note=f"at the end {c.observations} observations, {c.propositions} current "
                    f"propositions, {c.pending} pending"),
        Figure("index agrees with ledger", str(agree), "", target="True", met=agree,
               note=agree_detail),
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

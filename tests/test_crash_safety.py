"""Crash safety: `familiar process` is killed (SIGKILL) at random moments while it
works through 500 observations, restarted, and finally run to the end. After every
kill the ledger passes SQLite's integrity check and no observation is lost; at the
end the ledger holds exactly what an uninterrupted run produces (nothing processed
twice into duplicates, nothing skipped), and the search index agrees with it."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.reliability import record

pytestmark = pytest.mark.slow

N_OBSERVATIONS = 500
KILLS = 10
SEED = 7
TEMPLATES = ["I love {o} {q}.", "I'm learning {o} {q}.", "I can't stand {o}.", "I prefer {o} {q}.",
             "Honestly I really enjoy {o} {q}.", "Can you find me a guide about {o}?",
             "I usually do {o} {q}."]


def observations(n: int, seed: int) -> str:
    from benchmarks.synthetic import OBJECTS, QUALIFIERS

    rng = random.Random(seed)
    lines = []
    for i in range(n):
        text = rng.choice(TEMPLATES).format(o=rng.choice(OBJECTS), q=rng.choice(QUALIFIERS))
        lines.append(json.dumps({"source": "chat", "id": f"m{i}", "text": text.replace(" .", ".")}))
    return "\n".join(lines)


def familiar(home: Path, *argv: str, stdin: str | None = None, wait: bool = True):
    env = {**os.environ, "FAMILIAR_HOME": str(home), "FAMILIAR_LLM__BACKEND": "none"}
    cmd = [sys.executable, "-m", "assistant.cli", *argv]
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True, timeout=600)


def ledger_state(home: Path) -> dict:
    db = sqlite3.connect(home / "data" / "ledger.sqlite3")
    try:
        state = {
            "integrity": db.execute("PRAGMA integrity_check").fetchone()[0],
            "observations": db.execute("SELECT count(*) FROM observations").fetchone()[0],
            "extracted": db.execute(
                "SELECT count(*) FROM observations WHERE extracted_at IS NOT NULL").fetchone()[0],
        }
        # what was learned, independent of row ids: each proposition by its text,
        # status and the external ids of its evidence
        rows = db.execute(
            "SELECT p.status, p.text, p.confidence, p.sensitive,"
            " group_concat(o.external_id, ',') FROM propositions p"
            " LEFT JOIN (SELECT e.proposition_id, o.external_id FROM evidence e"
            "   JOIN observations o ON o.id = e.observation_id ORDER BY o.id) o"
            " ON o.proposition_id = p.id GROUP BY p.id").fetchall()
        state["learned"] = sorted(tuple(r) for r in rows)
        return state
    finally:
        db.close()


def compare(final: dict, expected: dict) -> dict:
    """How the crashed ledger's learning differs from the uninterrupted run's: rows
    (a proposition with its status, text, confidence and evidence) it has twice or more
    often, and rows it lacks."""
    got, want = Counter(final["learned"]), Counter(expected["learned"])
    return {"doubled": sum((got - want).values()), "skipped": sum((want - got).values())}


def extracted(home: Path) -> int:
    db = sqlite3.connect(home / "data" / "ledger.sqlite3", timeout=30)
    try:
        return db.execute(
            "SELECT count(*) FROM observations WHERE extracted_at IS NOT NULL").fetchone()[0]
    finally:
        db.close()


def test_killed_processing_loses_nothing_and_doubles_nothing(tmp_path):
    data = observations(N_OBSERVATIONS, SEED)
    crashed, reference = tmp_path / "crashed", tmp_path / "reference"
    for home in (crashed, reference):
        r = familiar(home, "ingest", "-", stdin=data)
        assert r.returncode == 0, r.stderr
    r = familiar(reference, "process")
    assert r.returncode == 0, r.stderr
    expected = ledger_state(reference)
    assert expected["extracted"] == N_OBSERVATIONS

    rng = random.Random(SEED)
    survived, progress, seen, intact = 0, [0], [], 0
    for _ in range(KILLS):
        proc = familiar(crashed, "process", wait=False)
        # wait until it is writing (start-up takes seconds), then kill it a random moment later
        deadline = time.monotonic() + 120
        while (proc.poll() is None and time.monotonic() < deadline
               and extracted(crashed) <= progress[-1]):
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            survived += 1
        else:
            assert proc.returncode == 0, proc.stderr.read()
        proc.stderr.close()
        state = ledger_state(crashed)
        seen.append(state["observations"])
        intact += state["integrity"] == "ok"
        assert state["integrity"] == "ok"
        assert state["observations"] == N_OBSERVATIONS  # none lost
        assert state["extracted"] >= progress[-1]  # what was committed stays committed
        progress.append(state["extracted"])
        if state["extracted"] == N_OBSERVATIONS:
            break
    r = familiar(crashed, "process")
    assert r.returncode == 0, r.stderr
    final = ledger_state(crashed)

    from assistant.services import Familiar
    from assistant.settings import load_settings
    from memory.vector_index import ChromaIndex

    fam = Familiar(load_settings(crashed, llm={"backend": "none"}))
    try:
        mem = fam.memory  # heals on open, if it must
        in_step, integrity = mem.in_step(), fam.ledger.integrity_ok()
    finally:
        fam.close()
        ChromaIndex.forget_clients()
    record("crash safety: rule stage", kills=survived, observations=N_OBSERVATIONS,
           lost=N_OBSERVATIONS - min(seen), integrity_ok=intact, checks=len(seen),
           processed=final["extracted"], **compare(final, expected),
           index_in_step=in_step, index_rebuilt=any("rebuilt" in n for n in fam.notices),
           final_integrity=integrity and final["integrity"] == "ok")
    assert final["integrity"] == "ok" and final["extracted"] == N_OBSERVATIONS
    # exactly what the uninterrupted run learned: nothing twice, nothing skipped
    assert final["learned"] == expected["learned"]
    assert survived == KILLS and progress[-1] < N_OBSERVATIONS, progress
    assert in_step and integrity
    print(f"\ncrash safety: {survived} SIGKILLs survived while processing {N_OBSERVATIONS} "
          f"observations; progress after each: {progress[1:]}; notices: {fam.notices}")


# -- the language-model stage, with a slow fake model ------------------------------------
SLOW_MODEL_RUN = r'''
import json, re, sys, time
from pathlib import Path
from assistant.services import Familiar
from assistant.settings import load_settings

class SlowModel:
    """Takes its time, and proposes one proposition per observation it is shown."""
    name = "slow-fake"
    n_ctx = 4096
    def preflight(self):
        pass
    def complete(self, messages, *, schema=None, max_tokens=512, temperature=0.0):
        time.sleep(0.3)
        body = messages[-1]["content"]
        props = []
        for n, text in re.findall(r"^\[(\d+)\] \(chat, user\) (.*)$", body, re.M):
            props.append({"text": "The user said they " + text.rstrip(".?!").lower()[:120] + ".",
                          "reasoning": "quoted", "confidence": 6, "decay": 5,
                          "evidence": [int(n)]})
        return json.dumps({"propositions": props[:8]})
    def count_tokens(self, text):
        return len(text) // 4

fam = Familiar(load_settings(Path(sys.argv[1]), llm={"backend": "none"},
                             usermodel={"llm_revise": False, "batch_size": 4}))
fam.__dict__["llm"] = SlowModel()
fam.user_model.process()
fam.close()
'''


def slow_model_process(home: Path, wait: bool = True):
    env = {**os.environ, "FAMILIAR_HOME": str(home)}
    cmd = [sys.executable, "-c", SLOW_MODEL_RUN, str(home)]
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)


def processed(home: Path) -> int:
    db = sqlite3.connect(home / "data" / "ledger.sqlite3", timeout=30)
    try:
        return db.execute(
            "SELECT count(*) FROM observations WHERE processed_at IS NOT NULL").fetchone()[0]
    finally:
        db.close()


def test_killed_model_stage_loses_nothing_and_doubles_nothing(tmp_path):
    n, kills = 120, 5
    data = observations(n, SEED + 1)
    crashed, reference = tmp_path / "crashed", tmp_path / "reference"
    for home in (crashed, reference):
        assert familiar(home, "ingest", "-", stdin=data).returncode == 0
    r = slow_model_process(reference)
    assert r.returncode == 0, r.stderr
    expected = ledger_state(reference)
    assert processed(reference) == n

    rng = random.Random(SEED)
    survived, progress, seen, intact = 0, [0], [], 0
    for _ in range(kills):
        proc = slow_model_process(crashed, wait=False)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline and processed(crashed) <= progress[-1]:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            survived += 1
        proc.stderr.close()
        state = ledger_state(crashed)
        seen.append(state["observations"])
        intact += state["integrity"] == "ok"
        assert state["integrity"] == "ok" and state["observations"] == n
        progress.append(processed(crashed))
        assert progress[-1] >= progress[-2]
    r = slow_model_process(crashed)
    assert r.returncode == 0, r.stderr
    final = ledger_state(crashed)
    record("crash safety: model stage", kills=survived, observations=n, lost=n - min(seen),
           integrity_ok=intact, checks=len(seen), processed=processed(crashed),
           **compare(final, expected), final_integrity=final["integrity"] == "ok")
    assert processed(crashed) == n
    assert final["learned"] == expected["learned"]
    assert survived == kills and progress[-1] < n, progress
    print(f"\ncrash safety (model stage): {survived} SIGKILLs survived over {n} observations; "
          f"processed after each: {progress[1:]}")

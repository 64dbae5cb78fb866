"""Data at rest: export/import round trips exactly, import is all or nothing, files
are private, and `forget --all` leaves no user text in any file of the data dir."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.export import NOT_EXPORTED_TEXT, dump, export_data
from assistant.services import NewObservation
from memory.timeutil import now_utc, to_iso


@pytest.fixture(autouse=True)
def no_model(monkeypatch):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ledger_digest(home: Path) -> str:
    """A hash of the ledger's content (every row of every table), not of its bytes."""
    import sqlite3

    path = home / "data" / "ledger.sqlite3"
    if not path.exists():
        return "no ledger"
    db = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()
    finally:
        db.close()


def build_history(fam) -> dict[str, int]:
    """A user model with every kind of row: revisions, feedback, a conflict, an
    instruction-like confirmed proposition, a sensitive one, a rejected one."""
    obs = [
        ("chat", "I'm vegetarian and I can't stand cilantro."),
        ("chat", "I love sailing, I go sailing most weekends."),
        ("chat", "I go sailing every weekend with my club."),
        ("note", "I take insulin every day since my diabetes diagnosis."),
        ("chat", "I love jazz music, mostly Coltrane."),
        ("screen", "Quarterly report draft - Editor\nRevenue table\nQ3 targets"),
    ]
    for source, text in obs:
        fam.observe(NewObservation(source, text))
    fam.user_model.process()
    props = {p.text: p.id for p in fam.ledger.list_propositions()}
    sailing = next(pid for t, pid in props.items() if "sailing" in t)
    jazz = next(pid for t, pid in props.items() if "jazz" in t)
    veg = next(pid for t, pid in props.items() if "vegetarian" in t)
    edited = fam.edit_proposition(sailing, "The user sails most weekends with a club.")
    fam.confirm_proposition(veg)
    fam.reject_proposition(jazz)
    fam.ledger.add_conflict(edited, veg, "a test conflict")
    return {"edited": edited, "veg": veg, "jazz": jazz}


def test_export_import_export_is_identical_and_recall_works(make_familiar, tmp_path, monkeypatch):
    fam = make_familiar()
    ids = build_history(fam)
    assert any(p.sensitive for p in fam.ledger.list_propositions()), "the diabetes one is flagged"
    first = tmp_path / "first.json"
    counts = fam.export_to(first, with_observations=True)
    assert counts["observations"] == 6 and counts["revisions"] >= 2 and counts["feedback"] >= 3
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    data = json.loads(first.read_text())
    assert data["conflicts"][0]["reason"] == "a test conflict"
    assert {r["action"] for r in data["feedback"]} >= {"edit", "confirm", "reject"}

    from assistant.services import Familiar
    from assistant.settings import load_settings

    other = Familiar(load_settings(tmp_path / "fresh", llm={"backend": "none"}))
    try:
        restored = other.import_from(first)
        assert restored == counts | {k: v for k, v in restored.items() if k not in counts}
        second = tmp_path / "second.json"
        other.export_to(second, with_observations=True)
        assert first.read_bytes() == second.read_bytes()
        # the index was rebuilt from the ledger: recall finds what was learned
        hits = other.recaller.recall("what should I cook for dinner", 3)
        assert ids["veg"] in [r.proposition.id for r in hits]
        assert other.memory.in_step()
        veg = other.ledger.proposition(ids["veg"])
        assert veg.user_confirmed and veg.confidence == 10
        assert other.ledger.proposition(ids["jazz"]).rejected
        assert other.ledger.history(ids["edited"])  # the revision chain came along
    finally:
        other.close()


def test_export_without_observations_keeps_evidence_but_not_text(make_familiar, tmp_path):
    fam = make_familiar()
    build_history(fam)
    path = tmp_path / "model.json"
    fam.export_to(path, with_observations=False)
    raw = path.read_text()
    # observation text stays home (propositions' reasoning may quote a few words)
    assert "Revenue table" not in raw and "Q3 targets" not in raw
    data = json.loads(raw)
    assert data["observations_included"] is False
    assert all(set(o) <= {"id", "source", "role", "external_id", "at", "sensitive"}
               for o in data["observations"])
    assert data["evidence"]

    from assistant.services import Familiar
    from assistant.settings import load_settings

    other = Familiar(load_settings(tmp_path / "fresh", llm={"backend": "none"}))
    try:
        other.import_from(path)
        again = tmp_path / "again.json"
        other.export_to(again, with_observations=False)
        assert path.read_bytes() == again.read_bytes()
        p = other.ledger.list_propositions()[0]
        assert p.evidence and p.evidence[0].text == NOT_EXPORTED_TEXT
    finally:
        other.close()


def test_cli_export_and_import(capsys, familiar_home, tmp_path, monkeypatch):
    assert run(capsys, "observe", "--source", "chat", "I'm vegan.")[0] == 0
    assert run(capsys, "process")[0] == 0
    out_file = tmp_path / "e.json"
    code, out, _ = run(capsys, "export", str(out_file), "--with-observations")
    assert code == 0 and "exported 1 proposition" in out
    monkeypatch.setenv("FAMILIAR_HOME", str(tmp_path / "other"))
    code, out, _ = run(capsys, "import", str(out_file))
    assert code == 0 and "imported 1 proposition" in out
    code, out, _ = run(capsys, "recall", "vegan food", "--json")
    assert json.loads(out)["results"][0]["text"] == "The user is vegan."
    # a second import into the now non-empty dir is refused, and changes nothing
    before = ledger_digest(tmp_path / "other")
    code, _, err = run(capsys, "import", str(out_file))
    assert code == 2 and "empty one" in err and len(err.strip().splitlines()) == 1
    assert ledger_digest(tmp_path / "other") == before


def _good_export(make_familiar) -> dict:
    fam = make_familiar()
    fam.observe(NewObservation("chat", "I'm vegetarian and I love sailing on weekends."))
    fam.user_model.process()
    return json.loads(dump(export_data(fam.ledger)))


def _broken_exports(good: dict):
    """(what is wrong, file bytes) pairs, one problem each."""
    future = to_iso(now_utc() + timedelta(days=30))

    def edit(fn):
        d = json.loads(json.dumps(good))
        fn(d)
        return json.dumps(d).encode()

    yield "empty file", b""
    yield "not JSON", b"hello"
    yield "truncated", json.dumps(good).encode()[:-40]
    yield "invalid UTF-8", b'{"format": "familiar-export", "x": "\xff\xfe"}'
    yield "binary", bytes(range(256)) * 4
    yield "a list", b"[1, 2, 3]"
    yield "JSONL, not an export", b'{"source": "chat", "text": "hi"}\n{"source": "chat", "text": "yo"}\n'
    yield "deep nesting", b"[" * 100000 + b"]" * 100000
    yield "wrong format", edit(lambda d: d.update(format="something-else"))
    yield "newer version", edit(lambda d: d.update(version=99))
    yield "newer schema", edit(lambda d: d["schema"].append("m999_future"))
    yield "unknown section", edit(lambda d: d.update(extra=[]))
    yield "section not a list", edit(lambda d: d.update(propositions={}))
    yield "row not an object", edit(lambda d: d["propositions"].append(7))
    yield "unknown column", edit(lambda d: d["propositions"][0].update(colour="red"))
    yield "missing text", edit(lambda d: d["propositions"][0].pop("text"))
    yield "text not a string", edit(lambda d: d["propositions"][0].update(text=5))
    yield "confidence a string", edit(lambda d: d["propositions"][0].update(confidence="high"))
    yield "confidence a bool", edit(lambda d: d["propositions"][0].update(confidence=True))
    yield "confidence out of range", edit(lambda d: d["propositions"][0].update(confidence=11))
    yield "huge integer", edit(lambda d: d["propositions"][0].update(confidence=10**30))
    yield "bad status", edit(lambda d: d["propositions"][0].update(status="maybe"))
    yield "bad time", edit(lambda d: d["observations"][0].update(at="yesterday"))
    yield "future time", edit(lambda d: d["observations"][0].update(at=future))
    yield "NUL in text", edit(lambda d: d["observations"][0].update(text="a\x00b"))
    yield "lone surrogate", edit(lambda d: d["observations"][0].update(text="a\ud800b"))
    yield "duplicate ids", edit(lambda d: d["propositions"].append(dict(d["propositions"][0])))
    yield "dangling evidence", edit(lambda d: d["evidence"].append(
        {"proposition_id": d["propositions"][0]["id"], "observation_id": 999}))
    yield "dangling revision", edit(lambda d: d["revisions"].append(
        {"id": 1, "old_id": 424242, "new_id": None, "reason": "x", "actor": "model",
         "at": d["observations"][0]["at"]}))
    yield "stub with text", edit(lambda d: (d.update(observations_included=False),
                                            d["observations"][0].update(text="x")))


def test_malformed_imports_are_rejected_whole(make_familiar, tmp_path, capsys, monkeypatch):
    good = _good_export(make_familiar)
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("FAMILIAR_HOME", str(fresh))
    assert run(capsys, "status")[0] == 0  # an empty ledger to import into
    before = ledger_digest(fresh)
    tried = 0
    for what, raw in _broken_exports(good):
        path = tmp_path / "bad.json"
        path.write_bytes(raw)
        code, out, err = run(capsys, "import", str(path))
        assert code == 2, (what, code, err)
        assert err.startswith("familiar: error: ") and len(err.strip().splitlines()) == 1, (what, err)
        assert "nothing was imported" in err.lower(), (what, err)
        assert ledger_digest(fresh) == before, what
        tried += 1
    assert tried == 30
    # and the good file still imports
    path = tmp_path / "good.json"
    path.write_text(json.dumps(good))
    assert run(capsys, "import", str(path))[0] == 0


def test_missing_import_file_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "import", str(tmp_path / "nope.json"))
    assert code == 2 and "Cannot read" in err and len(err.strip().splitlines()) == 1


# -- files at rest ------------------------------------------------------------------------
def _cli(home: Path, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "FAMILIAR_HOME": str(home), "FAMILIAR_LLM__BACKEND": "none"}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *argv], env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def test_data_dir_is_private_and_forget_all_leaves_no_user_text(tmp_path):
    home = tmp_path / "home"
    secrets = ["zorblattfruit", "quixoticmarmot", "Vandermeerstraat"]
    lines = [
        {"source": "chat", "text": f"I'm allergic to {secrets[0]}, please remember that."},
        {"source": "chat", "text": f"I love {secrets[1]} documentaries, I watch them every week."},
        {"source": "note", "text": f"I live on {secrets[2]} in Utrecht."},
        {"source": "screen", "text": f"Inbox\nRe: {secrets[1]} screening tonight\n{secrets[2]} 12"},
    ]
    jsonl = "\n".join(json.dumps(x) for x in lines)
    assert _cli(home, "ingest", "-", stdin=jsonl).returncode == 0
    r = _cli(home, "process")
    assert r.returncode == 0, r.stderr
    r = _cli(home, "recall", f"{secrets[1]} films", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["results"], r.stderr
    data = home / "data"
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name == "chroma.sqlite3" for p in files)
    for p in [data, *data.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))
    blob = b"".join(p.read_bytes() for p in files)
    assert all(s.encode() in blob for s in secrets)  # they were stored before

    r = _cli(home, "forget", "--all", "--yes")
    assert r.returncode == 0, r.stderr
    files = [p for p in data.rglob("*") if p.is_file()]
    for p in files:  # the ledger, its WAL and SHM, Chroma's SQLite and segment files
        content = p.read_bytes()
        for s in secrets:
            for form in (s, s.lower(), s.upper()):
                assert form.encode() not in content, (s, p)
    assert json.loads(_cli(home, "status", "--json").stdout)["observations"] == 0


def test_loose_permissions_are_tightened_on_start(make_familiar, familiar_home):
    fam = make_familiar()
    fam.close()
    ledger = familiar_home / "data" / "ledger.sqlite3"
    ledger.chmod(0o644)
    (familiar_home / "data").chmod(0o755)
    make_familiar()
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600
    assert stat.S_IMODE((familiar_home / "data").stat().st_mode) == 0o700

"""The command line, in-process through main() and, for stdin, as a real process."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import _parser, main


@pytest.fixture(autouse=True)
def no_model(monkeypatch):
    # The CLI's default model is the embedded GGUF; tests that need it say so.
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(home: Path) -> dict[str, str]:
    """Hashes of every file under the data dir (logs excluded)."""
    data = home / "data"
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(data.rglob("*")) if p.is_file()} if data.exists() else {}


def test_the_issue_example_end_to_end(capsys):
    assert run(capsys, "observe", "--source", "chat", "--id", "m1",
               "I'm vegetarian and I can't stand cilantro.")[0] == 0
    assert run(capsys, "observe", "--source", "chat", "--id", "m2",
               "Can you help me fix this pandas merge error?")[0] == 0
    assert run(capsys, "process")[0] == 0
    code, out, _ = run(capsys, "recall", "what should I cook tonight?", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["query"] == "what should I cook tonight?"
    top = data["results"]
    veg = next(r for r in top if "vegetarian" in r["text"])
    assert set(veg) >= {"id", "text", "reasoning", "confidence", "decay", "score", "evidence"}
    assert 1 <= veg["confidence"] <= 10 and 1 <= veg["decay"] <= 10
    assert veg["evidence"][0]["external_id"] == "m1"
    assert veg["evidence"][0]["source"] == "chat"
    assert isinstance(veg["evidence"][0]["observation_id"], int)


def test_review_commands(capsys):
    run(capsys, "observe", "--source", "chat", "I'm allergic to peanuts. I love hiking.")
    run(capsys, "process")
    code, out, _ = run(capsys, "propositions", "list", "--json")
    props = {p["text"]: p["id"] for p in json.loads(out)}
    peanut = next(i for t, i in props.items() if "peanuts" in t)
    hiking = next(i for t, i in props.items() if "hiking" in t)

    code, out, _ = run(capsys, "propositions", "show", str(peanut))
    assert code == 0 and "peanuts" in out and "evidence" in out

    code, out, _ = run(capsys, "propositions", "edit", str(peanut),
                       "The user is severely allergic to peanuts and tree nuts.")
    assert code == 0
    code, out, _ = run(capsys, "recall", "nut allergy", "--json")
    top = json.loads(out)["results"][0]
    assert top["text"] == "The user is severely allergic to peanuts and tree nuts."
    assert top["user_confirmed"] and top["confidence"] == 10
    code, out, _ = run(capsys, "propositions", "show", str(top["id"]), "--json")
    shown = json.loads(out)
    assert shown["history"][0]["reason"] == "edited by the user"
    assert shown["feedback"][0]["action"] == "edit"

    assert run(capsys, "propositions", "confirm", str(hiking))[0] == 0
    assert run(capsys, "propositions", "reject", str(hiking))[0] == 0
    code, out, _ = run(capsys, "recall", "outdoor activities", "--json")
    assert all("hiking" not in r["text"] for r in json.loads(out)["results"])
    code, _, err = run(capsys, "propositions", "confirm", str(hiking))
    assert code != 0 and "rejected" not in err.lower() or "retracted" in err

    assert run(capsys, "propositions", "delete", str(top["id"]))[0] == 0
    code, out, _ = run(capsys, "propositions", "list", "--all", "--json")
    erased = [p for p in json.loads(out) if "peanut" in p["text"]]
    assert erased == []  # the edited text and the one it replaced are both erased


def test_what_an_edit_confirms(capsys):
    """New words or a confidence are the user's statement (confirmed); a new decay alone
    only says how long it lasts."""
    run(capsys, "observe", "--source", "chat", "I love hiking. I play the cello.")
    run(capsys, "process")
    props = {p["text"]: p for p in json.loads(run(capsys, "propositions", "list", "--json")[1])}
    hiking = next(p for t, p in props.items() if "hiking" in t)
    cello = next(p for t, p in props.items() if "cello" in t)
    assert not hiking["user_confirmed"] and hiking["confidence"] < 10

    def shown(pid):
        return json.loads(run(capsys, "propositions", "show", str(pid), "--json")[1])

    def current(text_part):
        out = json.loads(run(capsys, "propositions", "list", "--json")[1])
        return next(p for p in out if text_part in p["text"])

    assert run(capsys, "propositions", "edit", str(hiking["id"]), "--decay", "9")[0] == 0
    after = current("hiking")
    assert after["decay"] == 9 and after["confidence"] == hiking["confidence"]
    assert not after["user_confirmed"] and shown(after["id"])["origin"] == hiking.get("origin", "rule")

    assert run(capsys, "propositions", "edit", str(after["id"]), "--confidence", "4")[0] == 0
    after = current("hiking")
    assert after["confidence"] == 4 and after["user_confirmed"]

    assert run(capsys, "propositions", "edit", str(cello["id"]), "The user plays the cello in an orchestra.")[0] == 0
    after = current("orchestra")
    assert after["confidence"] == 10 and after["user_confirmed"]


def test_forget_by_external_id_retracts_what_rested_on_it(capsys):
    run(capsys, "observe", "--source", "chat", "--id", "m1", "I'm vegetarian.")
    run(capsys, "observe", "--source", "chat", "--id", "m2", "I play the violin.")
    run(capsys, "process")
    code, out, _ = run(capsys, "forget", "--external-id", "m1")
    assert code == 0 and "forgot 1 observation" in out and "retracted 1" in out
    code, out, _ = run(capsys, "recall", "diet", "--json")
    assert all("vegetarian" not in r["text"] for r in json.loads(out)["results"])
    code, _, err = run(capsys, "forget")
    assert code == 2 and "Say what to forget" in err


def test_forget_all_needs_yes_when_not_interactive(capsys, familiar_home, monkeypatch):
    secret = "quokka-marmalade-77"
    run(capsys, "observe", "--source", "note", f"I collect {secret} jars.")
    run(capsys, "process")
    monkeypatch.setattr(sys, "stdin", open(os.devnull))
    code, _, err = run(capsys, "forget", "--all")
    assert code == 2 and "--yes" in err
    assert run(capsys, "forget", "--all", "--yes")[0] == 0
    for f in (familiar_home / "data").rglob("*"):
        if f.is_file():
            assert secret.encode() not in f.read_bytes(), f


def test_every_subcommand_has_help(capsys):
    parser = _parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    names = list(sub.choices)
    assert {"observe", "ingest", "process", "recall", "propositions", "forget", "reindex",
            "models", "status"} <= set(names)
    for name in names:
        with pytest.raises(SystemExit) as e:
            main([name, "--help"])
        assert e.value.code == 0
        assert "usage: familiar" in capsys.readouterr().out
    for action in ["list", "show", "edit", "confirm", "reject", "delete"]:
        with pytest.raises(SystemExit):
            main(["propositions", action, "--help"])
        assert "usage: familiar propositions" in capsys.readouterr().out


def test_reindex_rebuilds_from_the_ledger(capsys, familiar_home):
    run(capsys, "observe", "--source", "chat", "I'm vegetarian.")
    run(capsys, "process")
    code, out, _ = run(capsys, "reindex")
    assert code == 0 and "1 proposition" in out
    code, out, _ = run(capsys, "recall", "food", "--json")
    assert "vegetarian" in json.loads(out)["results"][0]["text"]


@pytest.mark.parametrize("argv, message", [
    (["observe", "--source", "chat", ""], "empty"),
    (["observe", "--source", "chat", "   \n "], "empty"),
    (["observe", "--source", "chat", "--at", "yesterday", "hi there"], "ISO 8601"),
    (["observe", "--source", "chat", "--at", "2999-01-01T00:00:00", "hi there"], "future"),
    (["recall", "  "], "empty"),
    (["propositions", "show", "999"], "no proposition 999"),
    (["propositions", "edit", "999", "x"], "no proposition 999"),
])
def test_bad_input_gets_one_line_and_changes_nothing(capsys, familiar_home, argv, message):
    run(capsys, "observe", "--source", "chat", "I'm vegetarian.")
    run(capsys, "process")
    before = snapshot(familiar_home)
    code, out, err = run(capsys, *argv)
    assert code != 0
    assert message in err and len(err.strip().splitlines()) == 1
    assert snapshot(familiar_home) == before


def test_five_megabytes_of_text_is_refused(capsys, familiar_home):
    before = snapshot(familiar_home)
    code, _, err = run(capsys, "observe", "--source", "note", "x" * 5_000_000)
    assert code == 2 and "limit" in err
    assert snapshot(familiar_home) == before or "ledger.sqlite3" not in str(before)


def _cli(home, *argv, stdin=b""):
    env = {**os.environ, "FAMILIAR_HOME": str(home), "FAMILIAR_LLM__BACKEND": "none"}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *argv], input=stdin,
                          capture_output=True, env=env, timeout=120)


def test_stdin_text_and_invalid_utf8(familiar_home):
    ok = _cli(familiar_home, "observe", "--source", "note", "-", stdin="I'm a night owl ☕".encode())
    assert ok.returncode == 0, ok.stderr
    before = snapshot(familiar_home)
    bad = _cli(familiar_home, "observe", "--source", "note", "-", stdin=b"caf\xe9 \xff\xfe")
    assert bad.returncode == 2 and b"not valid UTF-8" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert snapshot(familiar_home) == before
    huge = _cli(familiar_home, "observe", "--source", "note", "-", stdin=b"word " * 1_000_000)
    assert huge.returncode == 2 and b"limit" in huge.stderr
    assert snapshot(familiar_home) == before


@pytest.mark.parametrize("lines, message", [
    ([b'{"source": "chat", "text": "fine"}', b"{not json"], "Line 2 is not valid JSON"),
    ([b'{"source": "chat", "text": "fine"}', b'{"source": "chat"}'], "Line 2 needs a string 'text'"),
    ([b'{"source": "fax", "text": "fine"}'], "Unknown source"),
    ([b'{"source": "chat", "text": "ok", "color": 1}'], "unknown field"),
    ([b'["a"]'], "not a JSON object"),
    ([b'{"source": "chat", "text": "caf\xe9"}'], "not valid UTF-8"),
    ([b'{"source": "chat", "text": "\\u0000bin"}'], "binary"),
    ([b""], "no observations"),
])
def test_ingest_is_all_or_nothing(tmp_path, familiar_home, capsys, lines, message):
    run(capsys, "observe", "--source", "chat", "I'm vegetarian.")
    before = snapshot(familiar_home)
    f = tmp_path / "in.jsonl"
    f.write_bytes(b"\n".join(lines))
    code, _, err = run(capsys, "ingest", str(f))
    assert code == 2 and message in err, err
    assert snapshot(familiar_home) == before


def test_ingest_stores_every_line_once(tmp_path, capsys):
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps({"source": "chat", "text": t, "id": f"x{i}",
                                       "at": "2026-01-02T10:00:00Z"})
                           for i, t in enumerate(["I'm vegan.", "I live in Oslo."])))
    assert run(capsys, "ingest", str(f))[0] == 0
    code, out, _ = run(capsys, "ingest", str(f))
    assert "0 observation(s), 2 already stored" in out
    code, out, _ = run(capsys, "status", "--json")
    assert json.loads(out)["observations"] == 2


def test_a_data_dir_that_is_not_writable(tmp_path, capsys):
    if os.geteuid() == 0:
        target = Path("/proc/familiar-cannot-write-here")
    else:
        target = tmp_path / "ro"
        target.mkdir()
        target.chmod(0o500)
    code, _, err = run(capsys, "--home", str(target), "observe", "--source", "chat", "hello there")
    assert code == 1 and "not writable" in err and len(err.strip().splitlines()) == 1


def test_missing_or_corrupt_gguf_and_dead_server(tmp_path, capsys, monkeypatch):
    run(capsys, "observe", "--source", "chat", "I'm vegetarian.")
    bogus = tmp_path / "model.gguf"
    bogus.write_bytes(b"not a model at all")
    for env in ({"FAMILIAR_LLM__BACKEND": "gguf", "FAMILIAR_LLM__MODEL": str(tmp_path / "nope.gguf")},
                {"FAMILIAR_LLM__BACKEND": "gguf", "FAMILIAR_LLM__MODEL": str(bogus)},
                {"FAMILIAR_LLM__BACKEND": "server", "FAMILIAR_LLM__URL": "http://127.0.0.1:9",
                 "FAMILIAR_LLM__TIMEOUT_S": "2"}):
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        code, out, err = run(capsys, "process")
        assert code == 1, (env, out, err)
        assert err.count("\n") == 1 and ("GGUF" in err or "gguf" in err or "reach" in err), err
        # the observation is kept pending for a working model
        code, out, _ = run(capsys, "status", "--json")
        assert json.loads(out)["pending"] == 1


def test_a_corrupted_index_is_rebuilt_with_a_message(capsys, familiar_home):
    run(capsys, "observe", "--source", "chat", "I'm vegetarian.")
    run(capsys, "process")
    index = familiar_home / "data" / "index"
    for f in index.rglob("*"):
        if f.is_file():
            f.write_bytes(b"garbage" * 100)
    code, out, err = run(capsys, "recall", "food", "--json")
    assert code == 0, err
    assert "rebuilt" in err
    assert "vegetarian" in json.loads(out)["results"][0]["text"]


def test_bad_settings_are_reported(capsys, monkeypatch):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "quantum")
    code, _, err = run(capsys, "status")
    assert code == 2 and "invalid settings" in err

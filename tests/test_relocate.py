"""Moving the data dir: `familiar move-data DIR` and Familiar.move_data (the app's Move
button). Real SQLite, Chroma and MiniLM; nothing is lost when a move fails."""

from __future__ import annotations

import json
import shutil
import stat
import tomllib

import pytest

from assistant.errors import StorageError, UsageError
from assistant.services import NewObservation
from tests.test_cli import run, snapshot


def files_under(path):
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


def learned(fam) -> list[str]:
    return sorted(p.text for p in fam.ledger.list_propositions())


def seed(fam) -> None:
    fam.observe(NewObservation("chat", "I'm vegetarian.", external_id="m1"))
    fam.observe(NewObservation("chat", "I play the cello.", external_id="m2"))
    fam.user_model.process()


def test_move_data_from_the_command_line(capsys, familiar_home, tmp_path, monkeypatch):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")
    assert run(capsys, "observe", "--source", "chat", "--id", "m1", "I'm vegetarian.")[0] == 0
    assert run(capsys, "process")[0] == 0
    before = run(capsys, "recall", "dinner", "--json")[1]
    old = familiar_home / "data"
    moved_files = files_under(old)
    target = tmp_path / "elsewhere" / "familiar-data"
    target.parent.mkdir()

    code, out, err = run(capsys, "move-data", str(target), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["to"] == str(target) and report["files"] == len(moved_files) > 0
    assert report["left_behind"] is None
    assert not old.exists()
    assert files_under(target) == moved_files
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    config = tomllib.loads((familiar_home / "config" / "settings.toml").read_text())
    assert config["memory"]["data_dir"] == str(target)

    # the next commands use the new place, with everything in it
    assert json.loads(run(capsys, "status", "--json")[1])["data_dir"] == str(target)
    assert json.loads(run(capsys, "recall", "dinner", "--json")[1])["results"] == \
        json.loads(before)["results"]
    assert run(capsys, "observe", "--source", "chat", "--id", "m2", "I play the cello.")[0] == 0
    assert run(capsys, "process")[0] == 0
    assert not old.exists()
    out = run(capsys, "recall", "music", "--json")[1]
    assert json.loads(out)["results"][0]["text"] == "The user plays the cello."


@pytest.mark.parametrize("where", ["non-empty", "inside", "same", "no-parent"])
def test_a_target_that_cannot_take_the_data_changes_nothing(capsys, familiar_home, tmp_path,
                                                            monkeypatch, where):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")
    run(capsys, "observe", "--source", "chat", "I'm vegetarian.")
    run(capsys, "process")
    data = familiar_home / "data"
    target = {"non-empty": tmp_path / "full", "inside": data / "sub", "same": data,
              "no-parent": tmp_path / "missing" / "dir"}[where]
    if where == "non-empty":
        target.mkdir()
        (target / "keep.txt").write_text("mine")
    before = snapshot(familiar_home)
    code, out, err = run(capsys, "move-data", str(target))
    assert code != 0 and err.count("\n") == 1 and "familiar: error:" in err
    assert snapshot(familiar_home) == before
    assert not (familiar_home / "config" / "settings.toml").exists()
    if where == "non-empty":
        assert files_under(target) == ["keep.txt"]


def test_the_environment_choosing_the_data_dir_is_not_overruled(capsys, familiar_home, tmp_path,
                                                                monkeypatch):
    chosen = tmp_path / "chosen"
    monkeypatch.setenv("FAMILIAR_MEMORY__DATA_DIR", str(chosen))
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")
    assert run(capsys, "observe", "--source", "chat", "I'm vegetarian.")[0] == 0
    assert (chosen / "ledger.sqlite3").exists()  # the setting is where the data lives
    code, _, err = run(capsys, "move-data", str(tmp_path / "other"))
    assert code != 0 and "FAMILIAR_MEMORY__DATA_DIR is set" in err
    assert (chosen / "ledger.sqlite3").exists() and not (tmp_path / "other").exists()


def test_a_running_familiar_moves_and_goes_on(make_familiar, tmp_path):
    """The app's path: the index and embedder are open; after the move recall, learning
    and forgetting work on the new place, and the old one is gone."""
    fam = make_familiar()
    seed(fam)
    old = fam.settings.data_dir
    assert fam.recaller.recall("music", 1)[0].proposition.text == "The user plays the cello."
    seen = []
    report = fam.move_data(tmp_path / "new-home", progress=lambda done, total: seen.append((done, total)))
    assert fam.settings.data_dir == tmp_path / "new-home" and not old.exists()
    assert seen and seen[-1][0] == seen[-1][1] == report.bytes
    assert (tmp_path / "new-home" / "ledger.sqlite3").exists()
    assert fam.recaller.recall("music", 1)[0].proposition.text == "The user plays the cello."
    fam.observe(NewObservation("chat", "I'm allergic to peanuts.", external_id="m3"))
    fam.user_model.process()
    assert "The user is allergic to peanuts." in learned(fam)
    assert fam.recaller.recall("nut allergy", 1)[0].proposition.text == "The user is allergic to peanuts."
    fam.forget(everything=True)
    assert learned(fam) == []


def test_a_failed_copy_leaves_the_data_in_place_and_in_use(make_familiar, tmp_path, monkeypatch):
    fam = make_familiar()
    seed(fam)
    before = learned(fam)
    old = fam.settings.data_dir
    files = files_under(old)
    calls = [0]
    real_copy = shutil.copy2

    def failing_copy(src, dst, **kw):
        calls[0] += 1
        if calls[0] == 2:
            raise OSError(28, "No space left on device")
        return real_copy(src, dst, **kw)

    monkeypatch.setattr(shutil, "copy2", failing_copy)
    target = tmp_path / "new-home"
    with pytest.raises(StorageError, match="No space left on device.*Nothing was moved"):
        fam.move_data(target)
    monkeypatch.setattr(shutil, "copy2", real_copy)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if "moving" in p.name] == []  # no staging left
    assert fam.settings.data_dir == old and files_under(old) == files
    assert learned(fam) == before
    assert fam.recaller.recall("music", 1)[0].proposition.text == "The user plays the cello."
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(UsageError, match="not empty"):
        fam.move_data(tmp_path / "full")
    assert learned(fam) == before

"""Saving settings from the app: settings.toml keeps what it had, gets the changed keys,
and is read back by a fresh start; bad values are refused before anything is written."""

from __future__ import annotations

import tomllib

import pytest

from assistant import settings_store
from assistant.errors import UsageError
from assistant.settings import load_settings


def test_dumps_round_trips_through_tomllib():
    data = {"llm": {"backend": "server", "url": 'http://h:8080/v1?a="b"\\c', "n_ctx": 2048},
            "capture": {"excluded_apps": ["KeePassXC", "Signal — Ü"], "keep_screenshots": False,
                        "interval_s": 2.5, "excluded_titles": ["^Private .*$", "tab\tname"]}}
    assert tomllib.loads(settings_store.dumps(data)) == data


def test_save_writes_the_changes_keeps_the_rest_and_a_fresh_start_reads_them(familiar_home):
    path = familiar_home / "config" / "settings.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[recall]\nk = 7\n\n[capture]\nidle_after_s = 60.0\n')
    settings = load_settings(familiar_home)
    new = settings_store.save(settings, {"capture": {"interval_s": 4.0, "excluded_apps": ["Slack"]},
                                         "llm": {"backend": "none"}})
    assert new.capture.interval_s == 4.0 and new.capture.idle_after_s == 60.0
    assert new.recall.k == 7 and new.llm.backend == "none"
    written = tomllib.loads(path.read_text())
    assert written == {"recall": {"k": 7}, "capture": {"idle_after_s": 60.0, "interval_s": 4.0,
                                                       "excluded_apps": ["Slack"]},
                       "llm": {"backend": "none"}}
    again = load_settings(familiar_home)
    assert (again.capture.interval_s, again.capture.excluded_apps, again.recall.k) == (4.0, ["Slack"], 7)


def test_none_removes_a_key(familiar_home):
    settings = load_settings(familiar_home)
    settings = settings_store.save(settings, {"llm": {"backend": "server", "url": "http://x:1/v1"}})
    settings = settings_store.save(settings, {"llm": {"backend": "embedded", "url": None}})
    assert settings.llm.url is None
    text = (familiar_home / "config" / "settings.toml").read_text()
    assert "url" not in text and 'backend = "embedded"' in text


def test_a_bad_value_is_refused_and_nothing_is_written(familiar_home):
    settings = load_settings(familiar_home)
    with pytest.raises(UsageError, match=r"\[capture\]"):
        settings_store.save(settings, {"capture": {"interval_s": 0.01}})
    with pytest.raises(UsageError, match="no settings section"):
        settings_store.save(settings, {"nonsense": {"a": 1}})
    assert not (familiar_home / "config" / "settings.toml").exists()


def test_the_model_name_counts_as_chosen_only_when_changed(familiar_home):
    settings = load_settings(familiar_home)
    url_only = settings_store.updated(settings, {"llm": {"backend": "server", "url": "http://x/v1"}})
    assert "model" not in url_only.llm.model_fields_set  # the server picks its own model
    named = settings_store.updated(settings, {"llm": {"backend": "server", "model": "qwen"}})
    assert "model" in named.llm.model_fields_set


def test_apply_rebuilds_the_model_and_the_recaller_on_next_use(make_familiar):
    fam = make_familiar()
    assert fam.llm is None and fam.recaller is not None
    old_recaller = fam.recaller
    new = settings_store.updated(fam.settings, {"llm": {"backend": "embedded"}, "recall": {"k": 9}})
    settings_store.apply(fam, new)
    assert fam.settings.recall.k == 9
    assert fam.recaller is not old_recaller and fam.recaller.settings.k == 9
    assert fam.llm is not None  # built again from the new settings (weights load on first use)


def test_env_overrides_names_the_variables_that_win(monkeypatch):
    monkeypatch.setenv("FAMILIAR_CAPTURE__INTERVAL_S", "3")
    assert settings_store.env_overrides({"capture": {"interval_s": 5.0, "idle_after_s": 60.0}}) == [
        "FAMILIAR_CAPTURE__INTERVAL_S"]

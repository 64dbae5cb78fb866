from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.settings import Settings, config_file, load_settings


def test_home_redirects_every_path(tmp_path):
    s = load_settings(tmp_path)
    for p in (s.data_dir, s.config_dir, s.cache_dir, s.log_dir, s.ledger_path, s.index_dir):
        assert str(p).startswith(str(tmp_path))


def test_familiar_home_env_is_used(familiar_home):
    assert str(Settings().data_dir).startswith(str(familiar_home))


def test_nested_env_vars_and_the_settings_file(familiar_home, monkeypatch):
    f = config_file(familiar_home)
    f.parent.mkdir(parents=True)
    f.write_text('[llm]\nbackend = "gguf"\nmodel = "/models/a.gguf"\n[recall]\nk = 7\n')
    s = Settings()
    assert (s.llm.backend, s.llm.model, s.recall.k) == ("gguf", "/models/a.gguf", 7)
    monkeypatch.setenv("FAMILIAR_LLM__MODEL", "/models/b.gguf")
    s = Settings()
    assert s.llm.model == "/models/b.gguf" and s.llm.backend == "gguf"  # env beats the file


def test_typos_fail_loudly(familiar_home, monkeypatch):
    with pytest.raises(ValidationError):
        load_settings(familiar_home, llm={"bakend": "none"})
    monkeypatch.setenv("FAMILIAR_RECALL__K", "zero")
    with pytest.raises(ValidationError):
        Settings()

"""The vector index on a real Chroma server (`chroma run`, started here on loopback):
the recall, forget and reindex behaviours of the embedded index, several devices on one
collection, and a server that goes away and comes back."""

from __future__ import annotations

import functools
import json

import pytest

from assistant.cli import main
from tests import test_cli, test_recall
from tests.servers import ChromaServer


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma") / "data").start()
    yield server
    server.stop()


@pytest.fixture
def server_make_familiar(make_familiar, chroma_server):
    return functools.partial(make_familiar, memory={"chroma_url": chroma_server.url})


@pytest.fixture
def server_env(monkeypatch, chroma_server):
    monkeypatch.setenv("FAMILIAR_MEMORY__CHROMA_URL", chroma_server.url)
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")


# -- the embedded index's behaviours, on the server ------------------------------------
RECALL_TESTS = [
    test_recall.test_recall_finds_by_meaning_and_carries_evidence,
    test_recall.test_fresh_durable_beats_stale_fleeting_for_the_same_relevance,
    test_recall.test_confidence_weighs_in,
    test_recall.test_keyword_match_rescues_rare_names,
    test_recall.test_mmr_prefers_variety_over_near_copies,
    test_recall.test_only_current_propositions_are_recalled,
]


@pytest.mark.parametrize("behaviour", RECALL_TESTS, ids=lambda f: f.__name__[5:])
def test_recall_behaviour_on_the_server(behaviour, server_make_familiar):
    fam = server_make_familiar()
    from memory.server_index import ServerIndex

    assert isinstance(fam.memory.index, ServerIndex)
    behaviour(fam)


def test_an_index_that_fell_behind_heals_on_the_server(server_make_familiar):
    test_recall.test_an_index_that_fell_behind_the_ledger_heals(server_make_familiar)


CLI_TESTS = [
    test_cli.test_the_issue_example_end_to_end,
    test_cli.test_review_commands,
    test_cli.test_forget_by_external_id_retracts_what_rested_on_it,
]


@pytest.mark.parametrize("behaviour", CLI_TESTS, ids=lambda f: f.__name__[5:])
def test_cli_behaviour_on_the_server(behaviour, capsys, server_env):
    behaviour(capsys)


def test_reindex_on_the_server(capsys, familiar_home, server_env):
    test_cli.test_reindex_rebuilds_from_the_ledger(capsys, familiar_home)
    code, out, _ = test_cli.run(capsys, "status", "--json")
    assert json.loads(out)["index"].startswith("http://127.0.0.1:")


# -- several devices, one collection ------------------------------------------------------
def test_two_devices_share_a_collection_without_overwriting_each_other(
        tmp_path, monkeypatch, chroma_server):
    from assistant.services import Familiar
    from assistant.settings import load_settings

    def device(name):
        return Familiar(load_settings(tmp_path / name, llm={"backend": "none"},
                                      memory={"chroma_url": chroma_server.url,
                                              "collection": "shared-by-two"}))

    laptop, desktop = device("laptop"), device("desktop")
    try:
        a = test_recall.add(laptop, "The user is vegetarian.")
        b = test_recall.add(desktop, "The user plays the cello.")
        assert a == b == 1  # both ledgers number from 1: the index must keep them apart
        assert laptop.memory.index.device != desktop.memory.index.device
        assert test_recall.texts(laptop.recaller.recall("music")) == ["The user is vegetarian."]
        assert test_recall.texts(desktop.recaller.recall("food")) == ["The user plays the cello."]
        laptop.reindex()  # drops and rebuilds the laptop's entries only
        assert desktop.memory.in_step() and laptop.memory.in_step()
        assert laptop.memory.index.count() == desktop.memory.index.count() == 1
    finally:
        laptop.close()
        desktop.close()


# -- the server goes away and comes back -------------------------------------------------
def test_nothing_is_lost_while_the_server_is_down(tmp_path, capsys, monkeypatch):
    server = ChromaServer(tmp_path / "chroma-data").start()
    monkeypatch.setenv("FAMILIAR_MEMORY__CHROMA_URL", server.url)
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")
    run = functools.partial(test_cli.run, capsys)
    try:
        run("observe", "--source", "chat", "--id", "m1", "I'm vegetarian.")
        assert run("process")[0] == 0
        server.stop()

        code, out, err = run("observe", "--source", "chat", "--id", "m2", "I play the cello.")
        assert code == 0
        code, out, err = run("process")
        assert code == 0 and "1 new proposition" in out
        assert "Chroma server" in err and "unreachable" in err

        from assistant.services import Familiar
        from assistant.settings import load_settings

        fam = Familiar(load_settings())
        try:
            assert fam.ledger.index_queue()  # the cello waits for the index
        finally:
            fam.close()

        code, out, err = run("recall", "what music does the user play?", "--json")
        assert code == 0
        data = json.loads(out)
        assert "unreachable" in data["notice"] and "ledger" in data["notice"]
        assert data["results"][0]["text"] == "The user plays the cello."
        assert "vegetarian" in run("recall", "dinner", "--json")[1]

        code, _, err = run("reindex")  # one clear line, not a traceback
        assert code == 1 and "Cannot rebuild the index" in err

        server.start()
        fam = Familiar(load_settings())
        try:
            assert fam.memory.in_step()  # the queue drained on start
            assert not fam.ledger.index_queue()
            assert fam.notices == []
        finally:
            fam.close()
        code, out, err = run("recall", "what music does the user play?", "--json")
        data = json.loads(out)
        assert "notice" not in data
        assert data["results"][0]["text"] == "The user plays the cello."
    finally:
        server.stop()


def test_a_reindex_while_the_server_is_down_says_so(tmp_path, capsys, monkeypatch):
    from tests.servers import free_port

    monkeypatch.setenv("FAMILIAR_MEMORY__CHROMA_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")
    code, out, err = test_cli.run(capsys, "reindex")
    assert code == 1
    assert err.count("\n") == 1 and "Cannot rebuild the index" in err and "unreachable" in err


# -- the app while the server is away ----------------------------------------------------
def test_the_app_shows_while_the_server_is_down_and_clears_when_it_is_back(
        qtbot, make_familiar, tmp_path):
    """Mid-session, not only at start: the banner appears when recall falls back to
    the ledger, the answers still come, and the banner goes when the server is back."""
    pytest.importorskip("pytestqt")
    from tests.test_ui import WAIT, seed
    from ui.app import FamiliarApp

    server = ChromaServer(tmp_path / "chroma-data").start()
    app = None
    try:
        fam = make_familiar(memory={"chroma_url": server.url})
        seed(fam, "I play the cello.", "I'm vegetarian.")
        app = FamiliarApp(fam, capture=False, first_run=False, modal_errors=False, background=False)
        qtbot.addWidget(app.window)
        app.start()
        qtbot.waitUntil(lambda: app.controller.is_ready, timeout=WAIT)
        banner = app.window.banner
        assert banner.isHidden()

        found = []
        server.stop()
        app.controller.recall("what music does the user play?", found.append)
        qtbot.waitUntil(lambda: bool(found), timeout=WAIT)
        assert found[0][0].proposition.text == "The user plays the cello."  # from the ledger
        qtbot.waitUntil(lambda: not banner.isHidden(), timeout=WAIT)
        assert "unreachable" in banner.text() and "ledger" in banner.text()
        assert "Chroma server" in app.window.message.text()

        server.start()
        fam.memory.index.retry_now()  # instead of waiting out the back-off
        found.clear()
        app.controller.recall("what music does the user play?", found.append)
        qtbot.waitUntil(lambda: bool(found), timeout=WAIT)
        qtbot.waitUntil(banner.isHidden, timeout=WAIT)
        assert fam.notices == []
    finally:
        if app is not None:
            app.quit()
        server.stop()

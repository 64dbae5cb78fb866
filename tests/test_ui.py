"""The desktop app, driven through its real widgets, on the real services (SQLite,
Chroma, MiniLM) with a scripted model. Qt runs offscreen."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPushButton  # noqa: E402

from assistant.services import NewObservation  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from tests.fakes import ScriptedLLM  # noqa: E402

WAIT = 60_000  # ms; the first use loads the embedder


def seed(fam, *messages: str, **kw) -> None:
    for text in messages:
        fam.observe(NewObservation(source="chat", text=text, **kw))
    fam.user_model.process()


def give_model(fam, llm) -> None:
    """Seeded without a model (rules only); chat with the scripted one."""
    fam.__dict__["llm"] = llm
    fam.__dict__.pop("user_model", None)


@pytest.fixture
def make_app(qtbot, make_familiar):
    from ui.app import FamiliarApp

    apps = []

    def make(fam=None, *, first_run: bool = False, **kw):
        fam = fam or make_familiar()
        app = FamiliarApp(fam, capture=False, first_run=first_run, modal_errors=False,
                          background=False, **kw)
        qtbot.addWidget(app.window)
        apps.append(app)
        app.start()
        qtbot.waitUntil(lambda: app.controller.is_ready, timeout=WAIT)
        return app

    yield make
    for app in apps:
        app.quit()


def texts(view) -> list[str]:
    return [p.text for p in view.model.rows]


def row_of(view, text: str):
    proxy = view.proxy
    for r in range(proxy.rowCount()):
        if proxy.row_at(proxy.index(r, 0)).text == text:
            return r
    raise AssertionError(f"{text!r} is not in the table: {texts(view)}")


# -- chat ----------------------------------------------------------------------------------
def test_chat_streams_the_answer_and_shows_the_propositions_it_used(qtbot, make_familiar, make_app):
    fam = make_familiar()
    seed(fam, "I'm vegetarian and I can't stand cilantro.")
    answer = "How about a chickpea curry, without cilantro?"
    llm = ScriptedLLM([answer])
    give_model(fam, llm)
    app = make_app(fam)
    view = app.window.chat
    streamed: list[str] = []
    original = view._token
    view._token = lambda t: (streamed.append(t), original(t))

    qtbot.keyClicks(view.input, "What should I cook tonight?")
    qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.streaming is None, timeout=WAIT)

    assert len(streamed) > 1 and "".join(streamed) == answer  # it came token by token
    reply = view.messages[-1]
    assert reply.body.text() == answer
    prompt = " ".join(m["content"] for m in llm.history[-1]["messages"])
    assert "vegetarian" in prompt
    buttons = reply.used_box.findChildren(QPushButton, "usedProposition")
    used = {b.property("proposition_id"): b for b in buttons}
    vegetarian = next(p for p in fam.ledger.list_propositions() if "vegetarian" in p.text)
    assert vegetarian.id in used
    assert view.conversation_id is not None

    # clicking one opens it with its evidence: the message it was learned from
    qtbot.mouseClick(used[vegetarian.id], Qt.MouseButton.LeftButton)
    dialog = view.dialog
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    assert dialog.text.toPlainText() == vegetarian.text
    assert any("vegetarian" in e.text for e in dialog.evidence_model.rows)
    dialog.close()


def test_an_edited_answer_is_kept_and_shown_in_the_history(qtbot, make_familiar, make_app,
                                                            monkeypatch):
    from ui.views.chat import EditDraftDialog

    fam = make_familiar()
    give_model(fam, ScriptedLLM(["Sure! Here is a long and chatty answer about pasta."]))
    app = make_app(fam)
    view = app.window.chat
    qtbot.keyClicks(view.input, "Give me a pasta idea")
    qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.streaming is None, timeout=WAIT)
    reply = view.messages[-1]

    def edit_and_save(dialog):
        dialog.editor.setPlainText("Pasta e ceci.")
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(EditDraftDialog, "exec", edit_and_save)
    qtbot.mouseClick(reply.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reply.edited.isVisible(), timeout=WAIT)

    cid = view.conversation_id
    stored = fam.conversation_messages(cid)
    assert stored[-1].edited_text == "Pasta e ceci."
    assert any(o.source == "edit" for o in fam.ledger.recent_observations(5))

    # a new conversation, then the old one from the history list
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    assert view.messages == [] and view.conversation_id is None
    qtbot.waitUntil(lambda: view.history_model.rowCount() == 1, timeout=WAIT)
    index = view.history_model.index(0, 0)
    view.history.clicked.emit(index)
    qtbot.waitUntil(lambda: len(view.messages) == 2, timeout=WAIT)
    assert view.conversation_id == cid
    assert view.messages[1].edited.text() == "Your edit: Pasta e ceci."


def test_chat_without_a_model_says_what_to_do(qtbot, make_app):
    app = make_app()  # backend none
    view = app.window.chat
    qtbot.keyClicks(view.input, "hello")
    qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.streaming is None, timeout=WAIT)
    qtbot.waitUntil(lambda: bool(app.reporter.shown), timeout=WAIT)
    title, message = app.reporter.shown[-1]
    assert "FAMILIAR_LLM__BACKEND=embedded" in message
    assert "FAMILIAR_LLM__BACKEND=embedded" in view.messages[-1].body.text()
    assert view.send_button.isEnabled()


# -- what I know about you -------------------------------------------------------------------
def test_editing_a_proposition_in_the_table_changes_recall(qtbot, make_familiar, make_app):
    fam = make_familiar()
    seed(fam, "I'm vegetarian.", "I live in Lisbon.")
    app = make_app(fam)
    view = app.window.knowledge
    app.window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: "The user is vegetarian." in texts(view), timeout=WAIT)

    # edit the text in place, as a user does: select the cell, type, Enter
    index = view.proxy.index(row_of(view, "The user is vegetarian."), view.model.TEXT)
    view.table.setCurrentIndex(index)
    view.table.edit(index)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "The user eats fish but no meat.")
    with qtbot.waitSignal(app.controller.propositions_changed, timeout=WAIT):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "The user eats fish but no meat." in texts(view), timeout=WAIT)
    assert "The user is vegetarian." not in texts(view)

    # search by meaning, in the app: the edit is what recall finds now
    qtbot.keyClicks(view.search, "does the user eat fish?")
    qtbot.mouseClick(view.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.model.scores is not None, timeout=WAIT)
    assert texts(view)[0] == "The user eats fish but no meat."
    edited = view.model.rows[0]
    assert edited.user_confirmed and edited.origin == "user"
    assert all(r.proposition.text != "The user is vegetarian."
               for r in fam.recaller.recall("vegetarian food", 5))

    # and the change is in the proposition's history
    qtbot.mouseClick(view.show_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.model.scores is None and view.model.rowCount() == 2, timeout=WAIT)
    dialog = view.open(edited.id)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    assert any("edited by the user" in r.reason for r in dialog.history_model.rows)


def test_rejecting_a_proposition_removes_it_from_the_table_and_from_recall(qtbot, make_familiar,
                                                                           make_app):
    fam = make_familiar()
    seed(fam, "I'm vegetarian.", "I live in Lisbon.")
    app = make_app(fam)
    view = app.window.knowledge
    qtbot.waitUntil(lambda: len(texts(view)) == 2, timeout=WAIT)
    target = next(p for p in view.model.rows if "Lisbon" in p.text)

    view.table.selectRow(row_of(view, target.text))
    assert view.reject_button.isEnabled()
    with qtbot.waitSignal(app.controller.propositions_changed, timeout=WAIT):
        qtbot.mouseClick(view.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: target.text not in texts(view), timeout=WAIT)
    assert texts(view) == ["The user is vegetarian."]
    assert fam.get_proposition(target.id).status == "retracted"
    assert all(r.proposition.id != target.id for r in fam.recaller.recall("where does the user live", 5))


def test_bulk_confirm_and_forget_evidence(qtbot, make_familiar, make_app, monkeypatch):
    from ui.dialogs import ask

    monkeypatch.setattr(ask, "confirm", lambda *a, **k: True)
    fam = make_familiar()
    seed(fam, "I'm vegetarian.", "I live in Lisbon.", "I have two cats.")
    app = make_app(fam)
    view = app.window.knowledge
    qtbot.waitUntil(lambda: len(texts(view)) == 3, timeout=WAIT)
    view.table.selectAll()
    with qtbot.waitSignal(app.controller.propositions_changed, timeout=WAIT):
        qtbot.mouseClick(view.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(p.user_confirmed for p in view.model.rows), timeout=WAIT)

    cats = next(p for p in fam.ledger.list_propositions() if "cats" in p.text)
    view.table.clearSelection()
    view.table.selectRow(row_of(view, cats.text))
    evidence = [e.observation_id for e in cats.evidence]
    with qtbot.waitSignal(app.controller.observations_changed, timeout=WAIT):
        qtbot.mouseClick(view.forget_button, Qt.MouseButton.LeftButton)
    assert fam.ledger.observations(evidence) == []


# -- activity, tray, settings -------------------------------------------------------------------
def test_pausing_capture_from_the_tray_menu(qtbot, make_app):
    app = make_app()
    fam = app.fam
    assert not fam.capture_state.get().paused
    tray = app.tray
    tray.menu.aboutToShow.emit()
    assert tray.pause_action.isVisible() and not tray.resume_action.isVisible()

    tray.pause_action.trigger()
    state = fam.capture_state.get()
    assert state.paused and state.until is not None  # for an hour
    assert "paused" in app.window.capture.text()
    assert "paused until" in app.window.activity.capture_label.text()
    assert app.window.activity.resume_button.isEnabled()
    assert tray.resume_action.isVisible() and not tray.pause_action.isVisible()

    tray.resume_action.trigger()
    assert not fam.capture_state.get().paused
    assert "capture on" in app.window.capture.text()


def test_closing_the_window_keeps_the_app_in_the_tray_and_quit_stops_it(qtbot, make_app,
                                                                          monkeypatch):
    from ui.tray import Tray

    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    app = make_app()
    app.window.close()
    assert app.window.isHidden() and not app.quitting
    app.tray.open_action.trigger()
    assert app.window.isVisible()
    app.tray.quit_action.trigger()
    assert app.quitting and app.window.isHidden()
    assert app.controller.work.submit(lambda job: None) is None  # no new work after Quit


def test_applying_a_setting_saves_it_and_takes_effect(qtbot, make_app, familiar_home):
    app = make_app()
    view = app.window.settings
    interval = view.editors["capture"]["interval_s"].widget
    interval.setValue(5.0)
    assert view.changes() == {"capture": {"interval_s": 5.0}}
    with qtbot.waitSignal(app.controller.settings_changed, timeout=WAIT):
        qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert app.fam.settings.capture.interval_s == 5.0
    assert "interval_s = 5.0" in (familiar_home / "config" / "settings.toml").read_text()
    assert load_settings(familiar_home).capture.interval_s == 5.0  # a fresh start reads it
    assert "in effect now" in view.result.text()
    assert view.changes() == {}


def test_a_bad_model_setting_is_tested_and_not_saved(qtbot, make_app, familiar_home, tmp_path):
    app = make_app()
    view = app.window.settings
    view.backend.setCurrentIndex(view.backend.findData("gguf"))
    missing = tmp_path / "nope.gguf"
    view.model.setEditText(str(missing))
    qtbot.mouseClick(view.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.test_button.isEnabled() and view.test_result.text() != "Testing…",
                    timeout=WAIT)
    assert "nope.gguf" in view.test_result.text()
    assert app.fam.settings.llm.backend == "none"


def test_excluding_an_app_and_forgetting_one(qtbot, make_familiar, make_app, familiar_home,
                                             monkeypatch):
    from ui.dialogs import ask

    monkeypatch.setattr(ask, "confirm", lambda *a, **k: True)
    fam = make_familiar()
    fam.observe(NewObservation(source="screen", text="Standup notes: ship the release",
                               app="Slack", window="general"))
    fam.observe(NewObservation(source="screen", text="def main(): pass", app="Code",
                               window="main.py"))
    app = make_app(fam)
    view = app.window.activity
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=WAIT)
    assert view.model.data(view.model.index(0, 2)) == "Code"

    view.app_to_exclude.setEditText("Signal")
    with qtbot.waitSignal(app.controller.settings_changed, timeout=WAIT):
        qtbot.mouseClick(view.add_app_button, Qt.MouseButton.LeftButton)
    assert [view.excluded_apps.item(i).text() for i in range(view.excluded_apps.count())] == ["Signal"]
    assert load_settings(familiar_home).capture.excluded_apps == ["Signal"]

    view.app_choice.setEditText("Slack")
    with qtbot.waitSignal(app.controller.observations_changed, timeout=WAIT):
        qtbot.mouseClick(view.forget_app_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=WAIT)
    assert [o.app for o in fam.ledger.recent_observations(10)] == ["Code"]


def test_first_run_asks_before_capture_and_remembers(qtbot, make_familiar, make_app):
    from ui import app_state

    fam = make_familiar()
    app = make_app(fam, first_run=True)
    assert fam.capture_state.get().paused  # nothing captured before the answer
    qtbot.waitUntil(lambda: getattr(app, "first_run_dialog", None) is not None, timeout=WAIT)
    dialog = app.first_run_dialog
    assert str(fam.settings.data_dir) in dialog.findChild(type(app.window.message)).text()
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert not fam.capture_state.get().paused
    assert app_state.load(fam.settings.config_dir).first_run_done
    app.quit()

    again = make_app(fam, first_run=True)
    qtbot.wait(50)
    assert getattr(again, "first_run_dialog", None) is None


def test_first_run_declined_keeps_capture_paused(qtbot, make_familiar, make_app):
    fam = make_familiar()
    app = make_app(fam, first_run=True)
    qtbot.waitUntil(lambda: getattr(app, "first_run_dialog", None) is not None, timeout=WAIT)
    qtbot.mouseClick(app.first_run_dialog.later_button, Qt.MouseButton.LeftButton)
    state = fam.capture_state.get()
    assert state.paused and state.until is None


def test_familiar_without_a_display_says_what_to_do(monkeypatch, capsys):
    from assistant.cli import main

    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main([]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "No display" in err and "familiar --help" in err


# -- suggestions and notifications ----------------------------------------------------------------
def test_suggestions_feed_with_why_and_feedback(qtbot, make_familiar, make_app):
    fam = make_familiar()
    seed(fam, "I'm vegetarian.", "I go climbing on Tuesday evenings.", "I'm learning Portuguese.")
    app = make_app(fam)
    view = app.window.suggestions
    assert view.available
    app.window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: len(view.cards) > 0, timeout=WAIT)
    card = view.cards[0]
    s = card.suggestion
    assert s.why and s.proposition_ids
    assert card.findChild(type(view.state), "suggestionWhy").text() == f"Why: {s.why}"

    with qtbot.waitSignal(app.controller.suggestions_changed, timeout=WAIT):
        qtbot.mouseClick(card.buttons["later"], Qt.MouseButton.LeftButton)
    assert fam.suggester.get(s.id).status == "later"
    qtbot.waitUntil(lambda: all(c.suggestion.id != s.id for c in view.cards), timeout=WAIT)

    if view.cards:
        other = view.cards[0].suggestion
        with qtbot.waitSignal(app.controller.suggestions_changed, timeout=WAIT):
            qtbot.mouseClick(view.cards[0].buttons["accept"], Qt.MouseButton.LeftButton)
        assert fam.suggester.get(other.id).status == "accepted"


def test_a_notification_goes_to_the_tray_and_into_the_log(qtbot, make_familiar, make_app):
    fam = make_familiar(notify={"threshold": -1, "quiet_start": "00:00", "quiet_end": "00:00"})
    seed(fam, "I'm vegetarian.", "I go climbing on Tuesday evenings.")
    app = make_app(fam)
    with qtbot.waitSignal(app.controller.suggestions_changed, timeout=WAIT):
        app.controller.notify_tick()
    qtbot.waitUntil(lambda: bool(app.tray.notifier.sent), timeout=WAIT)
    title, body, sid = app.tray.notifier.sent[-1]
    assert body == fam.suggester.get(sid).text
    view = app.window.suggestions
    qtbot.waitUntil(lambda: view.log_model.rowCount() > 0, timeout=WAIT)
    decision = view.log_model.rows[0]
    assert decision.notified and decision.suggestion_id == sid


def test_the_scheduled_job_notifies_by_itself(qtbot, make_familiar, make_app):
    """The app's apscheduler job, not a click: its run reaches the tray."""
    fam = make_familiar(notify={"threshold": -1, "quiet_start": "00:00", "quiet_end": "00:00"})
    seed(fam, "I'm vegetarian.", "I go climbing on Tuesday evenings.")
    app = make_app(fam)
    jobs = app.controller.jobs
    assert not jobs.running  # the tests' apps start without background work
    assert jobs.every("notify") == fam.settings.notify.interval_s
    assert jobs.every("process") is not None
    jobs.reschedule("notify", 0.2)
    jobs.start()
    qtbot.waitUntil(lambda: bool(app.tray.notifier.sent), timeout=WAIT)
    qtbot.waitUntil(lambda: bool(fam.notification_log()), timeout=WAIT)  # logged after it is sent
    assert fam.notification_log()[-1].notified
    app.controller.shutdown()
    assert not jobs.running


def test_adding_an_instruction_from_the_table(qtbot, make_app, monkeypatch):
    from ui.dialogs import ask

    monkeypatch.setattr(ask, "ask_text", lambda *a, **k: "Always use metric units")
    app = make_app()
    view = app.window.knowledge
    assert view.tell_button.isVisible() or not view.isVisible()
    with qtbot.waitSignal(app.controller.propositions_changed, timeout=WAIT):
        qtbot.mouseClick(view.tell_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any("metric units" in t for t in texts(view)), timeout=WAIT)
    p = next(p for p in view.model.rows if "metric units" in p.text)
    assert p.user_confirmed


def test_an_unexpected_error_is_logged_and_shown(qtbot, make_app, caplog):
    app = make_app()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        app.reporter._excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: bool(app.reporter.shown), timeout=WAIT)
    title, message = app.reporter.shown[-1]
    assert "RuntimeError: boom" in message and "familiar.log" in message
    assert any(r.levelname == "ERROR" and r.exc_info for r in caplog.records)


def test_forgetting_a_time_range_from_the_activity_tab(qtbot, make_familiar, make_app, monkeypatch):
    from datetime import timedelta

    from PySide6.QtCore import QDateTime

    from memory.timeutil import now_utc
    from ui.dialogs import ask

    monkeypatch.setattr(ask, "confirm", lambda *a, **k: True)
    fam = make_familiar()
    now = now_utc()
    fam.observe(NewObservation(source="chat", text="I'm vegetarian.", at=now - timedelta(hours=3)))
    fam.observe(NewObservation(source="chat", text="I live in Lisbon.", at=now - timedelta(minutes=30)))
    fam.user_model.process()
    app = make_app(fam)
    view = app.window.activity
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=WAIT)
    view.since.setDateTime(QDateTime.fromSecsSinceEpoch(int((now - timedelta(hours=1)).timestamp())))
    view.until.setDateTime(QDateTime.fromSecsSinceEpoch(int(now.timestamp()) + 60))
    with qtbot.waitSignal(app.controller.propositions_changed, timeout=WAIT):
        qtbot.mouseClick(view.forget_range_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=WAIT)
    assert [o.text for o in fam.ledger.recent_observations(10)] == ["I'm vegetarian."]
    assert [p.text for p in fam.ledger.list_propositions()] == ["The user is vegetarian."]
    assert "Forgot 1 observation(s); 1 proposition(s) retracted" in app.window.message.text()


def test_export_delete_everything_and_import_back(qtbot, make_familiar, make_app, monkeypatch,
                                                  tmp_path):
    from ui.dialogs import ask
    from ui.views import settings as settings_view

    monkeypatch.setattr(ask, "confirm", lambda *a, **k: True)
    target = tmp_path / "export.json"
    monkeypatch.setattr(settings_view.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    monkeypatch.setattr(settings_view.QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    fam = make_familiar()
    seed(fam, "I'm vegetarian.", "I live in Lisbon.")
    app = make_app(fam)
    view = app.window.settings
    knowledge = app.window.knowledge
    qtbot.waitUntil(lambda: len(texts(knowledge)) == 2, timeout=WAIT)

    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result.text().startswith("Exported"), timeout=WAIT)
    assert target.is_file()

    with qtbot.waitSignal(app.controller.propositions_changed, timeout=WAIT):
        qtbot.mouseClick(view.delete_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: texts(knowledge) == [], timeout=WAIT)
    assert fam.ledger.counts().observations == 0

    with qtbot.waitSignal(app.controller.propositions_changed, timeout=WAIT):
        qtbot.mouseClick(view.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(texts(knowledge)) == 2, timeout=WAIT)
    assert view.result.text().startswith("Imported")
    assert [r.proposition.text for r in fam.recaller.recall("vegetarian dinner", 1)] == [
        "The user is vegetarian."]

"""Reviewing what Familiar knows and what it suggests, through the widgets, on the real
services: sorting and filtering the table, correcting confidence and decay, deleting
one or many, and dismissing or muting suggestions; each checked in the ledger and in
recall, not only on screen."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QSpinBox  # noqa: E402

from tests.test_ui import WAIT, make_app, row_of, seed, texts  # noqa: E402,F401 - make_app: a fixture

FACTS = ("I'm vegetarian.", "I go climbing on Tuesday evenings.", "I'm learning Portuguese.",
         "I live in Lisbon.", "I have two cats.")
VEGETARIAN, CLIMBING, PORTUGUESE, LISBON, CATS = (
    "The user is vegetarian.", "The user goes climbing on Tuesday evenings.",
    "The user is learning Portuguese.", "The user lives in Lisbon.", "The user has two cats.")


@pytest.fixture
def knowing(qtbot, make_familiar, make_app):
    """The app on a Familiar that learned FACTS (rules only), its table on screen."""
    fam = make_familiar()
    seed(fam, *FACTS)
    app = make_app(fam)
    view = app.window.knowledge
    app.window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: len(texts(view)) == len(FACTS), timeout=WAIT)
    return fam, app, view


def shown(view, column: int | None = None) -> list:
    """What the table shows, top to bottom: the propositions, or one column's sort values."""
    proxy = view.proxy
    rows = [proxy.row_at(proxy.index(r, 0)) for r in range(proxy.rowCount())]
    if column is None:
        return [p.text for p in rows]
    return [view.model.columns[column].value(p) for p in rows]


def click_header(qtbot, view, column: int) -> None:
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def recalled_ids(fam, query: str) -> set[int]:
    return {r.proposition.id for r in fam.recaller.recall(query, 10)}


def current(fam, text: str):
    return next(p for p in fam.ledger.list_propositions(status="current") if p.text == text)


# -- what I know: sorting and filtering ---------------------------------------------------------
def test_sorting_by_a_column_header_and_filtering_by_words(qtbot, knowing):
    fam, app, view = knowing
    model = view.model

    click_header(qtbot, view, model.TEXT)
    first = view.table.horizontalHeader().sortIndicatorOrder()
    alphabetical = sorted(texts(view), key=str.casefold)
    assert shown(view) == (alphabetical if first == Qt.SortOrder.AscendingOrder
                           else alphabetical[::-1])
    click_header(qtbot, view, model.TEXT)  # again: the other way round
    assert shown(view) == (alphabetical[::-1] if first == Qt.SortOrder.AscendingOrder
                           else alphabetical)

    click_header(qtbot, view, model.CONFIDENCE)  # numbers sort as numbers
    values = shown(view, model.CONFIDENCE)
    order = view.table.horizontalHeader().sortIndicatorOrder()
    assert values == sorted(values, reverse=order == Qt.SortOrder.DescendingOrder)
    assert len(set(values)) > 1

    # the filter keeps rows with every word typed, in any column
    qtbot.keyClicks(view.filter, "lisbon")
    assert shown(view) == [LISBON]
    view.filter.clear()
    qtbot.keyClicks(view.filter, "USER two")
    assert shown(view) == [CATS]
    view.filter.clear()
    qtbot.keyClicks(view.filter, "zebra")
    assert shown(view) == []
    view.filter.clear()
    assert sorted(shown(view)) == sorted(texts(view)) and len(shown(view)) == len(FACTS)
    # a filter typed stays on when the ledger changes and the table is reloaded
    qtbot.keyClicks(view.filter, "cats")
    assert shown(view) == [CATS]
    with qtbot.waitSignal(app.controller.propositions_changed, timeout=WAIT):
        app.controller.confirm([current(fam, LISBON).id])
    qtbot.waitUntil(lambda: next(p for p in model.rows if p.text == LISBON).user_confirmed,
                    timeout=WAIT)
    assert shown(view) == [CATS]


# -- correcting confidence and decay --------------------------------------------------------------
def test_setting_confidence_in_the_table_and_decay_in_the_dialog(qtbot, knowing):
    fam, app, view = knowing
    cats = current(fam, CATS)

    index = view.proxy.index(row_of(view, CATS), view.model.CONFIDENCE)
    view.table.setCurrentIndex(index)
    view.table.edit(index)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QSpinBox) and (editor.minimum(), editor.maximum()) == (1, 10)
    assert editor.value() == cats.confidence
    editor.setValue(3)
    with qtbot.waitSignal(app.controller.propositions_changed, timeout=WAIT):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: current(fam, CATS).id != cats.id, timeout=WAIT)
    edited = current(fam, CATS)
    assert (edited.confidence, edited.decay, edited.user_confirmed) == (3, cats.decay, True)
    assert fam.get_proposition(cats.id).status == "superseded"
    assert [a for a, _d, _t in fam.ledger.feedback(edited.id)] == ["edit"]
    qtbot.waitUntil(lambda: view.proxy.index(row_of(view, CATS), view.model.CONFIDENCE).data()
                    == "3 ✓", timeout=WAIT)

    # decay, in the proposition's own dialog
    lisbon = current(fam, LISBON)
    dialog = view.open(lisbon.id)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    assert dialog.decay.value() == lisbon.decay
    dialog.decay.setValue(2)
    with qtbot.waitSignal(dialog.changed, timeout=WAIT) as changed:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    new_id = changed.args[0]
    assert new_id != lisbon.id
    qtbot.waitUntil(lambda: dialog.detail.proposition.id == new_id, timeout=WAIT)
    assert fam.get_proposition(new_id).decay == 2 and current(fam, LISBON).id == new_id
    assert any("edited by the user" in r.reason for r in dialog.history_model.rows)
    assert dialog.decay.value() == 2 and dialog.save_button.isEnabled()
    qtbot.waitUntil(lambda: next(p for p in view.model.rows if p.text == LISBON).decay == 2,
                    timeout=WAIT)
    dialog.close()


# -- deleting ---------------------------------------------------------------------------------------
def test_deleting_one_from_its_dialog_and_several_from_the_table(qtbot, knowing, monkeypatch):
    from memory.ledger import FORGOTTEN_TEXT
    from ui.dialogs import ask

    fam, app, view = knowing
    vegetarian = current(fam, VEGETARIAN)
    assert vegetarian.id in recalled_ids(fam, "what does the user eat?")

    # the question guards it: Cancel deletes nothing
    monkeypatch.setattr(ask, "confirm", lambda *a, **k: False)
    dialog = view.open(vegetarian.id)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    assert fam.get_proposition(vegetarian.id).status == "current" and dialog.isVisible()

    monkeypatch.setattr(ask, "confirm", lambda *a, **k: True)
    with qtbot.waitSignal(dialog.finished, timeout=WAIT):
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    gone = fam.get_proposition(vegetarian.id)
    assert gone.status == "retracted" and gone.text == FORGOTTEN_TEXT
    assert vegetarian.id not in recalled_ids(fam, "what does the user eat?")
    qtbot.waitUntil(lambda: VEGETARIAN not in texts(view), timeout=WAIT)

    # two at once, from the table
    cats, climbing = current(fam, CATS), current(fam, CLIMBING)
    selection = view.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for text in (CATS, CLIMBING):
        selection.select(view.proxy.index(row_of(view, text), 0), flags)
    assert sorted(view.selected_ids()) == sorted([cats.id, climbing.id])
    assert view.delete_button.isEnabled()
    with qtbot.waitSignal(app.controller.propositions_changed, timeout=WAIT):
        qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sorted(texts(view)) == sorted([PORTUGUESE, LISBON]), timeout=WAIT)
    for p, query in ((cats, "does the user have pets?"), (climbing, "what sport does the user do?")):
        assert fam.get_proposition(p.id).text == FORGOTTEN_TEXT
        assert p.id not in recalled_ids(fam, query)
        assert [a for a, _d, _t in fam.ledger.feedback(p.id)] == ["delete"]
    assert current(fam, LISBON).id in recalled_ids(fam, "where does the user live?")


# -- suggestions: dismiss and "never about this" ---------------------------------------------------
def card_about(view, prop_id: int):
    return next(c for c in view.cards if prop_id in c.suggestion.proposition_ids)


def test_dismiss_and_never_about_this_in_the_suggestions_feed(qtbot, knowing):
    from assistant.suggest import DISMISS_FACTOR

    fam, app, _knowledge = knowing
    view = app.window.suggestions
    app.window.tabs.setCurrentWidget(view)
    portuguese, climbing = current(fam, PORTUGUESE), current(fam, CLIMBING)
    qtbot.waitUntil(lambda: len(view.cards) == len(FACTS), timeout=WAIT)
    assert fam.suggester.weight(portuguese.id) == 1.0

    # dismiss: gone from the feed, and what rests on that proposition weighs half as much
    dismissed = card_about(view, portuguese.id).suggestion
    with qtbot.waitSignal(app.controller.suggestions_changed, timeout=WAIT):
        qtbot.mouseClick(card_about(view, portuguese.id).buttons["dismiss"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(c.suggestion.id != dismissed.id for c in view.cards), timeout=WAIT)
    assert fam.suggester.get(dismissed.id).status == "dismissed"
    assert fam.suggester.weight(portuguese.id) == DISMISS_FACTOR

    # never about this: the proposition is muted, also in its later revisions
    never = card_about(view, climbing.id).suggestion
    with qtbot.waitSignal(app.controller.suggestions_changed, timeout=WAIT):
        qtbot.mouseClick(card_about(view, climbing.id).buttons["never"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(c.suggestion.id != never.id for c in view.cards), timeout=WAIT)
    assert fam.suggester.get(never.id).status == "never"
    assert fam.suggester.weight(climbing.id) == 1.0  # muted, not down-weighted
    revised = fam.edit_proposition(climbing.id, "The user goes climbing on Thursday evenings.")
    qtbot.mouseClick(view.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.refresh_button.isEnabled() and bool(view.cards), timeout=WAIT)
    on_screen = {pid for c in view.cards for pid in c.suggestion.proposition_ids}
    assert not on_screen & {climbing.id, revised}
    assert all(not {climbing.id, revised} & set(s.proposition_ids)
               for s in fam.suggestions(refresh=True, limit=50))
    assert len(view.cards) == len(FACTS) - 2

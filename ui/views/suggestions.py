"""Suggestions: what Familiar would offer before being asked, each with why (the
propositions it rests on, benefit, cost of being wrong, interruption) and accept /
dismiss / not now / never about this; and the notification log (what was sent, what
was held back, and why)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QPushButton, QScrollArea,
    QSplitter, QTableView, QVBoxLayout, QWidget,
)

from ui.dialogs.proposition import PropositionDialog
from ui.models.suggestions import NotificationLogModel

ACTIONS = (("accept", "Accept"), ("dismiss", "Dismiss"), ("later", "Not now"),
           ("never", "Never about this"))


def _num(v) -> str:
    try:
        return f"{float(v):.2g}"
    except (TypeError, ValueError):
        return str(v)


class SuggestionCard(QFrame):
    acted = Signal(int, str)  # suggestion id, action
    open_proposition = Signal(int)

    def __init__(self, s, parent: QWidget | None = None):
        super().__init__(parent)
        self.suggestion = s
        self.setObjectName("suggestionCard")
        self.setStyleSheet("QFrame#suggestionCard { border: 1px solid palette(midlight); "
                           "border-radius: 8px; background: palette(base); }")
        text = QLabel(s.text)
        text.setObjectName("suggestionText")
        text.setWordWrap(True)
        text.setStyleSheet("font-weight: 600;")
        why = QLabel(f"Why: {s.why}")
        why.setObjectName("suggestionWhy")
        why.setWordWrap(True)
        numbers = QLabel(f"benefit {_num(s.benefit)} · cost if wrong {_num(s.cost)} · "
                         f"interruption {_num(s.interruption)} · score {_num(s.score)}"
                         + (f" · {s.status}" if s.status and s.status != "new" else ""))
        numbers.setStyleSheet("color: palette(mid);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(text)
        layout.addWidget(why)
        layout.addWidget(numbers)
        ids = list(s.proposition_ids or [])
        if ids:
            row = QHBoxLayout()
            row.addWidget(QLabel("Rests on:"))
            for pid in ids:
                b = QPushButton(f"#{pid}")
                b.setFlat(True)
                b.setToolTip("Open what Familiar believes, and why")
                b.setStyleSheet("QPushButton { color: palette(link); }")
                b.clicked.connect(lambda _=False, pid=pid: self.open_proposition.emit(pid))
                row.addWidget(b)
            row.addStretch(1)
            layout.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for action, label in ACTIONS:
            b = QPushButton(label)
            b.setObjectName(f"{action}Button")
            b.clicked.connect(lambda _=False, a=action: self._act(a))
            buttons.addWidget(b)
            self.buttons[action] = b
        layout.addLayout(buttons)

    def _act(self, action: str) -> None:
        for b in self.buttons.values():
            b.setEnabled(False)
        self.acted.emit(self.suggestion.id, action)


class SuggestionsView(QWidget):
    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("suggestionsView")
        self.controller = controller
        self.cards: list[SuggestionCard] = []
        self.dialog = None
        self.available = all(controller.has(n) for n in
                             ("suggestions", "suggestion_feedback", "notification_log"))

        self.refresh_button = QPushButton("Look for suggestions now")
        self.refresh_button.setObjectName("refreshSuggestions")
        self.state = QLabel()
        self.state.setObjectName("suggestionsState")
        self.state.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.state, 1)
        top.addWidget(self.refresh_button)

        self.feed = QWidget()
        self.feed_layout = QVBoxLayout(self.feed)
        self.feed_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.feed)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.log_model = NotificationLogModel(self)
        self.log = QTableView()
        self.log.setObjectName("notificationLog")
        self.log.setModel(self.log_model)
        self.log.verticalHeader().hide()
        self.log.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.log.setWordWrap(False)
        h = self.log.horizontalHeader()
        for c in range(3):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        log_box = QWidget()
        lv = QVBoxLayout(log_box)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("Notifications: what was sent, what was held back, and why"))
        lv.addWidget(self.log)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(scroll)
        split.addWidget(log_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([480, 200])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        if not self.available:
            self.state.setText("Suggestions are not available in this version of Familiar's "
                               "services.")
            self.refresh_button.setEnabled(False)
            log_box.hide()
            return
        self.loaded = False  # suggestions are made when the tab is first shown
        self.state.setText("Suggestions appear here once Familiar has loaded what it knows.")
        self.refresh_button.clicked.connect(lambda: self.reload(refresh=True))
        controller.suggestions_changed.connect(self._changed)
        controller.ready.connect(self._first_load)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._first_load()

    def _first_load(self) -> None:
        if not self.loaded and self.available and self.controller.is_ready and self.isVisible():
            self.loaded = True
            self.reload(refresh=True)

    def _changed(self) -> None:
        if self.loaded:
            self.reload(refresh=False)
        else:
            self.controller.notification_log(self.log_model.set_rows)

    def reload(self, refresh: bool = False) -> None:
        if refresh:
            self.state.setText("Looking at what Familiar knows about you…")
            self.refresh_button.setEnabled(False)
        self.controller.suggestions(self.show_suggestions, refresh=refresh)
        self.controller.notification_log(self.log_model.set_rows)

    def show_suggestions(self, suggestions) -> None:
        self.refresh_button.setEnabled(True)
        for card in self.cards:
            card.deleteLater()
        self.cards = []
        for s in suggestions:
            card = SuggestionCard(s)
            card.acted.connect(self.act)
            card.open_proposition.connect(self.open_proposition)
            self.feed_layout.insertWidget(self.feed_layout.count() - 1, card)
            self.cards.append(card)
        self.state.setText(
            f"{len(suggestions)} suggestion(s). Tell Familiar which are useful: it learns what "
            "to offer, and when not to interrupt." if suggestions else
            "No suggestions right now. They come from what Familiar knows about you; the more "
            "it knows, the more it can offer.")

    def act(self, suggestion_id: int, action: str) -> None:
        self.controller.suggestion_feedback(suggestion_id, action)

    def open_proposition(self, prop_id: int) -> PropositionDialog:
        self.dialog = PropositionDialog(self.controller, prop_id, self)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.show()
        return self.dialog

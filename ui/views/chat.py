"""Chat: answers stream in as the model writes them; under each answer, the
propositions about you that it used (click one to see why it is believed); edit an
answer into what you wanted, and Familiar learns from the edit. Past conversations
are listed on the left."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit,
    QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget,
)

from ui.controller import error_text
from ui.dialogs.proposition import PropositionDialog
from ui.models.conversations import ConversationTableModel
from ui.views.tables import row_table

USER_STYLE = "QFrame#userMessage { background: palette(alternate-base); border-radius: 8px; }"
ASSISTANT_STYLE = ("QFrame#assistantMessage { background: palette(base); border: 1px solid "
                   "palette(midlight); border-radius: 8px; }")


def _elide(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class MessageWidget(QFrame):
    """One message. An assistant's message streams, then shows what it used."""

    open_proposition = Signal(int)
    edit_requested = Signal(object)  # this widget

    def __init__(self, role: str, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.role = role
        self.message_id: int | None = None
        self.answer = text
        self.used_ids: list[int] = []
        self.setObjectName("userMessage" if role == "user" else "assistantMessage")
        self.setStyleSheet(USER_STYLE if role == "user" else ASSISTANT_STYLE)
        who = QLabel("<b>You</b>" if role == "user" else "<b>Familiar</b>")
        self.body = QLabel(text)
        self.body.setObjectName("messageBody")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edited = QLabel()
        self.edited.setObjectName("editedText")
        self.edited.setWordWrap(True)
        self.edited.setTextFormat(Qt.TextFormat.PlainText)
        self.edited.hide()
        self.used_row = QVBoxLayout()
        self.used_row.setSpacing(0)
        self.used_box = QWidget()
        self.used_box.setLayout(self.used_row)
        self.used_row.setContentsMargins(0, 0, 0, 0)
        self.used_box.hide()
        self.edit_button = QPushButton("Edit this answer…")
        self.edit_button.setObjectName("editDraftButton")
        self.edit_button.setFlat(True)
        self.edit_button.setToolTip("Change it into what you wanted; Familiar learns from your edit")
        self.edit_button.hide()
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(who)
        layout.addWidget(self.body)
        layout.addWidget(self.edited)
        layout.addWidget(self.used_box)
        layout.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignRight)

    def append(self, token: str) -> None:
        self.answer += token
        self.body.setText(self.answer)

    def finish(self, message_id: int | None, answer: str, used: list, used_ids: list[int],
               edited_text: str | None = None) -> None:
        self.message_id = message_id
        self.answer = answer
        self.body.setText(answer)
        self.show_used(used, used_ids)
        self.show_edit(edited_text)
        self.edit_button.setVisible(message_id is not None)

    def show_used(self, used: list, used_ids: list[int]) -> None:
        self.used_ids = list(used_ids)
        while self.used_row.count():
            item = self.used_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if not used_ids:
            self.used_box.hide()
            return
        by_id = {p.id: p for p in used}
        label = QLabel("What it used about you (click for why):")
        label.setStyleSheet("color: palette(mid);")
        self.used_row.addWidget(label)
        for pid in used_ids:
            p = by_id.get(pid)
            b = QPushButton("• " + (_elide(p.text, 110) if p else f"#{pid}"))
            b.setObjectName("usedProposition")
            b.setProperty("proposition_id", pid)
            b.setToolTip((p.text + "\n" + (p.reasoning or "")) if p else f"proposition #{pid}")
            b.setFlat(True)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.setStyleSheet("QPushButton { color: palette(link); text-align: left; }")
            b.clicked.connect(lambda _=False, pid=pid: self.open_proposition.emit(pid))
            self.used_row.addWidget(b, 0, Qt.AlignmentFlag.AlignLeft)
        self.used_box.show()

    def show_edit(self, edited_text: str | None) -> None:
        if edited_text:
            self.edited.setText(f"Your edit: {edited_text}")
            self.edited.show()
        else:
            self.edited.hide()

    def fail(self, message: str) -> None:
        self.body.setText((self.answer + "\n\n" if self.answer else "") + message)
        self.body.setStyleSheet("color: #b00020;")


class EditDraftDialog(QDialog):
    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("editDraftDialog")
        self.setWindowTitle("Edit the answer")
        self.resize(560, 320)
        hint = QLabel("Change the answer into what you would have wanted. Familiar keeps your "
                      "version and learns from what you changed.")
        hint.setWordWrap(True)
        self.editor = QPlainTextEdit(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.editor.toPlainText().strip()


class _EnterSends(QObject):
    """Enter sends; Shift+Enter starts a new line."""

    def __init__(self, send):
        super().__init__()
        self.send = send

    def eventFilter(self, obj, event) -> bool:
        if (event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.send()
            return True
        return False


class ChatView(QWidget):
    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("chatView")
        self.controller = controller
        self.conversation_id: int | None = None
        self.streaming: MessageWidget | None = None
        self.messages: list[MessageWidget] = []
        self.dialog = None

        # history
        self.new_button = QPushButton("New conversation")
        self.new_button.setObjectName("newConversationButton")
        self.history_model = ConversationTableModel(self)
        self.history = row_table(self.history_model, "conversationsTable")
        self.history.setShowGrid(False)
        h = self.history.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.new_button)
        lv.addWidget(self.history, 1)

        # transcript
        self.transcript = QWidget()
        self.transcript_layout = QVBoxLayout(self.transcript)
        self.transcript_layout.setSpacing(8)
        self.empty = QLabel("Ask anything. Familiar answers with what it knows about you, and "
                            "shows which of those things it used.\nNothing leaves this computer.")
        self.empty.setObjectName("chatEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(mid); padding: 40px;")
        self.transcript_layout.addWidget(self.empty)
        self.transcript_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.transcript)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.input = QPlainTextEdit()
        self.input.setObjectName("chatInput")
        self.input.setPlaceholderText("Message Familiar (Enter sends, Shift+Enter for a new line)")
        self.input.setFixedHeight(72)
        self._enter = _EnterSends(self.send)
        self.input.installEventFilter(self._enter)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.state = QLabel()
        self.state.setObjectName("chatState")
        self.state.setStyleSheet("color: palette(mid);")
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.scroll, 1)
        rv.addWidget(self.state)
        rv.addLayout(row)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([240, 760])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self.new_button.clicked.connect(self.new_conversation)
        self.send_button.clicked.connect(self.send)
        self.history.clicked.connect(self._history_clicked)
        controller.conversations_changed.connect(self.reload_history)
        self.available = controller.has("chat")
        if not self.available:
            self.empty.setText("Chat is not available in this version of Familiar's services.")
            for w in (self.input, self.send_button, self.new_button):
                w.setEnabled(False)
        else:
            self.reload_history()

    # -- history --------------------------------------------------------------------
    def reload_history(self) -> None:
        if self.controller.has("conversations"):
            self.controller.conversations(self.history_model.set_rows)

    def _history_clicked(self, index) -> None:
        c = self.history_model.row_at(index)
        if c is not None and self.streaming is None:
            self.open_conversation(c.id)

    def open_conversation(self, conversation_id: int) -> None:
        self.controller.transcript(conversation_id, self._show_transcript)

    def _show_transcript(self, t) -> None:
        self._clear()
        self.conversation_id = t.conversation_id
        for m in t.messages:
            w = self._add(m.role, m.text)
            if m.role != "user":
                used = [t.propositions[i] for i in (m.used or []) if i in t.propositions]
                w.finish(m.id, m.text, used, list(m.used or []), m.edited_text)
        self._scroll_to_end()

    def new_conversation(self) -> None:
        if self.streaming is not None:
            return
        self._clear()
        self.conversation_id = None
        self.history.clearSelection()
        self.input.setFocus()

    def _clear(self) -> None:
        for w in self.messages:
            w.deleteLater()
        self.messages = []
        self.empty.show()

    # -- sending ---------------------------------------------------------------------
    def _add(self, role: str, text: str = "") -> MessageWidget:
        self.empty.hide()
        w = MessageWidget(role, text)
        w.open_proposition.connect(self.open_proposition)
        w.edit_requested.connect(self.edit_answer)
        self.transcript_layout.insertWidget(self.transcript_layout.count() - 1, w)
        self.messages.append(w)
        return w

    def send(self) -> None:
        text = self.input.toPlainText().strip()
        if not text or self.streaming is not None or not self.available:
            return
        self.input.clear()
        self._add("user", text)
        self.streaming = self._add("assistant")
        self.streaming.body.setText("…")
        self._busy(True)
        self.state.setText("Thinking…" if self.controller.is_ready else "Loading memory and model…")
        self.controller.chat(text, self.conversation_id, on_token=self._token,
                             on_result=self._answered, on_error=self._failed)
        self._scroll_to_end()

    def _token(self, text: str) -> None:
        if self.streaming is not None:
            if not self.streaming.answer:
                self.state.setText("Writing…")
            self.streaming.append(text)
            self._scroll_to_end()

    def _answered(self, turn) -> None:
        reply = turn.reply
        self.conversation_id = reply.conversation_id
        if self.streaming is not None:
            self.streaming.finish(reply.message_id, reply.answer, turn.used, list(reply.used))
        self.streaming = None
        self._busy(False)
        n = len(reply.used)
        self.state.setText(f"Used {n} thing(s) it knows about you." if n else
                           "Used nothing it knows about you.")
        self._scroll_to_end()

    def _failed(self, exc: BaseException) -> None:
        message = error_text(exc, self.controller.log_path)
        if self.streaming is not None:
            self.streaming.fail(message)
        self.streaming = None
        self._busy(False)
        self.state.setText("")
        self.controller.failed.emit("Chat failed", message)

    def _busy(self, on: bool) -> None:
        self.send_button.setEnabled(not on)
        self.new_button.setEnabled(not on)

    def _scroll_to_end(self) -> None:
        QTimer.singleShot(0, lambda: self.scroll.verticalScrollBar().setValue(
            self.scroll.verticalScrollBar().maximum()))

    # -- what an answer used, and editing it --------------------------------------------
    def open_proposition(self, prop_id: int) -> PropositionDialog:
        self.dialog = PropositionDialog(self.controller, prop_id, self)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.show()
        return self.dialog

    def edit_answer(self, w: MessageWidget) -> None:
        dialog = EditDraftDialog(w.edited.text().removeprefix("Your edit: ") if w.edited.isVisible()
                                 else w.answer, self)
        self.dialog = dialog
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.text() and w.message_id:
            self.save_edit(w, dialog.text())

    def save_edit(self, w: MessageWidget, text: str) -> None:
        def saved(_obs_id):
            w.show_edit(text)
            self.state.setText("Saved your edit; Familiar will learn from it.")
        self.controller.edit_draft(w.message_id, text, on_result=saved)

"""One proposition: its text, reasoning, evidence (observations with time and app) and
revision history; edit, confirm, reject, delete, or forget the evidence behind it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit,
    QPushButton, QSpinBox, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from ui.dialogs import ask
from ui.models.evidence import EvidenceTableModel, HistoryTableModel
from ui.models.table import short_time
from ui.views.tables import row_table


def small_table(model) -> QTableView:
    view = row_table(model, multi=True)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


class PropositionDialog(QDialog):
    changed = Signal(int)  # the id the proposition has now (an edit makes a new revision)

    def __init__(self, controller, prop_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("propositionDialog")
        self.controller = controller
        self.prop_id = prop_id
        self.detail = None
        self.setWindowTitle(f"Proposition #{prop_id}")
        self.resize(760, 560)

        self.text = QPlainTextEdit()
        self.text.setObjectName("propositionText")
        self.text.setFixedHeight(64)
        self.confidence = QSpinBox()
        self.confidence.setRange(1, 10)
        self.confidence.setToolTip("1 = a guess, 10 = sure")
        self.decay = QSpinBox()
        self.decay.setRange(1, 10)
        self.decay.setToolTip("How long it stays true: 1 = hours, 10 = months or more")
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.reasoning = QLabel()
        self.reasoning.setWordWrap(True)
        self.reasoning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        numbers = QHBoxLayout()
        numbers.addWidget(QLabel("Confidence"))
        numbers.addWidget(self.confidence)
        numbers.addSpacing(16)
        numbers.addWidget(QLabel("Decay"))
        numbers.addWidget(self.decay)
        numbers.addStretch(1)
        form = QFormLayout()
        form.addRow("Text", self.text)
        form.addRow("", _wrap(numbers))
        form.addRow("Status", self.state)
        form.addRow("Why", self.reasoning)

        self.evidence_model = EvidenceTableModel(self)
        self.history_model = HistoryTableModel(self)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignTop)
        tabs = QTabWidget()
        tabs.addTab(small_table(self.evidence_model), "Evidence")
        tabs.addTab(small_table(self.history_model), "History")
        tabs.addTab(self.feedback, "Your feedback")
        self.tabs = tabs

        self.save_button = QPushButton("Save changes")
        self.save_button.setObjectName("saveButton")
        self.confirm_button = QPushButton("Confirm")
        self.confirm_button.setToolTip("It is right: confidence 10, never rewritten automatically")
        self.reject_button = QPushButton("Reject")
        self.reject_button.setToolTip("It is wrong: retracted and not learned again")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Retract it and erase its text and earlier versions")
        self.forget_button = QPushButton("Forget evidence…")
        self.forget_button.setToolTip("Delete the observations behind it; what rests only on "
                                      "them is retracted")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        for b in (self.save_button, self.confirm_button, self.reject_button, self.delete_button,
                  self.forget_button):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        self.confirm_button.clicked.connect(self.confirm_it)
        self.reject_button.clicked.connect(self.reject_it)
        self.delete_button.clicked.connect(self.delete_it)
        self.forget_button.clicked.connect(self.forget_it)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
        self._enable(False)
        controller.failed.connect(self._on_failed)
        self.reload()

    def _on_failed(self, _title: str, _message: str) -> None:
        if self.detail is not None:
            self.show_detail(self.detail)  # enable the buttons again

    def _enable(self, on: bool) -> None:
        for w in (self.save_button, self.confirm_button, self.reject_button, self.delete_button,
                  self.forget_button, self.text, self.confidence, self.decay):
            w.setEnabled(on)

    def reload(self) -> None:
        self.controller.proposition_detail(self.prop_id, self.show_detail)

    def show_detail(self, d) -> None:
        self.detail = d
        p = d.proposition
        self.prop_id = p.id
        self.setWindowTitle(f"Proposition #{p.id}")
        self.text.setPlainText(p.text)
        self.confidence.setValue(p.confidence)
        self.decay.setValue(p.decay)
        bits = [p.status, f"{p.kind}", f"from {p.origin}"]
        if p.user_confirmed:
            bits.append("confirmed by you")
        bits.append(f"updated {short_time(p.updated_at)}")
        self.state.setText("; ".join(bits))
        self.reasoning.setText(p.reasoning or "—")
        self.evidence_model.set_rows(d.evidence)
        self.history_model.set_rows(d.history)
        lines = [f"{short_time(t)}: {a}" + (f" — {detail}" if detail else "")
                 for a, detail, t in d.feedback]
        lines += [f"Conflicts with your confirmed #{b}: {why}" for _a, b, why in d.conflicts]
        self.feedback.setText("\n".join(lines) or "No feedback yet.")
        self.tabs.setTabText(0, f"Evidence ({len(d.evidence)})")
        self.tabs.setTabText(1, f"History ({len(d.history)})")
        self._enable(p.status == "current")
        self.forget_button.setEnabled(p.status == "current" and bool(d.evidence))

    # -- actions ---------------------------------------------------------------------
    def save(self) -> None:
        p = self.detail.proposition
        text = " ".join(self.text.toPlainText().split())
        changes = dict(text=text if text != p.text else None,
                       confidence=self.confidence.value() if self.confidence.value() != p.confidence else None,
                       decay=self.decay.value() if self.decay.value() != p.decay else None)
        if not any(v is not None for v in changes.values()):
            return
        self._enable(False)
        self.controller.edit_proposition(p.id, **changes, on_result=self._saved)

    def _saved(self, new_id: int) -> None:
        self.prop_id = new_id
        self.changed.emit(new_id)
        self.reload()

    def confirm_it(self) -> None:
        self._enable(False)
        self.controller.confirm([self.prop_id], on_result=lambda _: self._saved(self.prop_id))

    def reject_it(self) -> None:
        self._enable(False)
        self.controller.reject([self.prop_id], on_result=self._closed)

    def delete_it(self) -> None:
        if not ask.confirm(self, "Delete proposition",
                           "Delete this proposition and erase its text and earlier versions?",
                           "Delete"):
            return
        self._enable(False)
        self.controller.delete([self.prop_id], on_result=self._closed)

    def forget_it(self) -> None:
        n = len(self.detail.evidence)
        if not ask.confirm(self, "Forget evidence",
                           f"Delete the {n} observation(s) behind this proposition? Propositions "
                           "that rest only on them are retracted; others are re-scored.",
                           "Forget"):
            return
        self._enable(False)
        self.controller.forget_evidence([self.prop_id], on_result=self._closed)

    def _closed(self, _value) -> None:
        self.changed.emit(self.prop_id)
        self.accept()


def _wrap(layout) -> QWidget:
    w = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    w.setLayout(layout)
    return w

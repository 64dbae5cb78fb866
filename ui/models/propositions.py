"""The propositions table of "What I know about you". Text, confidence and decay can be
edited in place: the model does not change anything itself, it asks (edit_requested)
and is reloaded when the ledger has changed."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal

from ui.models.table import SORT_ROLE, Column, RowTableModel


def sources(p) -> str:
    return ", ".join(sorted({e.source for e in p.evidence})) or "you"


def _confidence(p) -> str:
    return f"{p.confidence} ✓" if p.user_confirmed else str(p.confidence)


class PropositionTableModel(RowTableModel):
    TEXT, CONFIDENCE, DECAY, UPDATED, SOURCES, SCORE = range(6)
    columns = (
        Column("What I know", lambda p: p.text, tooltip=lambda p: p.reasoning),
        Column("Confidence", lambda p: p.confidence, display=_confidence, align_right=True,
               tooltip=lambda p: "confirmed by you" if p.user_confirmed else "1 (a guess) to 10 (sure)"),
        Column("Decay", lambda p: p.decay, align_right=True,
               tooltip=lambda p: "how long it stays true: 1 (hours) to 10 (months or more)"),
        Column("Last updated", lambda p: p.updated_at),
        Column("Sources", sources),
        Column("Relevance", lambda p: None, align_right=True,
               tooltip=lambda p: "how well it matches the search: relevance × confidence × freshness"),
    )
    EDITABLE = {TEXT: "text", CONFIDENCE: "confidence", DECAY: "decay"}

    edit_requested = Signal(int, str, object)  # proposition id, field, new value

    def __init__(self, parent=None):
        super().__init__(parent)
        self.scores: dict[int, float] | None = None

    def set_results(self, results) -> None:
        """Show recall results (with their score) instead of the full list."""
        self.scores = {r.proposition.id: r.score for r in results}
        self.set_rows([r.proposition for r in results])

    def set_propositions(self, props) -> None:
        self.scores = None
        self.set_rows(props)

    def flags(self, index: QModelIndex):
        f = super().flags(index)
        if index.isValid() and index.column() in self.EDITABLE:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        p = self.row_at(index)
        if p is not None and index.column() == self.SCORE and role in (
                Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            score = (self.scores or {}).get(p.id)
            if role == SORT_ROLE:
                return score if score is not None else -1.0
            return "" if score is None else f"{score:.2f}"
        if p is not None and role == Qt.ItemDataRole.EditRole and index.column() != self.TEXT:
            return p.confidence if index.column() == self.CONFIDENCE else p.decay
        return super().data(index, role)

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:
        p = self.row_at(index)
        field = self.EDITABLE.get(index.column())
        if p is None or field is None or role != Qt.ItemDataRole.EditRole:
            return False
        if field == "text":
            value = " ".join(str(value).split())
            if not value or value == p.text:
                return False
        else:
            value = int(value)
            if value == getattr(p, field):
                return False
        self.edit_requested.emit(p.id, field, value)
        return True

    def ids(self) -> list[int]:
        return [p.id for p in self.rows]

"""What I know about you: every current proposition, sortable and filterable; search
by meaning (the same recall chat uses); open one for its evidence and history; edit,
confirm, reject, delete or forget the evidence, one or many at a time."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox,
    QStyledItemDelegate, QTableView, QVBoxLayout, QWidget,
)

from ui.dialogs import ask
from ui.dialogs.proposition import PropositionDialog
from ui.models.propositions import PropositionTableModel
from ui.models.table import FilterProxy

SEARCH_K = 10


class ScaleDelegate(QStyledItemDelegate):
    """Confidence and decay go from 1 to 10: their editor allows nothing else."""

    def createEditor(self, parent, option, index):
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QSpinBox):
            editor.setRange(1, 10)
        return editor


class KnowledgeView(QWidget):
    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("knowledgeView")
        self.controller = controller
        self.query: str | None = None  # a search by meaning is shown
        self.dialog: PropositionDialog | None = None

        self.filter = QLineEdit()
        self.filter.setObjectName("filterEdit")
        self.filter.setPlaceholderText("Filter by words…")
        self.filter.setClearButtonEnabled(True)
        self.search = QLineEdit()
        self.search.setObjectName("searchEdit")
        self.search.setPlaceholderText("Search by meaning, e.g. “what should I cook tonight?”")
        self.search.setClearButtonEnabled(True)
        self.search_button = QPushButton("Search")
        self.show_all_button = QPushButton("Show all")
        self.show_all_button.hide()
        top = QHBoxLayout()
        top.addWidget(self.filter, 2)
        top.addSpacing(12)
        top.addWidget(self.search, 3)
        top.addWidget(self.search_button)
        top.addWidget(self.show_all_button)

        self.summary = QLabel("Loading…")
        self.summary.setObjectName("summaryLabel")
        self.summary.setWordWrap(True)

        self.model = PropositionTableModel(self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("propositionsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(PropositionTableModel.UPDATED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.SelectedClicked)
        self.scale_delegate = ScaleDelegate(self.table)
        for c in (PropositionTableModel.CONFIDENCE, PropositionTableModel.DECAY):
            self.table.setItemDelegateForColumn(c, self.scale_delegate)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PropositionTableModel.TEXT, QHeaderView.ResizeMode.Stretch)
        for c in range(1, len(PropositionTableModel.columns)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)

        self.open_button = QPushButton("Open…")
        self.confirm_button = QPushButton("Confirm")
        self.confirm_button.setToolTip("They are right: confidence 10, never rewritten automatically")
        self.reject_button = QPushButton("Reject")
        self.reject_button.setToolTip("They are wrong: retracted, and not learned again")
        self.delete_button = QPushButton("Delete…")
        self.forget_button = QPushButton("Forget evidence…")
        self.tell_button = QPushButton("Add an instruction…")
        self.tell_button.setToolTip("A standing instruction, in your own words, that every answer "
                                    "follows (kept as confirmed by you)")
        bottom = QHBoxLayout()
        for b in (self.open_button, self.confirm_button, self.reject_button, self.delete_button,
                  self.forget_button):
            bottom.addWidget(b)
        bottom.addStretch(1)
        bottom.addWidget(self.tell_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.filter.textChanged.connect(self.proxy.set_filter_text)
        self.search.returnPressed.connect(self.run_search)
        self.search_button.clicked.connect(self.run_search)
        self.show_all_button.clicked.connect(self.show_all)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.open_button.clicked.connect(self.open_selected)
        self.confirm_button.clicked.connect(lambda: self._bulk("confirm"))
        self.reject_button.clicked.connect(lambda: self._bulk("reject"))
        self.delete_button.clicked.connect(lambda: self._bulk("delete"))
        self.forget_button.clicked.connect(self.forget_selected)
        self.tell_button.clicked.connect(self.tell)
        self.model.edit_requested.connect(self._edit)
        controller.propositions_changed.connect(self.reload)
        self._update_buttons()
        self.reload()

    # -- loading ---------------------------------------------------------------------
    def reload(self) -> None:
        if self.query:
            self.controller.recall(self.query, self._show_results, k=SEARCH_K)
        else:
            self.controller.list_propositions(self._show_all)

    def _show_all(self, props) -> None:
        if self.query:
            return
        self.model.set_propositions(props)
        self.table.setColumnHidden(PropositionTableModel.SCORE, True)
        self.summary.setText(
            f"{len(props)} things I believe about you. Double-click one to see why; select one "
            "and click its text, confidence or decay to correct it."
            if props else
            "Nothing learned yet. Chat with Familiar or let it watch your screen (Activity), and "
            "what it learns about you will be listed here for you to check.")
        self._update_buttons()

    def _show_results(self, results) -> None:
        if not self.query:
            return
        self.model.set_results(results)
        self.table.setColumnHidden(PropositionTableModel.SCORE, False)
        self.summary.setText(f"{len(results)} best matches for “{self.query}”, most relevant "
                             "first — what chat would use for it." if results
                             else f"Nothing relevant to “{self.query}” is known.")
        self.table.sortByColumn(PropositionTableModel.SCORE, Qt.SortOrder.DescendingOrder)
        self._update_buttons()

    def run_search(self) -> None:
        q = self.search.text().strip()
        if not q:
            self.show_all()
            return
        self.query = q
        self.show_all_button.show()
        self.summary.setText(f"Searching for “{q}”…")
        self.controller.recall(q, self._show_results, k=SEARCH_K)

    def show_all(self) -> None:
        self.query = None
        self.search.clear()
        self.show_all_button.hide()
        self.table.sortByColumn(PropositionTableModel.UPDATED, Qt.SortOrder.DescendingOrder)
        self.controller.list_propositions(self._show_all)

    # -- selection and actions ----------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = self.table.selectionModel().selectedRows()
        return [self.proxy.row_at(i).id for i in rows]

    def _update_buttons(self) -> None:
        n = len(self.selected_ids())
        self.open_button.setEnabled(n == 1)
        for b in (self.confirm_button, self.reject_button, self.delete_button, self.forget_button):
            b.setEnabled(n > 0)
        self.tell_button.setVisible(self.controller.has("add_instruction"))

    def open_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.open(ids[0])

    def open(self, prop_id: int) -> PropositionDialog:
        self.dialog = PropositionDialog(self.controller, prop_id, self)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.show()
        return self.dialog

    def _edit(self, prop_id: int, field: str, value) -> None:
        self.controller.edit_proposition(prop_id, **{field: value})

    def _bulk(self, action: str) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if action == "delete" and not ask.confirm(
                self, "Delete propositions",
                f"Delete {len(ids)} proposition(s) and erase their text and earlier versions?",
                "Delete"):
            return
        getattr(self.controller, action)(ids)

    def forget_selected(self) -> None:
        ids = self.selected_ids()
        if ids and ask.confirm(
                self, "Forget evidence",
                f"Delete the observations behind {len(ids)} proposition(s)? Propositions that "
                "rest only on them are retracted; others are re-scored.", "Forget"):
            self.controller.forget_evidence(ids)

    def tell(self) -> None:
        text = ask.ask_text(self, "Add an instruction",
                            "What Familiar should always do (e.g. “Always use metric units”):")
        if text:
            self.controller.add_instruction(text)

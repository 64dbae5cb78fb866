"""Read-only tables of rows, set up one way everywhere."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableView


def row_table(model, name: str | None = None, *, multi: bool = False) -> QTableView:
    """Whole rows are selected (several with ``multi``), cells are not edited, rows are
    not numbered, and each row is one line."""
    view = QTableView()
    if name:
        view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                          else QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    return view

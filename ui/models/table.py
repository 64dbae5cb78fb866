"""A read-only table over a list of rows, described by columns (Vorta style: the view
resets it with new rows; sorting and filtering happen in a QSortFilterProxyModel)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row object itself
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a value that sorts right (numbers, times)


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[Any], Any]  # what is shown (str(value) unless display is given)
    display: Callable[[Any], str] | None = None
    tooltip: Callable[[Any], str] | None = None
    align_right: bool = False


def short_time(t: datetime | None) -> str:
    if t is None:
        return ""
    local = t.astimezone()
    now = datetime.now().astimezone()
    if local.date() == now.date():
        return local.strftime("today %H:%M")
    if local.year == now.year:
        return local.strftime("%d %b %H:%M")
    return local.strftime("%Y-%m-%d")


class RowTableModel(QAbstractTableModel):
    columns: Sequence[Column] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, index: QModelIndex) -> Any:
        return self.rows[index.row()] if index.isValid() and index.row() < len(self.rows) else None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        row = self.row_at(index)
        if row is None:
            return None
        col = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            value = col.value(row)
            if col.display is not None:
                return col.display(row)
            if isinstance(value, datetime):
                return short_time(value)
            return "" if value is None else str(value)
        if role == SORT_ROLE:
            value = col.value(row)
            if isinstance(value, datetime):
                return value.timestamp()
            return value if isinstance(value, int | float) else str(value or "").casefold()
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip is not None:
            return col.tooltip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return row
        return None


class FilterProxy(QSortFilterProxyModel):
    """Sorts by SORT_ROLE; filters rows containing every word typed (any column)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._words: list[str] = []

    def set_filter_text(self, text: str) -> None:
        self._words = text.casefold().split()
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        text = " ".join(
            str(model.data(model.index(source_row, c, source_parent)) or "")
            for c in range(model.columnCount())).casefold()
        return all(w in text for w in self._words)

    def row_at(self, index: QModelIndex) -> Any:
        return self.sourceModel().row_at(self.mapToSource(index))

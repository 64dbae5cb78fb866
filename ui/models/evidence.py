"""Evidence of one proposition (observation, time, app) and its revision history."""

from __future__ import annotations

from ui.models.observations import _one_line
from ui.models.table import Column, RowTableModel


class EvidenceTableModel(RowTableModel):
    columns = (
        Column("When", lambda e: e.at),
        Column("Source", lambda e: e.source),
        Column("App", lambda e: e.app or ""),
        Column("Observation", lambda e: e.text, display=lambda e: _one_line(e.text, 300),
               tooltip=lambda e: e.text[:2000]),
    )


def _change(r) -> str:
    return f"#{r.old_id} → #{r.new_id}" if r.new_id else f"#{r.old_id} retracted"


class HistoryTableModel(RowTableModel):
    columns = (
        Column("When", lambda r: r.at),
        Column("Change", _change),
        Column("Why", lambda r: r.reason),
        Column("By", lambda r: r.actor),
    )

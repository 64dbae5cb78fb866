"""Suggestions and the notification log (what was sent, what was held back and why)."""

from __future__ import annotations

from ui.models.table import Column, RowTableModel


class NotificationLogModel(RowTableModel):
    columns = (
        Column("When", lambda d: d.at),
        Column("Suggestion", lambda d: getattr(d, "text", None) or (
            f"#{d.suggestion_id}" if d.suggestion_id is not None else "—")),
        Column("Notified", lambda d: "yes" if d.notified else "no"),
        Column("Why", lambda d: d.reason),
    )


class SuggestionTableModel(RowTableModel):
    columns = (
        Column("Suggestion", lambda s: s.text, tooltip=lambda s: s.why),
        Column("Why", lambda s: s.why),
        Column("Score", lambda s: round(float(s.score), 2), align_right=True),
        Column("Status", lambda s: s.status),
    )

"""Past conversations, newest first, for the chat history list."""

from __future__ import annotations

from ui.models.table import Column, RowTableModel, short_time


class ConversationTableModel(RowTableModel):
    columns = (
        Column("Conversation", lambda c: c.title or f"Conversation {c.id}",
               tooltip=lambda c: f"started {short_time(c.started_at)}"),
        Column("Updated", lambda c: c.updated_at),
    )

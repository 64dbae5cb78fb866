"""The access log of the user-model service (assistant/mcp_log.py): which agent asked
what, when, and whether it was answered."""

from __future__ import annotations

from ui.models.table import Column, RowTableModel


class AccessLogModel(RowTableModel):
    WHEN, CLIENT, TOOL, ASKED, ANSWER = range(5)
    columns = (
        Column("When", lambda a: a.at,
               tooltip=lambda a: a.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")),
        Column("Client", lambda a: a.client,
               tooltip=lambda a: "the name the agent gave itself (its MCP clientInfo.name)"),
        Column("Tool", lambda a: a.tool),
        Column("What it asked", lambda a: a.arguments, tooltip=lambda a: a.arguments),
        Column("Answer", lambda a: "allowed" if a.allowed else "refused",
               tooltip=lambda a: "answered" if a.allowed else
               "refused: the client is not in the allowed list, or the service was off"),
    )

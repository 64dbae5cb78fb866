"""The last observations (already redacted when stored), for the Activity tab."""

from __future__ import annotations

from ui.models.table import Column, RowTableModel


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ObservationTableModel(RowTableModel):
    columns = (
        Column("When", lambda o: o.at),
        Column("Source", lambda o: o.source),
        Column("App", lambda o: o.app or ""),
        Column("Window", lambda o: o.window or ""),
        Column("Text", lambda o: o.text, display=lambda o: _one_line(o.text),
               tooltip=lambda o: o.text[:2000]),
    )

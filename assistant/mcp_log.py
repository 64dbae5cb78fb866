"""The access log of the user-model service: every call another agent made, allowed
or refused, kept in the ledger (table ``mcp_access``) for the user to see."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from memory.ledger import Ledger
from memory.timeutil import from_iso, now_utc, to_iso

MAX_ARGUMENT_CHARS = 80


@dataclass(frozen=True)
class Access:
    id: int
    at: datetime
    client: str
    tool: str
    arguments: str
    allowed: bool

    def to_dict(self) -> dict:
        d = asdict(self)
        d["at"] = self.at.isoformat()
        return d


def summarize(arguments: dict) -> str:
    """What was asked, short: long values are cut, an observation's text is not kept
    (only its length), so the log itself holds nothing new about the user."""
    parts = []
    for key, value in arguments.items():
        if value is None:
            continue
        if key == "text":
            parts.append(f"text: {len(str(value))} chars")
            continue
        text = " ".join(str(value).split())
        if len(text) > MAX_ARGUMENT_CHARS:
            text = text[: MAX_ARGUMENT_CHARS - 1] + "…"
        parts.append(f"{key}: {text}")
    return "; ".join(parts)


def record(ledger: Ledger, client: str, tool: str, arguments: dict, allowed: bool) -> None:
    with ledger.transaction() as db:
        db.execute("INSERT INTO mcp_access(at, client, tool, arguments, allowed) VALUES (?,?,?,?,?)",
                   (to_iso(now_utc()), client, tool, summarize(arguments), int(allowed)))


def entries(ledger: Ledger, limit: int = 50) -> list[Access]:
    """The latest accesses, newest first."""
    rows = ledger.db.execute(
        "SELECT id, at, client, tool, arguments, allowed FROM mcp_access ORDER BY id DESC LIMIT ?",
        (limit,)).fetchall()
    return [Access(r[0], from_iso(r[1]), r[2], r[3], r[4], bool(r[5])) for r in rows]


def clear(ledger: Ledger) -> None:
    """Part of forgetting everything: agents' queries may quote the user."""
    with ledger.transaction() as db:
        db.execute("DELETE FROM mcp_access")

"""Conversations and their messages in the ledger (tables of migration
m003_conversations).

A message keeps no copy of its text: the text is that of its chat observation, so
`familiar forget` of the observation removes the message (a trigger does it), and a
conversation left without messages goes with it. The user's edit of an assistant
message is kept beside it until its edit observation is forgotten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from memory.ledger import Ledger
from memory.timeutil import from_iso, now_utc, to_iso

TITLE_CHARS = 60


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    started_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ChatMessage:
    id: int
    role: str  # user | assistant
    text: str
    at: datetime
    used: list[int] = field(default_factory=list)  # propositions put in the prompt
    edited_text: str | None = None  # the user's edit of an assistant message
    observation_id: int | None = None
    conversation_id: int | None = None

    @property
    def shown_text(self) -> str:
        """What the conversation now says: the user's edit when there is one."""
        return self.edited_text if self.edited_text is not None else self.text


_MESSAGE_SQL = (
    "SELECT m.id, m.conversation_id, m.role, m.at, m.used, m.edited_text, m.observation_id,"
    " o.text FROM chat_messages m JOIN observations o ON o.id = m.observation_id")


class ChatStore:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def _rows(self, sql: str, params=()) -> list:
        return self.ledger._query(sql, params)  # under the ledger's lock

    # -- conversations -------------------------------------------------------------
    def new_conversation(self, at: datetime | None = None) -> int:
        stamp = to_iso(at or now_utc())
        with self.ledger.transaction() as db:
            cur = db.execute("INSERT INTO conversations(started_at, updated_at) VALUES (?, ?)",
                             (stamp, stamp))
            return int(cur.lastrowid)

    def conversation(self, conversation_id: int) -> Conversation | None:
        found = self._conversations("WHERE c.id=?", (conversation_id,))
        return found[0] if found else None

    def conversations(self, limit: int = 50) -> list[Conversation]:
        return self._conversations("ORDER BY c.updated_at DESC, c.id DESC LIMIT ?", (limit,))

    def latest(self) -> Conversation | None:
        found = self.conversations(1)
        return found[0] if found else None

    def _conversations(self, tail: str, params) -> list[Conversation]:
        rows = self._rows(
            "SELECT c.id, c.started_at, c.updated_at, (SELECT o.text FROM chat_messages m"
            " JOIN observations o ON o.id = m.observation_id WHERE m.conversation_id = c.id"
            " AND m.role = 'user' ORDER BY m.id LIMIT 1) AS first FROM conversations c " + tail,
            params)
        return [Conversation(r["id"], _title(r["first"], r["id"]), from_iso(r["started_at"]),
                             from_iso(r["updated_at"])) for r in rows]

    # -- messages --------------------------------------------------------------------
    def add_message(self, conversation_id: int, role: str, observation_id: int,
                    used: list[int] | None = None, at: datetime | None = None) -> int:
        stamp = to_iso(at or now_utc())
        with self.ledger.transaction() as db:
            cur = db.execute(
                "INSERT INTO chat_messages(conversation_id, observation_id, role, at, used)"
                " VALUES (?,?,?,?,?)",
                (conversation_id, observation_id, role, stamp, json.dumps(list(used or []))))
            db.execute("UPDATE conversations SET updated_at=max(updated_at, ?) WHERE id=?",
                       (stamp, conversation_id))
            return int(cur.lastrowid)

    def message(self, message_id: int) -> ChatMessage | None:
        rows = self._rows(_MESSAGE_SQL + " WHERE m.id=?", (message_id,))
        return _message(rows[0]) if rows else None

    def messages(self, conversation_id: int) -> list[ChatMessage]:
        rows = self._rows(_MESSAGE_SQL + " WHERE m.conversation_id=? ORDER BY m.id",
                          (conversation_id,))
        return [_message(r) for r in rows]

    def previous_user_message(self, message: ChatMessage) -> ChatMessage | None:
        rows = self._rows(_MESSAGE_SQL + " WHERE m.conversation_id=? AND m.id<? AND m.role='user'"
                          " ORDER BY m.id DESC LIMIT 1", (message.conversation_id, message.id))
        return _message(rows[0]) if rows else None

    def edit_contexts(self, edit_observation_ids: list[int]) -> dict[int, str]:
        """What the user asked for, for each edit of a draft made in a conversation:
        {edit observation id: the user's message before that draft}. Read at use, not
        copied into the edit, so forgetting that message forgets the context too."""
        if not edit_observation_ids:
            return {}
        marks = ",".join("?" * len(edit_observation_ids))
        rows = self._rows(
            "SELECT m.edit_observation_id, (SELECT o.text FROM chat_messages u"
            " JOIN observations o ON o.id = u.observation_id WHERE u.conversation_id = m.conversation_id"
            " AND u.id < m.id AND u.role = 'user' ORDER BY u.id DESC LIMIT 1)"
            f" FROM chat_messages m WHERE m.edit_observation_id IN ({marks})",
            tuple(edit_observation_ids))
        return {r[0]: r[1] for r in rows if r[1] and r[1].strip()}

    def set_edit(self, message_id: int, edited_text: str, edit_observation_id: int) -> None:
        with self.ledger.transaction() as db:
            db.execute("UPDATE chat_messages SET edited_text=?, edit_observation_id=? WHERE id=?",
                       (edited_text, edit_observation_id, message_id))


def _message(r) -> ChatMessage:
    return ChatMessage(id=r["id"], role=r["role"], text=r["text"], at=from_iso(r["at"]),
                       used=[int(i) for i in json.loads(r["used"] or "[]")],
                       edited_text=r["edited_text"], observation_id=r["observation_id"],
                       conversation_id=r["conversation_id"])


def _title(first: str | None, conversation_id: int) -> str:
    text = " ".join((first or "").split())
    if not text:
        return f"Conversation {conversation_id}"
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"

"""Observers: each turns something the user did into observation drafts for one sink
(in the app, ``Familiar.observe``). The screen observer lives in ``screen.py``; these
are the ones driven by the assistant's own UI: chat messages, and the edits a user
makes to a draft the assistant wrote (the before/after pair is what preferences are
learned from, as in CIPHER)."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Protocol

from memory.models import NewObservation
from memory.timeutil import now_utc

Sink = Callable[[NewObservation], object]


class Observer(Protocol):
    source: str


class ChatObserver:
    """Every chat message, the user's and the assistant's, as a chat observation."""

    source = "chat"

    def __init__(self, sink: Sink):
        self.sink = sink

    def message(self, text: str, role: str = "user", message_id: str | None = None):
        return self.sink(NewObservation("chat", text, role=role, at=now_utc(),
                                        external_id=message_id))


class EditObserver:
    """A draft by the assistant and the user's edited version, stored as one
    observation that keeps both and says what changed."""

    source = "edit"

    def __init__(self, sink: Sink):
        self.sink = sink

    def edit(self, draft: str, edited: str, context: str = "", edit_id: str | None = None):
        if draft.strip() == edited.strip():
            return None
        return self.sink(NewObservation("edit", format_edit(draft, edited, context),
                                        role="user", at=now_utc(), external_id=edit_id))


def format_edit(draft: str, edited: str, context: str = "") -> str:
    """The before/after pair with a word-level summary of the change."""
    a, b = draft.split(), edited.split()
    removed, added = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            removed.append(" ".join(a[i1:i2]))
        if op in ("replace", "insert"):
            added.append(" ".join(b[j1:j2]))
    parts = []
    if context:
        parts.append(f"Context: {context.strip()}")
    parts += [f"Assistant's draft:\n{draft.strip()}", f"The user's edited version:\n{edited.strip()}"]
    summary = []
    if removed:
        summary.append("removed: " + " | ".join(removed)[:500])
    if added:
        summary.append("added: " + " | ".join(added)[:500])
    length = len(b) - len(a)
    summary.append(f"length: {len(a)} → {len(b)} words ({'+' if length >= 0 else ''}{length})")
    parts.append("Changes: " + "; ".join(summary))
    return "\n\n".join(parts)

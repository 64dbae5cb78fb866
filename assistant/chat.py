"""Personalized chat.

One turn: the user's message is stored as a chat observation (redacted, so the user
model learns from it and `familiar forget` can take it back) and as a message of its
conversation; standing instructions said in it are stored; then the system prompt is
built from every current standing instruction and the propositions recalled for the
message and for the conversation so far (plus how the user likes replies written,
learned from their edits); the conversation is fitted to the model's window
(``chat_prompt``), the answer streamed token by token, and stored the same way with
the ids of the propositions that were in the prompt.

Editing an assistant message (``edit_draft``) stores the before/after pair as an edit
observation; the user model infers from it how the user likes replies written
(``usermodel.edits``), and that is in the prompt of later replies.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from assistant import chat_prompt, instructions
from assistant.chat_store import ChatMessage, ChatStore, Conversation
from assistant.errors import ModelError, UsageError
from capture.observers import ChatObserver, EditObserver
from memory.ledger import FORGOTTEN_TEXT
from memory.models import Proposition
from memory.timeutil import now_utc

MAX_REPLY_TOKENS = 512
RECALL_K = 5  # propositions recalled for the message
CONTEXT_K = 3  # more, recalled for the conversation so far
CONTEXT_TURNS = 3  # the user's latest messages make up that second query
CONTEXT_CHARS = 200  # of each, this much goes into its keyword part
STYLE_K = 5  # how the user likes replies written, learned from edits
STYLE_CANDIDATES = 50  # the best of them, chosen from for each reply
MAX_KNOWN = 10
STYLE_KIND = "style"

NO_MODEL = ("No language model is configured (FAMILIAR_LLM__BACKEND=none), so Familiar cannot "
            "chat. Set FAMILIAR_LLM__BACKEND=embedded for the built-in model, =gguf with "
            "FAMILIAR_LLM__MODEL=/path/to/model.gguf, or =server with FAMILIAR_LLM__URL "
            "(`familiar models` lists the models found on this machine).")


@dataclass(frozen=True)
class ChatReply:
    conversation_id: int
    message_id: int  # the assistant's message
    answer: str
    used: list[int] = field(default_factory=list)  # propositions that were in the prompt


@dataclass
class Personalisation:
    """What the prompt adds about the user, and what finding it cost."""

    instructions: list[Proposition]
    known: list[Proposition]  # most relevant first
    recall_ms: float = 0.0


class ChatService:
    def __init__(self, fam, *, max_tokens: int = MAX_REPLY_TOKENS, temperature: float = 0.7):
        self.fam = fam
        self.store = ChatStore(fam.ledger)
        self.max_tokens = max_tokens
        self.temperature = temperature

    # -- reading -------------------------------------------------------------------
    def conversations(self, limit: int = 50) -> list[Conversation]:
        if limit < 1:
            raise UsageError("The limit must be at least 1.")
        return self.store.conversations(limit)

    def messages(self, conversation_id: int) -> list[ChatMessage]:
        self._conversation(conversation_id)
        return self.store.messages(conversation_id)

    def recent_conversation(self, within: timedelta) -> int | None:
        c = self.store.latest()
        return c.id if c is not None and now_utc() - c.updated_at <= within else None

    def _conversation(self, conversation_id: int) -> Conversation:
        c = self.store.conversation(conversation_id)
        if c is None:
            raise UsageError(f"There is no conversation {conversation_id}; "
                             "`familiar chat --list` shows them.")
        return c

    # -- one turn ----------------------------------------------------------------------
    def chat(self, message: str, conversation_id: int | None = None,
             on_token: Callable[[str], None] | None = None) -> ChatReply:
        if not isinstance(message, str) or not message.strip():
            raise UsageError("The message is empty; say something.")
        llm = self._llm()
        history = self.messages(conversation_id) if conversation_id is not None else []
        ledger = self.fam.ledger
        with ledger.transaction():
            if conversation_id is None:
                conversation_id = self.store.new_conversation()
            obs_id, _ = ChatObserver(self.fam.observe).message(message.strip(), role="user")
            self.store.add_message(conversation_id, "user", obs_id)
        text = ledger.observation(obs_id).text  # as stored: redacted
        for instruction in instructions.find_instructions(text):
            instructions.add(self.fam.memory, instruction, evidence=[obs_id], said_in_chat=True)
        try:
            prompt = self.prepare(text, history)
        except UsageError:  # it cannot fit the model: keep nothing of it
            self.fam.forget(ids=[obs_id])
            raise
        pieces: list[str] = []
        for piece in llm.stream(prompt.messages, max_tokens=prompt.reply_tokens,
                                temperature=self.temperature):
            pieces.append(piece)
            if on_token is not None:
                on_token(piece)
        answer = "".join(pieces).strip()
        if not answer:
            raise ModelError(f"{llm.name} returned an empty answer. Try again, or choose a larger "
                             "model with FAMILIAR_LLM__MODEL (`familiar models`).")
        with ledger.transaction():
            answer_obs, _ = ChatObserver(self.fam.observe).message(answer, role="assistant")
            message_id = self.store.add_message(conversation_id, "assistant", answer_obs,
                                                used=prompt.used)
        return ChatReply(conversation_id, message_id, answer, list(prompt.used))

    def prepare(self, message: str, history: list[ChatMessage]) -> chat_prompt.Prompt:
        """The prompt for ``message`` after ``history``; reads only."""
        llm = self._llm()
        p = self.personalise(message, history)
        return chat_prompt.build(
            llm,
            instructions=[(i.id, instructions.text_of(i)) for i in p.instructions],
            known=[(k.id, k.text) for k in p.known],
            history=[(m.role, m.shown_text) for m in history],
            message=message,
            reply_tokens=min(self.max_tokens, llm.n_ctx // 4))

    def personalise(self, message: str, history: list[ChatMessage]) -> Personalisation:
        """Every current standing instruction, and the propositions relevant to the
        message and to the conversation so far; reads only."""
        t0 = time.perf_counter()
        memory = self.fam.memory
        recaller = self.fam.recaller
        # The user's own words carry the topic (answers are long and wordy): the latest
        # few of their messages make the second query. Its vector is the mean of those
        # messages' own vectors, each embedded when it was the message of its turn (so a
        # running app finds them in the embedding cache and embeds only the new one).
        said = [m.shown_text for m in history if m.role == "user"][-CONTEXT_TURNS:]
        vectors = memory.embed([message, *said])
        standing = instructions.current(memory)

        def recalled(query: str, k: int, vector) -> list[Proposition]:
            # instructions are in the prompt anyway, and styles are chosen by the context
            # they were learned in (_style): neither takes recall's places
            found = [r.proposition for r in recaller.recall(query, k + len(standing) + STYLE_K,
                                                             vector=vector)]
            return [p for p in found if p.kind not in (instructions.KIND, STYLE_KIND)][:k]

        found = recalled(message, RECALL_K, vectors[0])
        if said:
            context = vectors[1:].mean(axis=0)
            context /= max(float(np.linalg.norm(context)), 1e-12)
            found += recalled(" ".join(t[:CONTEXT_CHARS] for t in said), CONTEXT_K, context)
        queries = vectors[:1] if not said else np.stack([vectors[0], context])
        found += self._style(queries)
        known: dict[int, Proposition] = {}
        for p in found:
            if p.status == "current" and p.text != FORGOTTEN_TEXT and p.id not in known:
                known[p.id] = p
        return Personalisation(standing, list(known.values())[:MAX_KNOWN],
                               (time.perf_counter() - t0) * 1000)

    def _style(self, queries: np.ndarray) -> list[Proposition]:
        """How the user likes replies written, as learned from their edits of drafts
        written for requests like this one (``chat_style``)."""
        from assistant.chat_style import choose_styles

        ledger = self.fam.ledger
        ids = [r[0] for r in ledger._query(
            "SELECT id FROM propositions WHERE status='current' AND kind=?"
            " ORDER BY user_confirmed DESC, confidence DESC, id DESC LIMIT ?",
            (STYLE_KIND, STYLE_CANDIDATES))]
        styles = ledger.propositions(ids)
        edits = sorted({e.observation_id for p in styles for e in p.evidence if e.source == "edit"})
        contexts = self.store.edit_contexts(edits)
        return [c.proposition for c in
                choose_styles(styles, contexts, queries, self.fam.memory.embed, STYLE_K)]

    def _llm(self):
        llm = self.fam.llm
        if llm is None:
            raise ModelError(NO_MODEL)
        preflight = getattr(llm, "preflight", None)
        if preflight is not None:
            preflight()
        return llm

    # -- learning from edits --------------------------------------------------------------
    def edit_draft(self, message_id: int, edited_text: str) -> int:
        """Keep the user's version of an assistant message, and the before/after pair as an
        edit observation the user model learns from; returns the observation id."""
        from capture.redact import redact

        msg = self.store.message(message_id)
        if msg is None:
            raise UsageError(f"There is no chat message {message_id}.")
        if msg.role != "assistant":
            raise UsageError(f"Message {message_id} is the user's own; only the assistant's "
                             "drafts can be edited.")
        if not isinstance(edited_text, str) or not edited_text.strip():
            raise UsageError("The edited text is empty; nothing was changed.")
        with self.fam.ledger.transaction():
            stored = EditObserver(self.fam.observe).edit(msg.shown_text, edited_text)
            if stored is None:
                raise UsageError("The edited text is the same as the draft; nothing was changed.")
            obs_id = stored[0]
            self.store.set_edit(message_id, redact(edited_text.strip()).text, obs_id)
        return obs_id

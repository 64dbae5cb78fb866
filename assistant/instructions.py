"""Standing instructions: "Always answer in metric units.", "Never use emoji."

A standing instruction is a user-confirmed proposition of kind ``instruction``
(confidence 10, decay 10). Every current one goes into the chat's system prompt,
whatever the message; a later one wins over an earlier one.

Two ways in: ``add`` (``familiar instruct TEXT``, ``Familiar.add_instruction``), origin
``user``; and ``find_instructions`` over what the user says in chat ("From now on,
reply in French.", "Please always cite sources."), stored the same way with the chat
message as evidence but with origin ``rule``, so that forgetting the message also
retracts and erases the instruction taken from it (the ledger keeps what has origin
``user`` when its evidence is forgotten, as the user's own word).
"""

from __future__ import annotations

import re

from assistant.errors import UsageError
from memory.models import Candidate, Proposition
from memory.store import Memory

KIND = "instruction"
PREFIX = "The user's standing instruction: "
MAX_CHARS = 500

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_LEAD = re.compile(r"^[\s\"'“”‘’*\-•>]+")
_PLEASE = re.compile(r"^(?:please|pls|kindly)\b,?\s*", re.I)
_MARKER = re.compile(
    r"^(?:from now on|going forward|from here on(?: out)?|in (?:the )?future|henceforth|"
    r"for (?:all )?future (?:answers|replies|messages|chats|conversations))\b\s*[,:]?\s*", re.I)
_ASK = re.compile(r"^(?:i want you to|i'd like you to|i would like you to|i need you to|"
                  r"(?:can|could|would|will) you)\s+(?=(?:always|never)\b)", re.I)
_STANDING = re.compile(r"^(?:always|never|(?:do not|don't) ever|you (?:should|must|will) (?:always|never))\b",
                       re.I)
# What follows "always"/"never"/"from now on" when the sentence is not an order:
# "Never mind.", "Always a pleasure!", "From now on I'm vegetarian."
_NOT_AN_ORDER = frozenset(
    "i i'm im i've i'd i'll my me we we're we'll our it it's its there there's here the a an "
    "this that these those he she they his her their mind again ever before since".split())


def find_instructions(text: str) -> list[str]:
    """The standing instructions in a message, each cleaned into one sentence."""
    found: list[str] = []
    for raw in _SENTENCE_END.split(text or ""):
        sentence = _LEAD.sub("", raw).strip()
        if not sentence or sentence.endswith("?") or len(sentence) > MAX_CHARS:
            continue
        rest = _PLEASE.sub("", sentence)
        marked = _MARKER.match(rest)
        if marked:
            rest = _PLEASE.sub("", rest[marked.end():])
        rest = _ASK.sub("", rest)
        standing = _STANDING.match(rest)
        if not (marked or standing):
            continue
        words = re.findall(r"[\w'’]+", rest.lower().replace("’", "'"))
        if len(words) < 3:
            continue
        n = len(standing.group(0).split()) if standing else 0
        if n < len(words) and words[n] in _NOT_AN_ORDER:
            continue
        found.append(_clean(rest))
    return list(dict.fromkeys(found))


def _clean(text: str) -> str:
    text = " ".join(text.split()).rstrip(",;: ")
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!" else text + "."


def text_of(p: Proposition) -> str:
    """The instruction itself, as the user gave it."""
    return p.text[len(PREFIX):] if p.text.startswith(PREFIX) else p.text


def current(memory: Memory) -> list[Proposition]:
    """Every current standing instruction, oldest first."""
    ids = [r[0] for r in memory.ledger._query(
        "SELECT id FROM propositions WHERE status='current' AND kind=? ORDER BY id", (KIND,))]
    return memory.ledger.propositions(ids)


def add(memory: Memory, text: str, *, evidence: list[int] | None = None,
        said_in_chat: bool = False) -> int:
    """Store one standing instruction; the same one again returns the stored id (with
    the new evidence linked to it)."""
    from capture.redact import redact

    text = " ".join((text or "").split())
    if not text:
        raise UsageError("The instruction is empty; nothing was stored.")
    if len(text) > MAX_CHARS:
        raise UsageError(f"The instruction is {len(text)} characters; keep it under {MAX_CHARS}.")
    text = _clean(redact(text).text)
    key = _key(text)
    ledger = memory.ledger
    with ledger.transaction():
        for p in current(memory):
            if _key(text_of(p)) == key:
                if evidence:
                    ledger.add_evidence(p.id, evidence)
                return p.id
        reasoning = (f'Said in chat: "{text}"' if said_in_chat
                     else "A standing instruction the user gave (familiar instruct).")
        pid = ledger.insert_proposition(
            Candidate(text=PREFIX + text, reasoning=reasoning, confidence=10, decay=10, kind=KIND,
                      origin="rule" if said_in_chat else "user", evidence=list(evidence or [])),
            user_confirmed=True)
        ledger.add_feedback(pid, "confirm", "standing instruction")
    memory.sync()
    return pid


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))

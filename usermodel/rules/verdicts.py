"""What a rule answers about a clause, and small tests the rules share.

A rule answers a :class:`Verdict` (kind, confidence, decay, polarity, whether
it is task context, whether it was hedged), one of the markers below, or None
when the clause says nothing about the user.
"""

from __future__ import annotations

from dataclasses import dataclass

from usermodel.rules.lexicon import (ANAPHOR_NOUNS, ANAPHORA, DEGREE, DELIVERABLES, FRAMING_VERBS, REQUEST_VERBS,
                                     SOFT_REQUEST_VERBS, TIME_RE, word_set)
from usermodel.rules.verbs import lemma


REQUEST = "request"  # the clause asks something of the assistant
HYPOTHETICAL = "\0hypothetical"  # marker: an "if I were ..." clause voids the clause it governs


@dataclass
class Verdict:
    """A rule's reading of a clause."""

    kind: str
    conf: int
    decay: int
    polarity: int | None = None  # None: follows the negation of the clause
    task: bool = False
    hedged: bool = False


def verdict(kind: str, conf: int, decay: int, polarity: int | None = None, task: bool = False) -> Verdict:
    """Shorthand for a :class:`Verdict` that is not hedged."""
    return Verdict(kind, conf, decay, polarity, task)


def task_context() -> Verdict:
    """Task context ("I have a dataset with 3 columns"): a weak fact that fades fast."""
    return Verdict("fact", 3, 2, 1, True)


def has_time(rest: str) -> bool:
    """True when ``rest`` names a time ("tomorrow", "next week", "in two days")."""
    return TIME_RE.search(rest) is not None


def is_anaphoric(obj: list[str]) -> bool:
    """True when the object is only a pointer to something said before
    ("I love it", "I like that idea", "I'll take the second one")."""
    if not obj:
        return True
    o = [w for w in obj if w not in DEGREE and w not in ("a", "lot", "much", "as", "well", "too", "!")]
    if not o:
        return True
    if o[0] in ANAPHORA and (len(o) == 1 or o[1] in ANAPHOR_NOUNS or len(o) <= 2 and o[1] in ("idea", "one", "better", "more")):
        return True
    if o[0] in ("that", "this", "these", "those", "your", "the") and len(o) <= 4 and o[-1] in ANAPHOR_NOUNS:
        return True  # "that simulation idea", "the last suggestion"
    if o[0] == "the" and len(o) > 1 and o[1] in word_set(
        "first second third fourth fifth last other former latter next previous "
        "above below latest final 1st 2nd 3rd 4th 5th"
    ):
        return True
    if o[0] in ("option", "number", "choice", "#") and len(o) <= 3:
        return True
    if o[0] in ("your", "you"):
        return True
    return False


def has_any(words: list[str], vocab: frozenset[str]) -> bool:
    """True when any of ``words`` is in ``vocab``."""
    return any(w in vocab for w in words)


def asks_assistant(after_to: list[str]) -> bool:
    """True when "... to <verb> <object>" asks the assistant for something:
    "to know", "to ask", "to see some examples", "to learn more about"."""
    if not after_to:
        return False
    w0 = after_to[0]
    if w0 in ("you", "your", "u"):
        return True
    v = lemma(w0)[0]
    if v in REQUEST_VERBS or v in FRAMING_VERBS:
        return True
    if v in SOFT_REQUEST_VERBS:
        obj = after_to[1:5]
        return (not obj or obj[0] in ANAPHORA or obj[0] in ("more", "out", "some", "a", "an", "your", "you", "if",
                                                          "whether", "what", "how", "which", "why", "where")
                and (obj[0] not in ("a", "an", "some") or has_any(obj, DELIVERABLES))
                or has_any(obj, DELIVERABLES) or "you" in obj or "your" in obj)
    return False

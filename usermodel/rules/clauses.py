"""Sentences into clauses.

"I'm vegetarian and I can't stand cilantro" gives two clauses; "I love hiking
but hate camping" gives "I love hiking" and "hate camping" with the subject
"I" understood; "... and it keeps happening" is a clause about something else.
Also here: whether a clause asks something of the assistant (a question, an
imperative, "please ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from usermodel.rules.lexicon import (AUX_Q, CONNECTIVES, DISCLOSE_LEADS, IMPERATIVE, MODIFIER_LEADS, Q_SUBJ, SUBJECT_I,
                                     WH)
from usermodel.rules.text import mask_quotes


_HARD_SPLIT = re.compile(r";|\s[-\u2013\u2014]{1,2}\s|\u2014|\.\.\.\s|\u2026\s")
_SOFT_SPLIT = re.compile(r",|:\s|\(|\)")
_CONJ_I = re.compile(
    r"\s(?:(?:especially|mainly|mostly|partly|largely|simply|just|only|probably|also|even|particularly)\s+)?"
    r"(?:and|but|so|or|yet|because|since|although|though|while|whereas|cause|cuz|plus|as)\s+"
    r"(?=(?:i|i'm|im|i've|ive|i'd|i'll)\b)"
)
_CONJ_VERB = re.compile(
    r"\s(?:but|and)\s+(?=(?:don't|dont|do not|never|can't|cannot|won't|will not|would never|would rather|hate|"
    r"dislike|detest|loathe|despise|love|adore|prefer|enjoy|avoid|refuse|am not|am a|am an|absolutely|really|also|"
    r"totally|only|always|usually|often|mostly|exclusively|strictly|vastly|much|greatly|tend|try|have no|have a|"
    r"have an|follow|stick|steer|stay away|can only|will only|would only|must|need to|have to|rarely|seldom)\b)"
)
_CONJ_OTHER = re.compile(
    r"\s(?:and|but|so|because|since|although|though|while|whereas|yet)\s+(?=(?:it|it's|this|that|that's|there|there's|"
    r"he|he's|she|she's|they|they're|we|we're|you|you're|everyone|everything|nobody|people|nothing)\s)"
)
_MY_X_AND = re.compile(r"(?:^|\s)(?:my|me and my)(?:\s[\w'-]+){1,3}$")


@dataclass
class Clause:
    """A piece of a sentence read on its own."""

    text: str
    implied: bool = False  # "but hate camping": subject "I" understood
    ends_q: bool = False
    other: bool = False  # "... and it keeps happening": a clause about something else


def _starts_clause(low: str) -> bool:
    toks = low.split(None, 3)
    if not toks:
        return False
    t0 = toks[0].strip("\"'")
    t1 = toks[1] if len(toks) > 1 else ""
    if t0 in SUBJECT_I or t0 in ("please", "pls", "plz", "let's", "lets", "any", "help"):
        return True
    if t0 == "my":
        return True
    if t0 in ("me", "i") and t1 == "and":
        return True
    if t0 in ("as", "being") and t1 in ("a", "an", "someone", "somebody"):
        return True
    if t0 in CONNECTIVES or t0 in MODIFIER_LEADS or t0 in ("given", "considering", "now", "being"):
        if t1 in SUBJECT_I or t1 == "my" or t0 in DISCLOSE_LEADS or t0 in MODIFIER_LEADS:
            return True
        return len(toks) > 1 and _starts_clause(low.split(None, 1)[1])
    if t0 in WH or t0 in IMPERATIVE:
        return True
    if t0 in AUX_Q and t1 in Q_SUBJ:
        return True
    return False


def split_clauses(sentence: str) -> list[Clause]:
    """The clauses of one sentence: split at hard boundaries (";", dashes, "..."), at commas,
    colons and brackets when what follows starts a clause of its own, before "and I" / "but I", and,
    in a sentence that starts with "I", before "but hate ..." and "and it ..."."""
    masked = mask_quotes(sentence).replace("\u2019", "'")
    low = masked.lower()
    # hard and soft boundaries
    pieces: list[tuple[int, int, bool]] = []  # start, end, soft boundary before
    pos = 0
    soft_prev = False
    bounds: list[tuple[int, int, bool]] = []
    for m in _HARD_SPLIT.finditer(low):
        bounds.append((m.start(), m.end(), False))
    for m in _SOFT_SPLIT.finditer(low):
        bounds.append((m.start(), m.end(), True))
    bounds.sort()
    for b0, b1, soft in bounds:
        if b0 < pos:
            continue
        pieces.append((pos, b0, soft_prev))
        pos = b1
        soft_prev = soft
    pieces.append((pos, len(sentence), soft_prev))
    merged: list[list[int]] = []
    for idx, (start, end, soft) in enumerate(pieces):
        seg = low[start:end].strip()
        if not seg:
            continue
        nxt = low[pieces[idx + 1][0]:pieces[idx + 1][1]].strip() if idx + 1 < len(pieces) else ""
        lead_in = (len(seg.split()) <= 3 and seg.split()[0] in CONNECTIVES and nxt and _starts_clause(nxt)
                   and pieces[idx + 1][2])
        if merged and soft and not _starts_clause(seg) and not lead_in:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    out: list[Clause] = []
    for start, end in merged:
        segl = low[start:end]
        cuts: list[tuple[int, bool | None]] = []
        for m in _CONJ_I.finditer(segl):
            before = segl[: m.start()].rstrip()
            if segl[m.start():m.end()].strip().startswith("and") and (
                _MY_X_AND.search(before) or before.endswith(" you") or before.endswith("between")
            ):
                continue
            cuts.append((m.start(), False))
        head = segl.lstrip().lstrip("\"'")
        if head.startswith(tuple(s + " " for s in SUBJECT_I)):
            for m in _CONJ_VERB.finditer(segl):
                cuts.append((m.start(), True))
            for m in _CONJ_OTHER.finditer(segl):
                cuts.append((m.start(), None))
        cuts.sort()
        prev = 0
        prev_implied: bool | None = False
        for c, implied in cuts:
            if c <= prev:
                continue
            out.append(Clause(sentence[start + prev:start + c].strip(), bool(prev_implied), other=prev_implied is None))
            prev = c
            prev_implied = implied
        out.append(Clause(sentence[start + prev:end].strip(), bool(prev_implied), other=prev_implied is None))
    out = [c for c in out if c.text]
    if out and sentence.rstrip().rstrip("\"')\u201d").endswith("?"):
        out[-1].ends_q = True
    return out


def is_request_clause(low_tokens: list[str], ends_q: bool) -> bool:
    """True when a clause (lower-case tokens) asks something of the assistant: a question,
    "please ...", a wh-word, "can you ...", an imperative, "let me ..."."""
    if ends_q:
        return True
    if not low_tokens:
        return False
    t0 = low_tokens[0]
    t1 = low_tokens[1] if len(low_tokens) > 1 else ""
    if t0 in ("please", "pls", "plz", "kindly", "help", "let's", "lets", "any", "anything"):
        return True
    if t0 in WH and t0 != "who":
        return True
    if t0 in AUX_Q and t1 in Q_SUBJ:
        return True
    if t0 in IMPERATIVE and t1 not in ("is", "are", "was", "'s"):
        return True
    if t0 == "let" and t1 in ("me", "us"):
        return True
    return False

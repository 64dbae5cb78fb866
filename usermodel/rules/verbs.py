"""The verb phrase after a first-person subject.

Contractions are expanded ("I'm" -> "am", "don't" -> "do not"), then
auxiliaries, negation, hedges, frequency adverbs and modals are read off the
front (:class:`VerbPhrase`), leaving the core ("love Thai curries"); verbs
are reduced to their base form by :func:`lemma`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from usermodel.person import is_adverb, is_past
from usermodel.rules.lexicon import (ALL_ADV, AVOID_VERBS, CONSUME_VERBS, CONTRACTIONS, DISCOURSE_VERBS, DISLIKE_VERBS,
                                     FREQ_NORMAL, FREQ_RARE, FREQ_STRONG, HEDGE_ADV, MODALS, PLAN_VERBS, PREF_VERBS,
                                     REQUEST_VERBS, STRONG_ADV, TASK_VERBS, word_set)


@dataclass
class VerbPhrase:
    """What was read off the front of a verb phrase, and the rest (``core``)."""

    core: list[str] = field(default_factory=list)
    neg: bool = False
    hedge: int = 0
    strong: int = 0
    freq: str | None = None  # "strong" | "normal"
    modal: str | None = None
    past: bool = False
    perfect: bool = False
    copula: bool = False
    only: bool = False
    rare: bool = False  # "rarely", "hardly ever": a weak negative


def expand_contractions(tokens: list[str]) -> list[str]:
    """Tokens with contractions spelled out: "i'm" -> "am" (the subject itself is dropped),
    "don't" -> "do not", "it's" -> "it is"."""
    out: list[str] = []
    for t in tokens:
        exp = CONTRACTIONS.get(t)
        if exp is not None:
            out.extend(exp)
        elif t.endswith("n't") and len(t) > 3:
            out.extend((t[:-3], "not"))
        elif t.endswith("'s") and len(t) > 2:
            out.extend((t[:-2], "is"))
        elif t.endswith("'ve"):
            out.extend((t[:-3], "have"))
        else:
            out.append(t)
    return out


_PARTICIPLE_IRREG = word_set(
    "been done gone seen eaten taken given known grown written driven flown "
    "chosen forgotten gotten got had made found bought brought thought taught "
    "become come run begun drunk swum sung worn heard left lost met paid read "
    "said sold sent spent told understood kept slept won fallen felt held built "
    "quit put cut set hit lived tried always never"
)


def _is_participle(w: str) -> bool:
    return w in _PARTICIPLE_IRREG or (is_past(w) and not w.endswith("eed"))


def parse_verb_phrase(toks: list[str]) -> VerbPhrase:
    """Negation, hedges, emphasis, frequency adverbs, auxiliaries and modals read off the front of
    the (expanded) tokens after the subject; what is left is ``core``."""
    vp = VerbPhrase()
    n = len(toks)
    i = 0
    steps = 0
    while i < n and steps < 12:
        steps += 1
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < n else ""
        if t in ("not", "never"):
            vp.neg = True
            if t == "never":
                vp.freq = "strong"
            i += 1
            continue
        if t == "no" and nxt == "longer":
            vp.neg = True
            i += 2
            continue
        if t in ("kind", "sort") and nxt == "of":
            vp.hedge += 1
            i += 2
            continue
        if (t in ALL_ADV or (is_adverb(t) and t.endswith("ly"))) and t not in ("kind", "sort", "of"):
            if t in ("only", "exclusively", "solely", "strictly"):
                vp.only = True
            if t in HEDGE_ADV:
                vp.hedge += 1
            elif t in STRONG_ADV:
                vp.strong += 1
            elif t in FREQ_STRONG:
                vp.freq = "strong"
            elif t in FREQ_RARE:
                vp.neg = True
                vp.rare = True
            elif t in FREQ_NORMAL:
                vp.freq = vp.freq or "normal"
            i += 1
            continue
        if t in ("do", "does"):
            i += 1
            continue
        if t == "did":
            vp.past = True
            i += 1
            continue
        if t in ("am", "is", "are", "be", "being"):
            vp.copula = True
            i += 1
            if nxt in ("going", "gonna") and i + 1 < n and toks[i + 1] == "to":
                vp.modal = vp.modal or "going to"
                vp.copula = False
                i += 2
            continue
        if t in ("was", "were"):
            vp.copula = True
            vp.past = True
            i += 1
            continue
        if t == "been":
            vp.copula = True
            vp.perfect = True
            i += 1
            continue
        if t in ("have", "has", "had"):
            j = i + 1
            while j < n and toks[j] in ALL_ADV and toks[j] not in ("not",):
                j += 1
            after = toks[j] if j < n else ""
            if after == "not" and j + 1 < n and _is_participle(toks[j + 1]):
                vp.neg = True
                vp.perfect = True
                i = j + 1
                continue
            if after and _is_participle(after) and after not in ("always", "never") and not (
                after in ("got", "gotten") and j + 1 < n and toks[j + 1] == "to"
            ):
                vp.perfect = True
                if t == "had":
                    vp.past = True
                i += 1
                continue
            if after == "to" or (after in ("got", "gotten") and j + 1 < n and toks[j + 1] == "to"):
                vp.modal = "have to"
                i = j + (2 if after != "to" else 1)
                continue
            if after in ("got", "gotten"):
                # "I've got two kids": head "got" read as "have"
                toks = toks[:j] + ["have"] + toks[j + 1:]
                i = j
                break
            break
        if t in MODALS:
            if t == "would" and nxt == "rather":
                vp.modal = "would"
                i += 1
                break
            vp.modal = t if vp.modal is None else vp.modal
            if t == "ought" and nxt == "to":
                i += 1
            i += 1
            continue
        if t == "used" and nxt == "to":
            vp.modal = "used to"
            i += 2
            continue
        break
    vp.core = toks[i:]
    return vp


_IRREG_LEMMA = {
    "went": "go", "gone": "go", "ate": "eat", "eaten": "eat", "had": "have", "did": "do",
    "done": "do", "made": "make", "took": "take", "taken": "take", "got": "get",
    "gotten": "get", "bought": "buy", "drank": "drink", "drunk": "drink", "grew": "grow",
    "grown": "grow", "began": "begin", "begun": "begin", "became": "become", "came": "come",
    "felt": "feel", "found": "find", "gave": "give", "given": "give", "knew": "know",
    "known": "know", "left": "leave", "lost": "lose", "met": "meet", "paid": "pay",
    "said": "say", "sold": "sell", "sent": "send", "spent": "spend", "stood": "stand",
    "taught": "teach", "thought": "think", "told": "tell", "understood": "understand",
    "wrote": "write", "written": "write", "brought": "bring", "caught": "catch",
    "kept": "keep", "slept": "sleep", "swam": "swim", "won": "win", "wore": "wear",
    "worn": "wear", "chose": "choose", "chosen": "choose", "broke": "break", "drove": "drive",
    "driven": "drive", "flew": "fly", "flown": "fly", "forgot": "forget",
    "forgotten": "forget", "heard": "hear", "held": "hold", "built": "build", "meant": "mean",
    "sat": "sit", "sang": "sing", "spoke": "speak", "ran": "run", "saw": "see", "seen": "see",
    "been": "be", "learnt": "learn", "burnt": "burn", "dreamt": "dream", "fell": "fall",
    "led": "lead", "rode": "ride", "stuck": "stick", "quit": "quit", "read": "read",
    "tried": "try", "studied": "study", "married": "marry", "hurried": "hurry",
}

KNOWN_VERBS = (
    frozenset(PREF_VERBS) | frozenset(DISLIKE_VERBS) | CONSUME_VERBS | AVOID_VERBS | PLAN_VERBS
    | REQUEST_VERBS | TASK_VERBS | DISCOURSE_VERBS
    | word_set(
        "cook bake play watch listen work live study teach follow stick stop start "
        "switch become turn grow suffer own use wear need want try tend plan intend "
        "aim hope decide care mind feel know find visit travel move walk hike swim "
        "bike ride paint draw sing dance practice train exercise meditate shop save "
        "collect garden knit sew fish hunt camp ski surf climb skate lift order pick "
        "pray volunteer worry miss crave skip refuse struggle marry graduate retire "
        "commute jog adopt rent donate recycle vote drive type fail pass enter"
    )
)


def lemma(w: str) -> tuple[str, bool]:
    """(base form, is past) of a verb as written after "I"."""
    if w in _IRREG_LEMMA:
        return _IRREG_LEMMA[w], w != "read" and w != "quit"
    if w in KNOWN_VERBS:
        return w, False
    if w.endswith("ied") and len(w) > 4:
        return w[:-3] + "y", True
    if is_past(w):
        stem = w[:-2]
        for cand in (w[:-1], stem, stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
            if cand and cand in KNOWN_VERBS:
                return cand, True
        return w[:-1] if w[:-1].endswith("e") and w[:-1] in KNOWN_VERBS else stem, True
    return w, False

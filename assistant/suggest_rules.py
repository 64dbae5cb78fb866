"""Suggestions without a language model: one concrete offer per proposition.

A proposition is stored as "The user <predicate>." (usermodel/person.py writes it
that way). The predicate is turned back into the second person ("you love Thai
food"), its main verb and complement are found with the same verb knowledge the
extractor uses, and the proposition's kind picks the offer:

    preference  → look for something new around <complement>
    dislike     → leave <complement> out of what is suggested
    habit       → a reminder to <do it> (or a check-in on something ongoing)
    plan        → first steps, or a reminder for what must be done
    constraint  → check every suggestion against it
    identity    → tailor answers to it
    state       → hold non-urgent things for now
    anything with a date or a time in it → a reminder ahead of it

No topic-specific word lists: only English grammar (copulas, auxiliaries,
modals, prepositions, third-person verb endings) and the extractor's verb classes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from usermodel.person import MODALS, is_adverb, is_past
from usermodel.rules.lexicon import DISLIKE_VERBS, PREF_VERBS, TIME_RE

_SUBJECT = re.compile(r"^\s*the user(?:'s|\u2019s)?\s+", re.I)
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z0-9]+)*|\s+|.", re.S)

_TO_SECOND = {
    "is": "are", "was": "were", "has": "have", "does": "do", "isn't": "aren't",
    "wasn't": "weren't", "hasn't": "haven't", "doesn't": "don't", "goes": "go",
}
_PRONOUNS = {"their": "your", "theirs": "yours", "them": "you", "themselves": "yourself",
             "themself": "yourself", "they": "you"}
_COPULAS = frozenset({"is", "are", "was", "were", "be", "been", "being"})
_AUX = _COPULAS | frozenset({"has", "have", "had", "does", "do", "did"})
_NEG = frozenset({"not", "never", "no"})
_PREPOSITIONS = frozenset(
    "in into on of to for about with at by from over under after around toward towards".split())
_DETERMINERS = frozenset("a an the this that these those some any every each their your".split())
# A must-do ("needs to", "has to", "must") gets a reminder; a wish or intention gets a plan.
_OBLIGATION = frozenset({"need", "needs", "must", "have", "has", "should", "ought", "got"})
_MONTH_OR_DATE = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.? \d{1,2}\b|"
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}\b|\bon (?:the )?\d{1,2}(?:st|nd|rd|th)\b", re.I)

KIND_VALUE = {
    # How useful an offer of this kind usually is (0-1); the rest of the score comes
    # from the evidence (assistant/suggest.py).
    "reminder": 0.85, "plan": 0.85, "habit": 0.75, "preference": 0.7, "constraint": 0.65,
    "dislike": 0.55, "identity": 0.5, "fact": 0.45, "inferred": 0.45, "choice": 0.35,
    "state": 0.35,
}


@dataclass(frozen=True)
class Offer:
    text: str
    why: str
    kind: str  # a key of KIND_VALUE


@dataclass(frozen=True)
class Predicate:
    """ "The user is planning to learn Rust" read as: you → "are planning to learn
    Rust", main verb "planning", complement "learn Rust", infinitive True."""

    second: str  # the whole predicate in the second person
    subject: str  # "you", or "your sister's birthday" for a possessive subject
    verb: str  # the main (lexical) verb as written, lower case
    lead: str  # auxiliaries/modals before it, lower case ("is", "needs to", "")
    complement: str  # what follows the verb (after a copula's adjective+preposition)
    infinitive: bool  # the complement is "to <verb> ..." (an action)
    negated: bool


def second_person(text: str) -> str:
    """ "The user runs every morning." → "You run every morning"."""
    pred = read(text)
    if pred is None:
        return text.strip().rstrip(".")
    return _sentence(pred.subject, pred.second)


def read(text: str) -> Predicate | None:
    """The predicate of a "The user ..." proposition; None for anything else."""
    m = _SUBJECT.match(text)
    if not m:
        return None
    possessive = "'" in m.group(0) or "\u2019" in m.group(0)
    rest = text[m.end():].strip().rstrip(".!?;: ")
    if not rest:
        return None
    if possessive:
        # "The user's sister's birthday is on March 3": the subject is "your sister's birthday".
        words = rest.split()
        cut = next((i for i, w in enumerate(words) if w.lower() in _AUX | MODALS), None)
        if cut is None or cut == 0:
            return None
        subject = "your " + _pronouns(" ".join(words[:cut]))
        rest_words = words[cut:]
        second = _pronouns(" ".join(rest_words))
        return _analyse(subject, second, rest_words, third_singular=True)
    words = rest.split()
    converted, third = _convert(words)
    return _analyse("you", converted, words, third_singular=third)


def _convert(words: list[str]) -> tuple[str, bool]:
    """The predicate with its first verb agreeing with "you" and pronouns swapped."""
    out: list[str] = []
    done = False
    for w in words:
        low = w.lower()
        if not done and (is_adverb(low) or low in _NEG):
            out.append(w)
            continue
        if not done:
            done = True
            if low in _TO_SECOND:
                out.append(_TO_SECOND[low])
                continue
            if low in MODALS or is_past(low) or not low.isalpha():
                out.append(w)
                continue
            out.append(_base(low))
            continue
        out.append(w)
    return _pronouns(" ".join(out)), True


def _base(verb: str) -> str:
    """Third-person singular → base form ("runs" → "run", "tries" → "try")."""
    if verb in _TO_SECOND:
        return _TO_SECOND[verb]
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    if verb.endswith(("sses", "shes", "ches", "xes", "zes", "oes")):
        return verb[:-2]
    if verb.endswith("s") and not verb.endswith("ss") and len(verb) > 2:
        return verb[:-1]
    return verb


def _pronouns(text: str) -> str:
    parts = _TOKEN.findall(text)
    return "".join(_PRONOUNS.get(p.lower(), p) if p.strip() else p for p in parts)


def _analyse(subject: str, second: str, words: list[str], *, third_singular: bool) -> Predicate:
    low = [w.lower().strip(",;:") for w in words]
    i = 0
    lead: list[str] = []
    negated = False
    # Skip adverbs, negations, auxiliaries and modals to the main verb.
    while i < len(low) and (low[i] in _AUX or low[i] in MODALS or is_adverb(low[i]) or low[i] in _NEG
                           or low[i].endswith(("n't", "n\u2019t"))):
        if low[i] in _NEG or low[i].endswith(("n't", "n\u2019t")):
            negated = True
        if low[i] in _AUX or low[i] in MODALS:
            lead.append(low[i])
        elif low[i].endswith(("n't", "n\u2019t")):
            lead.append(low[i])
        i += 1
    copula = bool(lead) and lead[-1] in _COPULAS
    if copula and i < len(low) and not low[i].endswith("ing"):
        # "is allergic to peanuts", "is really into jazz": an adjective (or a preposition)
        # with its complement; "is a nurse": the whole noun phrase is the complement.
        verb = lead[-1]
        comp = words[i:]
        if comp and low[i] in _PREPOSITIONS:
            comp = words[i + 1:]
        elif comp and low[i] not in _DETERMINERS:
            for j in range(i + 1, min(i + 4, len(low))):
                if low[j] in _PREPOSITIONS:
                    comp = words[j + 1:]
                    break
        return Predicate(second, subject, verb, " ".join(lead), _pronouns(" ".join(comp)),
                         False, negated)
    if i >= len(low):
        return Predicate(second, subject, lead[-1] if lead else "", " ".join(lead), "", False, negated)
    verb = low[i]
    i += 1
    # Verb chains ("wants to visit", "is planning to learn", "needs to renew").
    infinitive = False
    if (i + 1 < len(low) and low[i] == "to" and low[i + 1] not in _DETERMINERS
            and low[i + 1].isalpha() and not words[i + 1][:1].isupper()):
        lead.append(verb)
        infinitive = True
        i += 1
    comp = words[i:]
    if comp and not infinitive and low[i] in _PREPOSITIONS and low[i] != "to":
        comp = words[i + 1:]  # "is interested in woodworking", "cares about privacy"
    return Predicate(second, subject, verb, " ".join(lead), _pronouns(" ".join(comp)),
                     infinitive, negated)


def _sentence(subject: str, predicate: str) -> str:
    text = f"{subject} {predicate}".strip()
    text = re.sub(r"^you are\b", "you're", text)
    text = re.sub(r"^you have been\b", "you've been", text)
    return text[:1].upper() + text[1:]


def _verb_class(verb: str) -> str | None:
    base = _base(verb)
    for name, verbs in (("preference", PREF_VERBS), ("dislike", DISLIKE_VERBS)):
        if base in verbs or verb in verbs:
            return name
    return None


def offer(text: str, kind: str, polarity: int = 1) -> Offer | None:
    """One concrete offer for the proposition ``text`` of ``kind``; None when there
    is nothing useful to offer (not a statement about the user, too short)."""
    pred = read(text)
    if pred is None:
        return None
    said = _sentence(pred.subject, pred.second)
    why = said + "."
    comp = pred.complement.strip(" ,.;:")
    action = _action(pred)
    if kind in ("fact", "inferred", "choice") and pred.subject == "you":
        kind = _verb_class(pred.verb) or kind
    if kind == "preference" and polarity < 0:
        kind = "dislike"
    if _MONTH_OR_DATE.search(text) and kind not in ("dislike", "constraint"):
        return Offer(f"{said} — want a reminder a few days before?", why, "reminder")
    if kind == "preference" and comp:
        if pred.infinitive:
            return Offer(f"Want me to find time in your week to {comp}?", why, kind)
        return Offer(f"Want me to look for something new around {comp} for you?", why, kind)
    if kind == "dislike" and comp:
        return Offer(f"Want me to leave {comp} out of what I suggest?", why, kind)
    if kind == "habit":
        if action:
            return Offer(f"Want a reminder to {action}?", why, kind)
        return Offer(f"{said} — want a weekly check-in on how it's going?", why, kind)
    if kind == "plan":
        if pred.infinitive and comp:
            first = pred.lead.split()[-1] if pred.lead else ""
            if first in _OBLIGATION or any(w in _OBLIGATION for w in pred.lead.split()):
                return Offer(f"Want a reminder to {comp}?", why, "reminder")
            if TIME_RE.search(text.lower()):
                return Offer(f"Want me to draft first steps to {comp}, with a reminder?", why, kind)
            return Offer(f"Want me to draft first steps to {comp}?", why, kind)
        return Offer(f"{said} — want me to make a short plan for it?", why, kind)
    if kind == "constraint":
        return Offer(f"{said} — want me to check what I suggest against that?", why, kind)
    if kind == "identity":
        return Offer(f"{said} — want answers and news tailored to that?", why, kind)
    if kind == "state":
        return Offer(f"{said} — want me to hold non-urgent things until later?", why, kind)
    if kind == "choice":
        return Offer(f"{said} — want me to remember that for next time?", why, kind)
    if comp:
        return Offer(f"{said} — anything I can help with around {comp}?", why, "fact")
    return None


def _action(pred: Predicate) -> str:
    """A plain habit as an imperative: "you usually work late" → "work late"."""
    if pred.subject != "you" or pred.negated or not pred.verb or _verb_class(pred.verb) == "dislike":
        return ""
    if pred.infinitive:
        return pred.complement  # "forgets to drink water", "tries to eat less": the act itself
    if pred.lead and (pred.lead.split()[0] in _AUX):
        return ""  # "is training for…", "has been learning…": ongoing, not a single act
    verb = _base(pred.verb)
    if is_past(verb) or verb in MODALS:
        return ""
    rest = pred.second.split()
    # drop leading adverbs of frequency: a reminder already has its own time
    while rest and is_adverb(rest[0].lower()):
        rest = rest[1:]
    if not rest:
        return ""
    return " ".join(rest)

"""One clause read for what it says about the user.

Leading connectives and framing ("Just so you know, ...", "I think ...") are
skipped, the subject is found ("I", "my ...", "my wife and I", "Every morning
I", "As a vegan, ...", chat shorthand with the "I" left out) and what follows
is classified.  Modifiers ("When I travel, ...") are handed back to attach to
the neighbouring clause, and requests are reported so that a disclosure made
in passing inside one counts at lower confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from usermodel.person import finish, is_adverb, rewrite_pronouns, third_person
from usermodel.rules.classify import classify_tokens
from usermodel.rules.clauses import Clause, is_request_clause
from usermodel.rules.lexicon import (ALL_ADV, AS_A_EXCLUDE, CONNECTIVES, COUNTERFACTUAL_RE, DISCLOSE_LEADS, FRAME_RE,
                                     HEALTH_ADJ, HEALTH_NOUNS, HEDGE_FRAME_RE, MODIFIER_LEADS, PREFIX_BLOCK,
                                     PREFIX_START, REALIZE_FRAME_RE, SUBJECT_I, WORD_RE, word_set)
from usermodel.rules.subjects import classify_my_clause, classify_object_first
from usermodel.rules.verbs import expand_contractions
from usermodel.rules.verdicts import HYPOTHETICAL, REQUEST, Verdict, has_any, verdict


MAX_CLAUSE_CHARS = 600  # longer clauses are cut before analysis


@dataclass
class Found:
    """A clause that says something about the user: its verdict, the text to rewrite into third
    person (from the subject on), the quote for the reasoning, and an optional modifier or ready-made text."""

    cls: Verdict
    core: str  # original text from the subject on
    quote: str
    tail: str = ""  # modifier appended after the rewritten clause
    custom_text: str | None = None


_YOU_OK_BEFORE = word_set("that where when which if whenever wherever unless so because until once as than how what")
_YOU_TOLD = word_set("told mentioned said explained showed")


def _mentions_you(low_tokens: list[str]) -> str | None:
    """"request" if the clause addresses the assistant ("I want you to"),
    "told" for "as I told you", None for no "you" or a generic "you"."""
    for i, t in enumerate(low_tokens):
        if t in ("you", "your", "yourself", "u", "ya", "you're", "you've", "you'll", "you'd"):
            prev = low_tokens[i - 1] if i else ""
            if prev in _YOU_OK_BEFORE:
                continue
            if prev in _YOU_TOLD or (prev == "to" and i > 1 and low_tokens[i - 2] in _YOU_TOLD):
                return "told"
            return "request"
    return None


_FROM_3SG = {"is": "am", "has": "have", "does": "do", "doesn't": "don't", "isn't": "am not", "hasn't": "haven't",
             "goes": "go", "was": "was"}


def _from_3sg(toks: list[str]) -> list[str]:
    """First verb of a "someone who ..." clause back to the form used after "I"."""
    out = list(toks)
    for i, t in enumerate(out[:4]):
        if t in ALL_ADV or t == "not":
            continue
        if t in _FROM_3SG:
            out[i:i + 1] = _FROM_3SG[t].split()
        elif t.endswith("ies") and len(t) > 4:
            out[i] = t[:-3] + "y"
        elif t.endswith(("sses", "shes", "ches", "xes", "zes", "oes")):
            out[i] = t[:-2]
        elif t.endswith("s") and not t.endswith("ss"):
            out[i] = t[:-1]
        break
    return out


_IMPLIED_BAD_HEAD = word_set(
    "a an the so very too more less quite pretty bit little in on at with for to of about my your their this that "
    "these those it its some any"
)


def _as_a(clause: Clause, text: str, spans: list[tuple[int, int]], low: list[str], k: int):
    """ "As a vegetarian, ..." / "Being lactose intolerant, ..." as a clause of its own."""
    rest = low[k + 1:]
    if clause.ends_q or not rest:
        return None, False, None
    if rest[0] in ("a", "an"):
        rest = rest[1:]
    who = rest[:1] in (["someone"], ["somebody"], ["person"], ["one"]) and "who" in rest[:3]
    if not (rest and 1 <= len(rest) <= (30 if who else 8) and rest[0] not in AS_A_EXCLUDE and rest[-1] not in AS_A_EXCLUDE
            and not has_any(rest, SUBJECT_I | word_set("you your it that this we they he she result"))):
        return None, False, None
    quote = text[spans[k][0]:].strip()
    if rest[0] in ("someone", "somebody", "person", "one") or "who" in rest:
        sub_i = rest.index("who") + 1 if "who" in rest else len(rest)
        sub = classify_tokens(expand_contractions(_from_3sg(rest[sub_i:]))) if sub_i < len(rest) else None
        kind = sub.kind if isinstance(sub, Verdict) and sub.kind in ("preference", "dislike", "habit",
                                                                  "constraint") else "identity"
        pol = sub.polarity if isinstance(sub, Verdict) else 1
        cls = verdict(kind, 8, 8, pol)
    elif has_any(rest, HEALTH_ADJ) or has_any(rest, HEALTH_NOUNS):
        cls = verdict("constraint", 8, 9, 1)
    else:
        cls = verdict("identity", 8, 9, 1)
    body = text[spans[k + 1][0]:].strip().rstrip(",;:")
    return Found(cls, "", quote, custom_text=third_person("I am " + body)), False, None


def analyse_clause(clause: Clause) -> tuple[Found | None, bool, str | None]:
    """(found, is_request, modifier) for one clause."""
    if clause.other:
        return None, False, None
    text = clause.text[:MAX_CLAUSE_CHARS]
    spans = [(m.start(), m.end()) for m in WORD_RE.finditer(text)]
    if not spans:
        return None, False, None
    low = [text[a:b].lower().replace("\u2019", "'") for a, b in spans]
    k = 0
    # leading connectives ("and", "since", "when", ...)
    lead = ""
    while k < len(low) and low[k] in ("and", "but", "so", "also", "well", "oh", "honestly", "personally", "plus",
                                      "especially", "mainly", "mostly", "partly", "largely", "simply", "just",
                                      "probably", "particularly"):
        k += 1
    if k < len(low) and low[k] in ("as", "being") and k + 1 < len(low) and low[k + 1] not in SUBJECT_I | {
            "my", "you", "it", "this", "that", "we", "they", "he", "she", "far", "well", "much", "long", "soon", "for",
            "of", "per", "usual", "always", "such", "if", "though"}:
        return _as_a(clause, text, spans, low, k)
    while k < len(low) and k < 4 and (low[k] in CONNECTIVES or low[k] in MODIFIER_LEADS or low[k] in (
            "given", "considering", "now", "seeing", "even", "especially", "though")):
        if low[k] in MODIFIER_LEADS or low[k] in DISCLOSE_LEADS or low[k] in ("given", "considering", "seeing"):
            lead = low[k]
        if low[k] in ("given", "considering", "seeing", "now") and k + 1 < len(low) and low[k + 1] in ("that", "as"):
            k += 1
        k += 1
        if lead:
            break
    if lead in MODIFIER_LEADS:
        mod = text[spans[k - 1][0]:].strip().rstrip("?.!,;:")
        if COUNTERFACTUAL_RE.search(" ".join(low)):
            return None, False, HYPOTHETICAL
        return None, False, mod
    joined = " ".join(low[k:]) + " "
    hedged = False
    for _ in range(3):
        m = FRAME_RE.match(joined)
        if m:
            k += m.group(0).count(" ")
            joined = joined[m.end():]
            continue
        m = HEDGE_FRAME_RE.match(joined) or REALIZE_FRAME_RE.match(joined)
        if m and joined[m.end():].split(" ", 1)[0] in SUBJECT_I | {"my"}:
            hedged = hedged or m.re is HEDGE_FRAME_RE
            k += m.group(0).count(" ")
            joined = joined[m.end():]
            continue
        break
    if k >= len(low):
        return None, False, None
    toks = low[k:]
    quote = text[spans[0][0]:].strip()
    req_like = is_request_clause(toks, clause.ends_q and lead not in DISCLOSE_LEADS)
    you = _mentions_you(toks)
    t0 = toks[0]
    found: Found | None = None
    if clause.implied:
        # "... but hate camping": the subject is the "I" of the clause before
        if you == "request":
            return None, True, None
        exp = expand_contractions(toks)
        head = next((w for w in exp if w not in ALL_ADV and not is_adverb(w)), "")
        if head in _IMPLIED_BAD_HEAD:
            return None, False, None
        res = classify_tokens(exp)
        if isinstance(res, Verdict):
            found = Found(res, "I " + text[spans[k][0]:], quote)
        return found, res == REQUEST, None
    if t0 in SUBJECT_I:
        if clause.ends_q and lead not in DISCLOSE_LEADS:
            return None, True, None
        if you == "request":
            return None, True, None
        if you == "told":
            return None, False, None
        res = classify_tokens(expand_contractions(toks))
        if res == REQUEST:
            return None, True, None
        if isinstance(res, Verdict):
            if hedged:
                res.hedged = True
                res.conf = min(res.conf, 4)
            found = Found(res, text[spans[k][0]:], quote)
        return found, False, None
    if t0 in ("me", "i", "my") and "and" in toks[1:6] and any(t in ("i", "me") for t in toks[2:7]):
        # "my wife and I love hiking" / "me and my brother play chess"
        j = next((x for x in range(2, min(len(toks), 8)) if toks[x] in ("i", "me") and toks[x - 1] == "and"), None)
        if j is None and t0 in ("me", "i") and toks[1] == "and" and len(toks) > 3 and toks[2] == "my":
            j = 4 if len(toks) > 4 and toks[3] in word_set("little older younger big best twin baby new") else 3
            res = classify_tokens(expand_contractions(toks[j:]))
        elif j is not None:
            res = classify_tokens(expand_contractions(toks[j + 1:]))
        else:
            res = None
        if isinstance(res, Verdict) and you != "request":
            found = Found(res, text[spans[k][0]:], quote)
        return found, res == REQUEST, None
    if t0 == "my":
        if you == "request" or clause.ends_q:
            return None, clause.ends_q or you == "request", None
        res = classify_my_clause(toks)
        if isinstance(res, Verdict):
            found = Found(res, text[spans[k][0]:], quote)
        return found, False, None
    if t0 == "call" and len(toks) > 2 and toks[1] == "me" and text[spans[k + 2][0]:spans[k + 2][1]][:1].isupper():
        name = text[spans[k + 2][0]:spans[min(k + 3, len(spans) - 1)][1]] if len(toks) > 3 and \
            text[spans[k + 3][0]:spans[k + 3][1]][:1].isupper() else text[spans[k + 2][0]:spans[k + 2][1]]
        return Found(verdict("identity", 8, 10), "", quote, custom_text=f"The user's name is {name}."), False, None
    # a time or place in front of the subject: "Every morning I drink green tea"
    if t0 in PREFIX_START and you is None:
        for j in range(1, min(len(toks), 8)):
            if toks[j] in PREFIX_BLOCK:
                break
            if toks[j] in SUBJECT_I:
                res = classify_tokens(expand_contractions(toks[j:]))
                if isinstance(res, Verdict):
                    pre = text[spans[k][0]:spans[k + j][0]].strip().rstrip(",")
                    return Found(res, text[spans[k + j][0]:], quote, tail=rewrite_modifier(pre)), False, None
                return None, res == REQUEST, None
    frag = _fragment(toks)
    if frag is not None and not clause.ends_q and you is None:
        # chat shorthand with the "I" left out: "Love a good thriller." / "Big fan of jazz here."
        res = classify_tokens(expand_contractions(frag.split() + toks))
        if isinstance(res, Verdict):
            res.conf = max(3, res.conf - 1)
            body = text[spans[k][0]:]
            body = body[:1].lower() + body[1:]
            subj = {"i": "I", "i'm": "I am", "i'm a": "I am a"}[frag]
            return Found(res, f"{subj} {body}", quote), False, None
        return None, res == REQUEST, None
    if req_like:
        return None, True, None
    if t0 in PREFIX_START and len(toks) <= 7 and not clause.ends_q and not (
            t0 in ("this", "that", "these", "next", "last", "most") and (len(toks) < 2 or toks[1] not in _TIME_NOUNS)):
        # "For breakfast," / "On weekends," in front of the next clause
        return None, False, text[spans[k][0]:].strip().rstrip(",;:")
    of = classify_object_first(" ".join(toks))
    if of is not None:
        cls = of[0]
        body = text[spans[k][0]:]
        first = body.split(" ", 1)[0]
        if not (len(first) > 1 and (first.isupper() or first[1:2].isupper())):
            body = body[:1].lower() + body[1:]
        return Found(cls, "", quote, custom_text=finish("The user says " + rewrite_pronouns(body))), False, None
    return None, False, None


_DISCOURSE_MOD = re.compile(
    r"^(?:and |but |so |also )?(?:on (?:a|an|another|that|this|the) (?:\w+ )?note|speaking of|in other news|switching gears|"
    r"changing (?:the )?subjects?|for (?:example|instance)|in (?:any case|general|particular|addition|fact|the meantime|"
    r"short|summary|conclusion|other words)|at (?:the same time|this point|least|the end of the day)|"
    r"on (?:the other hand|top of that|the flip side)|by the way|after all|of course|otherwise|anyway|anyways|"
    r"besides|though|however|then|now|so|also|well|actually|honestly|basically|personally|first|second|finally|"
    r"lastly|additionally|furthermore|moreover|meanwhile|still|plus)\b",
    re.I,
)

_TIME_NOUNS = word_set(
    "week weekend weekends morning mornings evening evenings night nights year years month months summer winter "
    "spring fall autumn time times season semester term day days afternoon afternoons weekday weekdays"
)


def rewrite_modifier(mod: str) -> str:
    """A modifier ("When I travel", "On weekends") ready to append to the rewritten clause
    ("when they travel"); "" for discourse markers ("On another note", "For example")."""
    if _DISCOURSE_MOD.match(mod.strip()) and len(mod.split()) <= 6:
        return ""
    mod = rewrite_pronouns(mod.strip().rstrip("?!.,;:"))
    first = mod.split(" ", 1)[0]
    if first.lower() in PREFIX_START or first.lower() in MODIFIER_LEADS or first.lower() in CONNECTIVES or \
            first.lower() in ("when", "whenever", "especially", "even", "mostly", "mainly", "during"):
        mod = mod[:1].lower() + mod[1:]
    return mod


_FRAG_VERBS = word_set("love loved adore adored hate hated dislike disliked enjoy enjoyed prefer detest loathe despise")


def _fragment(toks: list[str]) -> str | None:
    """"i" when a clause starts with a verb of liking and no subject, "i'm" for
    "big fan of ...", "not a fan of ...", "not into ...", "allergic to ...";
    None otherwise."""
    if not toks:
        return None
    t0 = toks[0]
    t1 = toks[1] if len(toks) > 1 else ""
    if t0 in _FRAG_VERBS and t1 not in ("you", "your", "u", "to") and len(toks) >= 2:
        return "i"
    if t0 in ("big", "huge", "massive", "total", "lifelong", "longtime") and t1 == "fan":
        return "i'm a"
    if t0 == "not" and (t1 in ("into", "big") or " ".join(toks[1:5]).startswith(
            ("a fan", "a big fan", "a huge fan", "much of a", "really into", "really a fan", "a huge", "a big"))):
        return "i'm"
    if t0 in ("allergic", "intolerant") and t1 == "to":
        return "i'm"
    return None

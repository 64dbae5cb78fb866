"""Preferences learned from the user's edits of the assistant's drafts (as in CIPHER,
Gao et al., "Aligning LLM Agents by Learning Latent Preference from User Edits",
2024): the difference between what the assistant wrote and what the user kept says
how they like replies written.

An edit observation holds the draft and the edited version (``capture.observers.
format_edit``). ``extract_edit`` reads one, without a language model:

- the style the change shows, as ``style`` propositions ("The user prefers replies
  without greetings.") at confidence 5: one edit is a hint, and the same change
  seen again corroborates it (the integrator raises the confidence);
- what the user wrote themselves (sentences of the edited version that are not in
  the draft) goes through the ordinary rules; the draft is the assistant's words and
  is never read as the user's.

``model_view`` is what the language model stage sees of an edit (and what its proposals
are grounded on): what the rules read into the change, the change (what was removed and
added) and the edited version, instead of a long draft cut off before the change.
"""

from __future__ import annotations

import re
from dataclasses import replace

from memory.models import Candidate, Observation

KIND = "style"
CONFIDENCE = 5
DECAY = 7

_DRAFT = "Assistant's draft:\n"
_EDITED = "\n\nThe user's edited version:\n"
_CHANGES = "\n\nChanges: "

_GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|hiya|howdy|dear|greetings|good (?:morning|afternoon|evening))\b[^\n.!?]{0,40}[.!?,]?",
    re.I)
_PLEASANTRY = re.compile(
    r"\b(?:i hope (?:you(?:'re| are) (?:well|doing well)|this (?:e-?mail |message )?finds you well)|"
    r"great question|thanks for (?:reaching out|your (?:message|question|email))|"
    r"(?:i'd|i would|i'm|i am) (?:be )?(?:happy|glad|delighted) to help|certainly!|of course!|sure thing)",
    re.I)
_SIGNOFF = re.compile(
    r"(?:^|[.!?\n]\s*)(?:(?:best(?: wishes| regards)?|kind regards|warm regards|regards|cheers|thanks(?: again)?|"
    r"thank you|sincerely|warmly|all the best|take care)\b[^\n.!?]{0,40}|"
    r"(?:i )?hope (?:this|that) helps[^\n.!?]{0,40}|"
    r"(?:let me know|feel free to (?:ask|reach out))[^\n.!?]{0,80}|"
    r"(?:if you have|should you have) any (?:other |more |further )?questions[^\n.!?]{0,80})[.!?]*\s*$",
    re.I)
_APOLOGY = re.compile(r"\b(?:sorry|apologi[sz]e|apologies)\b", re.I)
_HEDGE = re.compile(r"\b(?:i think|i believe|perhaps|maybe|possibly|it seems|it might be|"
                    r"you (?:may|might) want to|i'm not sure but)\b", re.I)
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\U0001F000-\U0001F2FF]")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+", re.M)
_CONTRACTION = re.compile(
    r"\b(?:don't|doesn't|didn't|can't|won't|isn't|aren't|wasn't|weren't|couldn't|shouldn't|wouldn't|"
    r"haven't|hasn't|i'm|you're|we're|they're|it's|that's|i've|you've|we've|i'll|you'll|we'll|"
    r"i'd|you'd|let's)\b", re.I)
_EXPANDED = re.compile(
    r"\b(?:do not|does not|did not|cannot|can not|will not|is not|are not|was not|were not|could not|"
    r"should not|would not|have not|has not|i am|you are|we are|they are|it is|that is|i have|"
    r"you have|we have|i will|you will|we will|i would|you would|let us)\b", re.I)
_IMPERIAL = re.compile(r"\b(?:miles?|mph|feet|foot|ft|inch(?:es)?|pounds?|lbs?|ounces?|oz|gallons?|"
                       r"fahrenheit|yards?)\b|°\s?F\b", re.I)
_METRIC = re.compile(r"\b(?:kilomet(?:re|er)s?|km|km/h|met(?:re|er)s?|centimet(?:re|er)s?|cm|mm|"
                     r"kilo(?:gram)?s?|kg|grams?|lit(?:re|er)s?|ml|celsius)\b|°\s?C\b", re.I)
_CLOCK_12 = re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)", re.I)
_CLOCK_24 = re.compile(r"\b(?:[01]?\d|2[0-3]):[0-5]\d\b(?!\s?(?:am|pm|a\.m\.|p\.m\.))", re.I)


def parse_edit(text: str) -> tuple[str, str] | None:
    """(draft, edited) from an edit observation's text; None if it is not one."""
    i = text.find(_DRAFT)
    j = text.find(_EDITED, i + 1) if i >= 0 else -1
    k = text.rfind(_CHANGES)
    if i < 0 or j < 0 or k < j:
        return None
    return text[i + len(_DRAFT) : j], text[j + len(_EDITED) : k]


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _greeting(text: str) -> str | None:
    m = _GREETING.match(text.strip())
    return m.group(0).strip() if m else None


def _signoff(text: str) -> str | None:
    m = _SIGNOFF.search(text.strip())
    return m.group(0).strip(" \n.!?") if m else None


def _core(text: str) -> str:
    """The text without its greeting, pleasantries and sign-off."""
    t = text.strip()
    g = _greeting(t)
    if g:
        t = t[len(g):]
    s = _SIGNOFF.search(t)
    if s:
        t = t[: s.start()]
    return _PLEASANTRY.sub(" ", t)


def infer_preferences(draft: str, edited: str) -> list[tuple[str, str]]:
    """(proposition, what in the edit shows it) for each style preference the
    change between ``draft`` and ``edited`` shows."""
    out: list[tuple[str, str]] = []

    def both(pattern: re.Pattern, a: str, b: str) -> tuple[int, int]:
        return len(pattern.findall(a)), len(pattern.findall(b))

    g = _greeting(draft)
    if g and not _greeting(edited):
        out.append(("The user prefers replies without greetings.", f'removed the greeting "{_quote(g)}"'))
    pleasantries = [m.group(0) for m in _PLEASANTRY.finditer(draft)]
    if pleasantries and not _PLEASANTRY.search(edited):
        out.append(("The user prefers replies without pleasantries or filler.",
                    f'removed "{_quote(pleasantries[0])}"'))
    s = _signoff(draft)
    if s and not _signoff(edited):
        out.append(("The user prefers replies without a sign-off or closing offer.",
                    f'removed the closing "{_quote(s)}"'))
    core_draft, core_edited = _core(draft), _core(edited)
    a, b = len(core_draft.split()), len(core_edited.split())
    if a >= 15 and b <= 0.6 * a:
        out.append(("The user prefers short, concise replies.", f"cut the text from {a} to {b} words"))
    elif b >= 1.5 * a and b - a >= 12:
        out.append(("The user prefers detailed, thorough replies.", f"expanded the text from {a} to {b} words"))
    x, y = core_draft.count("!"), core_edited.count("!")
    if x >= 1 and y == 0 and b > 0:
        out.append(("The user prefers a calm tone without exclamation marks.",
                    f"removed {x} exclamation mark{'s' if x > 1 else ''}"))
    x, y = both(_EMOJI, draft, edited)
    if x and not y:
        out.append(("The user prefers replies without emoji.", "removed the emoji"))
    elif y and not x:
        out.append(("The user likes emoji in replies.", "added emoji"))
    x, y = both(_BULLET, draft, edited)
    if x >= 2 and y == 0:
        out.append(("The user prefers prose to bullet-point lists.", "turned a list into prose"))
    elif y >= 2 and x == 0:
        out.append(("The user prefers bullet-point lists.", "turned prose into a list"))
    (c1, c2), (e1, e2) = both(_CONTRACTION, draft, edited), both(_EXPANDED, draft, edited)
    if c1 >= 1 and c2 == 0 and e2 > e1:
        out.append(("The user prefers a formal tone without contractions.", "spelled out the contractions"))
    elif e1 >= 1 and e2 < e1 and c2 > c1:
        out.append(("The user prefers a casual, conversational tone.", "used contractions instead"))
    x, y = both(_APOLOGY, draft, edited)
    if x and not y:
        out.append(("The user prefers replies without apologies.", "removed the apology"))
    hedges = [m.group(0) for m in _HEDGE.finditer(draft)]
    if hedges and not _HEDGE.search(edited):
        out.append(("The user prefers direct replies without hedging.", f'removed "{hedges[0]}"'))
    (i1, i2), (m1, m2) = both(_IMPERIAL, draft, edited), both(_METRIC, draft, edited)
    if i1 and not i2 and m2 > m1:
        out.append(("The user prefers metric units.", "changed imperial units to metric"))
    elif m1 and not m2 and i2 > i1:
        out.append(("The user prefers imperial units.", "changed metric units to imperial"))
    x, y = both(_CLOCK_12, draft, edited)
    if x and not y and len(_CLOCK_24.findall(edited)) > len(_CLOCK_24.findall(draft)):
        out.append(("The user prefers the 24-hour clock.", "wrote the times as 24-hour times"))
    return out


def _new_sentences(draft: str, edited: str) -> str:
    """Sentences of the edited version that the draft does not have: the user's own."""
    from usermodel.rules.text import prose_lines, sentences

    old = {" ".join(s.lower().split()) for s in sentences(prose_lines(draft))}
    return "\n".join(s for s in sentences(prose_lines(edited)) if " ".join(s.lower().split()) not in old)


def extract_edit(obs: Observation) -> list[Candidate]:
    """Candidates from one edit observation (any other text is read as usual)."""
    from usermodel.extraction import extract

    parsed = parse_edit(obs.text) if obs.role == "user" else None
    if parsed is None:
        return extract(obs)
    draft, edited = parsed
    out = [Candidate(text=text, reasoning=f"Inferred from an edit of an assistant draft: the user {why}.",
                     confidence=CONFIDENCE, decay=DECAY, kind=KIND, origin="rule", evidence=[obs.id])
           for text, why in infer_preferences(draft, edited)]
    own = _new_sentences(draft, edited)
    if own:
        out += extract(replace(obs, text=own))
    return out


def model_view(obs: Observation, max_chars: int = 300) -> str:
    """An edit as the language model should read it: the change first."""
    parsed = parse_edit(obs.text)
    if parsed is None:
        return obs.text
    draft, edited = parsed
    changes = obs.text[obs.text.rfind(_CHANGES) + len(_CHANGES):].strip()
    shows = "; ".join(f"{t} ({why})" for t, why in infer_preferences(draft, edited))
    return ("The user edited a draft the assistant wrote. "
            + (f"This suggests: {shows}. " if shows else "")
            + f"Changes: {_quote(changes, max_chars)} "
            + f"Edited version: {_quote(edited, max_chars)}")

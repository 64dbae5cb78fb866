"""Suggestions written by the language model, when one is configured.

The model sees numbered propositions and answers JSON constrained to
SUGGEST_SCHEMA; the answer is validated with pydantic. A suggestion that cites a
proposition it was not given, or none, is dropped; an answer that is not valid
at all yields nothing, and the caller falls back to the rules
(assistant/suggest_rules.py). Nothing here raises on a bad model.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.llm import parse_json_output
from assistant.suggest_rules import second_person
from memory.models import Proposition

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 5
MAX_CITED = 5
GROUNDING_MIN_SIMILARITY = 0.3  # a suggestion unlike every proposition it cites is dropped
RESTATEMENT_SIMILARITY = 0.9  # ... and one that only repeats a proposition
WHY_MIN_SIMILARITY = 0.4  # the model's reason must be about what it cites
_ABOUT_THE_USER = re.compile(r"\bthe user\b", re.I)


class ProposedSuggestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=8, max_length=240)
    why: str = Field(default="", max_length=400)
    propositions: list[int] = Field(min_length=1, max_length=MAX_CITED)


class SuggestOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    suggestions: list[ProposedSuggestion] = Field(max_length=MAX_SUGGESTIONS)


SUGGEST_SCHEMA = {
    "type": "object",
    "properties": {
        "suggestions": {
            "type": "array",
            "maxItems": MAX_SUGGESTIONS,
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "minLength": 8, "maxLength": 240},
                    "why": {"type": "string", "maxLength": 400},
                    "propositions": {"type": "array", "items": {"type": "integer"},
                                     "minItems": 1, "maxItems": MAX_CITED},
                },
                "required": ["text", "why", "propositions"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["suggestions"],
    "additionalProperties": False,
}

SYSTEM = (
    "You are Familiar, a personal assistant on the user's own computer. From what you "
    "know about the user, propose up to 3 concrete things you could offer to do for them "
    "now: a reminder, a plan, something to look up, a way to tailor your help. Each "
    "suggestion is one short question addressed to the user (\"Want me to ...?\"), says "
    "in `why` what it rests on, and lists in `propositions` the ids of the statements it "
    "rests on. Use only the ids given. Do not just repeat a statement back. Answer with "
    "JSON only."
)


@dataclass(frozen=True)
class ModelSuggestion:
    text: str
    why: str
    proposition_ids: list[int]


def messages(props: Sequence[Proposition], now: datetime) -> list[dict]:
    lines = [f"[{p.id}] {p.text} (kind {p.kind}, confidence {p.confidence}/10)" for p in props]
    user = (f"Now: {now.astimezone():%A %Y-%m-%d %H:%M}.\nWhat I know about the user:\n"
            + "\n".join(lines))
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def suggest(llm, props: Sequence[Proposition], now: datetime,
            embed: Callable[[list[str]], np.ndarray] | None = None) -> list[ModelSuggestion]:
    """The model's valid suggestions about ``props``; [] on any failure.

    With ``embed`` (unit vectors), a suggestion must also resemble a proposition it
    cites (cosine ≥ GROUNDING_MIN_SIMILARITY) and must not be a near-copy of one
    (≥ RESTATEMENT_SIMILARITY); its ``why`` is kept only when it resembles what it
    cites (≥ WHY_MIN_SIMILARITY), else the caller writes one."""
    if not props:
        return []
    try:
        text = llm.complete(messages(props, now), schema=SUGGEST_SCHEMA, max_tokens=500)
        parsed = SuggestOutput.model_validate(parse_json_output(text))
    except (ValidationError, ValueError, TypeError) as exc:
        log.info("model suggestions rejected (%s); using the rules", str(exc)[:200])
        return []
    except Exception as exc:  # noqa: BLE001 - a dead or broken model never stops suggestions
        log.warning("model suggestions failed (%s); using the rules", str(exc)[:200])
        return []
    given = {p.id: p for p in props}
    # A statement read back ("You love Thai food.") is not an offer.
    restated = {_words(p.text) for p in props} | {_words(second_person(p.text)) for p in props}
    out: list[ModelSuggestion] = []
    for s in parsed.suggestions:
        cited = list(dict.fromkeys(s.propositions))
        text = " ".join(s.text.split())
        why = " ".join(s.why.split())
        if not set(cited) <= set(given):
            log.info("model suggestion dropped: cites unknown propositions %s", sorted(set(cited) - set(given)))
            continue
        if len(text) < 8 or _ABOUT_THE_USER.search(text) or _words(text) in restated:
            log.info("model suggestion dropped: restates a proposition: %.120s", text)
            continue  # an offer speaks to the user; "the user ..." restates a proposition
        if embed is not None:
            why = _grounded(embed, text, why, [given[i].text for i in cited], [p.text for p in props])
            if why is None:
                log.info("model suggestion dropped: unlike what it cites: %.120s", text)
                continue
        out.append(ModelSuggestion(text=text, why=why, proposition_ids=cited))
    log.info("the model proposed %d suggestion(s); %d kept", len(parsed.suggestions), len(out))
    return out


def _words(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def _grounded(embed, text: str, why: str, cited: list[str], given: list[str]) -> str | None:
    """None when ``text`` does not rest on ``cited`` or copies one of ``given``;
    else ``why``, or "" when the model's reason is about something else."""
    vecs = embed([text, why or text, *cited, *given])
    t, w = vecs[0], vecs[1]
    c = vecs[2:2 + len(cited)]
    g = vecs[2 + len(cited):]
    if float(np.max(c @ t)) < GROUNDING_MIN_SIMILARITY or float(np.max(g @ t)) >= RESTATEMENT_SIMILARITY:
        return None
    return why if why and float(np.max(c @ w)) >= WHY_MIN_SIMILARITY else ""

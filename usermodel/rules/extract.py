"""The entry point: ``extract(obs, previous)``.

Ties the steps together: prose lines, sentences (stopping at role-play
prompts and at material handed over to work on), clauses, the analysis of
each clause, modifiers attached to their clause, the rewrite into third
person, confidence lowered for disclosures inside a request, duplicates
merged, and a choice among options the assistant offered.
"""

from __future__ import annotations

import re
from typing import Sequence

from memory.models import Candidate, Observation
from usermodel.person import third_person
from usermodel.rules.analyse import Found, analyse_clause, rewrite_modifier
from usermodel.rules.choices import find_choice
from usermodel.rules.clauses import is_request_clause, split_clauses
from usermodel.rules.lexicon import COUNTERFACTUAL_RE, FICTION_RE, FREQ_RE, WORD_RE
from usermodel.rules.text import mask_quotes, prose_lines, sentences
from usermodel.rules.verdicts import HYPOTHETICAL, Verdict


KINDS = ("preference", "dislike", "identity", "habit", "plan", "constraint", "choice", "fact", "state")
TEXT_SOURCES = frozenset({"chat", "note", "edit"})

MAX_CANDIDATES = 24  # per observation
MAX_SENTENCES = 400  # first-person sentences examined per observation
MAX_TEXT_CHARS = 400_000  # beyond this an observation is read only in part

# A sentence is read only when it has a first-person word or starts like chat shorthand
# with the "I" left out ("Love a good thriller.", "Big fan of jazz", "Allergic to cats").
_FIRST_PERSON = re.compile(r"(?<![\w'\u2019])(?:i|i'm|im|i've|ive|i'd|i'll|my|me)(?![\w'\u2019])", re.I)
_FRAG_START = re.compile(
    r"^\W{0,3}(?:(?:love|loved|adore|adored|hate|hated|dislike|disliked|enjoy|enjoyed|prefer|detest|loathe|despise)\s|"
    r"(?:big|huge|massive|total|lifelong|longtime) fan\b|not (?:a|into|big|much|a big|really a)\b|"
    r"(?:allergic|intolerant) to\b)"
)

_VERB_PHRASE_BY_SOURCE = {"chat": "Said in chat", "note": "Wrote in a note", "edit": "Wrote in an edit"}

_MATERIAL_RE = re.compile(
    r"\b(?:the following|below|this (?:text|paragraph|sentence|email|letter|essay|code|article|passage|message|"
    r"story|poem|document|list|review|post|bio|draft|cover letter|statement|summary)|these (?:sentences|lines|"
    r"words|notes)|here is|here's|here are|as follows)\b"
)

_NOT_MATERIAL = re.compile(
    r"(?:please |just |also )?(?:remember|note|keep in mind|bear in mind|fyi|reminder|important|heads up|"
    r"just so you know|for context|context|background|about me|update|for the record|fun fact|disclaimer)\b"
)


def _introduces_material(before_colon: str) -> bool:
    """True for "Proofread this", "Translate the following", "Here is my essay"."""
    toks = WORD_RE.findall(before_colon)
    if not toks or len(toks) > 25 or _NOT_MATERIAL.match(before_colon.strip()):
        return False
    return is_request_clause(toks, False) or _MATERIAL_RE.search(before_colon) is not None


def _reasoning(obs: Observation, quote: str, cls: Verdict, in_request: bool) -> str:
    q = " ".join(quote.split()).rstrip(",;:")
    if len(q) > 160:
        q = q[:160].rsplit(" ", 1)[0] + "\u2026"
    src = obs.source
    if cls.task:
        head = {"chat": "Task context from chat", "note": "Task context from a note", "edit": "Task context from an edit"}
        return f'{head.get(src, "Task context")}: "{q}"'
    if in_request:
        head = {"chat": "Mentioned in passing in a chat request", "note": "Mentioned in passing in a note",
                "edit": "Mentioned in passing in an edit"}
        out = f'{head.get(src, "Mentioned in passing")}: "{q}"'
    else:
        out = f'{_VERB_PHRASE_BY_SOURCE.get(src, "Wrote")}: "{q}"'
    if cls.hedged:
        out += " (hedged)"
    return out


def _dedup_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


def extract(obs: Observation, previous: Sequence[Observation] = ()) -> list[Candidate]:
    """Candidate propositions about the user from one observation.

    ``previous`` holds the few observations just before ``obs`` from the same
    source, oldest first; they are used to read a reply against the assistant
    message it answers (choices between offered options).
    """
    if obs.role != "user" or obs.source not in TEXT_SOURCES or not obs.text:
        return []
    text = obs.text[:MAX_TEXT_CHARS]
    out: list[Candidate] = []
    seen: dict[str, Candidate] = {}

    def add(c: Candidate) -> None:
        key = _dedup_key(c.text)
        old = seen.get(key)
        if old is not None:
            if c.confidence > old.confidence:
                old.confidence = c.confidence
                old.reasoning = c.reasoning
            for e in c.evidence:
                if e not in old.evidence:
                    old.evidence.append(e)
            return
        if len(out) < MAX_CANDIDATES:
            seen[key] = c
            out.append(c)

    if previous:
        try:
            ch = find_choice(obs, previous)
        except (ValueError, IndexError):  # defensive: never let a malformed message break extraction
            ch = None
        if ch is not None:
            add(ch)

    examined = 0
    for sentence in sentences(prose_lines(text)):
        if len(out) >= MAX_CANDIDATES or examined >= MAX_SENTENCES:
            break
        low_sentence = mask_quotes(sentence).lower().replace("\u2019", "'")
        if FICTION_RE.search(low_sentence):
            break  # a role-play or story prompt: what follows is not about the user
        colon = low_sentence.find(":")
        if colon >= 0 and _introduces_material(low_sentence[:colon]):
            # "Proofread this: I has a dog." / "Translate the following:" -- what follows is
            # material to work on, not something the user says about themselves
            stop = True
            sentence = sentence[:colon]
            low_sentence = low_sentence[:colon]
        else:
            stop = False
        if not _FIRST_PERSON.search(low_sentence) and not _FRAG_START.match(low_sentence):
            if stop:
                break
            continue
        examined += 1
        if COUNTERFACTUAL_RE.search(low_sentence) and re.search(r"\b(?:would|could|might|'d)\b", low_sentence):
            continue
        clauses = split_clauses(sentence)
        results: list[tuple[Found | None, bool, str | None]] = [analyse_clause(c) for c in clauses]
        in_request = any(r[1] for r in results)
        pending_mod: str | None = None
        last_found: Found | None = None
        found_list: list[Found] = []
        for found, _is_req, mod in results:
            if mod is not None:
                if mod == HYPOTHETICAL:
                    pending_mod = mod
                    continue
                if not rewrite_modifier(mod):
                    continue
                if last_found is not None and not last_found.tail and last_found.custom_text is None:
                    last_found.tail = rewrite_modifier(mod)
                    last_found = None
                else:
                    pending_mod = mod
                continue
            if found is not None:
                if pending_mod == HYPOTHETICAL:
                    pending_mod = None
                    continue
                if pending_mod and found.custom_text is None and rewrite_modifier(pending_mod):
                    found.tail = (found.tail + " " if found.tail else "") + rewrite_modifier(pending_mod)
                    if pending_mod.lower().startswith(("if ", "unless ")):
                        found.cls.conf = max(3, found.cls.conf - 1)
                found_list.append(found)
                last_found = found
            else:
                last_found = None
            pending_mod = None
        for f in found_list:
            cls = f.cls
            conf = cls.conf
            if in_request and not cls.task:
                conf = max(3, conf - 2)
            if f.custom_text is not None:
                new_text = f.custom_text
            else:
                core = f.core.rstrip().rstrip("?!.,;:")
                if f.tail:
                    core = f"{core} {f.tail.strip().rstrip('?!.,;:')}"
                new_text = third_person(core)
            if not new_text.startswith("The user") or len(new_text) < 12:
                continue
            if cls.kind == "habit" and FREQ_RE.search(f.quote.lower()):
                conf = max(conf, 7 - (2 if in_request else 0))
            add(Candidate(
                text=new_text,
                reasoning=_reasoning(obs, f.quote, cls, in_request),
                confidence=max(1, min(10, conf)),
                decay=max(1, min(10, cls.decay)),
                kind=cls.kind,
                origin="rule",
                evidence=[obs.id],
                polarity=-1 if cls.kind == "dislike" else (cls.polarity if cls.polarity is not None else 1),
            ))
        if stop:
            break
    return out

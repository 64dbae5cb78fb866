"""A reply read as a pick among options the assistant offered.

The options are found in the assistant message the user answers (numbered,
lettered or bulleted lists, inline numbering, "X, Y, or Z"); the reply is
matched against them by ordinal ("the third one") or by shared words, with
selection cues ("sounds perfect") and rejection cues ("the others don't work
for me"), and gives one ``choice`` candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from memory.models import Candidate, Observation
from usermodel.person import rewrite_pronouns
from usermodel.rules.clauses import is_request_clause
from usermodel.rules.lexicon import AUX_Q, WH, WORD_RE, word_set
from usermodel.rules.text import sentences


_LIST_ITEM = re.compile(
    r"^(?P<ind>[ \t]{0,8})(?:(?P<num>\d{1,2})[.):]|(?P<let>[A-Ha-h])[.)]|[-*\u2022\u2023\u25e6\u25aa]|"
    r"(?:\*\*)?(?:option|choice)\s+(?P<opt>\w{1,3})\s*[:.)\-])\s+(?P<body>\S.{0,600})$",
    re.I,
)
_MD = re.compile(r"\*\*|__|`|^#+\s*")
_LABEL_SPLIT = re.compile(r"\s*(?::|\s[-\u2013\u2014]\s|\u2014)\s*")
_STOP = word_set(
    "the a an and or of to in on for with at by from this that these those it its is are was were be "
    "i me my you your we our they them their he she his her which what who how when where why "
    "would could should will can may might do does did have has had just really very so too also "
    "one ones option options some any all more most other others than then there here if but not no "
    "sounds sound like perfect great good nice think go going let's lets ll i'll take choose pick "
    "want prefer love works work first second third last about sure yes yeah okay ok "
    "please thanks thank definitely maybe quite don't doesn't isn't aren't won't seem seems looks look"
)
_SELECT_CUE = re.compile(
    r"\b(?:sounds?|looks?|seems?) (?:(?:most|more|really|very|so|pretty|quite|super|the most|absolutely|just) )?"
    r"(?:perfect|great|good|amazing|lovely|ideal|delicious|wonderful|fantastic|awesome|"
    r"fun|interesting|nice|right|best|like (?:a|the|exactly|just|what)|tempting|appealing|cool|promising|excellent)|"
    r"\bi(?:'ll| will| would|'d)? (?:go with|take|choose|pick|try|opt for|go for|get|have|book)\b|"
    r"\blet'?s (?:go with|do|try|book|pick|choose|get|have|go for)\b|\b(?:go|going|went) with\b|"
    r"\bi (?:choose|pick|prefer|think i'll|think i will|'m leaning|am leaning|'m going with|am going with)\b|"
    r"\bi (?:like|love|want|'d like|would like) (?:the|that|this|option|number|#)|"
    r"\bworks? (?:for me|best|great|well|perfectly)\b|\bis (?:perfect|exactly|ideal|the one|my (?:choice|pick|favou?rite))\b|"
    r"\b(?:that|this) one\b|\bcount me in\b|\bmy (?:choice|pick|vote)\b|^(?:perfect|great|nice|awesome)\b|"
    r"\bexactly what\b|\bi'd (?:prefer|like|love|rather)\b|\bsold\b|\bfits? (?:my|me|the bill|perfectly)\b|"
    r"\bappeals? to me\b|\bsuits? me\b|\bright up my alley\b|\bi'm (?:in|down)\b|"
    r"\b(?:best|nice|good|great|safe|ideal|perfect|right|better|top) (?:option|choice|pick|fit|bet|match)\b|"
    r"\b(?:most|more) (?:interesting|appealing|suitable|fitting|exciting|attractive)\b"
)
_REJECT_CUE = re.compile(
    r"\b(?:the )?(?:others?|other (?:options?|ones?|choices?|suggestions?|ideas?)|rest|alternatives?)\b[^.!?]{0,40}?"
    r"\b(?:don't|do not|doesn't|aren't|isn't|not|won't|wouldn't|didn't)\b|"
    r"\bnot (?:quite |really |exactly )?(?:for me|what i|my (?:style|thing|taste)|interested)|\bnone of the others\b|"
    r"\brather not\b|\bpass on\b|\bskip the\b|\binstead of\b|\bover the others\b|\bnot (?:so |too )?keen\b"
)
_VERBAL_NEG = word_set("don't doesn't didn't not isn't aren't won't wouldn't never neither nor dont doesnt")
_OTHERS = re.compile(r"\b(?:others|other (?:\w+ )?(?:options?|ones?|choices?|suggestions?|ideas?|places?|picks?|"
                     r"items?|dishes|desserts?|devices?|models?|brands?|bands?|books?|restaurants?|hotels?|spots?|"
                     r"activities|destinations?|\w+s)|the rest|alternatives?|the remaining)\b")
_NONE_CUE = re.compile(r"\b(?:none of (?:these|them|those|the options)|neither|nothing here|not (?:any|one) of)\b")
_ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4,
    "5th": 4, "sixth": 5, "6th": 5, "last": -1, "final": -1, "former": 0, "latter": -1,
}
_ORDINAL_RE = re.compile(
    r"\b(?:the (first|second|third|fourth|fifth|sixth|last|final|former|latter|1st|2nd|3rd|4th|5th|6th)"
    r"(?: (?:one|option|choice|suggestion|idea|pick))?(?=\s*(?:[.!,;]|$)|\s(?:sounds|looks|is|seems|please|works|"
    r"for me|would|it is|then))|"
    r"(first|second|third|fourth|fifth|sixth|last|1st|2nd|3rd|4th|5th) (?:one|option|choice|suggestion|idea|pick)\b|"
    r"(?:option|number|choice|#|no\.) ?(\d|[a-h])\b)"
)
_NEGATION = word_set("not no don't doesn't isn't aren't won't wouldn't never neither nor hate dislike skip pass without "
                   "instead except rather")


@dataclass
class _Option:
    label: str
    desc: str


_BOLD_LEAD = re.compile(r"^\s*(?:\*\*|__)([^*_\n]{2,100}?)(?:\*\*|__)")
_INLINE_NUM = re.compile(r"(?:^|(?<=\s))(\d{1,2})[.)]\s+(?=\S)")
_FIRST_SENT = re.compile(r"(?<=[a-z0-9)\]'\"])[.!?](?:\s|$)")


def _label(body: str) -> tuple[str, str]:
    """(short label, rest) of one offered option."""
    m = _BOLD_LEAD.match(body)
    if m:
        label, desc = m.group(1), body[m.end():]
    else:
        body = _MD.sub("", body).strip()
        parts = _LABEL_SPLIT.split(body, maxsplit=1)
        if len(parts) > 1 and len(parts[0]) <= 90:
            label, desc = parts
        else:
            m2 = _FIRST_SENT.search(body[:200])
            if m2 and m2.start() <= 120:
                label, desc = body[: m2.start()], body[m2.end():]
            else:
                label, desc = body, ""
    label = _MD.sub("", label).strip()
    if len(label) > 90:
        cut = label[:90].rsplit(" ", 1)[0]
        desc = label[len(cut):].strip() + (" " + desc if desc else "")
        label = cut
    desc = _MD.sub("", desc).strip(" :-\u2013\u2014")
    return label.strip(" .,;:*_\"'"), desc


def _options(text: str) -> list[_Option]:
    items: list[tuple[int, str, str]] = []  # indent, marker kind, body
    for line in text.splitlines()[:400]:
        m = _LIST_ITEM.match(line)
        if not m:
            continue
        kind = "num" if m.group("num") else ("let" if m.group("let") or m.group("opt") else "bullet")
        items.append((len(m.group("ind").expandtabs(4)), kind, m.group("body")))
    bodies: list[str] = []
    if len(items) >= 2:
        numbered = [it for it in items if it[1] in ("num", "let")]
        use = numbered if len(numbered) >= 2 else items
        top = min(it[0] for it in use)
        bodies = [it[2] for it in use if it[0] == top]
    else:
        # inline numbering: "There are a few options. 1. The salad bar ... 2. The sandwich shop ..."
        flat = " ".join(text[:8000].split())
        marks = [m for m in _INLINE_NUM.finditer(flat)]
        seq: list[re.Match[str]] = []
        for m in marks:
            if int(m.group(1)) == len(seq) + 1:
                seq.append(m)
        if len(seq) >= 2:
            for i, m in enumerate(seq):
                end = seq[i + 1].start() if i + 1 < len(seq) else len(flat)
                body = flat[m.end():end].strip()
                if i + 1 == len(seq):
                    m2 = _FIRST_SENT.search(body)
                    if m2 and not _BOLD_LEAD.match(body):
                        body = body[: m2.end()].strip()
                bodies.append(body)
    out: list[_Option] = []
    for body in bodies[:12]:
        label, desc = _label(body)
        if label:
            out.append(_Option(label, desc))
    if len(out) >= 2:
        return out
    flat = " ".join(text[:8000].split())
    # "(1) ..., (2) ..., or (3) ...": markers after each option
    if "(1)" in flat and "(2)" in flat:
        parts = re.split(r"\s*\((?:\d)\)[,.;?!]?\s*", flat)
        segs = [p for p in parts[:-1]]
        if len(segs) >= 2:
            segs[0] = re.split(r"[.:!?]\s+", segs[0])[-1]
            out = []
            for seg in segs[:12]:
                seg = re.sub(r"^(?:or|and)\s+", "", seg.strip(" ,;"), flags=re.I)
                label, desc = _label(seg)
                if label:
                    out.append(_Option(label, desc))
            if len(out) >= 2:
                return out
    # inline: "you could consider a BLT, a pasta dish with alfredo sauce, or a fresh salad."
    for sent in reversed(sentences([flat])[-4:]):
        if " or " not in sent:
            continue
        m = re.search(
            r"\b(?:between|prefer|choose|either|go with|fancy|rather|suggest|recommend|consider|"
            r"options are|options include|could|might|include|including|such as)\s+([^?]{3,600})\??$",
            sent, re.I,
        )
        if not m:
            continue
        kw = sent[m.start():m.start(1)].strip().lower()
        if kw in ("could", "might", "include", "including", "such as") and m.group(1).count(",") < 2:
            continue  # "you could also try cake pops or mini cakes" is prose, not a menu
        body = m.group(1)
        # strip a second lead-in verb: "you could consider a BLT, ..."
        body = re.sub(r"^(?:(?:also|maybe|perhaps|just)\s+)?(?:consider|try|choose|go with|have|get|order|pick|"
                      r"enjoy|opt for|check out|look into|go for|explore|do|grab|make|book)\s+", "", body, flags=re.I)
        # the last option follows ", or" (or the last " or "); its own commas stay inside it
        k = body.rfind(", or ")
        cut = k + 5 if k >= 0 else body.rfind(" or ") + 4
        if cut < 4:
            continue
        head, last_item = body[: cut - (5 if k >= 0 else 4)], body[cut:]
        frags = [f.strip(" .,!?\"'") for f in re.split(r",\s*", head)]
        frags = [f for f in frags if f]
        items: list[str] = []
        for f in frags:
            joins = len(f.split()) <= 2 or f.lower().startswith("and ")
            if items and joins:
                items[-1] = f"{items[-1]}, {f}"
            else:
                items.append(f)
        items.append(last_item.strip(" .,!?\"'"))
        items = [re.sub(r"^(?:or|and)\s+", "", it, flags=re.I) for it in items if it]
        items = [re.sub(r"^(?:a|an|the|some)\s+", "", it, flags=re.I) for it in items]
        if any(re.match(r"(?:me|us|you|to|i|we|it)\b", it, re.I) for it in items):
            continue  # "would you like me to X or to Y": an offer about the chat, not options
        if 2 <= len(items) <= 8 and all(0 < len(it) <= 160 for it in items):
            return [_Option(*_label(it)) for it in items]
    return []


def _content(text: str) -> set[str]:
    out = set()
    for w in WORD_RE.findall(text.lower().replace("\u2019", "'")):
        if len(w) < 3 or w in _STOP:
            continue
        out.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return out


_TOPIC_LEAD = re.compile(
    r"^(?:(?:hi|hey|hello)(?: there)?[,!.]?\s+)?(?:(?:so|ok|okay|well)[,]?\s+)?(?:"
    r"(?:can|could|would|will) you (?:please )?(?:suggest|recommend|give me|help me (?:find|choose|pick|with|plan)|"
    r"find|tell me|list|share|provide|come up with|offer|show me|propose|think of)|"
    r"(?:what|which) (?:are|is|would be|'re|'s) (?:some|the|a few|your)?\s*(?:good|best|great|nice|top)?|"
    r"(?:i'm|i am) (?:looking for|searching for|trying to find|after)|"
    r"(?:i need|i want|i'd like|i would like|i'm interested in)|"
    r"(?:please )?(?:suggest|recommend|give me|list|find|propose)|any (?:good )?|do you have any|"
    r"do you know (?:any|of any)|got any|are there any|is there (?:a|an|any)|"
    r"(?:do|would|could|can) you (?:have|recommend|suggest)(?: any| some)?)\s+",
    re.I,
)


def _topic(question: str) -> str:
    sents = sentences([" ".join(question.split())])
    q = next((s for s in sents if s.endswith("?")), sents[0] if sents else question)
    q = _TOPIC_LEAD.sub("", q.strip())
    q = re.sub(r"^(?:some|a few|any|good|the best|a good|a)\s+", "", q, flags=re.I)
    q = rewrite_pronouns(q).strip(" ?.!")
    q = re.sub(r"\s+(?:for them|please)$", "", q)
    if len(q) > 90:
        q = q[:90].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
    return q


def find_choice(obs: Observation, previous: Sequence[Observation]) -> Candidate | None:
    # the assistant message the user is answering, and the user question before it
    """The ``choice`` candidate when ``obs`` answers the assistant message just before it by
    picking one of the options that message offered; None otherwise."""
    asst = None
    question = None
    for k in range(len(previous) - 1, -1, -1):
        p = previous[k]
        if p.role == "assistant":
            asst = p
            for q in reversed(previous[:k]):
                if q.role == "user":
                    question = q
                    break
                break
            break
        if p.role == "user":
            return None
    if asst is None:
        return None
    opts = _options(asst.text[:20000])
    if len(opts) < 2:
        return None
    user = obs.text[:4000]
    low = user.lower().replace("\u2019", "'")
    if len(low.split()) > 60:
        return None  # a selection is a short reply; a long one is a new request
    first = (sentences([" ".join(low.split())]) or [""])[0]
    if (is_request_clause(WORD_RE.findall(first), first.endswith("?"))
            and not _SELECT_CUE.search(first)):
        return None
    if _NONE_CUE.search(low) and not _SELECT_CUE.search(low):
        return None
    picked: int | None = None
    m = _ORDINAL_RE.search(low)
    if m:
        w = m.group(1) or m.group(2) or m.group(3)
        if w in _ORDINALS:
            picked = _ORDINALS[w] % len(opts)
        elif w.isdigit() and 1 <= int(w) <= len(opts):
            picked = int(w) - 1
        elif w.isalpha() and len(w) == 1 and ord(w) - 97 < len(opts):
            picked = ord(w) - 97
    if picked is None:
        scores = [0.0] * len(opts)
        label_sets = [_content(o.label) for o in opts]
        desc_sets = [_content(o.desc[:200]) for o in opts]
        # words shared by every option do not tell them apart
        common = set.intersection(*label_sets) if label_sets else set()
        for part in re.split(r"[.!?;]+|,\s*(?:but|and)\s+|\s+but\s+", low):
            words = _content(part)
            if not words:
                continue
            if _OTHERS.search(part):
                continue  # about the options not taken: says nothing about which was picked
            toks = set(WORD_RE.findall(part))
            selecting = _SELECT_CUE.search(part) is not None
            negative = bool(_REJECT_CUE.search(part)) or bool(toks & _VERBAL_NEG) or (
                bool(toks & _NEGATION) and not selecting)
            weight = 2.0 if selecting and not negative else 1.0
            for i, o in enumerate(opts):
                s = 2.0 * len((label_sets[i] - common) & words) + 0.5 * len(desc_sets[i] & words)
                if s <= 0:
                    continue
                scores[i] += -s if negative else s * weight
        best = max(range(len(opts)), key=lambda i: scores[i])
        ranked = sorted(scores, reverse=True)
        if ranked[0] < 2.0 or ranked[0] == ranked[1]:
            return None
        picked = best
    cue = _SELECT_CUE.search(low) is not None
    reject = _REJECT_CUE.search(low) is not None
    words = WORD_RE.findall(low)
    if not (cue or reject):
        # a bare answer: short, not a question or a new request, naming the option
        if m is None and (len(words) > 8 or len(_content(opts[picked].label) & _content(low)) < 2):
            return None
        if low.rstrip().endswith("?") or is_request_clause(words, False):
            return None
    chosen = opts[picked]
    conf = 6 if reject else (5 if cue or m else 4)
    label = chosen.label.replace('"', "'")
    desc = ""
    if chosen.desc:
        d = " ".join(chosen.desc.split()).replace('"', "'")
        if len(d) > 90:
            d = d[:90].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
        desc = f" ({d.rstrip('.')})"
    offered = ""
    for o in opts:
        piece = o.label.replace('"', "'")
        if len(offered) + len(piece) + 2 > 200:
            offered += "; \u2026"
            break
        offered = f"{offered}; {piece}" if offered else piece
    topic = _topic(question.text[:2000]) if question is not None else ""
    if topic and (topic.split(" ", 1)[0].lower() in WH | AUX_Q):
        lead = f'The user asked "{topic}?" and chose'
    else:
        lead = f"The user asked for {topic} and chose" if topic else "The user chose"
    tail = "they turned down the others" if reject else "they picked it over the others"
    text = " ".join(f'{lead} "{label}"{desc} when offered: {offered}; {tail}.'.split())
    said = " ".join(user.split())
    if len(said) > 120:
        said = said[:120].rsplit(" ", 1)[0] + "\u2026"
    evidence = [obs.id, asst.id] + ([question.id] if question is not None and topic else [])
    return Candidate(
        text=text,
        reasoning=f'Picked from {len(opts)} options the assistant offered: "{said}"'
        + (" (and turned the others down)" if reject else ""),
        confidence=conf,
        decay=6,
        kind="choice",
        origin="rule",
        evidence=evidence,
        polarity=1,
    )

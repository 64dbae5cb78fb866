"""Rules for "I am ...".

Age, birth and origin, marital status, health adjectives ("allergic to"),
prepositional phrases ("into jazz", "afraid of", "on a tight budget"),
"a fan of", "someone who ...", identity nouns ("a nurse"), passing states
("tired today"), and the progressive ("I'm moving to Austin", "I'm learning
Korean", "I'm looking for ...").
"""

from __future__ import annotations

import re

from usermodel.rules.lexicon import (ANAPHORA, AVOID_VERBS, CONSUME_VERBS, DEGREE, DELIVERABLES, DISCOURSE_ADJ,
                                     DURATION_RE, HEALTH_ADJ, NOW_RE, STATE_ADJ, STATE_NOUNS, TASK_NOUNS, TASK_VERBS,
                                     TIME_RE, word_set)
from usermodel.rules.verbs import VerbPhrase, lemma
from usermodel.rules.verdicts import (REQUEST, Verdict, asks_assistant, has_any, has_time, is_anaphoric, task_context,
                                      verdict)


def classify_progressive(vp: VerbPhrase, core: list[str]) -> Verdict | str | None:
    """Rules for "I am <verb>-ing ..." (``core`` starts at the -ing word)."""
    h = core[0]
    rest = core[1:]
    r = " ".join(rest) + " "
    r0 = rest[0] if rest else ""
    if vp.past and not vp.perfect:
        if h == "thinking" and r0 in ("of", "about"):
            return verdict("plan", 4, 3)
        if h in ("wondering", "hoping", "going", "asking", "looking", "trying"):
            return REQUEST if h in ("wondering", "hoping", "asking") else None
        return None
    if h in ("asking", "wondering", "curious", "kidding", "joking", "saying", "telling", "referring",
             "talking", "sending", "sharing", "giving", "pasting", "providing", "attaching",
             "requesting", "replying", "responding") or (h == "writing" and has_any(rest, TASK_NOUNS)):
        return REQUEST if h in ("asking", "wondering", "requesting") else None
    if h in ("going", "gonna") and r0 == "to":
        return verdict("plan", 6, 3)
    if h in ("planning", "intending", "aiming", "preparing", "scheduled", "booking"):
        return verdict("plan", 6, 3)
    if h in ("hoping",):
        return verdict("plan", 5, 3)
    if h in ("thinking", "considering", "debating", "contemplating", "weighing", "deciding"):
        if h == "thinking" and r0 not in ("of", "about"):
            return None
        return Verdict("plan", 4, 3, 1, False, True)
    if h == "looking":
        if r.startswith("forward to"):
            return verdict("plan", 5, 2)
        if r0 == "to":
            return verdict("plan", 5, 3)
        if r0 == "for":
            obj = [w for w in rest[1:4] if w not in ("a", "an", "some", "the", "good", "great", "new", "any", "more")]
            if not obj or obj[0] in DELIVERABLES or obj[0] in ("help", "recommendations", "advice"):
                return REQUEST
            return verdict("plan", 5, 3)
        return None
    if h == "trying":
        if r0 != "to" or len(rest) < 2:
            return None
        v, _ = lemma(rest[1])
        if v in ("figure", "understand", "decide", "solve", "fix", "debug", "remember", "recall", "think",
                 "choose", "pick", "come", "work", "find", "get", "make", "see", "determine", "wrap"):
            return REQUEST if v in ("figure", "understand", "decide", "choose", "pick", "determine") else task_context()
        if v in AVOID_VERBS or v in ("cut", "give", "lose", "quit"):
            return verdict("constraint", 7, 6)
        if v in TASK_VERBS:
            return task_context()
        return verdict("habit", 6, 5)
    if h in ("visiting", "moving", "traveling", "travelling", "flying", "heading", "leaving", "hosting",
             "attending", "organizing", "organising", "throwing", "celebrating", "starting", "expecting",
             "relocating", "returning", "graduating", "retiring", "driving", "sailing", "touring", "camping",
             "running", "competing", "applying", "getting"):
        if h == "getting":
            if r0 == "married" or r0 == "ready":
                return verdict("plan", 6, 3)
            return task_context() if has_any(rest, TASK_NOUNS) else verdict("fact", 4, 3)
        if h in ("running", "driving", "camping") and not has_time(r):
            return verdict("fact", 4, 3)
        return verdict("plan", 6, 3)
    if h in ("taking",):
        if has_any(rest[:4], word_set("class classes course courses lessons lesson")):
            return verdict("habit", 7, 5)
        if has_any(rest[:4], word_set("trip vacation holiday break")):
            return verdict("plan", 6, 3)
        if has_any(rest[:4], word_set("medication meds pills insulin supplements")):
            return verdict("constraint", 7, 7)
        return verdict("fact", 4, 3)
    if h in ("learning", "studying", "training", "practicing", "practising", "following", "majoring",
             "teaching", "volunteering", "saving") or (
                 h == "doing" and has_any(rest[:4], word_set("phd masters degree diet"))):
        if "diet" in rest[:6]:
            return verdict("habit", 8, 8)
        if h == "saving" and r0 == "up":
            return verdict("plan", 6, 4)
        return verdict("habit", 7, 5)
    if h == "working":
        if r0 in ("as", "at", "for", "in", "with"):
            return verdict("identity", 8, 8)
        if r0 == "on":
            return task_context()
        if r0 in ("from", "remotely", "nights", "night", "part-time", "full-time", "long", "weekends", "two",
                  "shifts", "overtime"):
            return verdict("habit", 7, 6)
        return verdict("fact", 4, 3)
    if h == "living":
        return verdict("identity", 8, 8)
    if h in ("feeling", "craving", "dying", "starving", "freezing", "struggling", "suffering", "recovering") or (
            h == "having" and has_any(rest[:4], word_set("day week night time morning"))):
        if h == "suffering" and r0 == "from":
            return verdict("constraint", 7, 7)
        if h == "recovering":
            return verdict("constraint", 6, 4)
        if h == "struggling":
            return task_context() if has_any(rest, TASK_NOUNS) else verdict("fact", 5, 4)
        return verdict("state", 6, 1)
    if h == "using":
        return task_context() if has_any(rest, TASK_NOUNS) else verdict("fact", 4, 4)
    if h in ("reading", "watching", "listening", "playing", "binging", "bingeing", "rewatching") and not vp.perfect:
        return verdict("fact", 5, 3)
    if vp.perfect:
        # "I've been playing guitar for ten years"
        return task_context() if has_any(rest, TASK_NOUNS) else verdict("habit", 6, 6)
    if has_any(rest, TASK_NOUNS):
        return task_context()
    return verdict("plan", 5, 3) if TIME_RE.search(r) and not NOW_RE.search(r) else verdict("fact", 4, 3)


_PREP_PHRASES: dict[str, tuple[str, int, int]] = {
    "into": ("preference", 7, 7),
    "really into": ("preference", 8, 7),
    "fond of": ("preference", 7, 7), "keen on": ("preference", 7, 7),
    "crazy about": ("preference", 8, 7), "passionate about": ("preference", 8, 8),
    "obsessed with": ("preference", 8, 7), "enthusiastic about": ("preference", 7, 7),
    "partial to": ("preference", 7, 7), "drawn to": ("preference", 7, 7),
    "attracted to": ("preference", 6, 7), "interested in": ("preference", 7, 7),
    "hooked on": ("preference", 7, 6), "addicted to": ("preference", 7, 6),
    "big on": ("preference", 7, 7), "mad about": ("preference", 8, 7),
    "nuts about": ("preference", 8, 7), "wild about": ("preference", 8, 7),
    "in love with": ("preference", 8, 7), "a sucker for": ("preference", 7, 7),
    "all about": ("preference", 7, 7), "devoted to": ("preference", 8, 8),
    "fascinated by": ("preference", 7, 7), "fascinated with": ("preference", 7, 7),
    "intrigued by": ("preference", 6, 6), "inspired by": ("preference", 6, 6),
    "happy with": ("preference", 5, 4), "satisfied with": ("preference", 5, 4),
    "excited about": ("state", 5, 2), "excited for": ("state", 5, 2),
    "tired of": ("dislike", 7, 6), "sick of": ("dislike", 7, 6),
    "fed up with": ("dislike", 7, 6), "bored of": ("dislike", 6, 5),
    "bored with": ("dislike", 6, 5), "afraid of": ("dislike", 7, 8),
    "scared of": ("dislike", 7, 8), "terrified of": ("dislike", 8, 8),
    "frightened of": ("dislike", 7, 8), "wary of": ("dislike", 6, 6),
    "averse to": ("dislike", 7, 7), "against": ("dislike", 6, 7),
    "opposed to": ("dislike", 7, 7), "disgusted by": ("dislike", 7, 7),
    "put off by": ("dislike", 6, 6), "turned off by": ("dislike", 6, 6),
    "grossed out by": ("dislike", 7, 7), "annoyed by": ("dislike", 6, 5),
    "bothered by": ("dislike", 6, 5), "irritated by": ("dislike", 6, 5),
    "indifferent to": ("dislike", 5, 6), "not into": ("dislike", 7, 7),
    "good at": ("fact", 6, 7), "great at": ("fact", 6, 7), "bad at": ("fact", 6, 7),
    "terrible at": ("fact", 6, 7), "awful at": ("fact", 6, 7),
    "skilled at": ("fact", 6, 7), "skilled in": ("fact", 6, 7),
    "experienced in": ("fact", 6, 7), "experienced with": ("fact", 6, 7),
    "proficient in": ("fact", 6, 7), "proficient at": ("fact", 6, 7),
    "fluent in": ("identity", 8, 9), "familiar with": ("fact", 5, 6),
    "new to": ("fact", 6, 5), "used to": ("fact", 5, 5),
    "comfortable with": ("fact", 5, 6), "comfortable in": ("fact", 5, 6),
    "married to": ("identity", 9, 9), "engaged to": ("identity", 8, 8),
    "related to": ("fact", 5, 7), "responsible for": ("identity", 6, 6),
    "in charge of": ("identity", 6, 6), "about to": ("plan", 5, 1),
    "able to": ("fact", 6, 7), "unable to": ("constraint", 6, 6),
    "allowed to": ("constraint", 7, 6), "supposed to": ("constraint", 5, 3),
    "required to": ("constraint", 5, 3), "determined to": ("plan", 6, 5),
    "committed to": ("habit", 7, 6), "in the mood for": ("state", 5, 1),
    "in a hurry": ("state", 5, 1), "in a rush": ("state", 5, 1), "in pain": ("state", 6, 1),
    "in the middle of": ("state", 4, 1), "on vacation": ("state", 5, 1),
    "on holiday": ("state", 5, 1), "on leave": ("state", 5, 2), "on a break": ("state", 5, 1),
    "on call": ("state", 5, 1), "on a trip": ("state", 5, 1), "on my way": ("state", 5, 1),
    "on the way": ("state", 5, 1), "on duty": ("state", 5, 1), "on the road": ("state", 5, 1),
    "on a budget": ("constraint", 7, 5), "on a tight budget": ("constraint", 8, 5),
}
_PHRASE_MAXLEN = 4

_AGE_RE = re.compile(r"in (?:my|their) (?:early |mid |late |mid-)?(?:\d0s|\d0's|teens|twenties|thirties|forties|"
                     r"fifties|sixties|seventies|eighties|nineties)\b")


def classify_copula(vp: VerbPhrase, core: list[str]) -> Verdict | str | None:
    # strip degree words: "so", "really", "a bit", "a little"
    """Rules for "I am ..." (``core`` is what follows the copula)."""
    i = 0
    while i < len(core):
        w = core[i]
        if w == "a" and i + 1 < len(core) and core[i + 1] in ("bit", "little", "tad") :
            vp.hedge += 1
            i += 2
            if i < len(core) and core[i] == "bit":
                i += 1
            continue
        if w in ("kind", "sort") and i + 1 < len(core) and core[i + 1] == "of":
            vp.hedge += 1
            i += 2
            continue
        if w in DEGREE and w not in ("also", "still", "just", "even"):
            if w in ("somewhat", "slightly", "rather"):
                vp.hedge += 1
            elif w not in ("too",):
                vp.strong += 1
            i += 1
            continue
        if w in ("also", "still", "just", "even", "now", "currently", "originally", "actually", "personally",
                 "basically", "generally", "usually", "always", "never", "mostly", "probably", "maybe"):
            if w in ("probably", "maybe"):
                vp.hedge += 1
            if w == "never":
                vp.neg = True
            i += 1
            continue
        break
    core = core[i:]
    if not core:
        return None
    c0 = core[0]
    rest = core[1:]
    rs = " ".join(core) + " "
    if c0.endswith("ing") and len(c0) > 4 and c0 not in word_set(
        "thing nothing something anything everything king ring spring sibling evening morning ceiling string "
        "wing swing outgoing easygoing loving caring willing boring interesting amazing"
    ):
        return classify_progressive(vp, core)
    # numbers: "I'm 34", "I'm 34 years old", "I'm in my thirties"
    if c0.isdigit() or _AGE_RE.match(rs):
        if c0.isdigit() and len(core) > 1 and core[1] not in ("years", "year", "yrs", "yo", "y/o", "and", "now"):
            return verdict("identity", 6, 7)
        return verdict("identity", 9, 8)
    if c0 in ("born",):
        return verdict("identity", 9, 10)
    if c0 in ("raised", "brought") or rs.startswith("grew up"):
        return verdict("identity", 8, 9)
    if c0 in ("diagnosed",):
        return verdict("constraint", 9, 9)
    if c0 in ("told", "advised", "instructed", "ordered", "prescribed"):
        if len(rest) >= 2 and rest[0] == "to":
            v, _ = lemma(rest[1])
            if v in AVOID_VERBS or v in CONSUME_VERBS:
                return verdict("constraint", 7, 7)
        return None
    if c0 in ("married", "engaged", "divorced", "widowed", "single", "retired", "unemployed", "self-employed"):
        return verdict("identity", 8 if not vp.past else 5, 8 if not vp.past else 5)
    if c0 in HEALTH_ADJ or "allergic" in core[:3] or "intolerant" in core[:3]:
        if vp.modal in ("might", "may", "could"):
            return Verdict("constraint", 4, 8, 1, False, True)
        return verdict("constraint", 8, 6 if c0 == "pregnant" else 9)
    if c0 == "sensitive" and rest[:1] == ["to"]:
        return verdict("constraint", 7, 8)
    # prepositional phrases
    for k in range(min(_PHRASE_MAXLEN, len(core)), 0, -1):
        key = " ".join(core[:k])
        if key in _PREP_PHRASES:
            kind, conf, decay = _PREP_PHRASES[key]
            obj = core[k:]
            if kind in ("preference", "dislike") and is_anaphoric(obj):
                return None
            if key == "able to":
                if vp.neg:
                    return verdict("constraint", 6, 6)
                if len(obj) and (asks_assistant(obj) or obj[0] in TASK_VERBS):
                    return None
            if key in ("supposed to", "required to", "allowed to") and obj:
                v, _ = lemma(obj[0])
                if v in AVOID_VERBS or v in CONSUME_VERBS or vp.neg:
                    return verdict("constraint", 7, 7)
            return verdict(kind, conf, decay)
    if c0 in ("a", "an") and "fan" in core[1:4]:
        j = core.index("fan")
        if j + 1 < len(core) and core[j + 1] == "of":
            if is_anaphoric(core[j + 2:]):
                return None
            big = any(w in ("big", "huge", "massive", "great", "real", "total", "longtime", "long-time",
                            "lifelong", "die-hard", "diehard", "devoted", "biggest") for w in core[1:j])
            return verdict("preference", 8 if big else 7, 7)
    if c0 == "on":
        if "budget" in core[:5]:
            return verdict("constraint", 7, 5)
        if "diet" in core[:6] or "cleanse" in core[:6]:
            return verdict("habit", 8, 8)
        if len(core) > 1 and core[1] in word_set(
            "medication medications meds insulin antibiotics blood chemo dialysis steroids antidepressants birth "
            "a"
        ) and core[1] != "a":
            return verdict("constraint", 7, 7)
        return verdict("fact", 4, 3) if not has_time(rs) else verdict("plan", 5, 2)
    if c0 == "from":
        return verdict("identity", 8, 9) if not vp.modal else None
    if c0 == "in":
        if rest[:1] and rest[0] in word_set("school college university uni grad med law high the band a"):
            if rs.startswith(("in school", "in college", "in university", "in uni", "in grad", "in med", "in law",
                              "in high", "in a band", "in a relationship", "in the army", "in the military",
                              "in the navy", "in a choir", "in a club", "in a book club", "in a league")):
                return verdict("identity", 7, 7)
        if has_time(rs):
            return verdict("plan", 5, 2)
        return verdict("fact", 5, 4)
    if c0 in ("at", "with", "over", "under", "off", "out", "up", "down", "here", "there", "back", "home"):
        if c0 == "at" and has_time(rs):
            return verdict("plan", 5, 2)
        return verdict("state", 4, 1) if c0 in ("at", "home", "out", "off") and len(core) <= 4 else None
    if c0 in ("the", "a", "an", "someone", "somebody", "one", "person"):
        if rs.startswith(("the one ", "the only ", "one of the ", "the person who asked", "the same ")):
            return None
        if len(core) >= 2 and (core[1] in STATE_NOUNS or core[1] in DISCOURSE_ADJ and core[1] != "new"):
            return None
        if has_any(core[1:5], word_set("ai chatbot bot llm")) or "language model" in rs:
            return None  # "I am an AI language model" is pasted model output, not the user
        m = re.search(r"\b(?:person|someone|somebody|type|kind|sort|one) (?:who|that)\b", rs[:80])
        if m or c0 in ("someone", "somebody"):
            # "I'm the kind of person who ...": the rest is classified like a clause of its own.
            # Imported here because classify imports this module.
            from usermodel.rules.classify import classify_tokens

            tail = rs[m.end():].split() if m else core[2:]
            sub = classify_tokens(tail[:12]) if tail else None
            if isinstance(sub, Verdict) and sub.kind in ("preference", "dislike", "constraint", "habit"):
                return verdict(sub.kind, 8, 8, sub.polarity)
            return verdict("identity", 8, 8)
        if len(core) >= 2 and core[1].endswith("-year-old"):
            return verdict("identity", 9, 8)
        if vp.past:
            return verdict("fact", 5, 6)
        if vp.modal in ("will", "going to"):
            return verdict("plan", 5, 4)
        if vp.modal in ("would", "could", "should"):
            return None
        return verdict("identity", 8 if len(core) <= 10 else 7, 9 if len(core) <= 10 else 8)
    if c0 == "to" and vp.perfect and len(core) > 1 and core[1] not in ANAPHORA:
        return verdict("fact", 5, 6)  # "I've been to Japan", "I've never been to Asia"
    if c0 in ("more", "less") and rest[:1] == ["of"] and len(core) > 3:
        return verdict("identity", 7, 8, 1 if c0 == "more" else -1)  # "I'm more of a cat person"
    if c0 in DISCOURSE_ADJ or c0 in ANAPHORA or c0 in ("you", "your", "not", "no", "on", "to"):
        if c0 == "happy" and NOW_RE.search(rs):
            return verdict("state", 5, 1)
        return None
    if c0 in STATE_ADJ or NOW_RE.search(rs):
        if vp.past:
            return verdict("state", 3, 1)
        return verdict("state", 6, 1)
    if rest and rest[0] in ("of", "about", "with", "by", "on", "in", "to", "for", "at", "when", "if") and not (
            rest[0] == "for" and DURATION_RE.match(" ".join(rest))):
        return verdict("fact", 5, 5) if not vp.past else verdict("fact", 4, 3)
    if not c0.isalpha() and "-" not in c0:
        return None
    if vp.past:
        return verdict("fact", 4, 4)
    if vp.modal in ("will", "going to"):
        return verdict("plan", 4, 2)
    if vp.modal in ("would", "could", "should", "must"):
        return None
    m = DURATION_RE.search(rs)
    n_core = len(rs[: m.start()].split()) if m else len(core)
    if n_core <= 3:
        return verdict("identity", 8, 9)
    return verdict("identity", 6, 7)

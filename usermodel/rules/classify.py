"""Classification of what follows a first-person subject.

The verb phrase is parsed, then the verb class decides the kind of
proposition: liking and disliking, wanting and needing, modals ("can't",
"have to", "would like"), catenatives ("tend to", "plan to"), and the verbs
with rules of their own ("be" and "have" in :mod:`.copula` and :mod:`.have`).
Finally confidence and decay are adjusted for negation, hedges, frequency,
duration and emphasis.
"""

from __future__ import annotations

import re

from usermodel.rules.copula import classify_copula
from usermodel.rules.have import classify_have
from usermodel.rules.lexicon import (ANAPHORA, AVOID_VERBS, BAD_EFFECT, CODE_TASK_VERBS, CONSUME_VERBS, DEGREE,
                                     DELIVERABLES, DISCOURSE_VERBS, DISLIKE_VERBS, DURATION_RE, FRAMING_VERBS, FREQ_RE,
                                     HEALTH_ADJ, HEALTH_EFFECT, KIN, NEG_EVAL, NOW_RE, PLAN_VERBS, POS_EVAL, PREF_VERBS,
                                     REQUEST_VERBS, STATE_ADJ, TASK_NOUNS, TASK_VERBS, TIME_RE, word_set)
from usermodel.rules.verbs import VerbPhrase, lemma, parse_verb_phrase
from usermodel.rules.verdicts import (REQUEST, Verdict, asks_assistant, has_any, has_time, is_anaphoric, task_context,
                                      verdict)


_COORD_FEELING = re.compile(
    r"\b(?:and|but) (?:then |really |totally |absolutely |just |kind of |sort of )?"
    r"(?P<v>loved|love|liked|like|enjoyed|enjoy|adored|adore|hated|hate|disliked|dislike|detested|detest|"
    r"loathed|loathe|regretted)\b"
)


def classify_tokens(toks: list[str]) -> Verdict | str | None:
    """Classify the words after a first-person subject (already expanded)."""
    vp = parse_verb_phrase(toks)
    res = _classify_vp(vp)
    if isinstance(res, Verdict):
        res = _adjust(res, vp)
        if res.kind in ("fact", "habit") and not res.task:
            # "I tried yoga once and hated it": the feeling is in the second verb
            m = _COORD_FEELING.search(" ".join(vp.core))
            if m:
                v = m.group("v")
                past = v.endswith("ed")
                if v.startswith(("hat", "dislik", "detest", "loath", "regret")):
                    res = verdict("dislike", 6 if past else 7, 6 if past else 7, -1)
                else:
                    res = verdict("preference", 6 if past else 7, 6 if past else 7, 1)
    return res


def _adjust(c: Verdict, vp: VerbPhrase) -> Verdict:
    """Polarity from negation; confidence and decay raised for diets, "only", frequency, duration
    and emphasis, capped for "rarely" and hedges; a plan for "now" becomes a passing state."""
    rs = " ".join(vp.core)
    if c.polarity is None:
        if vp.neg and c.kind == "preference":
            c.kind = "dislike"
        elif vp.neg and c.kind == "dislike":
            c.kind = "fact"
        c.polarity = -1 if (vp.neg or c.kind == "dislike") else 1
    if c.kind == "dislike":
        c.polarity = -1
    if c.kind == "habit":
        if re.search(r"\bdiet\b", rs):
            c.conf = max(c.conf, 8)
            c.decay = max(c.decay, 8)
        if vp.only:
            c.conf = max(c.conf, 8)
            c.decay = max(c.decay, 7)
        if vp.freq is None and FREQ_RE.search(rs):
            vp.freq = "normal"
        if vp.freq == "strong":
            c.conf = max(c.conf, 8)
            c.decay = max(c.decay, 7)
        elif vp.freq == "normal":
            c.conf = max(c.conf, 7)
    if DURATION_RE.search(rs) and c.kind in ("habit", "identity", "preference", "dislike", "constraint"):
        c.conf = min(9, c.conf + 1)
        c.decay = max(c.decay, 8)
    if vp.strong and not vp.neg and c.kind in ("preference", "dislike", "identity", "habit", "constraint"):
        c.conf = min(9, c.conf + 1)
    if c.kind == "plan" and (NOW_RE.search(rs) or re.search(r"\bnow\b", rs)):
        c.kind, c.conf, c.decay = "state", min(c.conf, 4), 1
    if vp.rare:
        c.conf = min(c.conf, 6)
    if vp.hedge or vp.modal in ("might", "may"):
        c.hedged = True
    if c.hedged:
        c.conf = min(c.conf, 4)
    return c


def _classify_vp(vp: VerbPhrase) -> Verdict | str | None:
    """The kind of proposition the verb phrase makes, by modal and verb class."""
    core = vp.core
    if not core:
        return None
    if vp.copula and vp.modal in (None, "will", "would", "could", "might", "may", "can", "should", "must",
                                  "going to"):
        if vp.modal in ("would", "could", "should", "can") and not (core and core[0] in HEALTH_ADJ):
            if vp.modal == "would" and core[0] in ("happy", "grateful", "glad", "interested", "keen", "open"):
                return REQUEST
            return None
        return classify_copula(vp, core)
    h = core[0]
    if h in ("you", "your", "u"):
        return REQUEST
    if h == "rather":
        obj = core[1:]
        if obj[:1] == ["not"]:
            return verdict("dislike", 7, 6, -1)
        if is_anaphoric(obj):
            return None
        return verdict("preference", 7, 6)
    L, past = lemma(h)
    if vp.past:
        past = True
    rest = core[1:]
    r = " ".join(rest) + " "
    r0 = rest[0] if rest else ""
    r1 = rest[1] if len(rest) > 1 else ""
    neg = vp.neg
    modal = vp.modal

    # ---- would like / would love / would prefer
    if modal == "would":
        if L in ("like", "love", "prefer", "enjoy", "appreciate"):
            if L == "appreciate":
                return REQUEST
            if r0 == "to":
                v = lemma(r1)[0] if r1 else ""
                if asks_assistant(rest[1:]) or v in TASK_VERBS:
                    return REQUEST
                if L == "prefer":
                    return verdict("preference", 7, 6, -1 if neg else 1)
                return verdict("plan", 5, 4) if L == "like" else verdict("preference", 6, 5)
            if r0 in ("you", "your", "it", "some", "a", "an", "the", "more", "help", "to") and has_any(rest[:4], DELIVERABLES):
                return REQUEST
            if r0 in ("you", "your", "if", "it"):
                return REQUEST
            if L == "prefer":
                return verdict("dislike" if neg else "preference", 7, 6, -1 if neg else 1)
            if is_anaphoric(rest):
                return None
            return verdict("preference", 5, 3)
        if neg and vp.freq == "strong" and L not in DISCOURSE_VERBS and L not in FRAMING_VERBS and rest:
            return verdict("dislike", 7, 7, -1)  # "I'd never go skydiving"
        if neg and (L in CONSUME_VERBS or L in PREF_VERBS or L in ("do", "try", "wear", "buy", "use")):
            return verdict("dislike", 7, 7, -1)
        if L in ("rather",):
            return verdict("preference", 7, 6)
        return None

    # ---- want / need
    if L in ("want", "need") and not past and modal is None:
        if has_any(rest, word_set("you your u yourself")):
            return REQUEST
        if r0 == "to":
            v = lemma(r1)[0] if r1 else ""
            if r1 in ("you", "your"):
                return REQUEST
            if L == "need" and (v in AVOID_VERBS or v in ("eat", "drink", "follow", "stick", "take", "be")):
                if v == "be" and len(rest) > 2 and rest[2] not in ("careful", "mindful", "gluten-free", "on"):
                    return verdict("plan", 5, 3) if not neg else None
                return verdict("constraint", 8 if v in AVOID_VERBS else 7, 8)
            if asks_assistant(rest[1:]) or v in ("figure", "decide", "choose", "pick"):
                return REQUEST
            if v in TASK_VERBS or has_any(rest, TASK_NOUNS):
                return task_context()
            if neg:
                return verdict("dislike", 6, 4, -1) if L == "want" else None
            return verdict("plan", 6 if L == "want" else 5, 4 if L == "want" else 3)
        if rest and (r0 in ("help", "assistance", "advice", "guidance", "support", "you", "your", "some", "more", "a",
                            "an", "the", "ideas", "suggestions", "recommendations", "tips")
                     and has_any(rest[:4], DELIVERABLES | word_set("help assistance advice guidance support"))):
            return REQUEST
        if r0 in ("you", "your", "it", "this", "that", "them"):
            return REQUEST
        if not rest:
            return None
        if neg:
            return verdict("dislike", 6, 4, -1) if L == "want" else verdict("fact", 4, 4, -1)
        if has_any(rest, TASK_NOUNS):
            return task_context()
        return verdict("preference" if L == "want" else "plan", 5, 3)

    # ---- can / can't
    if modal == "can":
        if neg:
            if L in ("stand", "bear", "stomach", "abide"):
                return verdict("dislike", 8, 8, -1)
            if L in ("eat", "have", "drink", "consume", "take", "touch", "tolerate", "handle", "digest", "process",
                     "do", "use"):
                if L in ("do", "use", "have", "handle", "take") and (has_any(rest, TASK_NOUNS) or r0 in ANAPHORA):
                    return task_context() if has_any(rest, TASK_NOUNS) else None
                return verdict("constraint", 8, 9, -1)
            if L == "afford":
                return verdict("constraint", 7, 4, -1)
            if " ".join(core).startswith(("live without", "get enough", "resist", "stop eating", "stop listening",
                                          "stop watching", "stop playing", "get over how much")):
                return verdict("preference", 8, 8, 1)
            if L == "wait":
                return verdict("plan", 5, 2, 1)
            if L in DISCOURSE_VERBS or L in ("find", "figure", "seem", "decide", "access", "open", "run",
                                             "install", "log", "connect", "believe", "help", "load", "work",
                                             "make", "remember", "tell", "imagine", "thank", "stop"):
                return None
            if has_any(rest, TASK_NOUNS):
                return task_context()
            return verdict("fact", 5, 6, -1)
        if vp.only:
            return verdict("constraint", 6, 4)
        if L in DISCOURSE_VERBS or L in REQUEST_VERBS or L in FRAMING_VERBS or L in TASK_VERBS or L in (
                "help", "do", "try", "see", "imagine", "provide", "send", "give", "think", "wait", "start"):
            return None
        return verdict("fact", 4, 5)  # "I can speak three languages"

    if modal in ("have to", "must", "should", "ought", "got to"):
        if L in AVOID_VERBS or (neg and L in CONSUME_VERBS):
            return verdict("constraint", 7 if modal == "should" else 8, 8, -1 if neg else 1)
        if modal != "should" and L in ("eat", "drink", "take", "follow", "stick", "wear", "use", "be"):
            if L == "be" and r0 not in ("careful", "mindful", "on", "gluten-free", "dairy-free"):
                return None
            return verdict("constraint", 7, 7)
        if L in FRAMING_VERBS or L in DISCOURSE_VERBS:
            return None
        if modal == "should":
            return None
        return task_context() if not neg else None

    if modal == "could":
        if neg and " ".join(core).startswith(("live without", "get enough", "resist")):
            return verdict("preference", 8, 8, 1)
        if neg and (L in CONSUME_VERBS or L in PREF_VERBS or L == "live"):
            return verdict("dislike", 6, 7, -1)
        return None

    if modal == "used to":
        return verdict("fact", 5, 4)

    if modal == "will" and (vp.only or vp.freq == "strong") and not past:
        if vp.only:
            return verdict("preference", 7, 7, 1)
        if neg:
            return verdict("dislike", 7, 7, -1)
        return verdict("habit", 7, 6)
    if modal in ("will", "going to"):
        if (L in ("go", "opt") and r0 in ("with", "for")) or L in ("choose", "pick") or (
                L in ("take", "have", "try", "do", "get") and is_anaphoric(rest)):
            return None  # picking among options is read as a choice, not as a plan
        if L in DISCOURSE_VERBS or L in FRAMING_VERBS or L in TASK_VERBS or L in (
                "let", "look", "keep", "wait", "need", "update", "consider", "read", "help", "start", "try"):
            if not (L in ("start", "try") and has_time(r)):
                return None
        if L in PREF_VERBS and not has_time(r):
            return None
        if neg and (L in CONSUME_VERBS or L in PREF_VERBS):
            return verdict("dislike", 7, 7, -1)
        if modal == "going to" or L in PLAN_VERBS or has_time(r):
            return verdict("plan", 6 if modal == "going to" else 5, 3 if modal == "going to" else 2)
        return None

    if modal in ("might", "may"):
        if (L in PLAN_VERBS and L not in ("be", "get")) or has_time(r):
            return Verdict("plan", 4, 2, 1, False, True)
        if L in PREF_VERBS or L in DISLIKE_VERBS or L == "have":
            vp.modal = None
            sub = _classify_vp(vp)
            if isinstance(sub, Verdict):
                sub.hedged = True
            return sub
        return None

    # ---- catenatives: tend to, try to, plan to, ...
    if r0 == "to" and L in ("tend", "try", "plan", "intend", "aim", "hope", "expect", "mean", "decide", "like",
                            "love", "prefer", "hate", "refuse", "strive", "choose", "learn"):
        v = lemma(r1)[0] if r1 else ""
        if L in ("tend", "try", "strive"):
            if past and L == "try":
                return task_context() if has_any(rest, TASK_NOUNS) or v in TASK_VERBS else None
            if v in AVOID_VERBS or v in DISLIKE_VERBS:
                return verdict("constraint" if L != "tend" else "dislike", 7, 7, -1 if L == "tend" else 1)
            if v in TASK_VERBS:
                return task_context()
            return verdict("habit", 7, 6)
        if L in ("plan", "intend", "aim", "expect", "decide"):
            return verdict("plan", 7 if L == "decide" else 6, 4 if L == "decide" else 3)
        if L in ("hope", "mean"):
            return Verdict("plan", 4, 3, 1, False, True)
        if L == "learn":
            return verdict("fact", 5, 5)
        if L == "refuse":
            return verdict("dislike", 8, 8, -1)
        if L == "choose":
            return verdict("habit", 7, 6)
        # like to / love to / prefer to / hate to
        if asks_assistant(rest[1:]):
            return REQUEST
    if L == "look" and r.startswith("forward to"):
        return verdict("plan", 5, 2)

    # ---- liking and disliking
    if L in PREF_VERBS:
        if L in ("appreciate", "value") and (r0 in ANAPHORA or r0 in ("your", "you", "the", "any", "all")):
            return None
        if is_anaphoric(rest):
            return None
        if r0 == "to" and asks_assistant(rest[1:]):
            return REQUEST
        base = PREF_VERBS[L]
        if L == "prefer" and (r0 == "not" or r.startswith("to not ") or r.startswith("to avoid ")
                              or r.startswith("not to ")):
            return verdict("dislike", 8, 8, -1)
        if neg:
            return verdict("dislike", 7 if L not in ("love", "adore") else 5, 7, -1)
        if past and not vp.perfect:
            return verdict("preference", 6, 6)
        return verdict("preference", base, 8 if base >= 8 else 7)
    if L in DISLIKE_VERBS:
        if is_anaphoric(rest) and L != "avoid":
            return None
        if not rest:
            return None
        if neg:
            return verdict("preference", 4, 5, 1)
        if past and not vp.perfect:
            return verdict("dislike", 6, 6, -1)
        return verdict("dislike", DISLIKE_VERBS[L], 8, -1)
    if L == "mind":
        return verdict("preference", 5, 5, 1) if neg and rest and not is_anaphoric(rest) else None
    if L == "care":
        if r0 in ("about", "for") and len(rest) > 1 and not is_anaphoric(rest[1:]):
            return verdict("dislike", 6, 6, -1) if neg else verdict("preference", 6, 7)
        return None
    if neg and L in CONSUME_VERBS and not past:
        return verdict("dislike", 8, 8, -1)

    # ---- have, feel, know, find, get
    if L == "have" and not (vp.perfect and h != "have"):
        return classify_have(vp, core)
    if L == "feel":
        if r0 in STATE_ADJ or r0 in ("like", "so", "really", "very", "a", "pretty", "kind", "sort", "super"):
            if r0 == "like" and r1 and not r1.endswith("ing"):
                return None
            return verdict("state", 6 if r0 != "like" else 5, 1)
        if r.startswith(("strongly about", "passionate about")):
            return verdict("preference", 6, 6)
        return None
    if L == "know":
        if r0 == "how" and r1 == "to":
            return verdict("fact", 6, 7)
        return None
    if L == "find":
        if past and not vp.perfect:
            return None
        if r0 in ("it", "myself") and len(rest) > 1 and rest[1] not in ANAPHORA:
            return verdict("fact", 5, 5)
        if len(rest) >= 2 and not has_any(rest, TASK_NOUNS) and r0 not in ANAPHORA and r0 not in ("you", "your"):
            if has_any(rest, NEG_EVAL):
                return verdict("dislike", 6, 7, -1)
            if has_any(rest, POS_EVAL):
                return verdict("preference", 6, 7, 1)
            return verdict("fact", 5, 5)
        return None
    if L == "get":
        if r0 in ("married", "engaged", "divorced"):
            return verdict("identity", 8, 9)
        if has_any(rest[:3], KIN) and r0 in ("a", "an", "two", "another", "my", "our"):
            return verdict("identity", 6, 7)
        if has_any(rest[:4], HEALTH_EFFECT):
            return verdict("constraint", 7, 8)
        adj = [w for w in rest[:4] if w not in DEGREE and w not in ("a", "bit", "little", "kind", "sort", "of")]
        if adj and not past and (adj[0] in BAD_EFFECT or adj[0] in STATE_ADJ):
            return verdict("dislike", 6, 7, -1) if adj[0] in BAD_EFFECT else verdict("fact", 5, 6)
        if vp.freq and not past:
            return verdict("habit", 6, 6)
        if rest[:1] == ["up"] and not past:
            return verdict("habit", 6, 6)
        return None
    if L in ("go",) and past and r0 and r0 not in word_set(
        "to on out back home for with through into over up down in there here away and abroad shopping"
    ) and len(rest) <= 4:
        return verdict("identity", 8, 9)  # "I went vegan last year"
    if L in ("follow", "stick") and not past:
        if r0 in ("you", "your", "up", "along", "the", "this", "these", "those", "that") and "diet" not in rest:
            return None
        return verdict("habit", 8 if ("diet" in rest or "strict" in rest) else 7, 8 if "diet" in rest else 7)
    if L in ("quit", "stop") or (L == "give" and r0 == "up") or (L == "cut" and r0 in ("out", "back", "down")):
        if has_any(rest, TASK_NOUNS) or r0 in ANAPHORA or not rest:
            return None
        return verdict("habit", 7, 7, -1)
    if L in ("start", "begin", "switch") or (L == "take" and r0 == "up"):
        if has_any(rest, TASK_NOUNS) or r0 in ANAPHORA or not rest:
            return task_context() if has_any(rest, TASK_NOUNS) else None
        return verdict("habit", 7, 6)
    if L in ("become", "turn"):
        if L == "turn" and not (r0.isdigit() or r0 in ("vegan", "vegetarian")) and r0 not in ("into",):
            return None
        return verdict("identity", 8, 9)
    if L == "work":
        if r0 in ("as", "at", "for", "in", "with") and not has_any(rest[:3], TASK_NOUNS):
            return verdict("identity", 8 if not past or vp.perfect else 5, 8 if not past or vp.perfect else 5)
        if r0 == "on":
            return task_context()
        if r0 in ("from", "remotely", "nights", "night", "part-time", "full-time", "long", "weekends", "two", "shifts",
                  "overtime", "out", "hard", "late", "early"):
            return verdict("habit", 7, 6)
        return verdict("habit", 6, 6) if not past else task_context()
    if L == "live":
        if past and not vp.perfect:
            return verdict("fact", 5, 6)
        if r0 in ("for", "on") and len(rest) > 1:
            return verdict("preference", 7, 7)
        return verdict("identity", 8, 8)
    if (L == "come" and r0 == "from") or (L == "grow" and r0 == "up") or L == "hail":
        return verdict("identity", 8, 9)
    if L == "speak" and not past:
        return verdict("identity", 7, 8)
    if L in ("study", "major", "teach") and not past:
        return verdict("identity", 7, 7)
    if L == "suffer" and r0 == "from":
        return verdict("constraint", 8, 9)
    if L == "try" and not past:
        return verdict("habit", 5, 5) if rest and not is_anaphoric(rest) else None
    if L == "try" and past:
        if is_anaphoric(rest):
            return None
        return verdict("fact", 5 if neg else 4, 5 if neg else 4)
    if L == "look":
        if r0 == "for" and vp.freq and not past and not is_anaphoric(rest[1:]):
            return verdict("habit", 6, 6)
        return None
    if L in ("plan", "intend") and not past:
        return verdict("plan", 6, 3)
    if L in DISCOURSE_VERBS or L in FRAMING_VERBS or L in ("let", "wonder", "made"):
        return None
    if not L.replace("-", "").isalpha():
        return None

    # ---- other verbs: present simple = habit, past = a fact
    task = has_any(rest, TASK_NOUNS) or L in CODE_TASK_VERBS and not vp.freq
    if past or vp.perfect:
        if vp.perfect and not past and not task:
            if vp.neg:
                return verdict("fact", 5, 5, -1)
            return verdict("fact", 5, 5)
        if task:
            return task_context()
        if TIME_RE.search(r) and re.search(r"\b(?:yesterday|today|this morning|tonight|last night)\b", r):
            return verdict("fact", 3, 2)
        return verdict("fact", 4, 3)
    if task:
        return task_context()
    if not rest and not vp.freq:
        return verdict("habit", 5, 5)
    if L in ("own", "drive", "ride", "use", "wear", "play", "read", "watch", "listen", "eat", "drink", "cook"):
        return verdict("habit", 6, 6)
    return verdict("habit", 6, 6)

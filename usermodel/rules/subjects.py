"""Clauses whose subject is not a bare "I".

"my ..." subjects ("My name is Priya", "My doctor told me to cut down on
salt", "My favourite author is ...") and sentences whose subject is the thing
the user likes or dislikes ("Coriander makes me gag", "Musicals are not my
thing").
"""

from __future__ import annotations

import re

from usermodel.rules.lexicon import (ANAPHORA, BAD_EFFECT, BODY_NOUNS, HEALTH_ADJ, HEALTH_EFFECT, HEALTH_NOUNS, KIN,
                                     SUBJECT_I, TASK_NOUNS, word_set)
from usermodel.rules.verbs import KNOWN_VERBS
from usermodel.rules.verdicts import REQUEST, Verdict, has_any, task_context, verdict


_MY_VERBS = word_set(
    "is are was were has have had does doesn't don't do did didn't can can't cannot "
    "will won't would wouldn't should must might may isn't aren't wasn't weren't "
    "loves likes hates enjoys prefers says said told tells wants wanted needs gets "
    "makes goes includes include consists involves recommended recommends "
    "suggested advised insists thinks keeps requires allows limits restricts "
    "lives works eats drinks plays tends seems seem"
)
_MY_NAME = word_set("name")
_MY_FAV = word_set("favorite favourite fave favorites favourites go-to preferred all-time top")
_MY_LEAST = word_set("least peeve peeves")
_MY_HOBBY = word_set("hobby hobbies passion passions interest interests obsession")
_MY_JOB = word_set(
    "job profession occupation career role position title major field specialty "
    "specialization background degree employer company business trade"
)
_MY_DIET = word_set(
    "diet dietary restrictions restriction allergies allergy condition doctor "
    "dietitian dietician nutritionist physician therapist trainer cardiologist "
    "dentist allergist gp"
)

_MY_BUDGET = word_set("budget price")
_MY_GOAL = word_set("goal goals plan plans dream dreams aim resolution intention wish")
_MY_ROUTINE = word_set("routine schedule mornings evenings weekends weekdays commute habit habits typical")
_MY_HOME = word_set("home hometown house apartment flat city town country neighborhood neighbourhood")
_MY_IDENT = word_set(
    "language languages tongue nationality religion faith ethnicity culture heritage "
    "age birthday gender pronouns sign"
)
_SPEECH = word_set("said says told tells thinks asked suggested recommended insists wants wanted thought asks")


def classify_my_clause(toks: list[str]) -> Verdict | str | None:
    """Tokens start at "my"."""
    j = None
    for k in range(1, min(len(toks), 7)):
        t = toks[k]
        if t in _MY_VERBS or t.endswith("'s") and k > 1 or (
                k > 1 and toks[k - 1] in KIN and (t.endswith("s") or t in KNOWN_VERBS) and t not in ("and", "or")):
            j = k
            break
    if j is None:
        return None
    np = [t[:-2] if t.endswith("'s") else t for t in toks[1:j + (1 if toks[j].endswith("'s") else 0)]]
    verb = "is" if toks[j].endswith("'s") else toks[j]
    rest = toks[j + 1:]
    neg = "not" in rest[:2] or verb.endswith("n't") or verb == "cannot" or "never" in rest[:2]
    pol = -1 if neg else 1
    if not rest and verb not in ("loves", "hates"):
        return None
    head = np[-1] if np else ""
    if head in ("question", "questions", "request", "query", "problem", "issue", "task", "doubt", "concern"):
        return REQUEST
    if has_any(np, _MY_NAME):
        return verdict("identity", 9, 10)
    if has_any(np, _MY_LEAST) or "least" in np:
        return verdict("dislike", 7, 7, -1)
    if has_any(np, _MY_FAV):
        return verdict("preference", 8, 7, pol)
    if head in _MY_HOBBY:
        return verdict("preference", 8, 7, pol)
    if head in _MY_JOB or np[:1] == ["line"]:
        return verdict("identity", 8, 8, pol)
    if has_any(np, _MY_DIET) or head in ("doctor", "dietitian", "nutritionist"):
        if verb in _SPEECH or verb in ("is", "are", "includes", "include", "has", "requires", "limits", "restricts",
                                       "doesn't", "can't", "cannot", "does"):
            return verdict("constraint", 8, 8)
        return None
    if head in BODY_NOUNS or has_any(np, BODY_NOUNS):
        return verdict("constraint", 7, 8, pol)
    if has_any(np, _MY_BUDGET):
        return verdict("constraint", 7, 3)
    if head in _MY_GOAL:
        return verdict("plan", 6, 4)
    if head in _MY_ROUTINE or has_any(np, _MY_ROUTINE):
        return verdict("habit", 6, 6)
    if head in _MY_HOME:
        return verdict("identity", 7, 8)
    if has_any(np, _MY_IDENT):
        return verdict("identity", 8, 9)
    if head in KIN or has_any(np, KIN):
        if verb in _SPEECH:
            return None
        if has_any(rest, HEALTH_NOUNS) or has_any(rest, HEALTH_ADJ):
            return verdict("fact", 6, 8, pol)
        return verdict("fact", 5, 6, pol)
    if has_any(np, TASK_NOUNS) or has_any(rest, TASK_NOUNS):
        return task_context()
    if np and np[0] in ANAPHORA:
        return None
    return verdict("fact", 3, 3, pol)


_OBJ_FIRST = [
    (re.compile(
        r"^(?P<np>[^,;:]{2,60}?) (?:is|are|was|'s|has always been|have always been|will always be)"
        r"(?: (?:definitely|really|totally|absolutely|always|honestly|probably|just|also|still|easily))?"
        r" (?:my|one of my)(?: (?:absolute|all-time|personal|biggest|top|favou?rite|number one|ultimate))?"
        r" (?P<w>favou?rites?|go-to|jam|weakness|guilty pleasure|comfort food|passion|obsession|thing|"
        r"least favou?rites?|pet peeves?|kryptonite|happy place)\b"), "fav"),
    (re.compile(
        r"^(?P<np>[^,;:]{2,60}?) (?:is|are|'s)(?: just| really| definitely| honestly)?"
        r" (?:not|n't|never) (?:really |quite |exactly )?(?:my thing|for me|my cup of tea|my style|my jam|my favou?rite)"
    ), "notforme"),
    (re.compile(
        r"^(?P<np>[^,;:]{2,60}?) (?:isn't|aren't|wasn't)(?: really| quite| exactly)?"
        r" (?:my thing|for me|my cup of tea|my style|my jam|my favou?rite)"), "notforme"),
    (re.compile(
        r"^(?P<np>[^,;:]{2,60}?) (?:always |usually |often |just |really |totally |sometimes )?"
        r"(?:makes|make|made) me (?:feel )?(?P<w>[a-z]+)"), "makes"),
    (re.compile(
        r"^(?P<np>[^,;:]{2,60}?) (?:always |usually |often |sometimes )?(?:gives|give|gave) me (?:a |an |bad |terrible |"
        r"awful |serious |)(?P<w>[a-z]+)"), "gives"),
    (re.compile(r"^(?P<np>[^,;:]{2,60}?) (?:doesn't|don't|does not|do not|never) (?:really )?agree with me"), "disagree"),
    (re.compile(r"^(?P<np>[^,;:]{2,60}?) (?:always |really |just |usually |often )?(?:relax|relaxes|calm|calms|"
                r"energize|energizes|energise|energises|inspire|inspires|soothe|soothes|comfort|comforts|delight|"
                r"delights|excite|excites|fascinate|fascinates) me"), "good"),
    (re.compile(r"^(?P<np>[^,;:]{2,60}?) (?:always |really |just |usually |often )?(?:bother|bothers|annoy|annoys|"
                r"disgust|disgusts|upset|upsets|irritate|irritates|bore|bores|scare|scares|terrify|terrifies|"
                r"gross me out|grosses me out|freak me out|freaks me out|sicken|sickens) me"), "bad"),
]
_GOOD_EFFECT = word_set("happy smile relaxed calm good great alive energized energised joyful content cozy peaceful")


def classify_object_first(low: str) -> tuple[Verdict, str] | None:
    """(verdict, the thing) for a sentence whose subject is the thing the user likes or dislikes
    ("jazz is my favourite", "coriander makes me gag", "musicals are not my thing"); None otherwise."""
    for rx, tag in _OBJ_FIRST:
        m = rx.match(low)
        if not m:
            continue
        np = m.group("np").split()
        if not np or np[0] in ANAPHORA or np[0] in word_set(
            "you your he she they we i it's that's there here which what who the other others option one "
            "neither either none both all rest"
        ) or (np[0] == "the" and len(np) > 1 and np[1] in word_set(
            "other others first second third last former latter rest one option options idea"
        )) or has_any(np, SUBJECT_I | word_set("my me")):
            return None
        w = m.groupdict().get("w") or ""
        if tag == "fav":
            if "least" in low[m.start("w"):m.end("w")] or w.startswith(("pet peeve", "kryptonite")):
                return verdict("dislike", 7, 7, -1), m.group("np")
            if w == "thing" and " not " in low[:m.end()]:
                return verdict("dislike", 7, 7, -1), m.group("np")
            return verdict("preference", 8, 7), m.group("np")
        if tag == "notforme":
            return verdict("dislike", 7, 7, -1), m.group("np")
        if tag == "makes":
            if w in _GOOD_EFFECT:
                return verdict("preference", 7, 7), m.group("np")
            if w in BAD_EFFECT or w in HEALTH_EFFECT:
                return verdict("dislike", 7, 8, -1), m.group("np")
            return None
        if tag == "gives":
            if w in HEALTH_EFFECT or w in word_set("headaches headache migraines migraine stomachaches stomach hives "
                                                  "nightmares anxiety cramps gas acid"):
                return verdict("constraint", 7, 8, -1), m.group("np")
            return None
        if tag == "disagree":
            return verdict("constraint", 7, 8, -1), m.group("np")
        if tag == "good":
            return verdict("preference", 7, 7), m.group("np")
        if tag == "bad":
            return verdict("dislike", 7, 7, -1), m.group("np")
    return None

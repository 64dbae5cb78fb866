"""Rules for "I have ...": feelings ("a soft spot for", "no patience for"),
health conditions, diets, budgets, family and pets, events coming up, and
task context ("I have a dataset with 3 columns").
"""

from __future__ import annotations

import re

from usermodel.rules.lexicon import ANAPHORA, BODY_NOUNS, EVENT_NOUNS, FREQ_RE, HEALTH_NOUNS, KIN, TASK_NOUNS, word_set
from usermodel.rules.verbs import VerbPhrase
from usermodel.rules.verdicts import REQUEST, Verdict, has_any, task_context, verdict


_HAVE_FEELING = re.compile(
    r"(?:an?|some|no|zero|little|real|great|big|huge|deep|strong)? ?(?:(?:\w+|\w+-\w+) ){0,2}?(?:"
    r"(?P<pos>soft spot|weakness|thing|passion|love|taste|fondness|preference|penchant|sweet tooth|affinity|"
    r"appreciation|admiration|enthusiasm|obsession|appetite)|"
    r"(?P<neg>aversion|dislike|hatred|distaste|fear|phobia|loathing|intolerance for|disdain|contempt))\b"
)
_NO_FEELING = re.compile(r"(?:no|zero|little|not much|not any) (?:real )?(?:interest|patience|tolerance|taste|desire|use)\b")


def classify_have(vp: VerbPhrase, core: list[str]) -> Verdict | str | None:
    """Rules for "I have ..." (``core`` starts at "have")."""
    rest = core[1:]
    if not rest:
        return None
    r = " ".join(rest) + " "
    r0 = rest[0]
    if r0 in ("to",):  # "I have to ..." reached without the modal reading
        return None
    if _NO_FEELING.match(r):
        return verdict("dislike", 8, 8, -1)
    m = _HAVE_FEELING.match(r)
    if m:
        if m.group("neg"):
            return verdict("dislike", 8, 8, -1)
        return verdict("preference", 8, 7, 1)
    if r.startswith(("no idea", "no clue", "a question", "some questions", "a few questions", "a quick question",
                     "questions", "a request", "a favor", "a task", "a problem with", "an issue with",
                     "a doubt", "doubts", "a query", "two questions", "one question", "another question",
                     "a follow-up", "a follow up", "a suggestion", "an idea for", "a feeling", "the feeling",
                     "a hunch", "no preference", "mixed feelings")):
        return REQUEST if "question" in r or "request" in r or "favor" in r or "query" in r or "doubt" in r else None
    if r.startswith(("trouble", "difficulty", "a hard time", "a tough time", "problems", "issues", "a problem",
                     "an issue")):
        if has_any(rest, TASK_NOUNS):
            return task_context()
        return verdict("fact", 5, 5)
    if "diet" in rest[:6]:
        return verdict("habit", 8, 8, -1 if vp.neg else 1)
    if has_any(rest[:8], HEALTH_NOUNS) and not has_any(rest[:8], TASK_NOUNS):
        return verdict("constraint", 8, 9, -1 if vp.neg else 1)
    if r.startswith(("limited ", "only ", "a limited", "a small budget", "a tight budget", "a budget")):
        return verdict("constraint", 6, 4)
    if r0 in ("a", "an") and len(rest) <= 5 and has_any(rest[1:4], BODY_NOUNS):
        return verdict("constraint", 6, 8)  # "I have a sensitive stomach", "a bad knee"
    if r.startswith("experience ") or re.match(r"(?:\d+|a few|many|several|two|three|ten|\w+) years? of experience", r):
        return verdict("fact", 6, 7)
    det = r0 in word_set("a an two three four five six seven eight nine ten several many some no one twin") or \
        r0.isdigit()
    if (det or r0 in ("kids", "children", "pets", "dogs", "cats")) and has_any(rest[:4], KIN):
        if vp.neg or r0 == "no":
            return verdict("identity", 7, 8, -1)
        return verdict("identity", 7, 8)
    if has_any(rest[:5], EVENT_NOUNS):
        return verdict("plan", 5, 2)
    if r0 in ("this", "these", "that", "those", "the", "following") and has_any(rest[:4],
                                                                            TASK_NOUNS | word_set("following")):
        return None  # pointing at something pasted: "I have the following code"
    if has_any(rest, TASK_NOUNS):
        return task_context()
    if r0 in ANAPHORA or r0 in ("you", "your", "the"):
        return None
    if vp.neg or r0 == "no":
        return verdict("constraint", 6, 5, -1)
    if vp.past and not vp.perfect:
        return verdict("fact", 3, 2)
    if vp.freq or FREQ_RE.search(r):
        return verdict("habit", 6, 6)
    return verdict("fact", 4, 4)

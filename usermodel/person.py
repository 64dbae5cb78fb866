"""Rewrite first-person English into third person about "the user".

``third_person("I'm vegetarian and don't eat eggs")`` gives
``"The user is vegetarian and doesn't eat eggs."``.  The rewriting keeps the
user's own words (they carry the meaning that retrieval later matches) and
changes only the subject, its verb agreement and the first-person pronouns:

* "I'm"/"I am" -> "the user is", "I've" -> "has", "I'd" -> "would" ("had"
  before "been"), "I'll" -> "will", "I was" -> "was";
* "I <verb>" -> "the user <verb+s>" with English 3rd-person-singular spelling
  (have -> has, do -> does, go -> goes, watch -> watches, try -> tries,
  play -> plays); modals and past tenses are left as they are;
* "my" -> "their", "me" -> "them", "myself" -> "themselves", "mine" -> "theirs";
* a later "I" in the same clause -> "they" (with plural agreement);
* words inside double quotes are left alone.

Everything here is linear in the length of the text and needs only the
standard library.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_LEN",
    "conjugate",
    "is_adverb",
    "finish",
    "is_past",
    "rewrite_pronouns",
    "third_person",
]

MAX_LEN = 300

MODALS = frozenset(
    """can could will would shall should must may might ought cannot
    can't couldn't won't wouldn't shouldn't mustn't mightn't shan't""".split()
)

# Third-person singular forms that do not follow the spelling rules, and
# auxiliaries that change with the subject.
_IRREGULAR_3SG = {
    "be": "is",
    "am": "is",
    "are": "is",
    "'m": "is",
    "is": "is",
    "have": "has",
    "has": "has",
    "do": "does",
    "does": "does",
    "go": "goes",
    "undergo": "undergoes",
    "don't": "doesn't",
    "dont": "doesn't",
    "doesn't": "doesn't",
    "haven't": "hasn't",
    "havent": "hasn't",
    "aren't": "isn't",
    "ain't": "isn't",
    "was": "was",
    "were": "was",
    "weren't": "wasn't",
    "wasn't": "wasn't",
}

_PLURAL_AGREEMENT = {
    "am": "are",
    "'m": "are",
    "is": "are",
    "was": "were",
    "wasn't": "weren't",
    "ain't": "aren't",
    "has": "have",
    "hasn't": "haven't",
    "does": "do",
    "doesn't": "don't",
}

# Simple past forms that do not end in -ed (left unchanged after "I").
_IRREGULAR_PAST = frozenset(
    """was were had did went made took got saw ate drank grew began became came
    felt found gave knew left lost met paid said sold sent spent stood taught
    thought told understood wrote bought brought caught fought kept slept swam
    won wore chose broke drove flew forgot heard held built burnt learnt meant
    quit sat sang spoke stole struck threw woke rode rose shot hid led lent lit
    fed fell dug dealt dreamt rang ran sank shook shone slid spun sprang stuck
    stung swore swept swung tore wept withdrew overcame undertook underwent
    forgave froze mistook outgrew overheard overslept overate gotten been done
    gone seen eaten taken given known grown written driven flown chosen
    forgotten become begun drunk swum sung worn fallen""".split()
)

# Base forms that happen to end in -ed.
_BASE_ED = frozenset(
    """need feed bleed speed proceed exceed succeed breed heed seed weed shed wed
    embed bed shred sled""".split()
)

# Words that may stand between "I" and its verb ("I really love", "I kind of like").
_PASS_ADVERBS = frozenset(
    """really also just still actually personally currently now recently lately
    already even only usually always often never sometimes occasionally rarely
    seldom hardly barely generally typically normally mostly mainly primarily
    definitely absolutely totally truly certainly seriously genuinely deeply
    strongly honestly literally simply basically kind sort of kinda sorta
    probably maybe perhaps possibly prolly somewhat slightly fairly frequently
    regularly constantly religiously strictly completely utterly particularly
    especially secretly quietly happily gladly sincerely firmly highly
    passionately madly nowadays originally first finally once then too again
    both all not no longer much far ever""".split()
)
# Verbs that end in -ly; any other word in -ly after "I" is an adverb ("I exclusively read").
_LY_VERBS = frozenset("apply reply supply fly rely comply multiply imply bully rally tally ally sully dally".split())


def is_adverb(word: str) -> bool:
    w = word.lower()
    return w in _PASS_ADVERBS or (len(w) > 4 and w.endswith("ly") and w not in _LY_VERBS)

# Verbs conjugated when they follow "and"/"but"/"or" after a conjugated verb:
# "I love hiking and hate camping" -> "loves hiking and hates camping".
_COORD_AUX = frozenset({"don't", "dont", "do", "have", "haven't", "am"})
COMMON_VERBS = frozenset(
    """refuse consume adhere steer listen read watch support seek value need use
    love like enjoy prefer adore hate dislike detest loathe despise avoid eat
    drink cook bake read watch listen play go run walk hike swim bike ride drive
    travel visit work live study teach write paint draw sing dance practice
    train exercise meditate sleep wake use own want need try follow stick stay
    keep buy shop spend save collect grow make take get wear speak prefer care
    find feel think know believe hope plan intend aim tend volunteer attend
    garden knit sew fish hunt camp ski surf climb skate lift bring order choose
    pick skip miss refuse limit cut reduce eat try crave""".split()
)

_NOT_VERBS = frozenset(
    "a an the any all some my their his her its our your this that these those to of in on at for with so very "
    "too more less quite pretty bit little as by from about into".split()
)
_SUBJECT_TOKENS = frozenset({"i", "i'm", "im", "i've", "ive", "i'd", "i'll"})
_HAD_AFTER_ID = frozenset({"been", "had", "gotten", "done", "gone", "seen", "known", "already"})

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z0-9]+)*|\s+|.", re.S)
_JOINT_SUBJECT = re.compile(
    r"^\s*(?:(?:me|I) and my ((?:(?:little|older|younger|big|best|twin|baby|new|two|three|four) )?"
    r"[A-Za-z'-]+)|my ((?:[A-Za-z'-]+ ){0,2}?[A-Za-z'-]+) and (?:I|me))\b",
    re.I,
)


def is_past(word: str) -> bool:
    """True for a simple-past (or past-participle) form."""
    w = word.lower().replace("\u2019", "'")
    if w in _IRREGULAR_PAST:
        return True
    return len(w) > 3 and w.endswith("ed") and w not in _BASE_ED


def conjugate(verb: str) -> str:
    """The third-person singular present of ``verb`` (as written after "I").

    Modals and past forms are returned unchanged.
    """
    w = verb.lower().replace("\u2019", "'")
    if w in _NOT_VERBS:
        return verb
    if w in _IRREGULAR_3SG:
        out = _IRREGULAR_3SG[w]
    elif w in MODALS or is_past(w) or not w.isalpha():
        return verb
    elif w.endswith(("ss", "sh", "ch", "x", "z", "s")) or (w.endswith("o") and not w.endswith("oo")):
        out = w + "es"
    elif len(w) > 1 and w.endswith("y") and w[-2] not in "aeiou":
        out = w[:-1] + "ies"
    else:
        out = w + "s"
    if verb[:1].isupper():
        out = out[:1].upper() + out[1:]
    return out


def _rewrite(text: str, first_subject: str | None) -> str:
    """Core rewriting; ``first_subject`` None means every "I" becomes "they"."""
    text = text.replace("\u2019", "'")
    out: list[str] = []
    subject_done = first_subject is None
    m = _JOINT_SUBJECT.match(text)
    if m:
        # "My wife and I love hiking" -> "the user and their wife love hiking"
        lead = first_subject or "they"
        out.append(f"{lead} and their {m.group(1) or m.group(2)}")
        text = text[m.end():]
        subject_done = True
    tokens = _TOKEN.findall(text)
    in_quote = False
    expect_verb: str | None = None  # "3sg" or "pl" while waiting for the subject's verb
    coord: str | None = None  # agreement for coordinated verbs
    pending_coord = False
    adverb_seen = False
    saw_to = False
    seen_word = bool(out)
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if tok in ('"', "\u201c", "\u201d"):
            if tok == "\u201c":
                in_quote = True
            elif tok == "\u201d":
                in_quote = False
            else:
                in_quote = not in_quote
            out.append(tok)
            continue
        if in_quote or not tok[0].isalnum():
            if tok in ".!?;":
                coord = None
                pending_coord = False
            out.append(tok)
            continue
        lw = tok.lower()
        if lw in _SUBJECT_TOKENS and (lw not in ("im", "ive") or tok in ("im", "Im", "ive", "Ive")):
            if lw == "i" and tok not in ("I", "i"):
                out.append(tok)
                continue
            subj = "they" if subject_done else first_subject
            mode = "pl" if subj == "they" else "3sg"
            subject_done = True
            seen_word = True
            pending_coord = False
            saw_to = False
            if lw == "i":
                out.append(subj)
                expect_verb = mode
                coord = None
            else:
                if lw in ("i'm", "im"):
                    aux = "is" if mode == "3sg" else "are"
                elif lw in ("i've", "ive"):
                    aux = "has" if mode == "3sg" else "have"
                elif lw == "i'll":
                    aux = "will"
                else:  # i'd
                    nxt = next((t.lower() for t in tokens[i + 1:i + 4] if t[0].isalnum()), "")
                    aux = "had" if nxt in _HAD_AFTER_ID else "would"
                out.append(f"{subj} {aux}")
                expect_verb = None
                coord = mode if aux in ("is", "are", "has", "have") else None
            continue
        if lw in ("my", "mine", "me", "myself"):
            if lw == "my" and not seen_word and first_subject is not None and not subject_done:
                out.append(f"{first_subject}'s")
                subject_done = True
            else:
                out.append({"my": "their", "mine": "theirs", "me": "them", "myself": "themselves"}[lw])
            seen_word = True
            continue
        seen_word = True
        if expect_verb is not None:
            if is_adverb(lw):
                out.append(tok)
                continue
            if expect_verb == "3sg":
                new = conjugate(tok)
                coord = "3sg" if (new != tok or lw in ("is", "has", "does")) and lw not in MODALS else None
                out.append(new)
            else:
                out.append(_PLURAL_AGREEMENT.get(lw, tok) if lw in ("am", "was", "wasn't", "ain't") else tok)
                coord = None
            expect_verb = None
            saw_to = False
            continue
        if coord is not None:
            if lw == "to":
                saw_to = True
            if lw in ("and", "but", "or", "then", "yet", "nor"):
                pending_coord = True
                adverb_seen = False
                out.append(tok)
                continue
            if pending_coord:
                if is_adverb(lw) and lw not in ("not", "no", "all", "both"):
                    out.append(tok)
                    adverb_seen = True
                    continue
                pending_coord = False
                if lw in _COORD_AUX or (lw in COMMON_VERBS and not saw_to) or (
                        adverb_seen and lw.isalpha() and lw not in _NOT_VERBS and not lw.endswith("s")):
                    out.append(conjugate(tok) if coord == "3sg" else tok)
                    continue
        out.append(tok)
    return "".join(out)


_TRAIL_PHRASE = re.compile(
    r",\s*(?:to be honest|to be fair|honestly|tbh|sadly|unfortunately|though|lol|haha|i guess|i think|i suppose|"
    r"for sure|really|actually|anyway|in general|personally|if i'm honest|if i'm being honest|ngl|you know|"
    r"here|btw|by the way|fwiw|lately|these days)$",
    re.I,
)
_TRAIL_WORDS = frozenset(
    "lol lmao lmfao rofl haha hahaha hehe tbh imo imho btw xd ngl though honestly".split()
)
_TRAIL_TOKEN = re.compile(r"(?:\s+|^)([A-Za-z]+)$")
_TRAIL_PUNCT = re.compile(r"[\s,;:!?.~\-\u2013\u2014\u2026*]+$")
_EMOTICON = re.compile(r"(?:\s*(?::\)|:\(|:D|;\)|:P|<3|xD|:-\)|\^\^))+$")


def _is_emoji(ch: str) -> bool:
    o = ord(ch)
    return o >= 0x1F000 or 0x2600 <= o <= 0x27BF or o in (0xFE0F, 0x200D, 0x2B50, 0x2764)


def finish(text: str, max_len: int = MAX_LEN) -> str:
    """Collapse whitespace, drop trailing filler, cap the length, end with '.'."""
    s = " ".join(text.split())
    for _ in range(8):
        before = s
        while s and _is_emoji(s[-1]):
            s = s[:-1].rstrip()
        s = _EMOTICON.sub("", s)
        s = _TRAIL_PUNCT.sub("", s)
        m = _TRAIL_PHRASE.search(s[-40:])
        if m and len(s) > len(m.group(0)) + 8:
            s = s[: len(s) - len(m.group(0))]
        m = _TRAIL_TOKEN.search(s[-20:])
        if m and m.group(1).lower() in _TRAIL_WORDS and len(s) > len(m.group(0)) + 8:
            s = s[: len(s) - len(m.group(0))]
        if s == before:
            break
    if len(s) > max_len:
        cut = s[:max_len]
        best = -1
        for sep in (", ", "; ", " - ", " \u2013 ", " and ", " but ", " or ", " with "):
            k = cut.rfind(sep)
            if k > best:
                best = k
        if best < max_len // 3:
            best = cut.rfind(" ")
        s = _TRAIL_PUNCT.sub("", cut[: best if best > 0 else max_len])
    if not s:
        return s
    s = s[0].upper() + s[1:]
    return s + "."


def third_person(clause: str, subject: str = "the user", max_len: int = MAX_LEN) -> str:
    """Rewrite a first-person clause into a finished third-person sentence.

    >>> third_person("I watch a lot of documentaries")
    'The user watches a lot of documentaries.'
    """
    return finish(_rewrite(clause, subject), max_len)


def rewrite_pronouns(text: str) -> str:
    """Third-person pronouns only ("when I travel with my kids" -> "when they
    travel with their kids"); no subject insertion, no final period."""
    return _rewrite(text, None)

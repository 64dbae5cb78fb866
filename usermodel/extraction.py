"""Model-independent extraction: rules that turn what the user wrote into
candidate propositions about them.

``extract(obs, previous)`` reads one observation (a chat message the user sent,
a note, an edit) and returns :class:`~memory.models.Candidate` objects such as
"The user is vegetarian." with honest ``confidence`` and ``decay``.  No language
model is involved: the text is split into sentences and clauses, each clause
is checked for a first-person subject ("I", "my ...", "my wife and I", "every
morning I"), the verb phrase after it is read (auxiliaries, negation, hedges,
frequency adverbs), and the verb class decides the kind of proposition
(preference, dislike, identity, habit, plan, constraint, fact, state).
Requests, questions, instructions, role-play prompts, hypotheticals, code,
pasted logs and material handed over to work on ("Proofread this: ...") yield
nothing; self-disclosure inside a request ("Since I follow a gluten-free diet,
can you ...") still counts, at lower confidence.  When the user's message
answers an assistant message that offered options, a ``choice`` candidate
records which option they picked ("...; they turned down the others." when the
user said so, "...; they picked it over the others." otherwise).

Confidence: explicit identity, diet, allergy, strong like or dislike ~8; plain
"I like X" 7; the same said in passing inside a request 2 lower; hedged
("maybe", "kind of", "I think I might") at most 4; task context ("I have a
dataset with 3 columns") 3.  Decay: identity and health 9, preferences 7-8,
habits 6, choices 6, plans 3, task context 2, passing states ("I'm tired
today") 1.

All of it is standard library, linear in the length of the text (no regular
expression here can backtrack catastrophically: every repetition is bounded or
over disjoint character classes), and takes well under a millisecond for a
typical chat message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from memory.models import Candidate, Observation
from usermodel.person import finish, is_adverb, is_past, rewrite_pronouns, third_person

__all__ = ["KINDS", "TEXT_SOURCES", "extract"]

KINDS = ("preference", "dislike", "identity", "habit", "plan", "constraint", "choice", "fact", "state")
TEXT_SOURCES = frozenset({"chat", "note", "edit"})

MAX_CANDIDATES = 24  # per observation
MAX_SENTENCES = 400  # first-person sentences examined per observation
MAX_CLAUSE_CHARS = 600  # longer clauses are cut before analysis
MAX_TEXT_CHARS = 400_000  # beyond this an observation is read only in part

# --------------------------------------------------------------------------
# Vocabulary.  These are general English word classes (auxiliaries, verbs of
# liking, frequency adverbs, kinship nouns, ...), not topic lists.


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


SUBJECT_I = _words("i i'm im i've ive i'd i'll")

CONTRACTIONS: dict[str, tuple[str, ...]] = {
    "i'm": ("am",), "im": ("am",), "i've": ("have",), "ive": ("have",),
    "i'd": ("would",), "i'll": ("will",), "i": (),
    "don't": ("do", "not"), "dont": ("do", "not"), "doesn't": ("does", "not"),
    "didn't": ("did", "not"), "didnt": ("did", "not"),
    "can't": ("can", "not"), "cant": ("can", "not"), "cannot": ("can", "not"),
    "won't": ("will", "not"), "wont": ("will", "not"), "wouldn't": ("would", "not"),
    "couldn't": ("could", "not"), "shouldn't": ("should", "not"), "mustn't": ("must", "not"),
    "isn't": ("is", "not"), "aren't": ("are", "not"), "wasn't": ("was", "not"),
    "weren't": ("were", "not"), "ain't": ("am", "not"), "haven't": ("have", "not"),
    "havent": ("have", "not"), "hasn't": ("has", "not"), "hadn't": ("had", "not"),
    "gonna": ("going", "to"), "wanna": ("want", "to"), "gotta": ("have", "to"),
    "kinda": ("kind", "of"), "sorta": ("sort", "of"), "i'ma": ("going", "to"),
}

HEDGE_ADV = _words(
    "maybe perhaps probably possibly prolly somewhat slightly fairly likely "
    "apparently supposedly sometimes occasionally periodically guess"
)
STRONG_ADV = _words(
    "really absolutely totally truly definitely certainly seriously genuinely "
    "deeply strongly extremely completely utterly strictly very so super "
    "passionately especially literally positively madly sincerely firmly highly "
    "thoroughly particularly only exclusively entirely"
)
FREQ_STRONG = _words("always never constantly religiously invariably")
FREQ_RARE = _words("rarely seldom hardly barely")
FREQ_NORMAL = _words(
    "usually often regularly frequently normally typically generally mostly "
    "daily weekly nightly habitually routinely mainly primarily largely consistently"
)
OTHER_ADV = _words(
    "also just still actually personally currently now recently lately already "
    "even basically simply then too again first finally originally once "
    "nowadays obviously naturally secretly quietly happily gladly almost nearly "
    "all both myself kind sort of pretty quite much far solely"
)
ALL_ADV = HEDGE_ADV | STRONG_ADV | FREQ_STRONG | FREQ_NORMAL | OTHER_ADV | FREQ_RARE | _words("ever")
DEGREE = _words(
    "so very really pretty quite super extremely totally completely incredibly "
    "highly deeply fully somewhat slightly rather too truly absolutely definitely "
    "seriously genuinely particularly especially also still just even mostly"
)

MODALS = _words("will would can could should must may might shall ought")

PREF_VERBS = {
    "love": 8, "adore": 8, "cherish": 8, "relish": 7, "like": 7, "enjoy": 7,
    "prefer": 8, "fancy": 6, "favor": 7, "favour": 7, "dig": 6, "admire": 6,
    "appreciate": 6, "savor": 7, "savour": 7, "treasure": 7, "value": 7,
}
DISLIKE_VERBS = {
    "hate": 8, "detest": 8, "loathe": 8, "despise": 8, "abhor": 8, "dislike": 7,
    "avoid": 8, "resent": 6, "shun": 7, "eschew": 7,
}
CONSUME_VERBS = _words("eat drink consume smoke touch")
AVOID_VERBS = _words(
    "avoid limit cut reduce watch minimize minimise restrict skip lower steer "
    "stay keep stop quit moderate eliminate exclude"
)
PLAN_VERBS = _words(
    "visit travel go fly move attend start begin host leave return join take run "
    "graduate retire marry celebrate spend stay drive meet buy get be head "
    "relocate switch cook throw see compete apply enroll enrol hike sail tour"
)
REQUEST_VERBS = _words("know ask understand discuss talk check request confirm clarify")
# these ask for something only when their object is a deliverable ("see some examples")
SOFT_REQUEST_VERBS = _words("see get find have hear read try explore receive share learn")
TASK_VERBS = _words(
    "create write build make generate design develop implement code program add "
    "fix change convert improve optimize optimise debug solve finish complete "
    "submit prepare translate edit format calculate install deploy update "
    "set test compile print plot analyze analyse summarize summarise rewrite"
)
_CODE_TASK_VERBS = _words(
    "debug compile deploy install implement refactor code program fix convert format calculate plot summarize "
    "summarise translate rewrite edit generate optimize optimise"
)
FRAMING_VERBS = _words(
    "say admit mention tell ask confess agree warn point clarify add note remind "
    "apologize apologise thank stress emphasize emphasise know"
)
# Verbs that say something about the conversation, not about the user.
DISCOURSE_VERBS = _words(
    "think believe guess suppose reckon assume mean see understand agree "
    "disagree wonder doubt bet realize realise notice remember forget recall "
    "promise apologize apologise thank say tell ask hear wish figure imagine "
    "suspect expect trust request repeat answer respond reply mention note "
    "clarify confirm suggest recommend propose check attach paste copy send "
    "share provide give show explain describe seem guarantee insist hope "
    "welcome got get appreciate"
)
HEALTH_EFFECT = _words(
    "sick ill nauseous queasy headache headaches migraine migraines heartburn "
    "hives rash rashes bloated dizzy itchy gassy cramps indigestion reflux "
    "nosebleeds allergies sneezy congested seasick carsick anxious jittery "
    "acne breakouts"
)

KIN = _words(
    "wife husband partner spouse boyfriend girlfriend fiance fiancé fiancee "
    "fiancée kid kids child children son sons daughter daughters baby babies "
    "toddler toddlers twins teenager teenagers teen teens mom mum mother dad "
    "father parents parent brother brothers sister sisters sibling siblings "
    "family grandma grandmother grandpa grandfather grandparents grandkids "
    "grandchildren grandson granddaughter aunt uncle cousin cousins niece "
    "nephew roommate roommates housemate flatmate stepson stepdaughter in-laws "
    "dog dogs cat cats pet pets puppy puppies kitten kittens bird birds parrot "
    "hamster rabbit bunny horse horses turtle lizard snake household friend "
    "friends boss coworker coworkers colleague colleagues neighbor neighbors "
    "neighbour neighbours team students class"
)
HEALTH_NOUNS = _words(
    "allergy allergies intolerance intolerances sensitivity sensitivities "
    "condition conditions disease disorder syndrome diabetes asthma celiac "
    "coeliac arthritis migraine migraines eczema psoriasis hypertension "
    "cholesterol gout ibs crohn's crohns colitis gerd reflux heartburn anemia "
    "anaemia adhd autism dyslexia anxiety depression insomnia epilepsy cancer "
    "injury injuries pain deficiency surgery pacemaker tinnitus vertigo "
    "scoliosis glaucoma lupus pcos thyroid hypothyroidism ulcer diagnosis "
    "prediabetes pressure"
)
HEALTH_ADJ = _words(
    "allergic intolerant hypersensitive diabetic prediabetic celiac coeliac "
    "pregnant anemic anaemic asthmatic epileptic immunocompromised hypertensive "
    "deaf blind colorblind colourblind disabled sober"
)
TASK_NOUNS = _words(
    "code script function error errors bug bugs dataset datasets data file files "
    "program app website essay assignment homework project report paper thesis "
    "document spreadsheet table query database api server repo repository "
    "algorithm class method variable column columns row rows question questions "
    "problem problems exercise equation formula prompt text paragraph sentence "
    "email letter message post article presentation slide slides resume cv "
    "output exception warning crash command test tests dissertation draft "
    "issue issues task tasks homework quiz output logs log stack json csv sql "
    "excel python java javascript html css"
)
DELIVERABLES = _words(
    "recipe recipes list lists suggestion suggestions recommendation "
    "recommendations idea ideas tip tips advice help assistance example examples "
    "template outline summary story stories poem poems essay code script answer "
    "answers explanation response feedback review guide overview breakdown plan "
    "itinerary options alternatives information info details translation "
    "version draft email letter message article report description definition "
    "name names title titles quote quotes joke jokes word words sentence "
    "sentences paragraph list program function solution solutions way ways "
    "something anything more few some"
)
EVENT_NOUNS = _words(
    "meeting exam test interview presentation appointment deadline flight trip "
    "date party wedding vacation holiday game match concert conference recital "
    "race marathon tournament surgery birthday anniversary reunion visit shift "
    "exams finals"
)
STATE_ADJ = _words(
    "tired exhausted sleepy drowsy bored hungry starving thirsty sick ill unwell "
    "stressed anxious nervous excited sad upset angry mad frustrated annoyed "
    "irritated overwhelmed worried scared lonely depressed down cold hot warm "
    "sore hungover drunk busy late early free available awake home away out off "
    "online offline jetlagged jet-lagged sweaty full stuffed bloated nauseous "
    "dizzy injured motivated unmotivated restless calm relaxed energetic "
    "energized burnt burned fried swamped slammed behind broke disappointed "
    "thrilled ecstatic content proud embarrassed ashamed guilty jealous homesick "
    "bummed pumped stoked hyped nervous cranky grumpy moody"
)
DISCOURSE_ADJ = _words(
    "sure unsure sorry glad curious wondering aware unaware done back ready here "
    "there okay ok fine good great alright right wrong kidding joking serious "
    "confused lost stuck correct certain uncertain thankful grateful impressed "
    "amazed surprised new interested not trying going asking saying talking "
    "looking hoping happy pleased able confident positive convinced clear open "
    "flexible willing eager all just still also afraid fine the one welcome "
    "aware about like unclear puzzled happy"
)
STATE_NOUNS = _words("mess wreck zombie bit lot little tad")
# Nouns after "as a ..." that describe a time of life or a figure of speech,
# not who the user is now.
AS_A_EXCLUDE = _words(
    "result rule matter reminder note whole kid child teenager teen baby "
    "consequence bonus favor favour joke example start aside side precaution "
    "alternative compromise treat reward gift test resort heads fyi ai model "
    "language assistant chatbot bot youngster boy girl toddler follow-up "
    "followup side-note courtesy thank matter first last final"
)
ANAPHORA = _words(
    "it this that these those them one both either neither none all another "
    "everything something anything nothing"
)
ANAPHOR_NOUNS = _words(
    "one ones idea ideas suggestion suggestions option options choice choices "
    "plan answer response list recommendation recommendations"
)

PREFIX_START = _words(
    "every each on in at during after before most these this next last lately "
    "recently nowadays usually generally typically normally often sometimes "
    "always occasionally now today tonight tomorrow yesterday once twice for by "
    "around over throughout weekdays weekends mondays tuesdays wednesdays "
    "thursdays fridays saturdays sundays growing back"
)
PREFIX_BLOCK = _words(
    "you your if when what how where why who which can could would should will "
    "do does did is are was were please that he she they we it let tell write "
    "imagine pretend say suppose said told says"
)
WH = _words("what how which where why who whom whose")
AUX_Q = _words(
    "can could would will do does did is are was were should shall may might "
    "have has had am isn't aren't don't doesn't didn't won't wouldn't can't "
    "couldn't shouldn't"
)
Q_SUBJ = _words("you i we it there they he she this that u anyone somebody someone anybody these those")
IMPERATIVE = _words(
    "write create generate compose draft make give tell describe imagine "
    "pretend act play continue rewrite translate summarize summarise list "
    "explain suggest recommend help show find provide design plan build fix "
    "debug correct edit proofread answer respond complete fill convert calculate "
    "solve compare analyze analyse check review outline brainstorm name draw "
    "roleplay role-play consider assume suppose say read use include add remove "
    "change update format keep remember note let send teach convince ignore "
    "refactor implement optimize optimise paraphrase expand shorten elaborate "
    "classify rate rank sort organize organise identify evaluate define tell "
    "simulate generate"
)
CONNECTIVES = _words(
    "and but so or yet plus also though although because since as while "
    "whereas cause cuz bc even then well oh ok okay yeah yes yep no nope "
    "honestly personally actually basically frankly anyway anyways btw fyi "
    "tbh ngl um uh hmm ah hey hi hello still besides however otherwise "
    "alright right sure see look listen wow cool lol haha anyhow furthermore "
    "moreover additionally meanwhile admittedly"
)
DISCLOSE_LEADS = _words("because since as though although while whereas cause cuz bc")
MODIFIER_LEADS = _words("when whenever if unless once after before until")

TIME_RE = re.compile(
    r"\b(?:tomorrow|tonight|today|yesterday|this (?:morning|afternoon|evening|weekend|week|month|year|summer|"
    r"spring|fall|autumn|winter|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"next (?:week|month|year|weekend|summer|spring|fall|autumn|winter|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|time)|in (?:a|an|two|three|four|five|six|a few|\d+) (?:days?|weeks?|months?|hours?)|"
    r"soon|later|right now|at the moment|upcoming|on (?:monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday)|last (?:night|week|month|year|weekend|summer|time))\b"
)
FREQ_RE = re.compile(
    r"\b(?:every (?:day|morning|evening|night|week|weekend|month|year|summer|winter|time|other day|single day|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)|each (?:day|morning|week|month)|"
    r"(?:once|twice|\d+ times|three times|four times|five times) (?:a|an|per) (?:day|week|month|year)|daily|weekly|"
    r"on (?:weekends|weekdays|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)|most (?:days|mornings|"
    r"evenings|nights|weekends))\b"
)
NOW_RE = re.compile(r"\b(?:today|tonight|right now|at the moment|this morning|this afternoon|this evening|currently)\b")
DURATION_RE = re.compile(r"\bfor (?:over |about |almost |nearly |more than |the (?:last|past) )?(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|many|several|a few|a couple of) (?:years?|decades?|months?)\b|\bsince (?:i was|childhood|college|high school|\d{4})\b|\bmy (?:whole|entire) life\b|\ball my life\b|\bfor years\b|\bfor decades\b")

FICTION_RE = re.compile(
    r"\b(?:role-?play|roleplay|pretend|act as|acting as|in this (?:story|game|scenario|role-?play|world|simulation)|"
    r"let's play|let us play|you are (?:now )?(?:a|an|my|the) |you will (?:be|act|play) |you're (?:now )?(?:a|an|my) |"
    r"imagine (?:that |you |a |we |i |if )|write (?:a|an|me a|me an|the) (?:\w+ )?(?:story|poem|scene|script|dialogue|"
    r"song|novel|tale|fanfic|fan fiction|limerick|haiku|sonnet|rap)|hypothetically|suppose (?:that |i )|"
    r"what if i |let's say i |in a world where|story where|story about|character named)"
)
COUNTERFACTUAL_RE = re.compile(r"\bif i (?:were|was|had|could)\b|\bi wish i\b|\bif only i\b|\bwhether i\b")

# Framing in front of a disclosure: "Just so you know, ...", "I should mention that ..."
FRAME_RE = re.compile(
    r"^(?:(?:by the way|to be honest|to be fair|in general|for the record|for context|for reference|fun fact|"
    r"full disclosure|just so you know|so you know|as you know|as i said|as i mentioned|as i've said|like i said|"
    r"in fact|as a matter of fact|truth be told|not gonna lie|you know|you see|i mean|if i'm honest|"
    r"if i'm being honest|honestly speaking|generally speaking|personally speaking|quick note|side note|heads up|"
    r"just a heads up|a little about me|about me|some context|some background|for background|first of all|"
    r"first off|also|and|but|so|well|oh|okay|ok|honestly|personally|actually|basically|frankly|btw|fyi|tbh|ngl|"
    r"anyway|anyways|plus|still|besides|though|yeah|yes|no|hey|hi|hello|um|uh|hmm|ah|now|then|right|alright|sure|"
    r"look|listen|lol|haha|wow|cool|however|otherwise|furthermore|moreover|additionally|admittedly)"
    r"|i (?:just |also |really |do )?(?:should|must|have to|want to|need to|wanted to|would like to|forgot to|meant to|"
    r"gotta|have got to|got to) (?:mention|say|add|tell you|let you know|point out|note|clarify|share|admit|confess|"
    r"stress|emphasize|emphasise|remind you)(?: that)?"
    r"|i'd (?:just |also )?(?:like to|love to) (?:mention|add|point out|note|clarify|share|say|let you know)(?: that)?"
    r"|let me (?:mention|add|point out|note|clarify|share|say|tell you|just say)(?: that)?"
    r"|(?:i want you to know|i'd like you to know|i would like you to know|you should know|you need to know|"
    r"you might want to know|keep in mind|bear in mind|remember|note|please note|please remember|"
    r"please keep in mind|please bear in mind|don't forget|do not forget|just remember|for your information|"
    r"i think you should know|it's worth mentioning|it is worth mentioning|worth mentioning|it's worth noting|"
    r"the thing is|the truth is|the fact is|the reality is|one thing you should know is|something you should know is|"
    r"something about me is|let me tell you|i can tell you|i must say|i have to say|i gotta say|i have to admit|"
    r"i must admit|i'll admit|i admit|i confess|i'll be honest|i'll tell you|i'm telling you|i'm letting you know|"
    r"i should say|i can say|i'll say|i must confess|i'll have you know|just wanted to say|just to let you know|"
    r"just letting you know|letting you know)(?: that)?"
    r") "
)
HEDGE_FRAME_RE = re.compile(
    r"^(?:i (?:think|believe|guess|suppose|reckon|suspect|feel like|feel that|would say|imagine|assume)|i'd say|"
    r"it seems(?: like)?|i'm not sure(?: but| if)?|not sure(?: but| if)?|maybe|perhaps|probably|possibly|"
    r"i'm guessing|i'm thinking)(?: that)? "
)
REALIZE_FRAME_RE = re.compile(
    r"^(?:i(?:'ve| have)? (?:always |recently |just |finally |also )?(?:realized|realised|noticed|found|discovered|"
    r"learned|learnt|figured out|come to realize|come to realise|known|felt|decided|found out)|it turns out|"
    r"turns out|i'm pretty sure|i'm sure|i know|i'm certain|i can tell|i swear|i can honestly say|i can say)"
    r"(?: that)? "
)

_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019\-][A-Za-z0-9]+)*")
_FIRST_PERSON = re.compile(r"(?<![\w'\u2019])(?:i|i'm|im|i've|ive|i'd|i'll|my|me)(?![\w'\u2019])", re.I)
_FRAG_START = re.compile(
    r"^\W{0,3}(?:(?:love|loved|adore|adored|hate|hated|dislike|disliked|enjoy|enjoyed|prefer|detest|loathe|despise)\s|"
    r"(?:big|huge|massive|total|lifelong|longtime) fan\b|not (?:a|into|big|much|a big|really a)\b|"
    r"(?:allergic|intolerant) to\b)"
)

# --------------------------------------------------------------------------
# Prose: drop code, logs and other pasted machine text, line by line.

_FENCE = re.compile(r"^\s*(?:```|~~~)")
_LOG_START = re.compile(
    r"^\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}:\d{2}:\d{2}|\[\s*(?:\d|[A-Z]{3,}\s*\])|"
    r"(?:INFO|DEBUG|WARN|WARNING|ERROR|FATAL|TRACE|CRITICAL|SEVERE)\b|Traceback\b|File \"|at [\w$.<>]+\(|"
    r"[\w.]+(?:Error|Exception|Warning)\b|>>>|\$ |# |// |/\*|\* |-->|<[a-zA-Z/!]|"
    r"(?:def|class|function|fn|func|var|let|const|public|private|protected|static|void|import|package|using|"
    r"namespace|return|elif|except|finally|#include|#define|SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP)\b"
    r"[^.!?]*[(){}\[\]=:;<>]|(?:print|console\.\w+|System\.out\.\w+)\s*\()"
)
_CODE_CHARS = "{}[]()<>=;_/\\|$@*&^%~`+#"
_CODE_DELETE = str.maketrans("", "", _CODE_CHARS)
_PROSE_START = re.compile(r"^(?:I|I'm|I've|I'd|I'll|My|Me|i|im|my)\b[ ,'\u2019]")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2023\u25e6\u25aa]|\d{1,2}[.)])\s+")
_INLINE_CODE = re.compile(r"`[^`\n]{0,400}`")
_URL = re.compile(r"\bhttps?://\S{1,500}|\bwww\.\S{1,500}")


def _is_machine_line(line: str) -> bool:
    s = line.strip()
    n = len(s)
    if n < 3:
        return True
    if _LOG_START.match(s):
        return True
    if n >= 60 and s.count(" ") * 25 < n:
        return True  # base64, minified code, hashes
    code = n - len(s.translate(_CODE_DELETE))
    if code >= 3:
        ratio = code / n
        if ratio > (0.25 if _PROSE_START.match(s) else 0.1):
            return True
    if s[-1] in ";{}" and code >= 2:
        return True
    letters = sum(1 for ch in s[:200] if ch.isalpha())
    return letters * 2 < min(n, 200)


def _prose_lines(text: str) -> list[str]:
    out: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or not line.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        if line[:1] in " \t" and len(line) - len(line.lstrip()) >= 4 and any(c in line for c in "(){}[]=;"):
            continue
        if _is_machine_line(line):
            if out and out[-1] != "":
                out.append("")
            continue
        line = _BULLET.sub("", line)
        line = _INLINE_CODE.sub("CODE", line)
        line = _URL.sub("URL", line)
        out.append(line.strip())
    return out


# --------------------------------------------------------------------------
# Sentences and clauses.

_SENT_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s|$)")
_ABBREV = _words(
    "mr mrs ms dr st vs etc e.g i.e eg ie approx jr sr no fig prof inc ltd co "
    "u.s a.m p.m mt ft lb lbs oz min max dept est vol"
)


def _sentences(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not line:
            continue
        start = 0
        for m in _SENT_END.finditer(line):
            end = m.end()
            before = line[start:m.start()].rsplit(None, 1)
            last = before[-1].lower() if before else ""
            if m.group(0)[0] == "." and (last in _ABBREV or (len(last) == 1 and last.isalpha() and last != "i")):
                continue
            piece = line[start:end].strip()
            if piece:
                out.append(piece)
            start = end
        piece = line[start:].strip()
        if piece:
            out.append(piece)
    return out


def _mask_quotes(s: str) -> str:
    """Same length as ``s``, with the inside of double quotes replaced by 'x'."""
    if '"' not in s and "\u201c" not in s:
        return s
    chars = list(s)
    inside = False
    for i, ch in enumerate(chars):
        if ch in '"\u201c\u201d':
            inside = (not inside) if ch == '"' else (ch == "\u201c")
        elif inside:
            chars[i] = "x"
    return "".join(chars)


_HARD_SPLIT = re.compile(r";|\s[-\u2013\u2014]{1,2}\s|\u2014|\.\.\.\s|\u2026\s")
_SOFT_SPLIT = re.compile(r",|:\s|\(|\)")
_CONJ_I = re.compile(
    r"\s(?:(?:especially|mainly|mostly|partly|largely|simply|just|only|probably|also|even|particularly)\s+)?"
    r"(?:and|but|so|or|yet|because|since|although|though|while|whereas|cause|cuz|plus|as)\s+"
    r"(?=(?:i|i'm|im|i've|ive|i'd|i'll)\b)"
)
_CONJ_VERB = re.compile(
    r"\s(?:but|and)\s+(?=(?:don't|dont|do not|never|can't|cannot|won't|will not|would never|would rather|hate|"
    r"dislike|detest|loathe|despise|love|adore|prefer|enjoy|avoid|refuse|am not|am a|am an|absolutely|really|also|"
    r"totally|only|always|usually|often|mostly|exclusively|strictly|vastly|much|greatly|tend|try|have no|have a|"
    r"have an|follow|stick|steer|stay away|can only|will only|would only|must|need to|have to|rarely|seldom)\b)"
)
_CONJ_OTHER = re.compile(
    r"\s(?:and|but|so|because|since|although|though|while|whereas|yet)\s+(?=(?:it|it's|this|that|that's|there|there's|"
    r"he|he's|she|she's|they|they're|we|we're|you|you're|everyone|everything|nobody|people|nothing)\s)"
)
_MY_X_AND = re.compile(r"(?:^|\s)(?:my|me and my)(?:\s[\w'-]+){1,3}$")


@dataclass
class _Clause:
    text: str
    implied: bool = False  # "but hate camping": subject "I" understood
    ends_q: bool = False
    other: bool = False  # "... and it keeps happening": a clause about something else


def _starts_clause(low: str) -> bool:
    toks = low.split(None, 3)
    if not toks:
        return False
    t0 = toks[0].strip("\"'")
    t1 = toks[1] if len(toks) > 1 else ""
    if t0 in SUBJECT_I or t0 in ("please", "pls", "plz", "let's", "lets", "any", "help"):
        return True
    if t0 == "my":
        return True
    if t0 in ("me", "i") and t1 == "and":
        return True
    if t0 in ("as", "being") and t1 in ("a", "an", "someone", "somebody"):
        return True
    if t0 in CONNECTIVES or t0 in MODIFIER_LEADS or t0 in ("given", "considering", "now", "being"):
        if t1 in SUBJECT_I or t1 == "my" or t0 in DISCLOSE_LEADS or t0 in MODIFIER_LEADS:
            return True
        return len(toks) > 1 and _starts_clause(low.split(None, 1)[1])
    if t0 in WH or t0 in IMPERATIVE:
        return True
    if t0 in AUX_Q and t1 in Q_SUBJ:
        return True
    return False


def _clauses(sentence: str) -> list[_Clause]:
    masked = _mask_quotes(sentence).replace("\u2019", "'")
    low = masked.lower()
    # hard and soft boundaries
    pieces: list[tuple[int, int, bool]] = []  # start, end, soft boundary before
    pos = 0
    soft_prev = False
    bounds: list[tuple[int, int, bool]] = []
    for m in _HARD_SPLIT.finditer(low):
        bounds.append((m.start(), m.end(), False))
    for m in _SOFT_SPLIT.finditer(low):
        bounds.append((m.start(), m.end(), True))
    bounds.sort()
    for b0, b1, soft in bounds:
        if b0 < pos:
            continue
        pieces.append((pos, b0, soft_prev))
        pos = b1
        soft_prev = soft
    pieces.append((pos, len(sentence), soft_prev))
    merged: list[list[int]] = []
    for idx, (start, end, soft) in enumerate(pieces):
        seg = low[start:end].strip()
        if not seg:
            continue
        nxt = low[pieces[idx + 1][0]:pieces[idx + 1][1]].strip() if idx + 1 < len(pieces) else ""
        lead_in = (len(seg.split()) <= 3 and seg.split()[0] in CONNECTIVES and nxt and _starts_clause(nxt)
                   and pieces[idx + 1][2])
        if merged and soft and not _starts_clause(seg) and not lead_in:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    out: list[_Clause] = []
    for start, end in merged:
        segl = low[start:end]
        cuts: list[tuple[int, bool | None]] = []
        for m in _CONJ_I.finditer(segl):
            before = segl[: m.start()].rstrip()
            if segl[m.start():m.end()].strip().startswith("and") and (
                _MY_X_AND.search(before) or before.endswith(" you") or before.endswith("between")
            ):
                continue
            cuts.append((m.start(), False))
        head = segl.lstrip().lstrip("\"'")
        if head.startswith(tuple(s + " " for s in SUBJECT_I)):
            for m in _CONJ_VERB.finditer(segl):
                cuts.append((m.start(), True))
            for m in _CONJ_OTHER.finditer(segl):
                cuts.append((m.start(), None))
        cuts.sort()
        prev = 0
        prev_implied: bool | None = False
        for c, implied in cuts:
            if c <= prev:
                continue
            out.append(_Clause(sentence[start + prev:start + c].strip(), bool(prev_implied), other=prev_implied is None))
            prev = c
            prev_implied = implied
        out.append(_Clause(sentence[start + prev:end].strip(), bool(prev_implied), other=prev_implied is None))
    out = [c for c in out if c.text]
    if out and sentence.rstrip().rstrip("\"')\u201d").endswith("?"):
        out[-1].ends_q = True
    return out


# --------------------------------------------------------------------------
# Verb phrase after the subject.


@dataclass
class _VP:
    core: list[str] = field(default_factory=list)
    neg: bool = False
    hedge: int = 0
    strong: int = 0
    freq: str | None = None  # "strong" | "normal"
    modal: str | None = None
    past: bool = False
    perfect: bool = False
    copula: bool = False
    only: bool = False
    rare: bool = False  # "rarely", "hardly ever": a weak negative


def _expand(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for t in tokens:
        exp = CONTRACTIONS.get(t)
        if exp is not None:
            out.extend(exp)
        elif t.endswith("n't") and len(t) > 3:
            out.extend((t[:-3], "not"))
        elif t.endswith("'s") and len(t) > 2:
            out.extend((t[:-2], "is"))
        elif t.endswith("'ve"):
            out.extend((t[:-3], "have"))
        else:
            out.append(t)
    return out


_PARTICIPLE_IRREG = _words(
    "been done gone seen eaten taken given known grown written driven flown "
    "chosen forgotten gotten got had made found bought brought thought taught "
    "become come run begun drunk swum sung worn heard left lost met paid read "
    "said sold sent spent told understood kept slept won fallen felt held built "
    "quit put cut set hit lived tried always never"
)


def _is_participle(w: str) -> bool:
    return w in _PARTICIPLE_IRREG or (is_past(w) and not w.endswith("eed"))


def _parse_vp(toks: list[str]) -> _VP:
    vp = _VP()
    n = len(toks)
    i = 0
    steps = 0
    while i < n and steps < 12:
        steps += 1
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < n else ""
        if t in ("not", "never"):
            vp.neg = True
            if t == "never":
                vp.freq = "strong"
            i += 1
            continue
        if t == "no" and nxt == "longer":
            vp.neg = True
            i += 2
            continue
        if t in ("kind", "sort") and nxt == "of":
            vp.hedge += 1
            i += 2
            continue
        if (t in ALL_ADV or (is_adverb(t) and t.endswith("ly"))) and t not in ("kind", "sort", "of"):
            if t in ("only", "exclusively", "solely", "strictly"):
                vp.only = True
            if t in HEDGE_ADV:
                vp.hedge += 1
            elif t in STRONG_ADV:
                vp.strong += 1
            elif t in FREQ_STRONG:
                vp.freq = "strong"
            elif t in FREQ_RARE:
                vp.neg = True
                vp.rare = True
            elif t in FREQ_NORMAL:
                vp.freq = vp.freq or "normal"
            i += 1
            continue
        if t in ("do", "does"):
            i += 1
            continue
        if t == "did":
            vp.past = True
            i += 1
            continue
        if t in ("am", "is", "are", "be", "being"):
            vp.copula = True
            i += 1
            if nxt in ("going", "gonna") and i + 1 < n and toks[i + 1] == "to":
                vp.modal = vp.modal or "going to"
                vp.copula = False
                i += 2
            continue
        if t in ("was", "were"):
            vp.copula = True
            vp.past = True
            i += 1
            continue
        if t == "been":
            vp.copula = True
            vp.perfect = True
            i += 1
            continue
        if t in ("have", "has", "had"):
            j = i + 1
            while j < n and toks[j] in ALL_ADV and toks[j] not in ("not",):
                j += 1
            after = toks[j] if j < n else ""
            if after == "not" and j + 1 < n and _is_participle(toks[j + 1]):
                vp.neg = True
                vp.perfect = True
                i = j + 1
                continue
            if after and _is_participle(after) and after not in ("always", "never") and not (
                after in ("got", "gotten") and j + 1 < n and toks[j + 1] == "to"
            ):
                vp.perfect = True
                if t == "had":
                    vp.past = True
                i += 1
                continue
            if after == "to" or (after in ("got", "gotten") and j + 1 < n and toks[j + 1] == "to"):
                vp.modal = "have to"
                i = j + (2 if after != "to" else 1)
                continue
            if after in ("got", "gotten"):
                i = j  # "I've got two kids": head "got" read as "have"
                toks = toks[:j] + ["have"] + toks[j + 1:]
                i = j
                break
            break
        if t in MODALS:
            if t == "would" and nxt == "rather":
                vp.modal = "would"
                i += 1
                break
            vp.modal = t if vp.modal is None else vp.modal
            if t == "ought" and nxt == "to":
                i += 1
            i += 1
            continue
        if t == "used" and nxt == "to":
            vp.modal = "used to"
            i += 2
            continue
        break
    vp.core = toks[i:]
    return vp


_IRREG_LEMMA = {
    "went": "go", "gone": "go", "ate": "eat", "eaten": "eat", "had": "have", "did": "do",
    "done": "do", "made": "make", "took": "take", "taken": "take", "got": "get",
    "gotten": "get", "bought": "buy", "drank": "drink", "drunk": "drink", "grew": "grow",
    "grown": "grow", "began": "begin", "begun": "begin", "became": "become", "came": "come",
    "felt": "feel", "found": "find", "gave": "give", "given": "give", "knew": "know",
    "known": "know", "left": "leave", "lost": "lose", "met": "meet", "paid": "pay",
    "said": "say", "sold": "sell", "sent": "send", "spent": "spend", "stood": "stand",
    "taught": "teach", "thought": "think", "told": "tell", "understood": "understand",
    "wrote": "write", "written": "write", "brought": "bring", "caught": "catch",
    "kept": "keep", "slept": "sleep", "swam": "swim", "won": "win", "wore": "wear",
    "worn": "wear", "chose": "choose", "chosen": "choose", "broke": "break", "drove": "drive",
    "driven": "drive", "flew": "fly", "flown": "fly", "forgot": "forget",
    "forgotten": "forget", "heard": "hear", "held": "hold", "built": "build", "meant": "mean",
    "sat": "sit", "sang": "sing", "spoke": "speak", "ran": "run", "saw": "see", "seen": "see",
    "been": "be", "learnt": "learn", "burnt": "burn", "dreamt": "dream", "fell": "fall",
    "led": "lead", "rode": "ride", "stuck": "stick", "quit": "quit", "read": "read",
    "tried": "try", "studied": "study", "married": "marry", "hurried": "hurry",
}

_KNOWN_VERBS = (
    frozenset(PREF_VERBS) | frozenset(DISLIKE_VERBS) | CONSUME_VERBS | AVOID_VERBS | PLAN_VERBS
    | REQUEST_VERBS | TASK_VERBS | DISCOURSE_VERBS
    | _words(
        "cook bake play watch listen work live study teach follow stick stop start "
        "switch become turn grow suffer own use wear need want try tend plan intend "
        "aim hope decide care mind feel know find visit travel move walk hike swim "
        "bike ride paint draw sing dance practice train exercise meditate shop save "
        "collect garden knit sew fish hunt camp ski surf climb skate lift order pick "
        "pray volunteer worry miss crave skip refuse struggle marry graduate retire "
        "commute jog adopt rent donate recycle vote drive type fail pass enter"
    )
)


def _lemma(w: str) -> tuple[str, bool]:
    """(base form, is past) of a verb as written after "I"."""
    if w in _IRREG_LEMMA:
        return _IRREG_LEMMA[w], w != "read" and w != "quit"
    if w in _KNOWN_VERBS:
        return w, False
    if w.endswith("ied") and len(w) > 4:
        return w[:-3] + "y", True
    if is_past(w):
        stem = w[:-2]
        for cand in (w[:-1], stem, stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
            if cand and cand in _KNOWN_VERBS:
                return cand, True
        return w[:-1] if w[:-1].endswith("e") and w[:-1] in _KNOWN_VERBS else stem, True
    return w, False


# --------------------------------------------------------------------------
# Classification.  A rule answers (kind, confidence, decay, polarity, note) or
# one of the markers below.

REQUEST = "request"  # the clause asks something of the assistant
_HYPOTHETICAL = "\0hypothetical"  # marker: an "if I were ..." clause voids the clause it governs


@dataclass
class _Cls:
    kind: str
    conf: int
    decay: int
    polarity: int | None = None  # None: follows the negation of the clause
    task: bool = False
    hedged: bool = False


def _C(kind: str, conf: int, decay: int, polarity: int | None = None, task: bool = False) -> _Cls:
    return _Cls(kind, conf, decay, polarity, task)


def _task() -> _Cls:
    return _Cls("fact", 3, 2, 1, True)


def _has_time(rest: str) -> bool:
    return TIME_RE.search(rest) is not None


def _anaphoric(obj: list[str]) -> bool:
    """True when the object is only a pointer to something said before
    ("I love it", "I like that idea", "I'll take the second one")."""
    if not obj:
        return True
    o = [w for w in obj if w not in DEGREE and w not in ("a", "lot", "much", "as", "well", "too", "!")]
    if not o:
        return True
    if o[0] in ANAPHORA and (len(o) == 1 or o[1] in ANAPHOR_NOUNS or len(o) <= 2 and o[1] in ("idea", "one", "better", "more")):
        return True
    if o[0] in ("that", "this", "these", "those", "your", "the") and len(o) <= 4 and o[-1] in ANAPHOR_NOUNS:
        return True  # "that simulation idea", "the last suggestion"
    if o[0] == "the" and len(o) > 1 and o[1] in _words(
        "first second third fourth fifth last other former latter next previous "
        "above below latest final 1st 2nd 3rd 4th 5th"
    ):
        return True
    if o[0] in ("option", "number", "choice", "#") and len(o) <= 3:
        return True
    if o[0] in ("your", "you"):
        return True
    return False


def _has_any(words: list[str], vocab: frozenset[str]) -> bool:
    return any(w in vocab for w in words)


def _asks(after_to: list[str]) -> bool:
    """True when "... to <verb> <object>" asks the assistant for something:
    "to know", "to ask", "to see some examples", "to learn more about"."""
    if not after_to:
        return False
    w0 = after_to[0]
    if w0 in ("you", "your", "u"):
        return True
    v = _lemma(w0)[0]
    if v in REQUEST_VERBS or v in FRAMING_VERBS:
        return True
    if v in SOFT_REQUEST_VERBS:
        obj = after_to[1:5]
        return (not obj or obj[0] in ANAPHORA or obj[0] in ("more", "out", "some", "a", "an", "your", "you", "if",
                                                          "whether", "what", "how", "which", "why", "where")
                and (obj[0] not in ("a", "an", "some") or _has_any(obj, DELIVERABLES))
                or _has_any(obj, DELIVERABLES) or "you" in obj or "your" in obj)
    return False


_NEG_EVAL = _words(
    "unsettling boring annoying disgusting gross tedious overrated overwhelming stressful unbearable unpleasant "
    "irritating uncomfortable draining exhausting distracting off-putting repulsive tiresome dull pointless vapid "
    "cringe cringey cringy frustrating depressing disturbing scary creepy impractical outdated bland awful terrible "
    "tasteless pretentious obnoxious grating excessive"
)
_POS_EVAL = _words(
    "relaxing fun enjoyable fascinating inspiring soothing calming interesting delightful comforting exciting "
    "rewarding satisfying beautiful amazing therapeutic refreshing energizing uplifting charming cozy meaningful "
    "compelling captivating delicious wonderful"
)


def _progressive(vp: _VP, core: list[str]) -> _Cls | str | None:
    h = core[0]
    rest = core[1:]
    r = " ".join(rest) + " "
    r0 = rest[0] if rest else ""
    if vp.past and not vp.perfect:
        if h == "thinking" and r0 in ("of", "about"):
            return _C("plan", 4, 3)
        if h in ("wondering", "hoping", "going", "asking", "looking", "trying"):
            return REQUEST if h in ("wondering", "hoping", "asking") else None
        return None
    if h in ("asking", "wondering", "curious", "kidding", "joking", "saying", "telling", "referring",
             "talking", "sending", "sharing", "giving", "pasting", "providing", "attaching",
             "requesting", "replying", "responding") or (h == "writing" and _has_any(rest, TASK_NOUNS)):
        return REQUEST if h in ("asking", "wondering", "requesting") else None
    if h in ("going", "gonna") and r0 == "to":
        return _C("plan", 6, 3)
    if h in ("planning", "intending", "aiming", "preparing", "scheduled", "booking"):
        return _C("plan", 6, 3)
    if h in ("hoping",):
        return _C("plan", 5, 3)
    if h in ("thinking", "considering", "debating", "contemplating", "weighing", "deciding"):
        if h == "thinking" and r0 not in ("of", "about"):
            return None
        return _Cls("plan", 4, 3, 1, False, True)
    if h == "looking":
        if r.startswith("forward to"):
            return _C("plan", 5, 2)
        if r0 == "to":
            return _C("plan", 5, 3)
        if r0 == "for":
            obj = [w for w in rest[1:4] if w not in ("a", "an", "some", "the", "good", "great", "new", "any", "more")]
            if not obj or obj[0] in DELIVERABLES or obj[0] in ("help", "recommendations", "advice"):
                return REQUEST
            return _C("plan", 5, 3)
        return None
    if h == "trying":
        if r0 != "to" or len(rest) < 2:
            return None
        v, _ = _lemma(rest[1])
        if v in ("figure", "understand", "decide", "solve", "fix", "debug", "remember", "recall", "think",
                 "choose", "pick", "come", "work", "find", "get", "make", "see", "determine", "wrap"):
            return REQUEST if v in ("figure", "understand", "decide", "choose", "pick", "determine") else _task()
        if v in AVOID_VERBS or v in ("cut", "give", "lose", "quit"):
            return _C("constraint", 7, 6)
        if v in TASK_VERBS:
            return _task()
        return _C("habit", 6, 5)
    if h in ("visiting", "moving", "traveling", "travelling", "flying", "heading", "leaving", "hosting",
             "attending", "organizing", "organising", "throwing", "celebrating", "starting", "expecting",
             "relocating", "returning", "graduating", "retiring", "driving", "sailing", "touring", "camping",
             "running", "competing", "applying", "getting"):
        if h == "getting":
            if r0 == "married" or r0 == "ready":
                return _C("plan", 6, 3)
            return _task() if _has_any(rest, TASK_NOUNS) else _C("fact", 4, 3)
        if h in ("running", "driving", "camping") and not _has_time(r):
            return _C("fact", 4, 3)
        return _C("plan", 6, 3)
    if h in ("taking",):
        if _has_any(rest[:4], _words("class classes course courses lessons lesson")):
            return _C("habit", 7, 5)
        if _has_any(rest[:4], _words("trip vacation holiday break")):
            return _C("plan", 6, 3)
        if _has_any(rest[:4], _words("medication meds pills insulin supplements")):
            return _C("constraint", 7, 7)
        return _C("fact", 4, 3)
    if h in ("learning", "studying", "training", "practicing", "practising", "following", "majoring",
             "teaching", "volunteering", "saving") or (
                 h == "doing" and _has_any(rest[:4], _words("phd masters degree diet"))):
        if "diet" in rest[:6]:
            return _C("habit", 8, 8)
        if h == "saving" and r0 == "up":
            return _C("plan", 6, 4)
        return _C("habit", 7, 5)
    if h == "working":
        if r0 in ("as", "at", "for", "in", "with"):
            return _C("identity", 8, 8)
        if r0 == "on":
            return _task()
        if r0 in ("from", "remotely", "nights", "night", "part-time", "full-time", "long", "weekends", "two",
                  "shifts", "overtime"):
            return _C("habit", 7, 6)
        return _C("fact", 4, 3)
    if h == "living":
        return _C("identity", 8, 8)
    if h in ("feeling", "craving", "dying", "starving", "freezing", "struggling", "suffering", "recovering") or (
            h == "having" and _has_any(rest[:4], _words("day week night time morning"))):
        if h == "suffering" and r0 == "from":
            return _C("constraint", 7, 7)
        if h == "recovering":
            return _C("constraint", 6, 4)
        if h == "struggling":
            return _task() if _has_any(rest, TASK_NOUNS) else _C("fact", 5, 4)
        return _C("state", 6, 1)
    if h == "using":
        return _task() if _has_any(rest, TASK_NOUNS) else _C("fact", 4, 4)
    if h in ("reading", "watching", "listening", "playing", "binging", "bingeing", "rewatching") and not vp.perfect:
        return _C("fact", 5, 3)
    if vp.perfect:
        # "I've been playing guitar for ten years"
        return _task() if _has_any(rest, TASK_NOUNS) else _C("habit", 6, 6)
    if _has_any(rest, TASK_NOUNS):
        return _task()
    return _C("plan", 5, 3) if TIME_RE.search(r) and not NOW_RE.search(r) else _C("fact", 4, 3)


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


def _copula(vp: _VP, core: list[str]) -> _Cls | str | None:
    # strip degree words: "so", "really", "a bit", "a little"
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
    if c0.endswith("ing") and len(c0) > 4 and c0 not in _words(
        "thing nothing something anything everything king ring spring sibling evening morning ceiling string "
        "wing swing outgoing easygoing loving caring willing boring interesting amazing"
    ):
        return _progressive(vp, core)
    # numbers: "I'm 34", "I'm 34 years old", "I'm in my thirties"
    if c0.isdigit() or _AGE_RE.match(rs):
        if c0.isdigit() and len(core) > 1 and core[1] not in ("years", "year", "yrs", "yo", "y/o", "and", "now"):
            return _C("identity", 6, 7)
        return _C("identity", 9, 8)
    if c0 in ("born",):
        return _C("identity", 9, 10)
    if c0 in ("raised", "brought") or rs.startswith("grew up"):
        return _C("identity", 8, 9)
    if c0 in ("diagnosed",):
        return _C("constraint", 9, 9)
    if c0 in ("told", "advised", "instructed", "ordered", "prescribed"):
        if len(rest) >= 2 and rest[0] == "to":
            v, _ = _lemma(rest[1])
            if v in AVOID_VERBS or v in CONSUME_VERBS:
                return _C("constraint", 7, 7)
        return None
    if c0 in ("married", "engaged", "divorced", "widowed", "single", "retired", "unemployed", "self-employed"):
        return _C("identity", 8 if not vp.past else 5, 8 if not vp.past else 5)
    if c0 in HEALTH_ADJ or "allergic" in core[:3] or "intolerant" in core[:3]:
        if vp.modal in ("might", "may", "could"):
            return _Cls("constraint", 4, 8, 1, False, True)
        return _C("constraint", 8, 6 if c0 == "pregnant" else 9)
    if c0 == "sensitive" and rest[:1] == ["to"]:
        return _C("constraint", 7, 8)
    # prepositional phrases
    for k in range(min(_PHRASE_MAXLEN, len(core)), 0, -1):
        key = " ".join(core[:k])
        if key in _PREP_PHRASES:
            kind, conf, decay = _PREP_PHRASES[key]
            obj = core[k:]
            if kind in ("preference", "dislike") and _anaphoric(obj):
                return None
            if key == "able to":
                if vp.neg:
                    return _C("constraint", 6, 6)
                if len(obj) and (_asks(obj) or obj[0] in TASK_VERBS):
                    return None
            if key in ("supposed to", "required to", "allowed to") and obj:
                v, _ = _lemma(obj[0])
                if v in AVOID_VERBS or v in CONSUME_VERBS or vp.neg:
                    return _C("constraint", 7, 7)
            return _C(kind, conf, decay)
    if c0 in ("a", "an") and "fan" in core[1:4]:
        j = core.index("fan")
        if j + 1 < len(core) and core[j + 1] == "of":
            if _anaphoric(core[j + 2:]):
                return None
            big = any(w in ("big", "huge", "massive", "great", "real", "total", "longtime", "long-time",
                            "lifelong", "die-hard", "diehard", "devoted", "biggest") for w in core[1:j])
            return _C("preference", 8 if big else 7, 7)
    if c0 == "on":
        if "budget" in core[:5]:
            return _C("constraint", 7, 5)
        if "diet" in core[:6] or "cleanse" in core[:6]:
            return _C("habit", 8, 8)
        if len(core) > 1 and core[1] in _words(
            "medication medications meds insulin antibiotics blood chemo dialysis steroids antidepressants birth "
            "a"
        ) and core[1] != "a":
            return _C("constraint", 7, 7)
        return _C("fact", 4, 3) if not _has_time(rs) else _C("plan", 5, 2)
    if c0 == "from":
        return _C("identity", 8, 9) if not vp.modal else None
    if c0 == "in":
        if rest[:1] and rest[0] in _words("school college university uni grad med law high the band a"):
            if rs.startswith(("in school", "in college", "in university", "in uni", "in grad", "in med", "in law",
                              "in high", "in a band", "in a relationship", "in the army", "in the military",
                              "in the navy", "in a choir", "in a club", "in a book club", "in a league")):
                return _C("identity", 7, 7)
        if _has_time(rs):
            return _C("plan", 5, 2)
        return _C("fact", 5, 4)
    if c0 in ("at", "with", "over", "under", "off", "out", "up", "down", "here", "there", "back", "home"):
        if c0 == "at" and _has_time(rs):
            return _C("plan", 5, 2)
        return _C("state", 4, 1) if c0 in ("at", "home", "out", "off") and len(core) <= 4 else None
    if c0 in ("the", "a", "an", "someone", "somebody", "one", "person"):
        if rs.startswith(("the one ", "the only ", "one of the ", "the person who asked", "the same ")):
            return None
        if len(core) >= 2 and (core[1] in STATE_NOUNS or core[1] in DISCOURSE_ADJ and core[1] != "new"):
            return None
        if _has_any(core[1:5], _words("ai chatbot bot llm")) or "language model" in rs:
            return None  # "I am an AI language model" is pasted model output, not the user
        m = re.search(r"\b(?:person|someone|somebody|type|kind|sort|one) (?:who|that)\b", rs[:80])
        if m or c0 in ("someone", "somebody"):
            tail = rs[m.end():].split() if m else core[2:]
            sub = _classify_tokens(tail[:12]) if tail else None
            if isinstance(sub, _Cls) and sub.kind in ("preference", "dislike", "constraint", "habit"):
                return _C(sub.kind, 8, 8, sub.polarity)
            return _C("identity", 8, 8)
        if len(core) >= 2 and core[1].endswith("-year-old"):
            return _C("identity", 9, 8)
        if vp.past:
            return _C("fact", 5, 6)
        if vp.modal in ("will", "going to"):
            return _C("plan", 5, 4)
        if vp.modal in ("would", "could", "should"):
            return None
        return _C("identity", 8 if len(core) <= 10 else 7, 9 if len(core) <= 10 else 8)
    if c0 == "to" and vp.perfect and len(core) > 1 and core[1] not in ANAPHORA:
        return _C("fact", 5, 6)  # "I've been to Japan", "I've never been to Asia"
    if c0 in ("more", "less") and rest[:1] == ["of"] and len(core) > 3:
        return _C("identity", 7, 8, 1 if c0 == "more" else -1)  # "I'm more of a cat person"
    if c0 in DISCOURSE_ADJ or c0 in ANAPHORA or c0 in ("you", "your", "not", "no", "on", "to"):
        if c0 == "happy" and NOW_RE.search(rs):
            return _C("state", 5, 1)
        return None
    if c0 in STATE_ADJ or NOW_RE.search(rs):
        if vp.past:
            return _C("state", 3, 1)
        return _C("state", 6, 1)
    if rest and rest[0] in ("of", "about", "with", "by", "on", "in", "to", "for", "at", "when", "if") and not (
            rest[0] == "for" and DURATION_RE.match(" ".join(rest))):
        return _C("fact", 5, 5) if not vp.past else _C("fact", 4, 3)
    if not c0.isalpha() and "-" not in c0:
        return None
    if vp.past:
        return _C("fact", 4, 4)
    if vp.modal in ("will", "going to"):
        return _C("plan", 4, 2)
    if vp.modal in ("would", "could", "should", "must"):
        return None
    m = DURATION_RE.search(rs)
    n_core = len(rs[: m.start()].split()) if m else len(core)
    if n_core <= 3:
        return _C("identity", 8, 9)
    return _C("identity", 6, 7)


_HAVE_FEELING = re.compile(
    r"(?:an?|some|no|zero|little|real|great|big|huge|deep|strong)? ?(?:(?:\w+|\w+-\w+) ){0,2}?(?:"
    r"(?P<pos>soft spot|weakness|thing|passion|love|taste|fondness|preference|penchant|sweet tooth|affinity|"
    r"appreciation|admiration|enthusiasm|obsession|appetite)|"
    r"(?P<neg>aversion|dislike|hatred|distaste|fear|phobia|loathing|intolerance for|disdain|contempt))\b"
)
_NO_FEELING = re.compile(r"(?:no|zero|little|not much|not any) (?:real )?(?:interest|patience|tolerance|taste|desire|use)\b")


def _have(vp: _VP, core: list[str]) -> _Cls | str | None:
    rest = core[1:]
    if not rest:
        return None
    r = " ".join(rest) + " "
    r0 = rest[0]
    if r0 in ("to",):  # "I have to ..." reached without the modal reading
        return None
    if _NO_FEELING.match(r):
        return _C("dislike", 8, 8, -1)
    m = _HAVE_FEELING.match(r)
    if m:
        if m.group("neg"):
            return _C("dislike", 8, 8, -1)
        return _C("preference", 8, 7, 1)
    if r.startswith(("no idea", "no clue", "a question", "some questions", "a few questions", "a quick question",
                     "questions", "a request", "a favor", "a task", "a problem with", "an issue with",
                     "a doubt", "doubts", "a query", "two questions", "one question", "another question",
                     "a follow-up", "a follow up", "a suggestion", "an idea for", "a feeling", "the feeling",
                     "a hunch", "no preference", "mixed feelings")):
        return REQUEST if "question" in r or "request" in r or "favor" in r or "query" in r or "doubt" in r else None
    if r.startswith(("trouble", "difficulty", "a hard time", "a tough time", "problems", "issues", "a problem",
                     "an issue")):
        if _has_any(rest, TASK_NOUNS):
            return _task()
        return _C("fact", 5, 5)
    if "diet" in rest[:6]:
        return _C("habit", 8, 8, -1 if vp.neg else 1)
    if _has_any(rest[:8], HEALTH_NOUNS) and not _has_any(rest[:8], TASK_NOUNS):
        return _C("constraint", 8, 9, -1 if vp.neg else 1)
    if r.startswith(("limited ", "only ", "a limited", "a small budget", "a tight budget", "a budget")):
        return _C("constraint", 6, 4)
    if r0 in ("a", "an") and len(rest) <= 5 and _has_any(rest[1:4], _MY_BODY):
        return _C("constraint", 6, 8)  # "I have a sensitive stomach", "a bad knee"
    if r.startswith("experience ") or re.match(r"(?:\d+|a few|many|several|two|three|ten|\w+) years? of experience", r):
        return _C("fact", 6, 7)
    det = r0 in _words("a an two three four five six seven eight nine ten several many some no one twin") or r0.isdigit()
    if (det or r0 in ("kids", "children", "pets", "dogs", "cats")) and _has_any(rest[:4], KIN):
        if vp.neg or r0 == "no":
            return _C("identity", 7, 8, -1)
        return _C("identity", 7, 8)
    if _has_any(rest[:5], EVENT_NOUNS):
        return _C("plan", 5, 2)
    if r0 in ("this", "these", "that", "those", "the", "following") and _has_any(rest[:4], TASK_NOUNS | _words("following")):
        return None  # pointing at something pasted: "I have the following code"
    if _has_any(rest, TASK_NOUNS):
        return _task()
    if r0 in ANAPHORA or r0 in ("you", "your", "the"):
        return None
    if vp.neg or r0 == "no":
        return _C("constraint", 6, 5, -1)
    if vp.past and not vp.perfect:
        return _C("fact", 3, 2)
    if vp.freq or FREQ_RE.search(r):
        return _C("habit", 6, 6)
    return _C("fact", 4, 4)


_COORD_FEELING = re.compile(
    r"\b(?:and|but) (?:then |really |totally |absolutely |just |kind of |sort of )?"
    r"(?P<v>loved|love|liked|like|enjoyed|enjoy|adored|adore|hated|hate|disliked|dislike|detested|detest|"
    r"loathed|loathe|regretted)\b"
)


def _classify_tokens(toks: list[str]) -> _Cls | str | None:
    """Classify the words after a first-person subject (already expanded)."""
    vp = _parse_vp(toks)
    res = _classify_vp(vp)
    if isinstance(res, _Cls):
        res = _adjust(res, vp)
        if res.kind in ("fact", "habit") and not res.task:
            # "I tried yoga once and hated it": the feeling is in the second verb
            m = _COORD_FEELING.search(" ".join(vp.core))
            if m:
                v = m.group("v")
                past = v.endswith("ed")
                if v.startswith(("hat", "dislik", "detest", "loath", "regret")):
                    res = _C("dislike", 6 if past else 7, 6 if past else 7, -1)
                else:
                    res = _C("preference", 6 if past else 7, 6 if past else 7, 1)
    return res


def _adjust(c: _Cls, vp: _VP) -> _Cls:
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


def _classify_vp(vp: _VP) -> _Cls | str | None:
    core = vp.core
    if not core:
        return None
    if vp.copula and vp.modal in (None, "will", "would", "could", "might", "may", "can", "should", "must",
                                  "going to"):
        if vp.modal in ("would", "could", "should", "can") and not (core and core[0] in HEALTH_ADJ):
            if vp.modal == "would" and core[0] in ("happy", "grateful", "glad", "interested", "keen", "open"):
                return REQUEST
            return None
        return _copula(vp, core)
    h = core[0]
    if h in ("you", "your", "u"):
        return REQUEST
    if h == "rather":
        obj = core[1:]
        if obj[:1] == ["not"]:
            return _C("dislike", 7, 6, -1)
        if _anaphoric(obj):
            return None
        return _C("preference", 7, 6)
    L, past = _lemma(h)
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
                v = _lemma(r1)[0] if r1 else ""
                if _asks(rest[1:]) or v in TASK_VERBS:
                    return REQUEST
                if L == "prefer":
                    return _C("preference", 7, 6, -1 if neg else 1)
                return _C("plan", 5, 4) if L == "like" else _C("preference", 6, 5)
            if r0 in ("you", "your", "it", "some", "a", "an", "the", "more", "help", "to") and _has_any(rest[:4], DELIVERABLES):
                return REQUEST
            if r0 in ("you", "your", "if", "it"):
                return REQUEST
            if L == "prefer":
                return _C("dislike" if neg else "preference", 7, 6, -1 if neg else 1)
            if _anaphoric(rest):
                return None
            return _C("preference", 5, 3)
        if neg and vp.freq == "strong" and L not in DISCOURSE_VERBS and L not in FRAMING_VERBS and rest:
            return _C("dislike", 7, 7, -1)  # "I'd never go skydiving"
        if neg and (L in CONSUME_VERBS or L in PREF_VERBS or L in ("do", "try", "wear", "buy", "use")):
            return _C("dislike", 7, 7, -1)
        if L in ("rather",):
            return _C("preference", 7, 6)
        return None

    # ---- want / need
    if L in ("want", "need") and not past and modal is None:
        if _has_any(rest, _words("you your u yourself")):
            return REQUEST
        if r0 == "to":
            v = _lemma(r1)[0] if r1 else ""
            if r1 in ("you", "your"):
                return REQUEST
            if L == "need" and (v in AVOID_VERBS or v in ("eat", "drink", "follow", "stick", "take", "be")):
                if v == "be" and len(rest) > 2 and rest[2] not in ("careful", "mindful", "gluten-free", "on"):
                    return _C("plan", 5, 3) if not neg else None
                return _C("constraint", 8 if v in AVOID_VERBS else 7, 8)
            if _asks(rest[1:]) or v in ("figure", "decide", "choose", "pick"):
                return REQUEST
            if v in TASK_VERBS or _has_any(rest, TASK_NOUNS):
                return _task()
            if neg:
                return _C("dislike", 6, 4, -1) if L == "want" else None
            return _C("plan", 6 if L == "want" else 5, 4 if L == "want" else 3)
        if rest and (r0 in ("help", "assistance", "advice", "guidance", "support", "you", "your", "some", "more", "a",
                            "an", "the", "ideas", "suggestions", "recommendations", "tips")
                     and _has_any(rest[:4], DELIVERABLES | _words("help assistance advice guidance support"))):
            return REQUEST
        if r0 in ("you", "your", "it", "this", "that", "them"):
            return REQUEST
        if not rest:
            return None
        if neg:
            return _C("dislike", 6, 4, -1) if L == "want" else _C("fact", 4, 4, -1)
        if _has_any(rest, TASK_NOUNS):
            return _task()
        return _C("preference" if L == "want" else "plan", 5, 3)

    # ---- can / can't
    if modal == "can":
        if neg:
            if L in ("stand", "bear", "stomach", "abide"):
                return _C("dislike", 8, 8, -1)
            if L in ("eat", "have", "drink", "consume", "take", "touch", "tolerate", "handle", "digest", "process",
                     "do", "use"):
                if L in ("do", "use", "have", "handle", "take") and (_has_any(rest, TASK_NOUNS) or r0 in ANAPHORA):
                    return _task() if _has_any(rest, TASK_NOUNS) else None
                return _C("constraint", 8, 9, -1)
            if L == "afford":
                return _C("constraint", 7, 4, -1)
            if " ".join(core).startswith(("live without", "get enough", "resist", "stop eating", "stop listening",
                                          "stop watching", "stop playing", "get over how much")):
                return _C("preference", 8, 8, 1)
            if L == "wait":
                return _C("plan", 5, 2, 1)
            if L in DISCOURSE_VERBS or L in ("find", "figure", "seem", "decide", "access", "open", "run",
                                             "install", "log", "connect", "believe", "help", "load", "work",
                                             "make", "remember", "tell", "imagine", "thank", "stop"):
                return None
            if _has_any(rest, TASK_NOUNS):
                return _task()
            return _C("fact", 5, 6, -1)
        if vp.only:
            return _C("constraint", 6, 4)
        if L in DISCOURSE_VERBS or L in REQUEST_VERBS or L in FRAMING_VERBS or L in TASK_VERBS or L in (
                "help", "do", "try", "see", "imagine", "provide", "send", "give", "think", "wait", "start"):
            return None
        return _C("fact", 4, 5)  # "I can speak three languages"

    if modal in ("have to", "must", "should", "ought", "got to"):
        if L in AVOID_VERBS or (neg and L in CONSUME_VERBS):
            return _C("constraint", 7 if modal == "should" else 8, 8, -1 if neg else 1)
        if modal != "should" and L in ("eat", "drink", "take", "follow", "stick", "wear", "use", "be"):
            if L == "be" and r0 not in ("careful", "mindful", "on", "gluten-free", "dairy-free"):
                return None
            return _C("constraint", 7, 7)
        if L in FRAMING_VERBS or L in DISCOURSE_VERBS:
            return None
        if modal == "should":
            return None
        return _task() if not neg else None

    if modal == "could":
        if neg and " ".join(core).startswith(("live without", "get enough", "resist")):
            return _C("preference", 8, 8, 1)
        if neg and (L in CONSUME_VERBS or L in PREF_VERBS or L == "live"):
            return _C("dislike", 6, 7, -1)
        return None

    if modal == "used to":
        return _C("fact", 5, 4)

    if modal == "will" and (vp.only or vp.freq == "strong") and not past:
        if vp.only:
            return _C("preference", 7, 7, 1)
        if neg:
            return _C("dislike", 7, 7, -1)
        return _C("habit", 7, 6)
    if modal in ("will", "going to"):
        if (L in ("go", "opt") and r0 in ("with", "for")) or L in ("choose", "pick") or (
                L in ("take", "have", "try", "do", "get") and _anaphoric(rest)):
            return None  # picking among options is read as a choice, not as a plan
        if L in DISCOURSE_VERBS or L in FRAMING_VERBS or L in TASK_VERBS or L in (
                "let", "look", "keep", "wait", "need", "update", "consider", "read", "help", "start", "try"):
            if not (L in ("start", "try") and _has_time(r)):
                return None
        if L in PREF_VERBS and not _has_time(r):
            return None
        if neg and (L in CONSUME_VERBS or L in PREF_VERBS):
            return _C("dislike", 7, 7, -1)
        if modal == "going to" or L in PLAN_VERBS or _has_time(r):
            return _C("plan", 6 if modal == "going to" else 5, 3 if modal == "going to" else 2)
        return None

    if modal in ("might", "may"):
        if (L in PLAN_VERBS and L not in ("be", "get")) or _has_time(r):
            return _Cls("plan", 4, 2, 1, False, True)
        if L in PREF_VERBS or L in DISLIKE_VERBS or L == "have":
            vp.modal = None
            sub = _classify_vp(vp)
            if isinstance(sub, _Cls):
                sub.hedged = True
            return sub
        return None

    # ---- catenatives: tend to, try to, plan to, ...
    if r0 == "to" and L in ("tend", "try", "plan", "intend", "aim", "hope", "expect", "mean", "decide", "like",
                            "love", "prefer", "hate", "refuse", "strive", "choose", "prefer", "learn"):
        v = _lemma(r1)[0] if r1 else ""
        if L in ("tend", "try", "strive"):
            if past and L == "try":
                return _task() if _has_any(rest, TASK_NOUNS) or v in TASK_VERBS else None
            if v in AVOID_VERBS or v in DISLIKE_VERBS:
                return _C("constraint" if L != "tend" else "dislike", 7, 7, -1 if L == "tend" else 1)
            if v in TASK_VERBS:
                return _task()
            return _C("habit", 7, 6)
        if L in ("plan", "intend", "aim", "expect", "decide"):
            return _C("plan", 7 if L == "decide" else 6, 4 if L == "decide" else 3)
        if L in ("hope", "mean"):
            return _Cls("plan", 4, 3, 1, False, True)
        if L == "learn":
            return _C("fact", 5, 5)
        if L == "refuse":
            return _C("dislike", 8, 8, -1)
        if L == "choose":
            return _C("habit", 7, 6)
        # like to / love to / prefer to / hate to
        if _asks(rest[1:]):
            return REQUEST
    if L == "look" and r.startswith("forward to"):
        return _C("plan", 5, 2)

    # ---- liking and disliking
    if L in PREF_VERBS:
        if L in ("appreciate", "value") and (r0 in ANAPHORA or r0 in ("your", "you", "the", "any", "all")):
            return None
        if _anaphoric(rest):
            return None
        if r0 == "to" and _asks(rest[1:]):
            return REQUEST
        base = PREF_VERBS[L]
        if L == "prefer" and (r0 == "not" or r.startswith("to not ") or r.startswith("to avoid ")
                              or r.startswith("not to ")):
            return _C("dislike", 8, 8, -1)
        if neg:
            return _C("dislike", 7 if L not in ("love", "adore") else 5, 7, -1)
        if past and not vp.perfect:
            return _C("preference", 6, 6)
        return _C("preference", base, 8 if base >= 8 else 7)
    if L in DISLIKE_VERBS:
        if _anaphoric(rest) and L != "avoid":
            return None
        if not rest:
            return None
        if neg:
            return _C("preference", 4, 5, 1)
        if past and not vp.perfect:
            return _C("dislike", 6, 6, -1)
        return _C("dislike", DISLIKE_VERBS[L], 8, -1)
    if L == "mind":
        return _C("preference", 5, 5, 1) if neg and rest and not _anaphoric(rest) else None
    if L == "care":
        if r0 in ("about", "for") and len(rest) > 1 and not _anaphoric(rest[1:]):
            return _C("dislike", 6, 6, -1) if neg else _C("preference", 6, 7)
        return None
    if neg and L in CONSUME_VERBS and not past:
        return _C("dislike", 8, 8, -1)

    # ---- have, feel, know, find, get
    if L == "have" and not (vp.perfect and h != "have"):
        return _have(vp, core)
    if L == "feel":
        if r0 in STATE_ADJ or r0 in ("like", "so", "really", "very", "a", "pretty", "kind", "sort", "super"):
            if r0 == "like" and r1 and not r1.endswith("ing"):
                return None
            return _C("state", 6 if r0 != "like" else 5, 1)
        if r.startswith(("strongly about", "passionate about")):
            return _C("preference", 6, 6)
        return None
    if L == "know":
        if r0 == "how" and r1 == "to":
            return _C("fact", 6, 7)
        return None
    if L == "find":
        if past and not vp.perfect:
            return None
        if r0 in ("it", "myself") and len(rest) > 1 and rest[1] not in ANAPHORA:
            return _C("fact", 5, 5)
        if len(rest) >= 2 and not _has_any(rest, TASK_NOUNS) and r0 not in ANAPHORA and r0 not in ("you", "your"):
            if _has_any(rest, _NEG_EVAL):
                return _C("dislike", 6, 7, -1)
            if _has_any(rest, _POS_EVAL):
                return _C("preference", 6, 7, 1)
            return _C("fact", 5, 5)
        return None
    if L == "get":
        if r0 in ("married", "engaged", "divorced"):
            return _C("identity", 8, 9)
        if _has_any(rest[:3], KIN) and r0 in ("a", "an", "two", "another", "my", "our"):
            return _C("identity", 6, 7)
        if _has_any(rest[:4], HEALTH_EFFECT):
            return _C("constraint", 7, 8)
        adj = [w for w in rest[:4] if w not in DEGREE and w not in ("a", "bit", "little", "kind", "sort", "of")]
        if adj and not past and (adj[0] in _BAD_EFFECT or adj[0] in STATE_ADJ):
            return _C("dislike", 6, 7, -1) if adj[0] in _BAD_EFFECT else _C("fact", 5, 6)
        if vp.freq and not past:
            return _C("habit", 6, 6)
        if rest[:1] == ["up"] and not past:
            return _C("habit", 6, 6)
        return None
    if L in ("go",) and past and r0 and r0 not in _words(
        "to on out back home for with through into over up down in there here away and abroad shopping"
    ) and len(rest) <= 4:
        return _C("identity", 8, 9)  # "I went vegan last year"
    if L in ("follow", "stick") and not past:
        if r0 in ("you", "your", "up", "along", "the", "this", "these", "those", "that") and "diet" not in rest:
            return None
        return _C("habit", 8 if ("diet" in rest or "strict" in rest) else 7, 8 if "diet" in rest else 7)
    if L in ("quit", "stop") or (L == "give" and r0 == "up") or (L == "cut" and r0 in ("out", "back", "down")):
        if _has_any(rest, TASK_NOUNS) or r0 in ANAPHORA or not rest:
            return None
        return _C("habit", 7, 7, -1)
    if L in ("start", "begin", "switch") or (L == "take" and r0 == "up"):
        if _has_any(rest, TASK_NOUNS) or r0 in ANAPHORA or not rest:
            return _task() if _has_any(rest, TASK_NOUNS) else None
        return _C("habit", 7, 6)
    if L in ("become", "turn"):
        if L == "turn" and not (r0.isdigit() or r0 in ("vegan", "vegetarian")) and r0 not in ("into",):
            return None
        return _C("identity", 8, 9)
    if L == "work":
        if r0 in ("as", "at", "for", "in", "with") and not _has_any(rest[:3], TASK_NOUNS):
            return _C("identity", 8 if not past or vp.perfect else 5, 8 if not past or vp.perfect else 5)
        if r0 == "on":
            return _task()
        if r0 in ("from", "remotely", "nights", "night", "part-time", "full-time", "long", "weekends", "two", "shifts",
                  "overtime", "out", "hard", "late", "early"):
            return _C("habit", 7, 6)
        return _C("habit", 6, 6) if not past else _task()
    if L == "live":
        if past and not vp.perfect:
            return _C("fact", 5, 6)
        if r0 in ("for", "on") and len(rest) > 1:
            return _C("preference", 7, 7)
        return _C("identity", 8, 8)
    if (L == "come" and r0 == "from") or (L == "grow" and r0 == "up") or L == "hail":
        return _C("identity", 8, 9)
    if L == "speak" and not past:
        return _C("identity", 7, 8)
    if L in ("study", "major", "teach") and not past:
        return _C("identity", 7, 7)
    if L == "suffer" and r0 == "from":
        return _C("constraint", 8, 9)
    if L == "try" and not past:
        return _C("habit", 5, 5) if rest and not _anaphoric(rest) else None
    if L == "try" and past:
        if _anaphoric(rest):
            return None
        return _C("fact", 5 if neg else 4, 5 if neg else 4)
    if L == "look":
        if r0 == "for" and vp.freq and not past and not _anaphoric(rest[1:]):
            return _C("habit", 6, 6)
        return None
    if L in ("plan", "intend") and not past:
        return _C("plan", 6, 3)
    if L in DISCOURSE_VERBS or L in FRAMING_VERBS or L in ("let", "wonder", "made"):
        return None
    if not L.replace("-", "").isalpha():
        return None

    # ---- other verbs: present simple = habit, past = a fact
    task = _has_any(rest, TASK_NOUNS) or L in _CODE_TASK_VERBS and not vp.freq
    if past or vp.perfect:
        if vp.perfect and not past and not task:
            if vp.neg:
                return _C("fact", 5, 5, -1)
            return _C("fact", 5, 5)
        if task:
            return _task()
        if TIME_RE.search(r) and re.search(r"\b(?:yesterday|today|this morning|tonight|last night)\b", r):
            return _C("fact", 3, 2)
        return _C("fact", 4, 3)
    if task:
        return _task()
    if not rest and not vp.freq:
        return _C("habit", 5, 5)
    if L in ("own", "drive", "ride", "use", "wear", "play", "read", "watch", "listen", "eat", "drink", "cook"):
        return _C("habit", 6, 6)
    return _C("habit", 6, 6)


# --------------------------------------------------------------------------
# "my ..." subjects and sentences whose subject is the thing the user likes.

_MY_VERBS = _words(
    "is are was were has have had does doesn't don't do did didn't can can't cannot "
    "will won't would wouldn't should must might may isn't aren't wasn't weren't "
    "loves likes hates enjoys prefers says said told tells wants wanted needs gets "
    "makes goes includes include consists involves recommended recommends "
    "suggested advised insists thinks keeps requires allows limits restricts "
    "lives works eats drinks plays tends seems seem has"
)
_MY_NAME = _words("name")
_MY_FAV = _words("favorite favourite fave favorites favourites go-to preferred all-time top")
_MY_LEAST = _words("least peeve peeves")
_MY_HOBBY = _words("hobby hobbies passion passions interest interests obsession")
_MY_JOB = _words(
    "job profession occupation career role position title major field specialty "
    "specialization background degree employer company business trade"
)
_MY_DIET = _words(
    "diet dietary restrictions restriction allergies allergy condition doctor "
    "dietitian dietician nutritionist physician therapist trainer cardiologist "
    "dentist allergist gp"
)
_MY_BODY = _words(
    "stomach skin back knees knee joints eyes teeth gut body heart digestion "
    "digestive blood cholesterol sugar kidneys liver immune sleep metabolism hips"
)
_MY_BUDGET = _words("budget price")
_MY_GOAL = _words("goal goals plan plans dream dreams aim resolution intention wish")
_MY_ROUTINE = _words("routine schedule mornings evenings weekends weekdays commute habit habits typical")
_MY_HOME = _words("home hometown house apartment flat city town country neighborhood neighbourhood")
_MY_IDENT = _words(
    "language languages tongue nationality religion faith ethnicity culture heritage "
    "age birthday gender pronouns sign"
)
_SPEECH = _words("said says told tells thinks asked suggested recommended insists wants wanted thought asks")


def _my_clause(toks: list[str]) -> _Cls | str | None:
    """Tokens start at "my"."""
    j = None
    for k in range(1, min(len(toks), 7)):
        t = toks[k]
        if t in _MY_VERBS or t.endswith("'s") and k > 1 or (
                k > 1 and toks[k - 1] in KIN and (t.endswith("s") or t in _KNOWN_VERBS) and t not in ("and", "or")):
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
    if _has_any(np, _MY_NAME):
        return _C("identity", 9, 10)
    if _has_any(np, _MY_LEAST) or "least" in np:
        return _C("dislike", 7, 7, -1)
    if _has_any(np, _MY_FAV):
        return _C("preference", 8, 7, pol)
    if head in _MY_HOBBY:
        return _C("preference", 8, 7, pol)
    if head in _MY_JOB or np[:1] == ["line"]:
        return _C("identity", 8, 8, pol)
    if _has_any(np, _MY_DIET) or head in ("doctor", "dietitian", "nutritionist"):
        if verb in _SPEECH or verb in ("is", "are", "includes", "include", "has", "requires", "limits", "restricts",
                                       "doesn't", "can't", "cannot", "does"):
            return _C("constraint", 8, 8)
        return None
    if head in _MY_BODY or _has_any(np, _MY_BODY):
        return _C("constraint", 7, 8, pol)
    if _has_any(np, _MY_BUDGET):
        return _C("constraint", 7, 3)
    if head in _MY_GOAL:
        return _C("plan", 6, 4)
    if head in _MY_ROUTINE or _has_any(np, _MY_ROUTINE):
        return _C("habit", 6, 6)
    if head in _MY_HOME:
        return _C("identity", 7, 8)
    if _has_any(np, _MY_IDENT):
        return _C("identity", 8, 9)
    if head in KIN or _has_any(np, KIN):
        if verb in _SPEECH:
            return None
        if _has_any(rest, HEALTH_NOUNS) or _has_any(rest, HEALTH_ADJ):
            return _C("fact", 6, 8, pol)
        return _C("fact", 5, 6, pol)
    if _has_any(np, TASK_NOUNS) or _has_any(rest, TASK_NOUNS):
        return _task()
    if np and np[0] in ANAPHORA:
        return None
    return _C("fact", 3, 3, pol)


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
_GOOD_EFFECT = _words("happy smile relaxed calm good great alive energized energised joyful content cozy peaceful")
_BAD_EFFECT = _words(
    "sick ill nauseous queasy gag itch itchy sneeze bloated anxious sad cringe uncomfortable "
    "nervous dizzy miserable angry crazy mad break throw vomit puke jittery sleepy gassy "
    "uneasy depressed tired sluggish"
)


def _object_first(low: str) -> tuple[_Cls, str] | None:
    for rx, tag in _OBJ_FIRST:
        m = rx.match(low)
        if not m:
            continue
        np = m.group("np").split()
        if not np or np[0] in ANAPHORA or np[0] in _words(
            "you your he she they we i it's that's there here which what who the other others option one "
            "neither either none both all rest"
        ) or (np[0] == "the" and len(np) > 1 and np[1] in _words(
            "other others first second third last former latter rest one option options idea"
        )) or _has_any(np, SUBJECT_I | _words("my me")):
            return None
        w = m.groupdict().get("w") or ""
        if tag == "fav":
            if "least" in low[m.start("w"):m.end("w")] or w.startswith(("pet peeve", "kryptonite")):
                return _C("dislike", 7, 7, -1), m.group("np")
            if w == "thing" and " not " in low[:m.end()]:
                return _C("dislike", 7, 7, -1), m.group("np")
            return _C("preference", 8, 7), m.group("np")
        if tag == "notforme":
            return _C("dislike", 7, 7, -1), m.group("np")
        if tag == "makes":
            if w in _GOOD_EFFECT:
                return _C("preference", 7, 7), m.group("np")
            if w in _BAD_EFFECT or w in HEALTH_EFFECT:
                return _C("dislike", 7, 8, -1), m.group("np")
            return None
        if tag == "gives":
            if w in HEALTH_EFFECT or w in _words("headaches headache migraines migraine stomachaches stomach hives "
                                                  "nightmares anxiety cramps gas acid"):
                return _C("constraint", 7, 8, -1), m.group("np")
            return None
        if tag == "disagree":
            return _C("constraint", 7, 8, -1), m.group("np")
        if tag == "good":
            return _C("preference", 7, 7), m.group("np")
        if tag == "bad":
            return _C("dislike", 7, 7, -1), m.group("np")
    return None


# --------------------------------------------------------------------------
# Choices between options the assistant offered.

_LIST_ITEM = re.compile(
    r"^(?P<ind>[ \t]{0,8})(?:(?P<num>\d{1,2})[.):]|(?P<let>[A-Ha-h])[.)]|[-*\u2022\u2023\u25e6\u25aa]|"
    r"(?:\*\*)?(?:option|choice)\s+(?P<opt>\w{1,3})\s*[:.)\-])\s+(?P<body>\S.{0,600})$",
    re.I,
)
_MD = re.compile(r"\*\*|__|`|^#+\s*")
_LABEL_SPLIT = re.compile(r"\s*(?::|\s[-\u2013\u2014]\s|\u2014)\s*")
_STOP = _words(
    "the a an and or of to in on for with at by from this that these those it its is are was were be "
    "i me my you your we our they them their he she his her which what who how when where why "
    "would could should will can may might do does did have has had just really very so too also "
    "one ones option options some any all more most other others than then there here if but not no "
    "sounds sound like perfect great good nice think go going with let's lets ll i'll take choose pick "
    "want prefer love works work for me option first second third last about sure yes yeah okay ok "
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
_VERBAL_NEG = _words("don't doesn't didn't not isn't aren't won't wouldn't never neither nor dont doesnt")
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
_NEGATION = _words("not no don't doesn't isn't aren't won't wouldn't never neither nor hate dislike skip pass without "
                   "instead except rather")


@dataclass
class _Option:
    label: str
    desc: str
    index: int


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
    for idx, body in enumerate(bodies[:12]):
        label, desc = _label(body)
        if label:
            out.append(_Option(label, desc, idx))
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
            for idx, seg in enumerate(segs[:12]):
                seg = re.sub(r"^(?:or|and)\s+", "", seg.strip(" ,;"), flags=re.I)
                label, desc = _label(seg)
                if label:
                    out.append(_Option(label, desc, idx))
            if len(out) >= 2:
                return out
    # inline: "you could consider a BLT, a pasta dish with alfredo sauce, or a fresh salad."
    for sent in reversed(_sentences([flat])[-4:]):
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
            return [_Option(*_label(it), i) for i, it in enumerate(items)]
    return []


def _content(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(text.lower().replace("\u2019", "'")):
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
    sents = _sentences([" ".join(question.split())])
    q = next((s for s in sents if s.endswith("?")), sents[0] if sents else question)
    q = _TOPIC_LEAD.sub("", q.strip())
    q = re.sub(r"^(?:some|a few|any|good|the best|a good|a)\s+", "", q, flags=re.I)
    q = rewrite_pronouns(q).strip(" ?.!")
    q = re.sub(r"\s+(?:for them|please)$", "", q)
    if len(q) > 90:
        q = q[:90].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
    return q


def _choice(obs: Observation, previous: Sequence[Observation]) -> Candidate | None:
    # the assistant message the user is answering, and the user question before it
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
    first = (_sentences([" ".join(low.split())]) or [""])[0]
    if (_is_request_clause(_WORD.findall(first), first.endswith("?"))
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
            toks = set(_WORD.findall(part))
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
    words = _WORD.findall(low)
    if not (cue or reject):
        # a bare answer: short, not a question or a new request, naming the option
        if m is None and (len(words) > 8 or len(_content(opts[picked].label) & _content(low)) < 2):
            return None
        if low.rstrip().endswith("?") or _is_request_clause(words, False):
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


# --------------------------------------------------------------------------
# Putting a clause together.

_VERB_PHRASE_BY_SOURCE = {"chat": "Said in chat", "note": "Wrote in a note", "edit": "Wrote in an edit"}


def _is_request_clause(low_tokens: list[str], ends_q: bool) -> bool:
    if ends_q:
        return True
    if not low_tokens:
        return False
    t0 = low_tokens[0]
    t1 = low_tokens[1] if len(low_tokens) > 1 else ""
    if t0 in ("please", "pls", "plz", "kindly", "help", "let's", "lets", "any", "anything"):
        return True
    if t0 in WH and t0 != "who":
        return True
    if t0 in AUX_Q and t1 in Q_SUBJ:
        return True
    if t0 in IMPERATIVE and t1 not in ("is", "are", "was", "'s"):
        return True
    if t0 == "let" and t1 in ("me", "us"):
        return True
    return False


@dataclass
class _Found:
    cls: _Cls
    core: str  # original text from the subject on
    quote: str
    tail: str = ""  # modifier appended after the rewritten clause
    custom_text: str | None = None


_YOU_OK_BEFORE = _words("that where when which if whenever wherever unless so because until once as than how what")
_YOU_TOLD = _words("told mentioned said explained showed")


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


_IMPLIED_BAD_HEAD = _words(
    "a an the so very too more less quite pretty bit little in on at with for to of about my your their this that "
    "these those it its some any"
)


def _as_a(clause: _Clause, text: str, spans: list[tuple[int, int]], low: list[str], k: int):
    """ "As a vegetarian, ..." / "Being lactose intolerant, ..." as a clause of its own."""
    rest = low[k + 1:]
    if clause.ends_q or not rest:
        return None, False, None
    if rest[0] in ("a", "an"):
        rest = rest[1:]
    who = rest[:1] in (["someone"], ["somebody"], ["person"], ["one"]) and "who" in rest[:3]
    if not (rest and 1 <= len(rest) <= (30 if who else 8) and rest[0] not in AS_A_EXCLUDE and rest[-1] not in AS_A_EXCLUDE
            and not _has_any(rest, SUBJECT_I | _words("you your it that this we they he she result"))):
        return None, False, None
    quote = text[spans[k][0]:].strip()
    if rest[0] in ("someone", "somebody", "person", "one") or "who" in rest:
        sub_i = rest.index("who") + 1 if "who" in rest else len(rest)
        sub = _classify_tokens(_expand(_from_3sg(rest[sub_i:]))) if sub_i < len(rest) else None
        kind = sub.kind if isinstance(sub, _Cls) and sub.kind in ("preference", "dislike", "habit",
                                                                  "constraint") else "identity"
        pol = sub.polarity if isinstance(sub, _Cls) else 1
        cls = _C(kind, 8, 8, pol)
    elif _has_any(rest, HEALTH_ADJ) or _has_any(rest, HEALTH_NOUNS):
        cls = _C("constraint", 8, 9, 1)
    else:
        cls = _C("identity", 8, 9, 1)
    body = text[spans[k + 1][0]:].strip().rstrip(",;:")
    return _Found(cls, "", quote, custom_text=third_person("I am " + body)), False, None


def _analyse(clause: _Clause) -> tuple[_Found | None, bool, str | None]:
    """(found, is_request, modifier) for one clause."""
    if clause.other:
        return None, False, None
    text = clause.text[:MAX_CLAUSE_CHARS]
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
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
            return None, False, _HYPOTHETICAL
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
    req_like = _is_request_clause(toks, clause.ends_q and lead not in DISCLOSE_LEADS)
    you = _mentions_you(toks)
    t0 = toks[0]
    found: _Found | None = None
    if clause.implied:
        # "... but hate camping": the subject is the "I" of the clause before
        if you == "request":
            return None, True, None
        exp = _expand(toks)
        head = next((w for w in exp if w not in ALL_ADV and not is_adverb(w)), "")
        if head in _IMPLIED_BAD_HEAD:
            return None, False, None
        res = _classify_tokens(exp)
        if isinstance(res, _Cls):
            found = _Found(res, "I " + text[spans[k][0]:], quote)
        return found, res == REQUEST, None
    if t0 in SUBJECT_I:
        if clause.ends_q and lead not in DISCLOSE_LEADS:
            return None, True, None
        if you == "request":
            return None, True, None
        if you == "told":
            return None, False, None
        res = _classify_tokens(_expand(toks))
        if res == REQUEST:
            return None, True, None
        if isinstance(res, _Cls):
            if hedged:
                res.hedged = True
                res.conf = min(res.conf, 4)
            found = _Found(res, text[spans[k][0]:], quote)
        return found, False, None
    if t0 in ("me", "i", "my") and "and" in toks[1:6] and any(t in ("i", "me") for t in toks[2:7]):
        # "my wife and I love hiking" / "me and my brother play chess"
        j = next((x for x in range(2, min(len(toks), 8)) if toks[x] in ("i", "me") and toks[x - 1] == "and"), None)
        if j is None and t0 in ("me", "i") and toks[1] == "and" and len(toks) > 3 and toks[2] == "my":
            j = 4 if len(toks) > 4 and toks[3] in _words("little older younger big best twin baby new") else 3
            res = _classify_tokens(_expand(toks[j:]))
        elif j is not None:
            res = _classify_tokens(_expand(toks[j + 1:]))
        else:
            res = None
        if isinstance(res, _Cls) and you != "request":
            found = _Found(res, text[spans[k][0]:], quote)
        return found, res == REQUEST, None
    if t0 == "my":
        if you == "request" or clause.ends_q:
            return None, clause.ends_q or you == "request", None
        res = _my_clause(toks)
        if isinstance(res, _Cls):
            found = _Found(res, text[spans[k][0]:], quote)
        return found, False, None
    if t0 == "call" and len(toks) > 2 and toks[1] == "me" and text[spans[k + 2][0]:spans[k + 2][1]][:1].isupper():
        name = text[spans[k + 2][0]:spans[min(k + 3, len(spans) - 1)][1]] if len(toks) > 3 and \
            text[spans[k + 3][0]:spans[k + 3][1]][:1].isupper() else text[spans[k + 2][0]:spans[k + 2][1]]
        return _Found(_C("identity", 8, 10), "", quote, custom_text=f"The user's name is {name}."), False, None
    # a time or place in front of the subject: "Every morning I drink green tea"
    if t0 in PREFIX_START and you is None:
        for j in range(1, min(len(toks), 8)):
            if toks[j] in PREFIX_BLOCK:
                break
            if toks[j] in SUBJECT_I:
                res = _classify_tokens(_expand(toks[j:]))
                if isinstance(res, _Cls):
                    pre = text[spans[k][0]:spans[k + j][0]].strip().rstrip(",")
                    return _Found(res, text[spans[k + j][0]:], quote, tail=_modifier(pre)), False, None
                return None, res == REQUEST, None
    frag = _fragment(toks)
    if frag is not None and not clause.ends_q and you is None:
        # chat shorthand with the "I" left out: "Love a good thriller." / "Big fan of jazz here."
        res = _classify_tokens(_expand(frag.split() + toks))
        if isinstance(res, _Cls):
            res.conf = max(3, res.conf - 1)
            body = text[spans[k][0]:]
            body = body[:1].lower() + body[1:]
            subj = {"i": "I", "i'm": "I am", "i'm a": "I am a"}[frag]
            return _Found(res, f"{subj} {body}", quote), False, None
        return None, res == REQUEST, None
    if req_like:
        return None, True, None
    if t0 in PREFIX_START and len(toks) <= 7 and not clause.ends_q and not (
            t0 in ("this", "that", "these", "next", "last", "most") and (len(toks) < 2 or toks[1] not in _TIME_NOUNS)):
        # "For breakfast," / "On weekends," in front of the next clause
        return None, False, text[spans[k][0]:].strip().rstrip(",;:")
    of = _object_first(" ".join(toks))
    if of is not None:
        cls = of[0]
        body = text[spans[k][0]:]
        first = body.split(" ", 1)[0]
        if not (len(first) > 1 and (first.isupper() or first[1:2].isupper())):
            body = body[:1].lower() + body[1:]
        return _Found(cls, "", quote, custom_text=finish("The user says " + rewrite_pronouns(body))), False, None
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


_TIME_NOUNS = _words(
    "week weekend weekends morning mornings evening evenings night nights year years month months summer winter "
    "spring fall autumn time times season semester term day days afternoon afternoons weekday weekdays"
)


def _modifier(mod: str) -> str:
    if _DISCOURSE_MOD.match(mod.strip()) and len(mod.split()) <= 6:
        return ""
    mod = rewrite_pronouns(mod.strip().rstrip("?!.,;:"))
    first = mod.split(" ", 1)[0]
    if first.lower() in PREFIX_START or first.lower() in MODIFIER_LEADS or first.lower() in CONNECTIVES or \
            first.lower() in ("when", "whenever", "especially", "even", "mostly", "mainly", "during"):
        mod = mod[:1].lower() + mod[1:]
    return mod


_FRAG_VERBS = _words("love loved adore adored hate hated dislike disliked enjoy enjoyed prefer detest loathe despise")


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
    toks = _WORD.findall(before_colon)
    if not toks or len(toks) > 25 or _NOT_MATERIAL.match(before_colon.strip()):
        return False
    return _is_request_clause(toks, False) or _MATERIAL_RE.search(before_colon) is not None


def _reasoning(obs: Observation, quote: str, cls: _Cls, in_request: bool) -> str:
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
            ch = _choice(obs, previous)
        except (ValueError, IndexError):  # defensive: never let a malformed message break extraction
            ch = None
        if ch is not None:
            add(ch)

    examined = 0
    for sentence in _sentences(_prose_lines(text)):
        if len(out) >= MAX_CANDIDATES or examined >= MAX_SENTENCES:
            break
        low_sentence = _mask_quotes(sentence).lower().replace("\u2019", "'")
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
        clauses = _clauses(sentence)
        results: list[tuple[_Found | None, bool, str | None]] = [_analyse(c) for c in clauses]
        in_request = any(r[1] for r in results)
        pending_mod: str | None = None
        last_found: _Found | None = None
        found_list: list[_Found] = []
        for found, _is_req, mod in results:
            if mod is not None:
                if mod == _HYPOTHETICAL:
                    pending_mod = mod
                    continue
                if not _modifier(mod):
                    continue
                if last_found is not None and not last_found.tail and last_found.custom_text is None:
                    last_found.tail = _modifier(mod)
                    last_found = None
                else:
                    pending_mod = mod
                continue
            if found is not None:
                if pending_mod == _HYPOTHETICAL:
                    pending_mod = None
                    continue
                if pending_mod and found.custom_text is None and _modifier(pending_mod):
                    found.tail = (found.tail + " " if found.tail else "") + _modifier(pending_mod)
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

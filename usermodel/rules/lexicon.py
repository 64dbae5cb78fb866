"""Word classes and patterns shared by the extraction rules.

These are general English word classes (auxiliaries, verbs of liking,
frequency adverbs, kinship nouns, ...), not topic lists, and the regular
expressions for time, frequency, duration, fiction and framing phrases.
"""

from __future__ import annotations

import re


def word_set(s: str) -> frozenset[str]:
    """The words of a space-separated string, as a set."""
    return frozenset(s.split())


SUBJECT_I = word_set("i i'm im i've ive i'd i'll")

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

HEDGE_ADV = word_set(
    "maybe perhaps probably possibly prolly somewhat slightly fairly likely "
    "apparently supposedly sometimes occasionally periodically guess"
)
STRONG_ADV = word_set(
    "really absolutely totally truly definitely certainly seriously genuinely "
    "deeply strongly extremely completely utterly strictly very so super "
    "passionately especially literally positively madly sincerely firmly highly "
    "thoroughly particularly only exclusively entirely"
)
FREQ_STRONG = word_set("always never constantly religiously invariably")
FREQ_RARE = word_set("rarely seldom hardly barely")
FREQ_NORMAL = word_set(
    "usually often regularly frequently normally typically generally mostly "
    "daily weekly nightly habitually routinely mainly primarily largely consistently"
)
OTHER_ADV = word_set(
    "also just still actually personally currently now recently lately already "
    "even basically simply then too again first finally originally once "
    "nowadays obviously naturally secretly quietly happily gladly almost nearly "
    "all both myself kind sort of pretty quite much far solely"
)
ALL_ADV = HEDGE_ADV | STRONG_ADV | FREQ_STRONG | FREQ_NORMAL | OTHER_ADV | FREQ_RARE | word_set("ever")
DEGREE = word_set(
    "so very really pretty quite super extremely totally completely incredibly "
    "highly deeply fully somewhat slightly rather too truly absolutely definitely "
    "seriously genuinely particularly especially also still just even mostly"
)

MODALS = word_set("will would can could should must may might shall ought")

PREF_VERBS = {
    "love": 8, "adore": 8, "cherish": 8, "relish": 7, "like": 7, "enjoy": 7,
    "prefer": 8, "fancy": 6, "favor": 7, "favour": 7, "dig": 6, "admire": 6,
    "appreciate": 6, "savor": 7, "savour": 7, "treasure": 7, "value": 7,
}
DISLIKE_VERBS = {
    "hate": 8, "detest": 8, "loathe": 8, "despise": 8, "abhor": 8, "dislike": 7,
    "avoid": 8, "resent": 6, "shun": 7, "eschew": 7,
}
CONSUME_VERBS = word_set("eat drink consume smoke touch")
AVOID_VERBS = word_set(
    "avoid limit cut reduce watch minimize minimise restrict skip lower steer "
    "stay keep stop quit moderate eliminate exclude"
)
PLAN_VERBS = word_set(
    "visit travel go fly move attend start begin host leave return join take run "
    "graduate retire marry celebrate spend stay drive meet buy get be head "
    "relocate switch cook throw see compete apply enroll enrol hike sail tour"
)
REQUEST_VERBS = word_set("know ask understand discuss talk check request confirm clarify")
# these ask for something only when their object is a deliverable ("see some examples")
SOFT_REQUEST_VERBS = word_set("see get find have hear read try explore receive share learn")
TASK_VERBS = word_set(
    "create write build make generate design develop implement code program add "
    "fix change convert improve optimize optimise debug solve finish complete "
    "submit prepare translate edit format calculate install deploy update "
    "set test compile print plot analyze analyse summarize summarise rewrite"
)
CODE_TASK_VERBS = word_set(
    "debug compile deploy install implement refactor code program fix convert format calculate plot summarize "
    "summarise translate rewrite edit generate optimize optimise"
)
FRAMING_VERBS = word_set(
    "say admit mention tell ask confess agree warn point clarify add note remind "
    "apologize apologise thank stress emphasize emphasise know"
)
# Verbs that say something about the conversation, not about the user.
DISCOURSE_VERBS = word_set(
    "think believe guess suppose reckon assume mean see understand agree "
    "disagree wonder doubt bet realize realise notice remember forget recall "
    "promise apologize apologise thank say tell ask hear wish figure imagine "
    "suspect expect trust request repeat answer respond reply mention note "
    "clarify confirm suggest recommend propose check attach paste copy send "
    "share provide give show explain describe seem guarantee insist hope "
    "welcome got get appreciate"
)
HEALTH_EFFECT = word_set(
    "sick ill nauseous queasy headache headaches migraine migraines heartburn "
    "hives rash rashes bloated dizzy itchy gassy cramps indigestion reflux "
    "nosebleeds allergies sneezy congested seasick carsick anxious jittery "
    "acne breakouts"
)

KIN = word_set(
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
HEALTH_NOUNS = word_set(
    "allergy allergies intolerance intolerances sensitivity sensitivities "
    "condition conditions disease disorder syndrome diabetes asthma celiac "
    "coeliac arthritis migraine migraines eczema psoriasis hypertension "
    "cholesterol gout ibs crohn's crohns colitis gerd reflux heartburn anemia "
    "anaemia adhd autism dyslexia anxiety depression insomnia epilepsy cancer "
    "injury injuries pain deficiency surgery pacemaker tinnitus vertigo "
    "scoliosis glaucoma lupus pcos thyroid hypothyroidism ulcer diagnosis "
    "prediabetes pressure"
)
HEALTH_ADJ = word_set(
    "allergic intolerant hypersensitive diabetic prediabetic celiac coeliac "
    "pregnant anemic anaemic asthmatic epileptic immunocompromised hypertensive "
    "deaf blind colorblind colourblind disabled sober"
)
TASK_NOUNS = word_set(
    "code script function error errors bug bugs dataset datasets data file files "
    "program app website essay assignment homework project report paper thesis "
    "document spreadsheet table query database api server repo repository "
    "algorithm class method variable column columns row rows question questions "
    "problem problems exercise equation formula prompt text paragraph sentence "
    "email letter message post article presentation slide slides resume cv "
    "output exception warning crash command test tests dissertation draft "
    "issue issues task tasks quiz logs log stack json csv sql "
    "excel python java javascript html css"
)
DELIVERABLES = word_set(
    "recipe recipes list lists suggestion suggestions recommendation "
    "recommendations idea ideas tip tips advice help assistance example examples "
    "template outline summary story stories poem poems essay code script answer "
    "answers explanation response feedback review guide overview breakdown plan "
    "itinerary options alternatives information info details translation "
    "version draft email letter message article report description definition "
    "name names title titles quote quotes joke jokes word words sentence "
    "sentences paragraph program function solution solutions way ways "
    "something anything more few some"
)
EVENT_NOUNS = word_set(
    "meeting exam test interview presentation appointment deadline flight trip "
    "date party wedding vacation holiday game match concert conference recital "
    "race marathon tournament surgery birthday anniversary reunion visit shift "
    "exams finals"
)
STATE_ADJ = word_set(
    "tired exhausted sleepy drowsy bored hungry starving thirsty sick ill unwell "
    "stressed anxious nervous excited sad upset angry mad frustrated annoyed "
    "irritated overwhelmed worried scared lonely depressed down cold hot warm "
    "sore hungover drunk busy late early free available awake home away out off "
    "online offline jetlagged jet-lagged sweaty full stuffed bloated nauseous "
    "dizzy injured motivated unmotivated restless calm relaxed energetic "
    "energized burnt burned fried swamped slammed behind broke disappointed "
    "thrilled ecstatic content proud embarrassed ashamed guilty jealous homesick "
    "bummed pumped stoked hyped cranky grumpy moody"
)
DISCOURSE_ADJ = word_set(
    "sure unsure sorry glad curious wondering aware unaware done back ready here "
    "there okay ok fine good great alright right wrong kidding joking serious "
    "confused lost stuck correct certain uncertain thankful grateful impressed "
    "amazed surprised new interested not trying going asking saying talking "
    "looking hoping happy pleased able confident positive convinced clear open "
    "flexible willing eager all just still also afraid the one welcome "
    "about like unclear puzzled"
)
STATE_NOUNS = word_set("mess wreck zombie bit lot little tad")
# Nouns after "as a ..." that describe a time of life or a figure of speech,
# not who the user is now.
AS_A_EXCLUDE = word_set(
    "result rule matter reminder note whole kid child teenager teen baby "
    "consequence bonus favor favour joke example start aside side precaution "
    "alternative compromise treat reward gift test resort heads fyi ai model "
    "language assistant chatbot bot youngster boy girl toddler follow-up "
    "followup side-note courtesy thank first last final"
)
ANAPHORA = word_set(
    "it this that these those them one both either neither none all another "
    "everything something anything nothing"
)
ANAPHOR_NOUNS = word_set(
    "one ones idea ideas suggestion suggestions option options choice choices "
    "plan answer response list recommendation recommendations"
)

PREFIX_START = word_set(
    "every each on in at during after before most these this next last lately "
    "recently nowadays usually generally typically normally often sometimes "
    "always occasionally now today tonight tomorrow yesterday once twice for by "
    "around over throughout weekdays weekends mondays tuesdays wednesdays "
    "thursdays fridays saturdays sundays growing back"
)
PREFIX_BLOCK = word_set(
    "you your if when what how where why who which can could would should will "
    "do does did is are was were please that he she they we it let tell write "
    "imagine pretend say suppose said told says"
)
WH = word_set("what how which where why who whom whose")
AUX_Q = word_set(
    "can could would will do does did is are was were should shall may might "
    "have has had am isn't aren't don't doesn't didn't won't wouldn't can't "
    "couldn't shouldn't"
)
Q_SUBJ = word_set("you i we it there they he she this that u anyone somebody someone anybody these those")
IMPERATIVE = word_set(
    "write create generate compose draft make give tell describe imagine "
    "pretend act play continue rewrite translate summarize summarise list "
    "explain suggest recommend help show find provide design plan build fix "
    "debug correct edit proofread answer respond complete fill convert calculate "
    "solve compare analyze analyse check review outline brainstorm name draw "
    "roleplay role-play consider assume suppose say read use include add remove "
    "change update format keep remember note let send teach convince ignore "
    "refactor implement optimize optimise paraphrase expand shorten elaborate "
    "classify rate rank sort organize organise identify evaluate define "
    "simulate"
)
CONNECTIVES = word_set(
    "and but so or yet plus also though although because since as while "
    "whereas cause cuz bc even then well oh ok okay yeah yes yep no nope "
    "honestly personally actually basically frankly anyway anyways btw fyi "
    "tbh ngl um uh hmm ah hey hi hello still besides however otherwise "
    "alright right sure see look listen wow cool lol haha anyhow furthermore "
    "moreover additionally meanwhile admittedly"
)
DISCLOSE_LEADS = word_set("because since as though although while whereas cause cuz bc")
MODIFIER_LEADS = word_set("when whenever if unless once after before until")

# Evaluations in "I find X ...": "I find crowds exhausting", "I find knitting relaxing".
NEG_EVAL = word_set(
    "unsettling boring annoying disgusting gross tedious overrated overwhelming stressful unbearable unpleasant "
    "irritating uncomfortable draining exhausting distracting off-putting repulsive tiresome dull pointless vapid "
    "cringe cringey cringy frustrating depressing disturbing scary creepy impractical outdated bland awful terrible "
    "tasteless pretentious obnoxious grating excessive"
)
POS_EVAL = word_set(
    "relaxing fun enjoyable fascinating inspiring soothing calming interesting delightful comforting exciting "
    "rewarding satisfying beautiful amazing therapeutic refreshing energizing uplifting charming cozy meaningful "
    "compelling captivating delicious wonderful"
)

# "I have a sensitive stomach", "My knees ...": a constraint on the user.
BODY_NOUNS = word_set(
    "stomach skin back knees knee joints eyes teeth gut body heart digestion "
    "digestive blood cholesterol sugar kidneys liver immune sleep metabolism hips"
)

# What something does to the user when they dislike it: "X makes me sick", "I get anxious".
BAD_EFFECT = word_set(
    "sick ill nauseous queasy gag itch itchy sneeze bloated anxious sad cringe uncomfortable "
    "nervous dizzy miserable angry crazy mad break throw vomit puke jittery sleepy gassy "
    "uneasy depressed tired sluggish"
)

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
DURATION_RE = re.compile(
    r"\bfor (?:over |about |almost |nearly |more than |the (?:last|past) )?(?:\d+|a|an|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|many|several|a few|a couple of) (?:years?|decades?|months?)\b|"
    r"\bsince (?:i was|childhood|college|high school|\d{4})\b|\bmy (?:whole|entire) life\b|\ball my life\b|"
    r"\bfor years\b|\bfor decades\b"
)

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

# A word, with inner apostrophes and hyphens ("don't", "gluten-free").
WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['\u2019\-][A-Za-z0-9]+)*")

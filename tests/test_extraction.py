"""Rule-based extraction of propositions about the user (usermodel/extraction.py).

The corpus below is written for these tests (no benchmark data), across many
domains: food, music, work, tech, travel, health, family, hobbies, money,
shopping, sport, pets, learning.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest

from memory.models import Candidate, Observation
from usermodel.extraction import KINDS, extract

_ids = itertools.count(1)
_AT = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


def obs(text: str, role: str = "user", source: str = "chat") -> Observation:
    return Observation(id=next(_ids), source=source, text=text, at=_AT, role=role)


def texts(cands: list[Candidate]) -> list[str]:
    return [c.text for c in cands]


# --------------------------------------------------------------------------
# Positive corpus: (sentence, kind, polarity, exact expected text or None).
# A sentence passes when one of its candidates has that kind and polarity
# (and, where given, exactly that text).

POSITIVE = [
    # food and diet
    ("I'm vegetarian.", "identity", 1, "The user is vegetarian."),
    ("I am a pescatarian.", "identity", 1, "The user is a pescatarian."),
    ("I'm allergic to shellfish.", "constraint", 1, "The user is allergic to shellfish."),
    ("I'm lactose intolerant.", "constraint", 1, "The user is lactose intolerant."),
    ("I can't have gluten.", "constraint", -1, "The user can't have gluten."),
    ("I don't eat beef.", "dislike", -1, "The user doesn't eat beef."),
    ("I never drink soda.", "dislike", -1, "The user never drinks soda."),
    ("I follow a low-carb diet.", "habit", 1, "The user follows a low-carb diet."),
    ("I have a sesame allergy.", "constraint", 1, "The user has a sesame allergy."),
    ("I have type 2 diabetes.", "constraint", 1, None),
    ("Coriander makes me gag.", "dislike", -1, "The user says coriander makes them gag."),
    ("Dairy doesn't agree with me.", "constraint", -1, None),
    ("My go-to lunch is a chickpea wrap.", "preference", 1, "The user's go-to lunch is a chickpea wrap."),
    ("I absolutely love Thai curries.", "preference", 1, "The user absolutely loves Thai curries."),
    ("I can't stand olives.", "dislike", -1, "The user can't stand olives."),
    ("I'm not a fan of mushrooms.", "dislike", -1, "The user is not a fan of mushrooms."),
    ("I have an aversion to raw onions.", "dislike", -1, None),
    ("I'd rather eat at home than go out.", "preference", 1, None),
    # music, books, film
    ("I listen to a lot of synthwave.", "habit", 1, "The user listens to a lot of synthwave."),
    ("I'm really into bluegrass.", "preference", 1, "The user is really into bluegrass."),
    ("I'm a huge fan of Studio Ghibli films.", "preference", 1, None),
    ("I don't really like opera.", "dislike", -1, "The user doesn't really like opera."),
    ("Podcasts about true crime are my guilty pleasure.", "preference", 1, None),
    ("Musicals are not my thing.", "dislike", -1, None),
    ("I hate horror movies.", "dislike", -1, "The user hates horror movies."),
    ("My favorite author is Ursula K. Le Guin.", "preference", 1, None),
    ("I prefer audiobooks to paper books.", "preference", 1, "The user prefers audiobooks to paper books."),
    ("I prefer not to watch anything violent.", "dislike", -1, None),
    # work and learning
    ("I work as a paramedic.", "identity", 1, "The user works as a paramedic."),
    ("I'm a high school chemistry teacher.", "identity", 1, None),
    ("I work night shifts at a hospital.", "habit", 1, None),
    ("I'm a freelance translator.", "identity", 1, None),
    ("I'm studying architecture.", "habit", 1, None),
    ("I'm learning Korean.", "habit", 1, "The user is learning Korean."),
    ("I speak Portuguese and Italian.", "identity", 1, None),
    ("I'm fluent in Arabic.", "identity", 1, None),
    ("I'm a beginner at woodworking.", "identity", 1, None),
    ("I'm good at mental math.", "fact", 1, None),
    ("I can't code at all.", "fact", -1, None),
    # tech and shopping
    ("I use Linux on all my machines.", "habit", 1, None),
    ("I only buy refurbished phones.", "habit", 1, None),
    ("I avoid products with subscriptions.", "dislike", -1, "The user avoids products with subscriptions."),
    ("I'm on a tight budget.", "constraint", 1, "The user is on a tight budget."),
    ("My budget is about 400 euros.", "constraint", 1, None),
    ("I can't afford a new car.", "constraint", -1, None),
    ("I own a ten-year-old ThinkPad.", "habit", 1, None),
    ("I don't have a car.", "constraint", -1, None),
    # travel and places
    ("I live in Montreal.", "identity", 1, "The user lives in Montreal."),
    ("I'm from Nairobi.", "identity", 1, "The user is from Nairobi."),
    ("I grew up on a farm in Iowa.", "identity", 1, None),
    ("I was born in Manila.", "identity", 1, "The user was born in Manila."),
    ("I'm planning to visit Peru next summer.", "plan", 1, None),
    ("I'm flying to Oslo on Friday.", "plan", 1, None),
    ("I'm going to a wedding in June.", "plan", 1, None),
    ("I'm moving to Austin next month.", "plan", 1, None),
    ("I prefer window seats on long flights.", "preference", 1, None),
    ("I'm terrified of flying.", "dislike", -1, None),
    # health and body
    ("I'm diabetic.", "constraint", 1, "The user is diabetic."),
    ("I have asthma.", "constraint", 1, "The user has asthma."),
    ("I have a bad knee.", "constraint", 1, None),
    ("My doctor told me to cut down on salt.", "constraint", 1, "The user's doctor told them to cut down on salt."),
    ("I need to avoid caffeine.", "constraint", 1, "The user needs to avoid caffeine."),
    ("I was diagnosed with celiac disease.", "constraint", 1, None),
    ("I'm pregnant.", "constraint", 1, None),
    ("I'm so tired today.", "state", 1, None),
    ("I'm feeling anxious right now.", "state", 1, None),
    # family and pets
    ("I have two kids.", "identity", 1, "The user has two kids."),
    ("I have a rescue dog.", "identity", 1, None),
    ("I'm a single mom.", "identity", 1, None),
    ("My wife and I love board games.", "preference", 1, "The user and their wife love board games."),
    ("I got married in May.", "identity", 1, None),
    ("My name is Priya.", "identity", 1, "The user's name is Priya."),
    ("Call me Theo.", "identity", 1, "The user's name is Theo."),
    ("I'm 41 years old.", "identity", 1, "The user is 41 years old."),
    # habits, sport, hobbies
    ("I usually go running before work.", "habit", 1, "The user usually goes running before work."),
    ("I always take the stairs.", "habit", 1, None),
    ("I swim three times a week.", "habit", 1, None),
    ("Every morning I do twenty minutes of yoga.", "habit", 1, None),
    ("I tend to avoid crowds.", "dislike", -1, "The user tends to avoid crowds."),
    ("I quit drinking two years ago.", "habit", -1, None),
    ("I recently took up pottery.", "habit", 1, None),
    ("I've been knitting for fifteen years.", "habit", 1, None),
    ("I'm a morning person.", "identity", 1, None),
    ("I'm not a morning person.", "identity", -1, "The user is not a morning person."),
    ("I'm not vegetarian.", "identity", -1, "The user is not vegetarian."),
    ("I'm obsessed with rock climbing.", "preference", 1, None),
    ("I enjoy gardening.", "preference", 1, "The user enjoys gardening."),
    ("I love spending time outdoors.", "preference", 1, None),
    ("I don't mind long drives.", "preference", 1, None),
    ("Rainy afternoons always calm me.", "preference", 1, None),
    ("I'm scared of dogs.", "dislike", -1, None),
    ("I want to learn to sail this year.", "plan", 1, None),
    ("I'd love to see the aurora someday.", "preference", 1, None),
    # prefixes, appositions, disclosures in passing
    ("As a vegan, I read every label.", "identity", 1, "The user is a vegan."),
    ("Being colorblind, I struggle with some charts.", "constraint", 1, "The user is colorblind."),
    ("When I travel, I prefer hostels.", "preference", 1, "The user prefers hostels when they travel."),
    ("On weekends I like to bake bread.", "preference", 1, "The user likes to bake bread on weekends."),
    ("Since I follow a strict gluten-free diet, can you suggest snacks?", "habit", 1,
     "The user follows a strict gluten-free diet."),
    ("Just so you know, I'm allergic to peanuts.", "constraint", 1, "The user is allergic to peanuts."),
    ("I should mention that I'm a smoker.", "identity", 1, "The user is a smoker."),
    ("For breakfast, I usually have porridge.", "habit", 1, "The user usually has porridge for breakfast."),
    ("Fun fact: I have three cats.", "identity", 1, "The user has three cats."),
    ("Remember: I'm vegan.", "identity", 1, "The user is vegan."),
    ("Please keep in mind that I can't eat nuts.", "constraint", -1, "The user can't eat nuts."),
    # chat shorthand, rare frequency, experiences, second verbs
    ("Love a good thriller novel.", "preference", 1, "The user loves a good thriller novel."),
    ("Not a fan of cold weather, to be honest.", "dislike", -1, "The user is not a fan of cold weather."),
    ("Allergic to cats, sadly.", "constraint", 1, "The user is allergic to cats."),
    ("I rarely watch TV.", "habit", -1, "The user rarely watches TV."),
    ("I hardly ever cook.", "habit", -1, "The user hardly ever cooks."),
    ("I've never been to Asia.", "fact", -1, "The user has never been to Asia."),
    ("I'd never go skydiving.", "dislike", -1, None),
    ("I can't live without coffee.", "preference", 1, "The user can't live without coffee."),
    ("I tried yoga once and hated it.", "dislike", -1, None),
    ("I'm more of a cat person.", "identity", 1, None),
    ("I'm the kind of person who always arrives early.", "habit", 1, None),
]

NEGATIVE = [
    # requests and instructions
    "Can you help me plan a trip to Lisbon?",
    "I want you to act as a travel guide.",
    "I need help with my resume.",
    "I'd like you to write a haiku about rain.",
    "I was wondering if you could explain recursion.",
    "I have a question about mortgages.",
    "Please write a function that sorts a list.",
    "Please summarize the following article.",
    "Help me draft an email to my landlord.",
    "Give me three ideas for a birthday party.",
    "Tell me a joke about cats.",
    "Translate \"I am hungry\" into Spanish.",
    "Make it shorter.",
    "Rewrite this paragraph in a formal tone.",
    "List the planets in order.",
    "I need a recipe for banana bread.",
    "I want a list of good sci-fi novels.",
    "I'd like to know more about the Ottoman Empire.",
    "I want to know the population of Chile.",
    "I need to know how many grams are in an ounce.",
    "I'll give you a list of words.",
    "I will provide you with some text.",
    "I'm going to paste my code below.",
    "I'm looking for recommendations for a budget laptop.",
    "I'm trying to figure out how to use git rebase.",
    "I'd appreciate it if you could review my essay.",
    # questions
    "How do I make cold brew coffee?",
    "What should I eat before a marathon?",
    "Why do I always feel sleepy after lunch?",
    "Do you think I should buy a house?",
    "Is it normal that I dream every night?",
    "Should I learn Python or JavaScript first?",
    "What's the best way to store basil?",
    "Am I allowed to bring food on a plane?",
    # role-play, fiction, hypotheticals
    "Write a story where I am a dragon.",
    "Imagine I'm a pirate captain looking for treasure.",
    "Pretend you are my grandmother telling me a bedtime story.",
    "Let's play a game: I am a detective and you are the suspect.",
    "In this story, I am a knight who loves dragons.",
    "You are a helpful chef. I am your customer.",
    "Suppose I am a customer who wants a refund.",
    "If I were a bird, I would fly south.",
    "If I had a million dollars, I would buy an island.",
    "I wish I could fly.",
    # conversation and chatter
    "I think the answer is B.",
    "I'm not sure what you mean.",
    "I'm sorry, I didn't get that.",
    "I see what you mean.",
    "I agree with you.",
    "I understand.",
    "I don't know.",
    "I got it, thanks.",
    "Thanks, I appreciate it!",
    "I'll think about it.",
    "I hope this helps.",
    "I love it!",
    "I like that idea.",
    "I'll go with the second one.",
    "I'm ready when you are.",
    "I told you already.",
    "Okay.",
    "Sounds good!",
    # code, logs, pasted machine text
    "```python\ndef f(x):\n    return x * 2  # I love this\n```",
    "2024-01-05 10:22:01 ERROR [main] I/O failure: connection reset",
    "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    import numpy",
    "$ pip install requests",
    "SELECT * FROM users WHERE name = 'I';",
    "<div class=\"me\">I am here</div>",
    "I have the following code:",
    "Proofread this: I loves going to the beach.",
    "Translate the following into French: I am a teacher and I love cats.",
    "Here is my bio: I am a passionate engineer with ten years of experience.",
    "Correct the grammar:\nMe and him goes to school every day.",
    "I am an AI language model.",
    "My question is about taxes.",
    "Not a problem.",
    "Love your answer!",
    "Enjoy your weekend!",
    # other people, not the user
    "He said \"I hate broccoli\" at dinner.",
    "She is vegan.",
    "They love jazz.",
]


@pytest.mark.parametrize("sentence, kind, polarity, expected", POSITIVE)
def test_positive_corpus(sentence, kind, polarity, expected):
    cands = extract(obs(sentence))
    assert cands, f"nothing extracted from {sentence!r}"
    match = [c for c in cands if c.kind == kind and c.polarity == polarity]
    assert match, f"{sentence!r}: wanted {kind}/{polarity}, got {[(c.kind, c.polarity, c.text) for c in cands]}"
    if expected is not None:
        assert expected in texts(cands), f"{sentence!r}: got {texts(cands)}"


@pytest.mark.parametrize("sentence", NEGATIVE)
def test_negative_corpus(sentence):
    cands = extract(obs(sentence))
    assert cands == [], f"{sentence!r} gave {[(c.kind, c.confidence, c.text) for c in cands]}"


def test_corpus_sizes():
    assert len(POSITIVE) >= 80
    assert len([p for p in POSITIVE if p[3] is not None]) >= 25
    assert len(NEGATIVE) >= 60


def test_candidate_shape():
    o = obs("I'm vegetarian.")
    (c,) = extract(o)
    assert c.text.startswith("The user") and c.text.endswith(".")
    assert c.kind in KINDS
    assert c.origin == "rule"
    assert c.evidence == [o.id]
    assert 1 <= c.confidence <= 10 and 1 <= c.decay <= 10
    assert c.reasoning == 'Said in chat: "I\'m vegetarian."'


def test_two_first_person_clauses_give_two_propositions():
    cands = extract(obs("I'm vegetarian and I can't stand cilantro."))
    assert texts(cands) == ["The user is vegetarian.", "The user can't stand cilantro."]
    assert [c.kind for c in cands] == ["identity", "dislike"]
    assert [c.polarity for c in cands] == [1, -1]


def test_contrast_with_understood_subject_is_split():
    cands = extract(obs("I love hiking but hate camping."))
    assert texts(cands) == ["The user loves hiking.", "The user hates camping."]
    assert [c.polarity for c in cands] == [1, -1]


def test_disclosure_in_a_request_counts_at_lower_confidence():
    in_request = extract(obs("Since I follow a strict gluten-free diet, can you suggest snacks?"))
    plain = extract(obs("I follow a strict gluten-free diet."))
    assert texts(in_request) == texts(plain) == ["The user follows a strict gluten-free diet."]
    assert in_request[0].confidence < plain[0].confidence
    assert 5 <= in_request[0].confidence <= 7
    assert "request" in in_request[0].reasoning


def test_disclosure_before_a_request_in_the_same_message():
    cands = extract(obs("I'm lactose intolerant. Can you suggest a dessert?"))
    assert texts(cands) == ["The user is lactose intolerant."]
    assert cands[0].kind == "constraint" and cands[0].confidence >= 8


def test_confidence_is_graded():
    strong = extract(obs("I'm allergic to peanuts."))[0]
    like = extract(obs("I like jazz."))[0]
    hedged = extract(obs("I think I might prefer aisle seats."))[0]
    sometimes = extract(obs("I sometimes enjoy a glass of wine."))[0]
    task = extract(obs("I have a dataset with 3 columns."))[0]
    assert strong.confidence >= 8
    assert like.confidence == 7
    assert hedged.confidence <= 4 and sometimes.confidence <= 4
    assert task.confidence <= 3 and task.decay <= 3 and task.kind == "fact"
    assert strong.confidence > like.confidence > hedged.confidence >= task.confidence


def test_decay_by_kind():
    identity = extract(obs("I'm a vegan."))[0]
    allergy = extract(obs("I'm allergic to latex."))[0]
    pref = extract(obs("I love sushi."))[0]
    habit = extract(obs("I play tennis."))[0]
    plan = extract(obs("I'm visiting my parents next week."))[0]
    state = extract(obs("I'm bored today."))[0]
    assert identity.decay >= 9 and allergy.decay >= 9
    assert 7 <= pref.decay <= 8
    assert habit.decay == 6
    assert plan.kind == "plan" and plan.decay == 3
    assert state.kind == "state" and state.decay <= 2


def test_statements_about_other_people_are_not_about_the_user():
    for text in ("My friend is vegan.", "My brother loves heavy metal.", "My daughter is allergic to eggs."):
        cands = extract(obs(text))
        assert all(c.text.startswith("The user's ") for c in cands), texts(cands)
        assert "The user is vegan." not in texts(cands)
    assert "The user's daughter is allergic to eggs." in texts(extract(obs("My daughter is allergic to eggs.")))


def test_reported_speech_of_others_is_ignored():
    assert extract(obs("My friend said I should try yoga.")) == []


def test_assistant_messages_are_ignored():
    assert extract(obs("I'm vegetarian and I love hiking.", role="assistant")) == []


def test_screen_observations_are_left_for_later():
    assert extract(obs("I'm vegetarian.", source="screen")) == []


@pytest.mark.parametrize("source", ["note", "edit"])
def test_notes_and_edits_are_read(source):
    cands = extract(obs("I'm allergic to penicillin.", source=source))
    assert texts(cands) == ["The user is allergic to penicillin."]
    assert cands[0].reasoning.startswith("Wrote in")


def test_duplicates_within_one_observation_are_merged():
    cands = extract(obs("I love sushi. I love sushi! i love sushi"))
    assert texts(cands) == ["The user loves sushi."]


def test_fiction_frame_stops_extraction_after_it():
    cands = extract(obs("I'm a teacher. Act as my assistant. I am a wizard who hates goblins."))
    assert texts(cands) == ["The user is a teacher."]


def test_self_disclosure_before_code_is_kept():
    text = "I'm a data engineer.\n```sql\nSELECT name FROM users; -- I love SQL\n```\nWhy is this slow?"
    assert texts(extract(obs(text))) == ["The user is a data engineer."]


def test_large_pasted_log_is_handled():
    lines = []
    for i in range(2600):
        lines.append(f"2024-05-{i % 28 + 1:02d} 12:{i % 60:02d}:{i % 60:02d},123 WARN [pool-{i % 9}] "
                     f"com.example.Service: request id={i} I/O timeout after {i % 500}ms; retrying")
        if i % 50 == 0:
            lines.append(f"    at com.example.Service.call(Service.java:{i})")
            lines.append("Caused by: java.net.SocketTimeoutException: Read timed out")
    log = "\n".join(lines)
    assert len(log) > 200_000
    text = "I'm a backend developer and this keeps happening:\n" + log
    cands = extract(obs(text))
    assert texts(cands) == ["The user is a backend developer."]


def test_long_prose_is_bounded():
    text = " ".join(["I love hiking, and my wife and I usually go to the coast on weekends."] * 3000)
    cands = extract(obs(text))
    assert 1 <= len(cands) <= 24
    assert "The user loves hiking." in texts(cands)


def test_pathological_inputs_do_not_blow_up():
    assert extract(obs("a, " * 60000)) == []
    assert len(extract(obs("I like " + "very " * 40000 + "long walks"))) == 1
    assert extract(obs('"' + "x " * 50000)) == []
    assert extract(obs("")) == []


# --------------------------------------------------------------------------
# Choices between options the assistant offered.

OPTIONS = (
    "Here are a few ideas for dinner tonight:\n"
    "1. **Mushroom risotto**: creamy arborio rice with parmesan and thyme.\n"
    "2. **Grilled salmon with asparagus**: light, high in protein.\n"
    "3. **Beef chili**: hearty, spicy and great for leftovers.\n"
    "Let me know which one sounds best!"
)


def test_choice_with_explicit_rejection():
    q = obs("Can you suggest something for dinner tonight?")
    a = obs(OPTIONS, role="assistant")
    u = obs("The grilled salmon sounds perfect. The other options don't really work for me.")
    cands = extract(u, [q, a])
    choices = [c for c in cands if c.kind == "choice"]
    assert len(choices) == 1
    c = choices[0]
    assert c.text.startswith("The user asked for something for dinner tonight and chose \"Grilled salmon with asparagus\"")
    assert "Mushroom risotto" in c.text and "Beef chili" in c.text
    assert "turned down the others" in c.text
    assert c.evidence[:2] == [u.id, a.id] and q.id in c.evidence
    assert c.confidence == 6 and c.decay == 6 and c.polarity == 1
    assert [x for x in cands if x.kind != "choice"] == []


def test_choice_by_ordinal():
    a = obs(OPTIONS, role="assistant")
    u = obs("I'll go with the third one.")
    (c,) = extract(u, [a])
    assert c.kind == "choice"
    assert c.text.startswith('The user chose "Beef chili"')
    assert c.evidence == [u.id, a.id]
    assert c.confidence == 5


def test_choice_from_inline_options():
    a = obs("We could do a beach day, a museum visit, or a hike in the hills. Which do you prefer?",
            role="assistant")
    u = obs("Let's do the hike!")
    cands = extract(u, [a])
    assert [c.kind for c in cands] == ["choice"]
    assert '"hike in the hills"' in cands[0].text


def test_choice_plus_disclosure_in_the_same_reply():
    a = obs(OPTIONS, role="assistant")
    u = obs("Mushroom risotto works for me, I'm vegetarian.")
    cands = extract(u, [a])
    assert [c.kind for c in cands] == ["choice", "identity"]
    assert '"Mushroom risotto"' in cands[0].text


def test_no_choice_without_options_or_selection():
    a_plain = obs("Salmon is a good source of omega-3 fatty acids.", role="assistant")
    assert extract(obs("Great, thanks!"), [a_plain]) == []
    a = obs(OPTIONS, role="assistant")
    assert [c for c in extract(obs("Does the chili have beans in it?"), [a]) if c.kind == "choice"] == []
    assert extract(obs("None of these, to be honest."), [a]) == []
    assert extract(obs("Can you write me a poem instead?"), [a]) == []


def test_no_choice_when_the_assistant_message_is_not_the_one_answered():
    a = obs(OPTIONS, role="assistant")
    later_user = obs("Actually, tell me about wine pairings.")
    assert [c for c in extract(obs("The salmon sounds great."), [a, later_user]) if c.kind == "choice"] == []

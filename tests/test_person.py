"""First-person -> third-person rewriting (usermodel/person.py)."""

from __future__ import annotations

import pytest

from usermodel.person import MAX_LEN, conjugate, finish, is_past, rewrite_pronouns, third_person


@pytest.mark.parametrize(
    "verb, expected",
    [
        ("have", "has"),
        ("do", "does"),
        ("go", "goes"),
        ("watch", "watches"),
        ("try", "tries"),
        ("play", "plays"),
        ("fix", "fixes"),
        ("miss", "misses"),
        ("wish", "wishes"),
        ("buzz", "buzzes"),
        ("echo", "echoes"),
        ("cry", "cries"),
        ("stay", "stays"),
        ("enjoy", "enjoys"),
        ("love", "loves"),
        ("prefer", "prefers"),
        ("need", "needs"),
        ("be", "is"),
        ("am", "is"),
        ("don't", "doesn't"),
        ("haven't", "hasn't"),
        ("Watch", "Watches"),
    ],
)
def test_conjugate_third_person_singular(verb, expected):
    assert conjugate(verb) == expected


@pytest.mark.parametrize(
    "word",
    ["can", "can't", "could", "will", "would", "should", "must", "may", "might", "won't", "shouldn't",
     "loved", "went", "ate", "used", "quit", "tried", "was"],
)
def test_modals_and_past_forms_are_unchanged(word):
    assert conjugate(word) == word


def test_is_past():
    assert is_past("loved") and is_past("went") and is_past("studied")
    assert not is_past("need") and not is_past("feed") and not is_past("love")


@pytest.mark.parametrize(
    "clause, expected",
    [
        ("I'm vegetarian", "The user is vegetarian."),
        ("I am a nurse", "The user is a nurse."),
        ("I've lived in Lisbon for years", "The user has lived in Lisbon for years."),
        ("I'd rather take the train", "The user would rather take the train."),
        ("I'd been there before", "The user had been there before."),
        ("I'll be in Osaka next week", "The user will be in Osaka next week."),
        ("I was born in Ghana", "The user was born in Ghana."),
        ("I watch a lot of documentaries", "The user watches a lot of documentaries."),
        ("I go climbing on Sundays", "The user goes climbing on Sundays."),
        ("I try to sleep eight hours", "The user tries to sleep eight hours."),
        ("I play chess with my dad", "The user plays chess with their dad."),
        ("I do not eat pork", "The user does not eat pork."),
        ("I don't really like jazz", "The user doesn't really like jazz."),
        ("I can't stand cilantro", "The user can't stand cilantro."),
        ("I should drink more water", "The user should drink more water."),
        ("I usually cook for myself", "The user usually cooks for themselves."),
        ("I kind of like opera", "The user kind of likes opera."),
        ("I exclusively read paperbacks", "The user exclusively reads paperbacks."),
        ("I quit smoking last year", "The user quit smoking last year."),
        ("That bike is mine", "That bike is theirs."),
        ("My sister calls me every Sunday", "The user's sister calls them every Sunday."),
        ("My favorite color is green", "The user's favorite color is green."),
        ("My wife and I love camping", "The user and their wife love camping."),
        ("Me and my brother play golf", "The user and their brother play golf."),
        ("I love hiking because I feel free", "The user loves hiking because they feel free."),
        ("I'm vegan and don't eat honey", "The user is vegan and doesn't eat honey."),
        ("I love hiking and hate camping", "The user loves hiking and hates camping."),
        ("I love to cook and bake", "The user loves to cook and bake."),
        ("i play tennis on weekends", "The user plays tennis on weekends."),
        ("im allergic to shellfish", "The user is allergic to shellfish."),
    ],
)
def test_third_person(clause, expected):
    assert third_person(clause) == expected


def test_words_in_quotes_are_kept():
    out = third_person('I told him "I hate mornings" once')
    assert out == 'The user told him "I hate mornings" once.'


def test_curly_apostrophes():
    assert third_person("I\u2019m a teacher") == "The user is a teacher."


def test_rewrite_pronouns_only():
    assert rewrite_pronouns("when I travel with my kids") == "when they travel with their kids"
    assert rewrite_pronouns("when I'm tired") == "when they are tired"
    assert rewrite_pronouns("if I was busy") == "if they were busy"


def test_finish_strips_filler_and_ends_with_period():
    assert finish("the user loves kpop lol") == "The user loves kpop."
    assert finish("the user loves tacos!!! \U0001F32E\U0001F32E") == "The user loves tacos."
    assert finish("  the   user   is   here  ") == "The user is here."
    assert finish("the user is tired :(") == "The user is tired."


def test_finish_caps_length_at_a_clause_boundary():
    long = "I love " + ", ".join(f"dish number {i}" for i in range(100))
    out = third_person(long)
    assert len(out) <= MAX_LEN + 1
    assert out.endswith(".")
    assert not out.endswith(",.")
    assert out.startswith("The user loves dish number 0")

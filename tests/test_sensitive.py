"""Sensitive inferences (contextual-integrity audit) on the real MiniLM embedder: each
category with positive and negative examples, the three policies in the pipeline,
the user allowing a flagged proposition, the model consulted on borderline cases,
and the CLI."""

from __future__ import annotations

import json

import pytest

from assistant.cli import main
from assistant.services import NewObservation
from tests.fakes import ScriptedLLM
from usermodel.sensitive import (CATEGORIES, SensitivityClassifier, category_of, is_sensitive,
                                 sensitive_propositions)

# Written for these tests; none of them appears in the category descriptions.
POSITIVE = {
    "health": ["The user has asthma and carries an inhaler.",
               "Reminder: take 20mg of sertraline after breakfast",
               "The user is waiting for an MRI scan of their back."],
    "finances": ["The user has 4,000 euros of credit card debt.",
                 "Final notice: your electricity bill is overdue",
                 "The user earns about 3,000 a month after tax."],
    "sexuality": ["The user is bisexual.", "The user is in a same-sex relationship.",
                  "Match on Tinder: drinks on Saturday?"],
    "religion": ["The user is a devout Muslim.", "The user sings in the church choir every Sunday.",
                 "Shabbat dinner at my parents' on Friday"],
    "politics": ["The user is a registered Republican.",
                 "I marched in the protest against the pension reform",
                 "The user donates to a left-wing party."],
    "other_people": ["My colleague Sarah is going through chemotherapy.",
                     "My best friend is drowning in debt and hides it from his wife.",
                     "My cousin just told me he's gay but hasn't told his parents."],
}
# Near each domain, but not sensitive.
NEGATIVE = {
    "health": ["The user is training for a half marathon.", "The user eats a lot of vegetables.",
               "The user sleeps eight hours a night."],
    "finances": ["The user compares prices before buying electronics.",
                 "The user uses a spreadsheet for a work budget report.",
                 "Invoice for the team's software licences"],
    "sexuality": ["The user loves romantic comedies.",
                  "The user is planning a wedding photo album for a client.",
                  "The user likes the colour pink."],
    "religion": ["The user visits old cathedrals for the architecture when travelling.",
                 "The user celebrates birthdays with cake.", "The user likes Christmas markets."],
    "politics": ["The user reads about the history of ancient Rome.",
                 "The user is organising the office party.",
                 "The user votes on feature requests in the issue tracker."],
    "other_people": ["My colleague recommended a good pizza place.", "My sister lives in Madrid.",
                     "My friend and I play tennis on Sundays."],
}


@pytest.fixture(scope="module")
def classifier():
    from memory.embedder import default_embedder

    return SensitivityClassifier(default_embedder().embed)


@pytest.mark.parametrize("category", list(CATEGORIES))
def test_each_category_is_recognised(classifier, category):
    verdicts = classifier.classify_many(POSITIVE[category])
    right = [v for v in verdicts if v.sensitive and v.category == category]
    assert len(right) >= 2, [(t, v) for t, v in zip(POSITIVE[category], verdicts)]


@pytest.mark.parametrize("category", list(CATEGORIES))
def test_everyday_texts_near_each_category_are_not_flagged(classifier, category):
    verdicts = classifier.classify_many(NEGATIVE[category])
    assert not any(v.sensitive for v in verdicts), list(zip(NEGATIVE[category], verdicts))


def test_the_model_decides_borderline_cases_only(classifier):
    from memory.embedder import default_embedder

    llm = ScriptedLLM().enqueue({"sensitive": True, "category": "religion"})
    asking = SensitivityClassifier(default_embedder().embed, llm)
    # clear cases never reach the model
    assert asking.classify("The user is a devout Muslim.").why.startswith("embedding")
    assert not asking.classify("Invoice for the team's software licences").sensitive
    assert llm.history == []
    # a borderline one (close to a category, no vocabulary cue) does
    text = "The user converted to Catholicism."
    assert not classifier.classify(text).sensitive  # the embedding alone is not sure
    v = asking.classify(text)
    assert v.sensitive and v.category == "religion" and v.why == "model"
    assert len(llm.history) == 1 and text in llm.history[0]["messages"][-1]["content"]
    # a model that answers nonsense changes nothing
    llm.enqueue("I cannot help with that.")
    assert not asking.classify(text).sensitive


# -- in the pipeline ----------------------------------------------------------------------
def _learn(fam, *texts):
    for t in texts:
        fam.observe(NewObservation("chat", t))
    fam.user_model.process()
    return fam.ledger.list_propositions()


def test_store_flagged_is_the_default(make_familiar):
    fam = make_familiar()
    assert fam.settings.usermodel.sensitive_policy == "store_flagged"
    props = _learn(fam, "I'm vegetarian and I love sailing.",
                   "I take insulin every day for my diabetes.")
    flagged = [p for p in props if is_sensitive(p)]
    assert [p.text for p in flagged] == ["The user takes insulin every day for their diabetes."]
    assert category_of(fam.ledger, flagged[0].id) == "health"
    assert {p.id for p in sensitive_propositions(fam.ledger)} == {flagged[0].id}
    assert all(not p.sensitive for p in props if "vegetarian" in p.text or "sailing" in p.text)
    diabetes_obs = [o for o in fam.ledger.recent_observations(5) if "insulin" in o.text]
    assert diabetes_obs[0].sensitive


def test_hold_back_learns_nothing_from_sensitive_observations(make_familiar):
    fam = make_familiar(usermodel={"sensitive_policy": "hold_back"})
    props = _learn(fam, "I'm vegetarian.", "I'm gay and I just came out to my parents.",
                   "My sister is getting divorced, she told me in confidence.")
    assert [p.text for p in props] == ["The user is vegetarian."]
    flagged = [o for o in fam.ledger.recent_observations(5) if o.sensitive]
    assert len(flagged) == 2


def test_hold_back_keeps_sensitive_observations_from_the_model(make_familiar):
    llm = ScriptedLLM().enqueue({"propositions": []})
    fam = make_familiar(model=llm, usermodel={"sensitive_policy": "hold_back"})
    _learn(fam, "I love sailing on weekends with my club.",
           "I'm seeing a psychiatrist for my depression every Monday.")
    (call,) = llm.history
    shown = call["messages"][-1]["content"]
    assert "sailing" in shown and "psychiatrist" not in shown
    assert fam.ledger.counts().pending == 0


def test_allow_policy_flags_nothing(make_familiar):
    fam = make_familiar(usermodel={"sensitive_policy": "allow"})
    props = _learn(fam, "I take insulin every day for my diabetes.")
    assert props and not any(p.sensitive for p in props)


def test_allowed_stays_allowed_through_revisions(make_familiar):
    fam = make_familiar()
    (p,) = _learn(fam, "I take insulin every day for my diabetes.")
    assert p.sensitive
    fam.allow_sensitive(p.id)
    assert not fam.ledger.proposition(p.id).sensitive
    assert fam.ledger.feedback(p.id)[-1][0] == "allow_sensitive"
    props = _learn(fam, "I take insulin every day for my diabetes, as always.")
    current = [q for q in props if "insulin" in q.text]
    assert current and not any(q.sensitive for q in current)
    assert any(q.id != p.id for q in current) or fam.ledger.history(p.id)


def test_cli_lists_and_allows_sensitive_propositions(make_familiar, capsys, monkeypatch):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")
    fam = make_familiar()
    _learn(fam, "I'm vegetarian.", "I'm a practising Catholic and go to mass every Sunday.")
    fam.close()
    assert main(["propositions", "list", "--sensitive", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 1 and listed[0]["sensitive"] and "Catholic" in listed[0]["text"]
    assert main(["propositions", "allow", str(listed[0]["id"])]) == 0
    assert "allowed" in capsys.readouterr().out
    assert main(["propositions", "list", "--sensitive", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_settings_reject_an_unknown_policy(capsys, monkeypatch):
    monkeypatch.setenv("FAMILIAR_USERMODEL__SENSITIVE_POLICY", "whatever")
    assert main(["status"]) == 2
    assert "invalid settings" in capsys.readouterr().err


def test_classifiers_over_one_model_embed_the_examples_once():
    """Each `familiar process` opens a classifier; the category and everyday examples are
    embedded once per process and model, and give the same verdicts."""
    from memory.embedder import default_embedder

    model = default_embedder()
    batches: list[int] = []

    def counting(texts):
        batches.append(len(texts))
        return model.embed(texts)

    key = object()  # a model no other test used (the app's classifiers share MiniLM's)
    first = SensitivityClassifier(counting, model=key)
    verdict = first.classify("I was diagnosed with diabetes last year.")
    assert len(batches) == 3 and sum(batches) > 40 and batches[-1] == 1  # examples, then text
    batches.clear()
    second = SensitivityClassifier(counting, model=key)
    assert second.classify("I was diagnosed with diabetes last year.") == verdict
    assert batches == [1]  # only the text
    batches.clear()
    SensitivityClassifier(counting, model=object()).classify("x")  # another model: its own
    assert len(batches) == 3

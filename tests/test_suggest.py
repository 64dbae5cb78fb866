"""Proactive suggestions on a real ledger, the real embedder and Chroma; the language
model is scripted where its exact answer matters."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from assistant.suggest_llm import SUGGEST_SCHEMA
from assistant.suggest_rules import offer, second_person
from memory.models import Candidate
from memory.timeutil import now_utc
from tests.fakes import DeadLLM, ScriptedLLM


def learn(fam, *texts):
    """Observations through the real rule extractor; returns {text: proposition id}."""
    from assistant.services import NewObservation

    for t in texts:
        fam.observe(NewObservation(source="chat", text=t))
    fam.user_model.process()
    return {p.text: p.id for p in fam.ledger.list_propositions()}


def add(fam, text, kind="preference", confidence=8, decay=8, at=None):
    """One proposition with one observation as its evidence."""
    from assistant.services import NewObservation

    oid, _ = fam.observe(NewObservation(source="chat", text=text, at=at))
    with fam.ledger.transaction():
        pid = fam.ledger.insert_proposition(Candidate(
            text=text, reasoning="test", confidence=confidence, decay=decay, kind=kind,
            evidence=[oid]))
        fam.ledger.mark_extracted([oid])
        fam.ledger.mark_processed([oid])
    fam.memory.sync()
    return pid


def by_props(suggestions):
    return {tuple(s.proposition_ids): s for s in suggestions}


# -- the rules, no model ------------------------------------------------------------------
@pytest.mark.parametrize("text, kind, expected", [
    ("The user loves Thai food.", "preference", "Want me to look for something new around Thai food for you?"),
    ("The user can't stand cilantro.", "dislike", "Want me to leave cilantro out of what I suggest?"),
    ("The user doesn't eat meat.", "dislike", "Want me to leave meat out of what I suggest?"),
    ("The user usually works late on Thursdays.", "habit", "Want a reminder to work late on Thursdays?"),
    ("The user always forgets to drink water.", "habit", "Want a reminder to drink water?"),
    ("The user needs to renew their passport.", "plan", "Want a reminder to renew your passport?"),
    ("The user is planning to learn Rust.", "plan", "Want me to draft first steps to learn Rust?"),
    ("The user is interested in woodworking.", "preference",
     "Want me to look for something new around woodworking for you?"),
    ("The user's sister's birthday is on March 3.", "identity",
     "Your sister's birthday is on March 3 — want a reminder a few days before?"),
    ("The user is training for a marathon.", "habit",
     "You're training for a marathon — want a weekly check-in on how it's going?"),
])
def test_rule_offers_follow_the_grammar_of_the_proposition(text, kind, expected):
    o = offer(text, kind)
    assert o is not None and o.text == expected
    assert o.why == second_person(text) + "."


def test_second_person_rewrites_verb_and_pronouns():
    assert second_person("The user watches their kids on Tuesdays.") == "You watch your kids on Tuesdays"
    assert second_person("The user is a nurse.") == "You're a nurse"
    assert second_person("The user has been learning Spanish.") == "You've been learning Spanish"
    assert offer("Something that is not about the user.", "fact") is None


def test_rule_suggestions_without_a_model_are_tied_to_their_propositions(make_familiar):
    fam = make_familiar()
    assert fam.llm is None
    props = learn(fam, "I love Thai food.", "I need to renew my passport.")
    found = fam.suggestions()
    assert len(found) == 2
    thai = props["The user loves Thai food."]
    passport = props["The user needs to renew their passport."]
    s = by_props(found)
    assert s[(thai,)].text == "Want me to look for something new around Thai food for you?"
    assert s[(passport,)].text == "Want a reminder to renew your passport?"
    for sug in found:
        assert sug.origin == "rule" and sug.status == "new"
        assert f"proposition #{sug.proposition_ids[0]}" in sug.why
        assert sug.score == pytest.approx(sug.benefit - 0.5 * sug.cost - 0.5 * sug.interruption)
        assert 0 < sug.benefit <= 1 and 0 <= sug.cost <= 1 and 0 < sug.interruption <= 1
    assert [x.score for x in found] == sorted((x.score for x in found), reverse=True)


def test_scores_follow_confidence_recency_and_sensitivity(make_familiar):
    fam = make_familiar()
    old = now_utc() - timedelta(days=60)
    sure = add(fam, "The user loves jazz.", confidence=9)
    unsure = add(fam, "The user loves opera.", confidence=3)
    stale = add(fam, "The user loves chess.", confidence=9, decay=3, at=old)
    touchy = add(fam, "The user loves poetry.", confidence=9)
    fam.ledger.update_in_place(touchy, sensitive=1)
    s = by_props(fam.suggestions())
    assert s[(sure,)].benefit > s[(unsure,)].benefit
    assert s[(sure,)].cost < s[(unsure,)].cost
    assert s[(sure,)].benefit > s[(stale,)].benefit
    assert s[(touchy,)].cost > s[(sure,)].cost and s[(touchy,)].sensitive
    assert s[(sure,)].score == max(x.score for x in s.values())


def test_same_thing_is_not_suggested_twice_and_follows_revisions(make_familiar):
    fam = make_familiar()
    pid = add(fam, "The user loves Thai food.")
    first = fam.suggestions()
    again = fam.suggestions()
    assert [s.id for s in first] == [s.id for s in again]
    count = fam.ledger._query("SELECT count(*) FROM suggestions")[0][0]
    assert count == 1
    new_id = fam.edit_proposition(pid, "The user loves Thai and Lao food.")
    after = fam.suggestions()
    assert [s.id for s in after] == [first[0].id]  # the same suggestion, not a new one
    assert after[0].proposition_ids == [new_id]
    assert fam.ledger._query("SELECT count(*) FROM suggestions")[0][0] == 1


# -- with a language model ----------------------------------------------------------------
def test_model_suggestions_are_used_when_valid(make_familiar):
    llm = ScriptedLLM()
    fam = make_familiar(model=llm)
    thai = add(fam, "The user loves Thai food.")
    run = add(fam, "The user runs every morning.", kind="habit", confidence=7)
    llm.enqueue({"suggestions": [{
        "text": "Want me to find a Thai cooking class near you this month?",
        "why": "You love Thai food.", "propositions": [thai]}]})
    found = fam.suggestions()
    call = llm.history[0]
    assert call["schema"] == SUGGEST_SCHEMA
    prompt = call["messages"][-1]["content"]
    assert f"[{thai}] The user loves Thai food." in prompt and f"[{run}]" in prompt
    s = by_props(found)
    assert s[(thai,)].text == "Want me to find a Thai cooking class near you this month?"
    assert s[(thai,)].origin == "llm" and s[(thai,)].why == "You love Thai food."
    assert s[(run,)].origin == "rule"  # what the model left out comes from the rules
    assert len(found) == 2
    fam.suggestions()  # everything is covered: the model is not asked again
    assert len(llm.history) == 1


@pytest.mark.parametrize("answer", [
    "I would suggest cooking Thai food!",  # not JSON
    {"suggestions": [{"text": "Want me to plan a trip?", "why": "", "propositions": [999]}]},
    {"suggestions": [{"text": "Want a Thai cookbook?", "propositions": [1], "extra": 1}]},
    {"suggestions": [{"text": "short", "why": "", "propositions": [1]}]},
    {"suggestions": [{"text": "Want me to plan a trip?", "why": "", "propositions": []}]},
])
def test_bad_model_output_falls_back_to_the_rules(make_familiar, answer):
    llm = ScriptedLLM([answer])
    fam = make_familiar(model=llm)
    thai = add(fam, "The user loves Thai food.")
    assert thai == 1
    found = fam.suggestions()
    assert [(s.text, s.origin, s.proposition_ids) for s in found] == [
        ("Want me to look for something new around Thai food for you?", "rule", [thai])]
    assert not llm.queue


def test_unknown_ids_drop_only_that_suggestion(make_familiar):
    llm = ScriptedLLM()
    fam = make_familiar(model=llm)
    thai = add(fam, "The user loves Thai food.")
    llm.enqueue({"suggestions": [
        {"text": "Want me to book a table at a Thai place?", "why": "", "propositions": [thai]},
        {"text": "Want me to plan your trip to Mars?", "why": "", "propositions": [thai, 4242]}]})
    found = fam.suggestions()
    assert [s.text for s in found] == ["Want me to book a table at a Thai place?"]


def test_model_suggestions_must_rest_on_what_they_cite(make_familiar):
    llm = ScriptedLLM()
    fam = make_familiar(model=llm)
    thai = add(fam, "The user loves Thai food.")
    run = add(fam, "The user runs every morning.", kind="habit", confidence=7)
    llm.enqueue({"suggestions": [
        # what a 135M model tends to do: read the statements back
        {"text": "The user loves Thai food.", "why": "", "propositions": [thai]},
        {"text": "You love Thai food.", "why": "", "propositions": [thai]},
        # an offer about something else than what it cites
        {"text": "Want me to find a chess club near you?", "why": "", "propositions": [run]},
        # a good offer with a reason about something else: the reason is rewritten
        {"text": "Want me to book a table at a Thai place?", "why": "You run every morning.",
         "propositions": [thai]}]})
    found = fam.suggestions()
    s = by_props(found)
    assert s[(thai,)].text == "Want me to book a table at a Thai place?"
    assert s[(thai,)].origin == "llm"
    assert s[(thai,)].why.startswith("You love Thai food. (confidence 8/10")
    assert s[(run,)].origin == "rule" and s[(run,)].text == "Want a reminder to run every morning?"
    assert len(found) == 2


def test_the_tiny_embedded_model_is_not_asked_by_default(make_familiar):
    fam = make_familiar(llm={"backend": "embedded"})
    assert fam.suggester.use_llm is False
    fam = make_familiar(llm={"backend": "embedded"}, notify={"suggest_with_llm": True})
    assert fam.suggester.use_llm is True
    assert make_familiar().suggester.use_llm is True


def test_the_model_is_asked_about_each_proposition_once(make_familiar):
    llm = ScriptedLLM([{"suggestions": []}])
    fam = make_familiar(model=llm)
    add(fam, "Prefers concise answers.", kind="inferred")  # no rule offer for this form
    assert fam.suggestions() == []
    assert fam.suggestions() == []
    assert len(llm.history) == 1


def test_a_dead_model_never_stops_suggestions(make_familiar):
    fam = make_familiar(model=DeadLLM())
    add(fam, "The user loves Thai food.")
    assert [s.origin for s in fam.suggestions()] == ["rule"]


# -- feedback -----------------------------------------------------------------------------
def test_dismiss_lowers_the_weight_of_its_propositions(make_familiar):
    llm = ScriptedLLM()
    fam = make_familiar(model=llm)
    jazz = add(fam, "The user loves jazz.", confidence=8)
    chess = add(fam, "The user loves chess.", confidence=7)
    llm.enqueue({"suggestions": [
        {"text": "Want me to find jazz concerts near you?", "why": "", "propositions": [jazz]},
        {"text": "Want me to find a jazz record you have not heard?", "why": "", "propositions": [jazz]},
        {"text": "Want me to find a chess club near you?", "why": "", "propositions": [chess]}]})
    before = {s.text: s for s in fam.suggestions()}
    concerts = before["Want me to find jazz concerts near you?"]
    record = before["Want me to find a jazz record you have not heard?"]
    club = before["Want me to find a chess club near you?"]
    assert record.score > club.score
    fam.suggestion_feedback(concerts.id, "dismiss")
    assert fam.suggester.weight(jazz) == pytest.approx(0.5)
    assert fam.suggester.weight(chess) == 1.0
    after = {s.text: s for s in fam.suggestions()}
    assert concerts.text not in after  # dismissed: not suggested again
    assert after[record.text].score < after[club.text].score
    assert after[record.text].benefit == pytest.approx(record.benefit * 0.5, rel=0.01)
    row = fam.ledger._query("SELECT status FROM suggestions WHERE id=?", (concerts.id,))[0][0]
    assert row == "dismissed"


def test_accept_is_recorded_and_the_suggestion_is_done(make_familiar):
    fam = make_familiar()
    add(fam, "The user loves Thai food.")
    (s,) = fam.suggestions()
    done = fam.suggestion_feedback(s.id, "accept")
    assert done.status == "accepted"
    assert fam.suggestions() == []
    assert fam.ledger._query("SELECT action FROM suggestion_feedback")[0][0] == "accept"


def test_never_mutes_similar_topics(make_familiar):
    fam = make_familiar()
    thai = add(fam, "The user loves Thai food.")
    add(fam, "The user runs every morning.", kind="habit")
    s = by_props(fam.suggestions())
    fam.suggestion_feedback(s[(thai,)].id, "never")
    curry = add(fam, "The user enjoys Thai curry.")  # similar (cosine ≈ 0.85)
    italian = add(fam, "The user loves Italian food.")  # related, not the same topic (≈ 0.62)
    after = fam.suggestions()
    cited = {pid for x in after for pid in x.proposition_ids}
    assert curry not in cited and thai not in cited
    assert italian in cited
    assert len(after) == 2
    mute = fam.ledger._query("SELECT topic, keywords FROM muted_topics")[0]
    assert mute[0] == "The user loves Thai food." and "thai" in json.loads(mute[1])


def test_later_hides_a_suggestion_then_it_returns(make_familiar):
    fam = make_familiar(notify={"later_hours": 3})
    add(fam, "The user loves Thai food.")
    t0 = now_utc()
    (s,) = fam.suggestions(now=t0)
    fam.suggestion_feedback(s.id, "later", now=t0)
    assert fam.suggestions(now=t0 + timedelta(hours=1)) == []
    assert fam.suggestions(now=t0 + timedelta(hours=2, minutes=59)) == []
    back = fam.suggestions(now=t0 + timedelta(hours=3, minutes=1))
    assert [x.id for x in back] == [s.id] and back[0].status == "later"


def test_unknown_action_or_id_is_one_clear_error(make_familiar):
    from assistant.errors import UsageError

    fam = make_familiar()
    add(fam, "The user loves Thai food.")
    (s,) = fam.suggestions()
    with pytest.raises(UsageError, match="accept, dismiss, later, never"):
        fam.suggestion_feedback(s.id, "snooze")
    with pytest.raises(UsageError, match="no suggestion 77"):
        fam.suggestion_feedback(77, "accept")


# -- forgetting follows derivations ---------------------------------------------------------
def test_forgetting_the_evidence_removes_suggestions_and_mutes(make_familiar):
    fam = make_familiar()
    learn(fam, "I love Thai food.", "I run every morning.")
    found = fam.suggestions()
    assert len(found) == 2
    fam.suggestion_feedback(found[0].id, "never")
    fam.forget(ids=[1])
    texts = [r[0] for r in fam.ledger._query("SELECT text FROM suggestions")]
    assert all("Thai" not in t for t in texts)
    fam.forget(everything=True)
    assert fam.ledger._query("SELECT count(*) FROM suggestions")[0][0] == 0
    assert fam.ledger._query("SELECT count(*) FROM muted_topics")[0][0] == 0


def test_rejected_propositions_take_their_suggestions_away(make_familiar):
    fam = make_familiar()
    thai = add(fam, "The user loves Thai food.")
    assert fam.suggestions()
    fam.reject_proposition(thai)
    assert fam.suggestions() == []


# -- the command line -------------------------------------------------------------------------
def test_cli_suggest_json_and_feedback(make_familiar, capsys, monkeypatch):
    from assistant.cli import main

    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")
    fam = make_familiar()
    thai = add(fam, "The user loves Thai food.")
    fam.close()
    assert main(["suggest", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 1
    item = out[0]
    assert {"id", "text", "why", "score", "benefit", "cost", "interruption",
            "propositions"} <= set(item)
    assert item["propositions"] == [thai]
    assert item["text"] == "Want me to look for something new around Thai food for you?"
    assert main(["suggest", "dismiss", str(item["id"])]) == 0
    assert f"suggestion {item['id']} dismissed" in capsys.readouterr().out
    assert main(["suggest", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["suggest", "accept"]) == 2
    assert "Say which suggestion" in capsys.readouterr().err

"""The GUM pipeline with a scripted LLM: exact propose / relate / revise behaviour on
real SQLite, real Chroma and the real embedder."""

from __future__ import annotations

from assistant.errors import ModelError
from assistant.services import NewObservation
from tests.fakes import ScriptedLLM


def observe(fam, text, role="user", ext=None, source="chat"):
    oid, _ = fam.observe(NewObservation(source=source, text=text, role=role, external_id=ext))
    return oid


def proposals(*items):
    return {"propositions": [
        {"text": t, "reasoning": r, "confidence": c, "decay": d, "evidence": e}
        for t, r, c, d, e in items]}


def current(fam):
    return {p.text: p for p in fam.ledger.list_propositions()}


def test_rules_alone_learn_a_stated_preference_with_its_evidence(fam):
    oid = observe(fam, "I'm vegetarian and I can't stand cilantro.", ext="m1")
    observe(fam, "Can you help me fix this pandas merge error?", ext="m2")
    report = fam.user_model.process()
    props = current(fam)
    assert report.still_pending == 0
    veg = props["The user is vegetarian."]
    assert [e.external_id for e in veg.evidence] == ["m1"]
    assert veg.evidence[0].observation_id == oid
    assert any("cilantro" in t for t in props)
    assert not any("pandas" in t for t in props)
    assert 1 <= veg.confidence <= 10 and 1 <= veg.decay <= 10
    assert fam.memory.in_step()


def test_model_proposals_are_validated_grounded_and_capped(make_familiar):
    llm = ScriptedLLM().enqueue(proposals(
        ("The user practises Python data analysis with pandas.", "asked about pandas merge", 9, 4, [1]),
        ("The user is the president of France.", "made up", 10, 10, [1]),  # not grounded
        ("Paris is a city.", "not about the user", 7, 7, [1]),
    ))
    fam = make_familiar(model=llm)
    observe(fam, "Can you help me fix this pandas merge error in my analysis notebook?")
    report = fam.user_model.process()
    props = current(fam)
    assert report.processed == 1 and report.still_pending == 0
    (p,) = [p for p in props.values() if p.origin == "llm"]
    assert "pandas" in p.text
    assert p.confidence == 8  # capped for a model-proposed claim
    assert not any("France" in t or "Paris" in t for t in props)
    # the prompt carried the observation as numbered data, and asked for the schema
    call = llm.history[0]
    assert "[1] (chat, user) Can you help me fix this pandas merge error" in call["messages"][-1]["content"]
    assert call["schema"]["required"] == ["propositions"]


def test_assistant_messages_do_not_go_to_the_model(make_familiar):
    llm = ScriptedLLM()
    fam = make_familiar(model=llm)
    observe(fam, "Sure! Here is a recipe for lentil soup.", role="assistant")
    fam.user_model.process()
    assert llm.history == []
    assert fam.ledger.counts().pending == 0


def test_malformed_output_is_retried_once_then_the_batch_stays_pending(make_familiar):
    llm = ScriptedLLM().enqueue('{"propositions": [{"text": "The user', "")
    fam = make_familiar(model=llm)
    oid = observe(fam, "I spend my weekends restoring old motorbikes.")
    report = fam.user_model.process()
    assert len(llm.history) == 2  # the first try and one retry
    assert report.llm_failed_batches == 1 and report.still_pending == 1
    row = fam.ledger.db.execute(
        "SELECT llm_attempts, last_error, extracted_at FROM observations WHERE id=?", (oid,)).fetchone()
    assert row[0] == 1 and "not valid twice" in row[1] and row[2] is not None
    # the rules still learned from it, once
    assert any("motorbikes" in t for t in current(fam))
    # the next run retries the model, and succeeds this time
    llm.enqueue(proposals(("The user restores old motorbikes.", "said so", 9, 8, [1])))
    report = fam.user_model.process()
    assert report.still_pending == 0 and fam.ledger.counts().failed == 0


def test_wrong_types_and_out_of_range_values_are_rejected(make_familiar):
    bad = [{"propositions": [{"text": "The user likes chess.", "reasoning": "x",
                              "confidence": 42, "decay": 3, "evidence": [1]}]},
           {"propositions": "nope"}]
    llm = ScriptedLLM().enqueue(*bad)
    fam = make_familiar(model=llm)
    observe(fam, "chess openings: sicilian defence notes")
    report = fam.user_model.process()
    assert report.llm_failed_batches == 1
    assert all(p.confidence <= 10 for p in fam.ledger.list_propositions(status=None))


def test_a_dead_model_keeps_everything_pending(make_familiar):
    llm = ScriptedLLM().enqueue(ModelError("Cannot reach the model server"))
    fam = make_familiar(model=llm)
    observe(fam, "I'm learning Japanese for a trip next spring.")
    report = fam.user_model.process()
    assert report.still_pending == 1 and "Cannot reach" in report.errors[0]


def test_identical_claim_corroborates_by_a_new_revision(make_familiar):
    llm = ScriptedLLM()
    fam = make_familiar(model=llm)
    observe(fam, "I'm vegetarian.", ext="a")
    llm.enqueue(proposals())
    fam.user_model.process()
    (first,) = fam.ledger.list_propositions()
    observe(fam, "As I said, I am vegetarian.", ext="b")
    llm.enqueue(proposals())
    fam.user_model.process()
    (now,) = [p for p in fam.ledger.list_propositions() if "vegetarian" in p.text]
    assert now.id != first.id and now.confidence == first.confidence + 1
    assert sorted(e.external_id for e in now.evidence) == ["a", "b"]
    old = fam.ledger.proposition(first.id)
    assert old.status == "superseded"  # kept, not deleted
    (rev,) = fam.ledger.history(now.id)
    assert rev.old_id == first.id and rev.new_id == now.id and "corroborated" in rev.reason


def test_similar_claim_is_merged_by_the_model_when_its_revision_holds(make_familiar):
    llm = ScriptedLLM()
    fam = make_familiar(model=llm)
    observe(fam, "note to self: I like jazz", source="note")
    llm.enqueue(proposals())
    fam.user_model.process()
    (old,) = [p for p in fam.ledger.list_propositions() if "jazz" in p.text]
    observe(fam, "Put on some jazz music please, I really love jazz piano.")
    llm.enqueue(
        proposals(),  # propose: nothing beyond the rules
    )
    # the rule candidate "The user really loves jazz piano." is similar, not identical;
    # the model is asked to revise, and its answer is kept when it still says both things
    llm.queue.insert(0, {"text": "The user likes jazz, especially jazz piano.",
                         "reasoning": "both observations", "confidence": 9, "decay": 8})
    fam.user_model.process()
    texts = [p.text for p in fam.ledger.list_propositions() if "jazz" in p.text]
    assert "The user likes jazz, especially jazz piano." in texts
    assert fam.ledger.proposition(old.id).status == "superseded"


def test_a_contradiction_supersedes_with_the_reason(fam):
    observe(fam, "I love horror movies.")
    fam.user_model.process()
    (old,) = fam.ledger.list_propositions()
    observe(fam, "I don't love horror movies.")
    fam.user_model.process()
    (new,) = fam.ledger.list_propositions()
    assert "don't" in new.text or "doesn't" in new.text
    assert fam.ledger.proposition(old.id).status == "superseded"
    assert "contradicted" in fam.ledger.history(new.id)[0].reason


def test_user_confirmed_propositions_are_not_overwritten(fam):
    observe(fam, "I love horror movies.")
    fam.user_model.process()
    (p,) = fam.ledger.list_propositions()
    fam.confirm_proposition(p.id)
    observe(fam, "I don't love horror movies.")
    fam.user_model.process()
    confirmed = fam.ledger.proposition(p.id)
    assert confirmed.status == "current" and confirmed.user_confirmed and confirmed.confidence == 10
    conflicts = fam.ledger.conflicts(p.id)
    assert len(conflicts) == 1 and conflicts[0][1] == p.id


def test_rejected_propositions_are_not_learned_again(fam):
    observe(fam, "I love horror movies.", ext="1")
    fam.user_model.process()
    (p,) = fam.ledger.list_propositions()
    fam.reject_proposition(p.id)
    observe(fam, "I love horror movies.", ext="2")
    report = fam.user_model.process()
    assert fam.ledger.list_propositions() == []
    assert report.changes.dropped


def test_reprocessing_the_same_observation_adds_nothing(fam):
    observe(fam, "I'm allergic to peanuts.")
    fam.user_model.process()
    before = fam.ledger.list_propositions(status=None)
    fam.ledger.db.execute("UPDATE observations SET extracted_at=NULL, processed_at=NULL")
    fam.user_model.process()
    after = fam.ledger.list_propositions(status=None)
    assert [(p.id, p.confidence) for p in before] == [(p.id, p.confidence) for p in after]

"""Hybrid recall on the real embedder and a real Chroma store."""

from __future__ import annotations

from datetime import timedelta

from assistant.recall import freshness, half_life_hours
from memory.models import Candidate, Proposition
from memory.timeutil import now_utc


def add(fam, text, confidence=7, decay=7, at=None, ext=None):
    from assistant.services import NewObservation

    oid, _ = fam.observe(NewObservation(source="chat", text=text, at=at, external_id=ext))
    with fam.ledger.transaction():
        pid = fam.ledger.insert_proposition(Candidate(
            text=text, reasoning="test", confidence=confidence, decay=decay, evidence=[oid]))
        fam.ledger.mark_extracted([oid])
        fam.ledger.mark_processed([oid])
    fam.memory.sync()
    return pid


def texts(results):
    return [r.proposition.text for r in results]


def test_recall_finds_by_meaning_and_carries_evidence(fam):
    veg = add(fam, "The user is vegetarian.", confidence=8, decay=9, ext="m1")
    add(fam, "The user is debugging a pandas merge.", confidence=3, decay=2)
    add(fam, "The user plays the cello in an orchestra.")
    add(fam, "The user lives in Lyon.")
    results = fam.recaller.recall("what should I cook tonight?", k=5)
    assert results[0].proposition.id == veg
    assert results[0].proposition.evidence[0].external_id == "m1"
    assert results[0].score == max(r.score for r in results)  # MMR may reorder the rest


def test_decay_direction_durable_claims_outlast_fleeting_ones():
    assert half_life_hours(1) == 6.0
    assert half_life_hours(10) == 180 * 24
    assert all(half_life_hours(d) < half_life_hours(d + 1) for d in range(1, 10))
    now = now_utc()

    def prop(decay, age):
        t = now - age
        return Proposition(id=1, text="x", reasoning="", confidence=5, decay=decay,
                           status="current", created_at=t, updated_at=t, last_evidence_at=t)

    day = timedelta(days=1)
    assert freshness(prop(1, day), now) < 0.1  # fades within a day
    assert freshness(prop(10, 60 * day), now) > 0.75  # stays for months
    assert freshness(prop(10, day), now) > freshness(prop(1, day), now)


def test_fresh_durable_beats_stale_fleeting_for_the_same_relevance(fam):
    now = now_utc()
    stale = add(fam, "The user is tired today.", decay=1, at=now - timedelta(days=3))
    durable = add(fam, "The user is often tired in the evenings.", decay=8,
                  at=now - timedelta(days=3))
    results = fam.recaller.recall("is the user tired?", k=2)
    assert [r.proposition.id for r in results] == [durable, stale]


def test_confidence_weighs_in(fam):
    low = add(fam, "The user might like sushi.", confidence=2)
    high = add(fam, "The user loves sushi.", confidence=9)
    results = fam.recaller.recall("sushi", k=2)
    assert results[0].proposition.id == high and results[1].proposition.id == low


def test_keyword_match_rescues_rare_names(fam):
    # A rare proper noun that the embedder knows little about: BM25 finds it.
    target = add(fam, "The user's cat is called Zorblax.")
    for t in ["The user has a dog.", "The user likes cats.", "The user feeds pets twice a day.",
              "The user's cat sleeps a lot."]:
        add(fam, t)
    results = fam.recaller.recall("Zorblax", k=3)
    assert results[0].proposition.id == target
    assert results[0].keyword == 1.0


def test_mmr_prefers_variety_over_near_copies(fam):
    add(fam, "The user loves Italian food.", confidence=8)
    add(fam, "The user really loves Italian food.", confidence=8)
    add(fam, "The user loves Italian cuisine a lot.", confidence=8)
    thai = add(fam, "The user enjoys spicy Thai curries.", confidence=8)
    results = fam.recaller.recall("what food does the user love?", k=2)
    assert thai in [r.proposition.id for r in results]


def test_only_current_propositions_are_recalled(fam):
    p = add(fam, "The user is vegetarian.")
    fam.reject_proposition(p)
    assert fam.recaller.recall("vegetarian", k=5) == []


def test_an_index_that_fell_behind_the_ledger_heals(make_familiar):
    fam = make_familiar()
    add(fam, "The user is vegetarian.")
    # a crash between the ledger commit and the index: the queue still holds the change
    fam.memory.index.reset()
    fam.ledger.db.execute("INSERT INTO index_queue(proposition_id, op) "
                          "SELECT id, 'upsert' FROM propositions")
    fam.close()
    fam2 = make_familiar()
    assert fam2.memory.in_step()
    assert texts(fam2.recaller.recall("vegetarian"))[0] == "The user is vegetarian."


def test_a_given_vector_stands_for_the_query_and_candidate_vectors_are_kept(fam, monkeypatch):
    """recall(query, vector=v) ranks by v (the keyword part still reads the query), and
    a candidate's vector is fetched from the index once, then kept: a proposition's
    text never changes under its id."""
    cello = add(fam, "The user plays the cello in an orchestra.")
    veg = add(fam, "The user is vegetarian.")
    music = fam.memory.embed(["classical music concerts"])[0]
    fetched = []
    real = fam.memory.index.vectors

    def counting(ids):
        fetched.append(sorted(ids))
        return real(ids)

    monkeypatch.setattr(fam.memory.index, "vectors", counting)
    by_vector = fam.recaller.recall("what should I cook tonight?", k=2, vector=music)
    assert by_vector[0].proposition.id == cello
    by_text = fam.recaller.recall("what should I cook tonight?", k=2)
    assert by_text[0].proposition.id == veg
    assert fetched == [sorted([cello, veg])]  # the second recall found both in the cache

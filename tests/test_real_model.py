"""The real embedded models end to end: SmolLM2-135M (llama.cpp) in the pipeline and
all-MiniLM-L6-v2 for recall. Marked `model`; they run in CI."""

from __future__ import annotations

import json

import pytest

from assistant.cli import main
from assistant.services import NewObservation

pytestmark = pytest.mark.model

CHATTER = [
    ("user", "Can you convert this fibonacci function to Go?"),
    ("assistant", "Sure, here is the Go version using a map for memoization."),
    ("user", "What's the difference between a list and a tuple in Python?"),
    ("assistant", "Lists are mutable, tuples are immutable."),
    ("user", "Write a haiku about autumn leaves."),
    ("assistant", "Crimson leaves falling / whispering to the cold ground / autumn says goodbye"),
    ("user", "How do I center a div in CSS?"),
    ("assistant", "Use flexbox: display flex, justify-content center, align-items center."),
]


@pytest.fixture
def embedded(make_familiar):
    return make_familiar(llm={"backend": "embedded", "model": "smollm2"})


def feed(fam, preference):
    turns = [("user", preference), ("assistant", "Got it, I'll keep that in mind."), *CHATTER]
    fam.observe_many([NewObservation("chat", t, role=r, external_id=f"m{i}")
                      for i, (r, t) in enumerate(turns)])


def test_a_stated_preference_is_recalled_for_a_later_request(embedded):
    feed(embedded, "I'm allergic to shellfish, so I never eat shrimp or crab.")
    report = embedded.user_model.process()
    assert report.still_pending == 0, report.errors
    assert report.llm_batches >= 1  # the model really ran
    results = embedded.recaller.recall(
        "Can you suggest a restaurant for a seafood dinner by the harbour?", k=5)
    assert any(e.external_id == "m0" for r in results for e in r.proposition.evidence), \
        [r.proposition.text for r in results]
    # whatever the model proposed is within the schema and capped for a tiny model
    for p in embedded.ledger.list_propositions(status=None):
        assert 1 <= p.confidence <= 10 and 1 <= p.decay <= 10
        if p.origin == "llm":
            assert p.confidence <= 5 and not p.user_confirmed


def test_a_stated_preference_changes_what_is_recalled(embedded):
    query = "What should I watch tonight?"
    feed(embedded, "I love old black-and-white film noir movies, especially ones from the 1940s.")
    embedded.user_model.process()
    top = [r.proposition.text for r in embedded.recaller.recall(query, k=3)]
    assert any("noir" in t for t in top), top


def test_the_cli_runs_the_embedded_model(capsys, monkeypatch):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "embedded")
    assert main(["observe", "--source", "chat", "--id", "m1",
                 "I'm vegetarian and I can't stand cilantro."]) == 0
    assert main(["observe", "--source", "chat", "--id", "m2",
                 "Can you help me fix this pandas merge error?"]) == 0
    assert main(["process", "--json"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out[out.index("{"):])
    assert report["still_pending"] == 0 and report["llm_batches"] >= 1
    assert main(["recall", "what should I cook tonight?", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    veg = [r for r in results if "vegetarian" in r["text"].lower()]
    assert veg and any(e["external_id"] == "m1" for e in veg[0]["evidence"])

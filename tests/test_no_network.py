"""Nothing leaves the machine: the real `familiar` process runs ingest, process (rules
and the embedded language model), recall, chat and capture with every outbound
connection and name lookup to a non-loopback address refused at the socket layer,
and the test fails on any attempt. The process must also switch Chroma's telemetry
and the Hugging Face hub off by itself (the test removes those variables first)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

GUARD = textwrap.dedent('''
    """Installed before Familiar starts: refuses and records every attempt to reach
    a non-loopback address (connect, connect_ex, sendto, create_connection, DNS)."""
    import atexit, ipaddress, json, os, socket, sys

    LOG = os.environ["NETGUARD_LOG"]
    attempts = []

    def _local(host):
        if host is None:
            return True
        if isinstance(host, bytes):
            host = host.decode(errors="replace")
        host = str(host).strip("[]")
        if host in ("localhost", "", "ip6-localhost"):
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False

    def _refuse(what, target):
        attempts.append({"call": what, "target": repr(target)[:200]})
        raise OSError(101, f"network blocked by the test: {what} {target!r}")

    def _check(sock_or_family, address, what):
        family = getattr(sock_or_family, "family", sock_or_family)
        if family == getattr(socket, "AF_UNIX", None) or isinstance(address, (str, bytes)):
            return  # a Unix socket (the X server, D-Bus...)
        host = address[0] if isinstance(address, tuple) else address
        if not _local(host):
            _refuse(what, address)

    _connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
    _create_connection, _getaddrinfo = socket.create_connection, socket.getaddrinfo

    def connect(self, address):
        _check(self, address, "connect")
        return _connect(self, address)

    def connect_ex(self, address):
        _check(self, address, "connect_ex")
        return _connect_ex(self, address)

    def sendto(self, data, *args):
        _check(self, args[-1], "sendto")
        return _sendto(self, data, *args)

    def create_connection(address, *args, **kwargs):
        _check(socket.AF_INET, address, "create_connection")
        return _create_connection(address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        if not _local(host):
            _refuse("getaddrinfo", host)
        return _getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.socket.sendto = sendto
    socket.create_connection, socket.getaddrinfo = create_connection, getaddrinfo

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
        state = {"attempts": attempts, "env": {k: os.environ.get(k) for k in (
            "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY",
            "HF_HUB_DISABLE_TELEMETRY")}, "chroma_telemetry": telemetry or None}
        with open(LOG, "a") as f:
            f.write(json.dumps(state) + "\\n")
''')

RUN = ("import sys, runpy, _netguard; sys.argv = ['familiar'] + sys.argv[1:]; "
       "runpy.run_module('assistant.cli', run_name='__main__')")
PRIVATE_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "ANONYMIZED_TELEMETRY",
               "HF_HUB_DISABLE_TELEMETRY")


@pytest.fixture
def guarded(tmp_path):
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "_netguard.py").write_text(GUARD)
    log = tmp_path / "net.log"
    home = tmp_path / "home"
    repo = Path(__file__).resolve().parents[1]

    def familiar(*argv: str, stdin: str | None = None, backend: str = "none",
                 display: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in PRIVATE_ENV}
        env.update(FAMILIAR_HOME=str(home), FAMILIAR_LLM__BACKEND=backend, NETGUARD_LOG=str(log),
                   PYTHONPATH=os.pathsep.join([str(guard_dir), str(repo)]))
        # proxies would make clients try them first; a real user may have them
        env.update(HTTP_PROXY="http://203.0.113.1:3128", HTTPS_PROXY="http://203.0.113.1:3128")
        env.pop("WAYLAND_DISPLAY", None)
        if display:
            env["DISPLAY"] = display
        r = subprocess.run([sys.executable, "-c", RUN, *argv], env=env, input=stdin,
                           capture_output=True, text=True, timeout=600, cwd=repo)
        return r

    familiar.log = log
    return familiar


def reports(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_the_guard_catches_an_outbound_connection(guarded, tmp_path):
    """The guard itself works: a deliberate connection is refused and recorded."""
    r = subprocess.run(
        [sys.executable, "-c", "import _netguard, socket\n"
         "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
         "except OSError as e:\n    print('refused', e)\n"
         "try:\n    socket.getaddrinfo('example.com', 443)\n"
         "except OSError as e:\n    print('refused', e)\n"],
        env={**os.environ, "NETGUARD_LOG": str(guarded.log),
             "PYTHONPATH": str(tmp_path / "guard")}, capture_output=True, text=True, timeout=60)
    assert r.stdout.count("refused") == 2, r.stderr
    assert [a["call"] for a in reports(guarded.log)[0]["attempts"]] == ["create_connection",
                                                                          "getaddrinfo"]


@pytest.mark.slow
@pytest.mark.model
def test_nothing_leaves_the_machine(guarded):
    lines = [{"source": "chat", "text": "I'm vegetarian and I can't stand cilantro."},
             {"source": "chat", "text": "I love sailing; I go sailing most weekends with my club."},
             {"source": "note", "text": "Dentist appointment moved to Friday 3pm."}]
    steps = [
        guarded("ingest", "-", stdin="\n".join(json.dumps(x) for x in lines)),
        guarded("process"),  # rules, the embedder and the sensitivity audit
        guarded("recall", "dinner ideas", "--json"),
        guarded("observe", "--source", "chat", "I'm learning the cello, lessons every Tuesday."),
        guarded("process", "--budget", "1", backend="embedded"),  # the embedded GGUF model
        guarded("chat", "What should I cook tonight?", "--json", backend="embedded"),
        guarded("export", str(guarded.log.parent / "model.json")),
    ]
    for r in steps:
        assert r.returncode == 0, r.stderr
    assert "vegetarian" in steps[2].stdout
    assert json.loads(steps[5].stdout)["answer"].strip()
    runs = reports(guarded.log)
    assert len(runs) == len(steps)
    for run in runs:
        assert run["attempts"] == [], run["attempts"]
    loaded = [r for r in runs if r["chroma_telemetry"]]
    assert loaded and all(t is False for r in loaded for t in r["chroma_telemetry"])
    for run in runs[1:3]:  # the embedder was loaded: the hub is offline
        assert run["env"]["HF_HUB_OFFLINE"] == "1" and run["env"]["TRANSFORMERS_OFFLINE"] == "1"
        assert run["env"]["ANONYMIZED_TELEMETRY"] == "False"


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
    (run,) = reports(guarded.log)
    assert run["attempts"] == [], run["attempts"]

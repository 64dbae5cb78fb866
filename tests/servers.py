"""Real servers for tests, on loopback: a Chroma server, a llama.cpp (llama-cpp-python)
server, and a socket that accepts connections and never answers. Each starts in the
background, is waited for until it answers, and is stopped by ``stop()``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Process:
    """A server process in its own process group, its output in a log file."""

    health_path = "/"
    start_timeout_s = 60.0

    def __init__(self, argv: list[str], port: int, log: Path, env: dict | None = None):
        self.argv, self.port, self.log = argv, port, log
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "_Process":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("ab")
        self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=self.env,
                                     start_new_session=True)
        out.close()
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited with {self.proc.returncode}: "
                                   f"{self.log.read_text(errors='replace')[-2000:]}")
            if self.healthy():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.argv} did not answer within {self.start_timeout_s:g} s: "
                           f"{self.log.read_text(errors='replace')[-2000:]}")

    def healthy(self) -> bool:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(self.base + self.health_path, timeout=2) as r:
                return r.status == 200
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


class ChromaServer(_Process):
    """``chroma run`` on a data dir; stopping and starting it again keeps the data."""

    health_path = "/api/v2/heartbeat"

    def __init__(self, path: Path, port: int | None = None):
        port = port or free_port()
        super().__init__([str(VENV_BIN / "chroma"), "run", "--path", str(path), "--host",
                          "127.0.0.1", "--port", str(port)], port, path.parent / "chroma.log",
                         env={"ANONYMIZED_TELEMETRY": "False"})

    @property
    def url(self) -> str:
        return self.base


class LlamaServer(_Process):
    """llama-cpp-python's OpenAI-compatible server on one GGUF file."""

    health_path = "/v1/models"
    start_timeout_s = 120.0

    def __init__(self, model: Path, log: Path, port: int | None = None, n_ctx: int = 2048):
        port = port or free_port()
        super().__init__([sys.executable, "-m", "llama_cpp.server", "--model", str(model),
                          "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
                          "--seed", "0"], port, log)

    @property
    def url(self) -> str:
        return self.base + "/v1"


class SilentServer:
    """Accepts TCP connections and never answers: what a hung server looks like."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted.append(conn)  # held open, never read from or written to

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for c in self.accepted:
            c.close()
        self.sock.close()

"""One desktop app per data dir, and no move from under a running app
(assistant/app_lock.py): real flock locks, across real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from assistant.app_lock import ALREADY_RUNNING, DataDirLock, app_running
from tests.test_cli import run, snapshot

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock: Linux and macOS")

HOLD = """
import sys, time
from pathlib import Path
from assistant.app_lock import DataDirLock
lock = DataDirLock(Path(sys.argv[1]))
assert lock.acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_a_lock_is_seen_by_others_and_dies_with_its_process(tmp_path):
    assert not app_running(tmp_path)
    lock = DataDirLock(tmp_path)
    assert lock.acquire() and lock.held
    assert app_running(tmp_path)  # another probe, even in this process
    assert not DataDirLock(tmp_path).acquire()
    lock.release()
    assert not app_running(tmp_path)

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], cwd=root,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        assert app_running(tmp_path)
        os.kill(proc.pid, signal.SIGKILL)  # a crashed app leaves no stale lock
        proc.wait(10)
        deadline = time.monotonic() + 5
        while app_running(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not app_running(tmp_path)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_no_move_and_no_second_app_while_an_app_holds_the_data(capsys, familiar_home, tmp_path,
                                                              monkeypatch):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")
    assert run(capsys, "observe", "--source", "chat", "I'm vegetarian.")[0] == 0
    app = DataDirLock(familiar_home / "data")  # as the running app holds it
    assert app.acquire()
    try:
        before = snapshot(familiar_home)
        code, _, err = run(capsys, "move-data", str(tmp_path / "elsewhere"))
        assert code != 0 and "app is using this data" in err and err.count("\n") == 1
        assert snapshot(familiar_home) == before and not (tmp_path / "elsewhere").exists()

        code, _, err = run(capsys)  # `familiar` alone: the app, refused before any window
        assert code != 0 and ALREADY_RUNNING.split(";")[0] in err
        # the other commands share the data with the app
        assert run(capsys, "recall", "dinner")[0] == 0
    finally:
        app.release()
    assert run(capsys, "move-data", str(tmp_path / "elsewhere"))[0] == 0


def test_on_windows_the_lock_is_msvcrt_locking(tmp_path, monkeypatch):
    """Without fcntl the lock is msvcrt.locking of the file's first byte, non-blocking:
    a fake msvcrt with Windows' semantics (a second lock on a locked range fails)."""
    import types

    from assistant import app_lock

    locked: dict[str, int] = {}  # path -> the fd holding it
    calls = []

    def locking(fd, mode, nbytes):
        calls.append((mode, nbytes, os.lseek(fd, 0, os.SEEK_CUR)))
        path = os.path.realpath(f"/proc/self/fd/{fd}")
        if mode == fake.LK_NBLCK:
            if path in locked:
                raise PermissionError(13, "Permission denied")
            locked[path] = fd
        elif mode == fake.LK_UNLCK:
            locked.pop(path, None)

    fake = types.SimpleNamespace(LK_NBLCK=2, LK_UNLCK=0, locking=locking)
    monkeypatch.setattr(app_lock, "fcntl", None)  # as the import found it on Windows
    monkeypatch.setattr(app_lock, "msvcrt", fake)
    lock = DataDirLock(tmp_path)
    assert lock.acquire() and app_running(tmp_path)
    assert not DataDirLock(tmp_path).acquire()
    lock.release()
    assert not app_running(tmp_path) and locked == {}
    assert {(mode, n, pos) for mode, n, pos in calls} == {(2, 1, 0), (0, 1, 0)}

"""The desktop app holds a lock on its data dir while it runs: a second app on the
same data is refused (two would capture everything twice), and `familiar move-data`
in another process does not move the data from under it.

A lock on ``app.lock`` in the data dir that the system drops when the process ends,
however it ends, so a crash leaves no stale lock: an advisory ``flock`` on Linux and
macOS, ``msvcrt.locking`` of its first byte on Windows.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl

    msvcrt = None
except ImportError:  # Windows
    import msvcrt

    fcntl = None

NAME = "app.lock"


class DataDirLock:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Whether this process now holds it."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)


def _lock(fd: int) -> None:
    """Lock without waiting; OSError when another holds it."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def app_running(data_dir: Path) -> bool:
    """Whether an app (another process, or another lock in this one) holds the data dir."""
    if not (Path(data_dir) / NAME).exists():
        return False
    probe = DataDirLock(data_dir)
    if not probe.acquire():
        return True
    probe.release()
    return False


ALREADY_RUNNING = ("Familiar is already running on this data (look for its icon in the tray); "
                   "only one app can use it at a time.")

"""The desktop app holds a lock on its data dir while it runs: a second app on the
same data is refused (two would capture everything twice), and `familiar move-data`
in another process does not move the data from under it.

An advisory ``flock`` on ``app.lock`` in the data dir: the system drops it when the
process ends, however it ends, so a crash leaves no stale lock. Where ``fcntl`` is
missing (Windows) nothing is locked and nothing is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

NAME = "app.lock"


class DataDirLock:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Whether this process now holds it (True where locks are not supported)."""
        if self._fd is not None:
            return True
        try:
            import fcntl
        except ImportError:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        import fcntl

        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


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

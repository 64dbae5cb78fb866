"""Moving the data dir (ledger, index, screenshots) to another folder.

Nothing is lost at any point: the files are copied into a hidden staging folder next
to the target, checked (same files and sizes, the ledger passes ``PRAGMA
integrity_check``), renamed into place, and only then is the new location written to
``settings.toml`` (``memory.data_dir``) and the old folder removed. A crash before the
setting is written leaves the old data in use; one after it leaves the new data in use
and, at worst, the old copy on disk.

The caller makes sure nothing has the data open (the CLI opens nothing; the app closes
its Familiar first). Config, cache and logs stay where they are.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import StorageError, UsageError
from assistant.settings import Settings

ENV_NAME = "FAMILIAR_MEMORY__DATA_DIR"
Progress = Callable[[int, int], None]  # (bytes copied, bytes in all)


@dataclass(frozen=True)
class MoveReport:
    source: Path
    target: Path
    files: int
    bytes: int
    left_behind: str | None = None  # why the old folder could not be removed, if it could not

    def describe(self) -> str:
        text = (f"Moved {self.files} file(s), {self.bytes / 1e6:.1f} MB, from {self.source} to "
                f"{self.target}; Familiar keeps its data there from now on.")
        if self.left_behind:
            text += f" The old folder could not be removed ({self.left_behind}); delete it by hand."
        return text


def check_target(source: Path, target: Path | str) -> Path:
    """The absolute target, or a UsageError saying why it cannot take the data."""
    raw = str(target).strip()
    if not raw:
        raise UsageError("No folder given to move the data to.")
    target = Path(raw).expanduser().absolute()
    src = source.expanduser().absolute()
    if target == src:
        raise UsageError(f"The data is already in {src}.")
    if target.is_relative_to(src):
        raise UsageError(f"{target} is inside the data folder {src}; choose a folder outside it.")
    if src.is_relative_to(target):
        raise UsageError(f"{target} contains the data folder {src}; choose a new or empty folder.")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} is not empty; choose a new or empty folder.")
    if not target.parent.is_dir():
        raise UsageError(f"{target.parent} does not exist; create it first.")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise StorageError(f"{target.parent} is not writable; choose a folder you can write to.")
    return target


def check_move(settings: Settings, target: Path | str) -> Path:
    """The absolute target the data dir of ``settings`` can move to, or a UsageError."""
    if ENV_NAME in os.environ:
        raise UsageError(f"{ENV_NAME} is set, so the data dir is chosen by the environment; "
                         "unset it to move the data with Familiar, or move it by hand.")
    return check_target(settings.data_dir, target)


def _files(source: Path) -> list[tuple[Path, int]]:
    out = []
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out.append((path, path.stat().st_size))
    return out


def copy_data(source: Path, target: Path, progress: Progress | None = None) -> tuple[int, int]:
    """Copy ``source`` to the (checked) ``target`` through a staging folder; (files, bytes)."""
    files = _files(source)
    total = sum(size for _, size in files)
    staging = target.parent / f".{target.name}.moving-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(mode=0o700)
        done = 0
        for path, size in files:
            dest = staging / path.relative_to(source)
            dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            done += size
            if progress is not None:
                progress(done, total)
        for path, size in files:
            copied = staging / path.relative_to(source)
            if not copied.is_file() or copied.stat().st_size != size:
                raise StorageError(f"Copying {path.name} to {target.parent} failed; nothing was moved.")
        ledger = staging / "ledger.sqlite3"
        if ledger.exists():
            db = sqlite3.connect(ledger)
            try:
                verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                db.close()
            if verdict != "ok":
                raise StorageError(f"The copied ledger does not check out ({verdict}); nothing was moved.")
        if target.exists():
            target.rmdir()  # checked empty
        os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise StorageError(f"Could not copy the data to {target}: {exc.strerror or exc}. "
                           "Nothing was moved.") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return len(files), total


def move_data(settings: Settings, target: Path | str,
              progress: Progress | None = None) -> tuple[Settings, MoveReport]:
    """Move the data dir to ``target`` and make it the data dir from now on; returns the
    new settings and what was moved. Nothing may have the data open meanwhile."""
    from assistant import settings_store

    target = check_move(settings, target)
    source = settings.data_dir.expanduser().absolute()
    if not source.is_dir():
        new = settings_store.save(settings, {"memory": {"data_dir": str(target)}})
        return new, MoveReport(source, target, 0, 0)
    files, size = copy_data(source, target, progress)
    try:
        new = settings_store.save(settings, {"memory": {"data_dir": str(target)}})
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # the old data stays in use
        raise
    left = None
    try:
        shutil.rmtree(source)
    except OSError as exc:
        left = exc.strerror or str(exc)
    return new, MoveReport(source, target, files, size, left)

"""What the app remembers between runs that is not a setting: whether the first-run
screen was answered, and the answer."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class AppState:
    first_run_done: bool = False
    capture_consent: bool = False


def state_path(config_dir: Path) -> Path:
    return Path(config_dir) / "app_state.json"


def load(config_dir: Path) -> AppState:
    try:
        raw = json.loads(state_path(config_dir).read_text())
        return AppState(**{k: bool(raw.get(k, False)) for k in AppState.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return AppState()


def save(config_dir: Path, state: AppState) -> None:
    path = state_path(config_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state)))
    os.replace(tmp, path)

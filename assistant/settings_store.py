"""Saving settings: the changed keys go into ``settings.toml`` in the config dir (the
file ``assistant.settings`` reads), and a running Familiar picks them up at once.

Only the keys that were changed are written; the rest of the file is kept (its comments
are not). Values are validated by the same pydantic models that load them, so a bad
value fails here, before anything is written.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from assistant.errors import UsageError
from assistant.settings import Settings, config_file

Changes = dict[str, dict[str, Any]]  # section -> key -> value (None removes the key)


def settings_path(settings: Settings) -> Path:
    return config_file(Path(settings.home) if settings.home else None)


def read_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


def updated(settings: Settings, changes: Changes) -> Settings:
    """A copy of ``settings`` with the changes, validated; raises UsageError."""
    sections: dict[str, Any] = {}
    for name, values in changes.items():
        current = getattr(settings, name, None)
        if current is None or not hasattr(current, "model_dump"):
            raise UsageError(f"There is no settings section [{name}].")
        merged = {**current.model_dump(exclude_unset=False), **values}
        fields_set = set(current.model_fields_set) | set(values)
        try:
            section = type(current).model_validate(merged)
        except Exception as exc:  # pydantic ValidationError
            first = str(exc).splitlines()
            detail = " ".join(first[1:3]).strip() if len(first) > 1 else str(exc)
            raise UsageError(f"Invalid setting in [{name}]: {detail}") from None
        # Keep "was this set explicitly" right (make_llm looks at it for the model name).
        object.__setattr__(section, "__pydantic_fields_set__", fields_set - {
            k for k, v in values.items() if v is None})
        sections[name] = section
    return settings.model_copy(update=sections)


def save(settings: Settings, changes: Changes) -> Settings:
    """Validate, write the changed keys to settings.toml, and return the new settings."""
    new = updated(settings, changes)
    path = settings_path(settings)
    data = read_file(path)
    for name, values in changes.items():
        section = dict(data.get(name) or {})
        for key, value in values.items():
            if value is None:
                section.pop(key, None)
            else:
                section[key] = value
        if section:
            data[name] = section
        else:
            data.pop(name, None)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(dumps(data), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"Cannot write {path} ({exc.strerror or exc}); check its permissions.") from None
    return new


def env_overrides(changes: Changes, env: dict[str, str] | None = None) -> list[str]:
    """The FAMILIAR_* environment variables that win over the saved values."""
    env = os.environ if env is None else env
    names = [f"FAMILIAR_{s.upper()}__{k.upper()}" for s, values in changes.items() for k in values]
    return [n for n in names if n in env]


def apply(fam, new: Settings) -> None:
    """Make a running Familiar use ``new``: parts built from a changed section are
    dropped (built again on next use) or updated in place."""
    old = fam.settings
    fam.settings = new
    cached = fam.__dict__
    if new.llm != old.llm or new.usermodel != old.usermodel:
        llm = cached.pop("llm", None)
        close = getattr(llm, "close", None)
        if callable(close):
            close()
        cached.pop("user_model", None)
    if new.recall != old.recall:
        cached.pop("recaller", None)
    if new.capture != old.capture and "screen" in cached:
        from capture.privacy import default_policy

        screen = cached["screen"]
        screen.settings = new.capture
        screen.policy = default_policy(new.capture.excluded_apps, new.capture.excluded_titles)


# -- a small TOML writer: tables of strings, numbers, booleans and lists of them --------
def dumps(data: dict[str, Any]) -> str:
    top = [(k, v) for k, v in data.items() if not isinstance(v, dict)]
    tables = [(k, v) for k, v in data.items() if isinstance(v, dict)]
    lines = [f"{_key(k)} = {_value(v)}" for k, v in top]
    for name, table in tables:
        if lines:
            lines.append("")
        lines.append(f"[{_key(name)}]")
        for k, v in table.items():
            if isinstance(v, dict):
                raise ValueError(f"nested table {name}.{k} is not supported")
            lines.append(f"{_key(k)} = {_value(v)}")
    return "\n".join(lines) + "\n"


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else _string(k)


def _string(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if c >= " " or c == "\t" else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, Path):
        return _string(str(v))
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise ValueError(f"cannot write {type(v).__name__} to settings.toml")

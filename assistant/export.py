"""Export the whole user model to one JSON file, and import it back exactly.

The file holds the ledger's rows as stored (ids, timestamps and flags unchanged):
propositions with every revision, the revision rows, evidence links, feedback and
conflicts, and, with ``with_observations``, the observations themselves. Without
them, the observations that propositions cite are kept as stubs (source, time, id,
no text) so the evidence links survive. Exporting an import gives the same file.

Import validates the whole file before it writes anything, then writes it in one
transaction into an empty ledger; the search index is rebuilt from the ledger.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from assistant.errors import UsageError
from assistant.services import MAX_OBSERVATION_CHARS  # what `observe` and `ingest` accept
from memory.ledger import Ledger
from memory.timeutil import from_iso, now_utc

FORMAT = "familiar-export"
VERSION = 1
NOT_EXPORTED_TEXT = "[observation text not exported]"
MAX_IMPORT_BYTES = 2_000_000_000

# Tables of the user model, in the order rows must be written (references first).
TABLES = ("observations", "propositions", "evidence", "revisions", "feedback", "conflicts")
# Chat history, when this Familiar has it: exported with the observations (a message's
# text is its observation's).
CHAT_TABLES = ("conversations", "chat_messages")
# What an observation stub keeps when observation text is left out.
STUB_COLUMNS = ("id", "source", "role", "external_id", "at", "sensitive")
# Columns holding ISO 8601 times (nullable ones may be null).
TIME_COLUMNS = {"at", "created_at", "updated_at", "last_evidence_at", "extracted_at",
                "processed_at", "resolved_at"}
FUTURE_SLACK = timedelta(days=1)


class ImportFileError(UsageError):
    """The import file is not a valid Familiar export; nothing was imported."""


# -- export -------------------------------------------------------------------------------
def export_data(ledger: Ledger, *, with_observations: bool = True) -> dict[str, Any]:
    db = ledger.db
    with ledger._lock:  # one consistent snapshot across tables
        db.execute("BEGIN")
        try:
            tables = {t: _rows(db, t) for t in TABLES}
            if with_observations:
                tables.update({t: _rows(db, t) for t in _present(db, CHAT_TABLES)})
            schema = [r[0] for r in db.execute("SELECT name FROM schema_migrations ORDER BY name")]
        finally:
            db.execute("COMMIT")
    if not with_observations:
        cited = {e["observation_id"] for e in tables["evidence"]}
        tables["observations"] = [{k: o[k] for k in STUB_COLUMNS if k in o}
                                  for o in tables["observations"] if o["id"] in cited]
    return {"format": FORMAT, "version": VERSION, "observations_included": with_observations,
            "schema": schema, **tables}


def _rows(db: sqlite3.Connection, table: str) -> list[dict[str, Any]]:
    cols = _columns(db, table)
    order = "id" if "id" in cols else ", ".join(cols)
    cur = db.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {order}")
    return [dict(zip(cols, row)) for row in cur]


def _present(db: sqlite3.Connection, tables: tuple[str, ...]) -> list[str]:
    have = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return [t for t in tables if t in have]


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def write_export(ledger: Ledger, path: Path, *, with_observations: bool = True) -> dict[str, int]:
    """Write the export atomically (a temp file renamed into place), readable only by
    the user; returns how many rows of each table it holds."""
    data = export_data(ledger, with_observations=with_observations)
    text = dump(data)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".familiar-export-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UsageError(f"Cannot write {path}: {exc.strerror or exc}; choose another file.") from None
    return {t: len(data[t]) for t in TABLES}


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# -- import -------------------------------------------------------------------------------
def read_export(path: Path) -> dict[str, Any]:
    """Read and parse the file; raises ImportFileError (one line) if it is not JSON."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportFileError(f"{path} is {size:,} bytes, more than an export can be; "
                                  "nothing was imported.")
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    return parse_export(raw)


def parse_export(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"The file is not UTF-8 text (byte {exc.start}); it is not a "
                              "Familiar export. Nothing was imported.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"The file is not valid JSON ({exc.msg} at line {exc.lineno}, "
                              f"column {exc.colno}); nothing was imported.") from None
    except RecursionError:
        raise ImportFileError("The file nests JSON too deeply; nothing was imported.") from None
    return data


def validate(data: Any, ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    """Check every row against the ledger's schema; returns the rows to write.
    Raises ImportFileError naming the first problem."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportFileError("The file is not a Familiar export (no \"format\": "
                              f"\"{FORMAT}\"); nothing was imported. Make one with `familiar export`.")
    if data.get("version") != VERSION:
        raise ImportFileError(f"The export has version {data.get('version')!r}; this Familiar "
                              f"reads version {VERSION}. Nothing was imported.")
    chat = _present(ledger.db, CHAT_TABLES)
    known = set(TABLES) | set(chat) | {"format", "version", "observations_included", "schema"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ImportFileError(f"The export has unknown section(s) {unknown}; it may come from "
                              "a newer Familiar. Nothing was imported.")
    included = data.get("observations_included")
    if not isinstance(included, bool):
        raise ImportFileError("\"observations_included\" must be true or false; nothing was imported.")
    schema = data.get("schema")
    if not isinstance(schema, list) or not all(isinstance(s, str) for s in schema):
        raise ImportFileError("\"schema\" must be a list of migration names; nothing was imported.")
    ours = {r[0] for r in ledger.db.execute("SELECT name FROM schema_migrations")}
    newer = sorted(set(schema) - ours)
    if newer:
        raise ImportFileError(f"The export was written by a newer Familiar (schema {newer[0]!r}); "
                              "update Familiar, then import again. Nothing was imported.")
    now = now_utc()
    out: dict[str, list[dict[str, Any]]] = {}
    for table in (*TABLES, *chat):
        rows = data.get(table, [])
        if not isinstance(rows, list):
            raise ImportFileError(f"\"{table}\" must be a list; nothing was imported.")
        spec = _spec(ledger.db, table)
        if table == "observations" and not included:
            rows = [_unstub(r, table, n) for n, r in enumerate(rows, 1)]
        out[table] = [_check_row(r, spec, table, n, now) for n, r in enumerate(rows, 1)]
    _check_references(out)
    return out


def _spec(db: sqlite3.Connection, table: str) -> dict[str, tuple[str, bool]]:
    """column -> (declared type, required: NOT NULL without a default)."""
    return {r[1]: (r[2].upper(), bool(r[3]) and r[4] is None and not r[5])
            for r in db.execute(f"PRAGMA table_info({table})")}


def _unstub(row: Any, table: str, n: int) -> Any:
    if not isinstance(row, dict):
        return row
    extra = sorted(set(row) - set(STUB_COLUMNS))
    if extra:
        raise ImportFileError(f"{table} item {n}: field(s) {extra} in an export without "
                              "observation text; nothing was imported.")
    at = row.get("at")
    return {**row, "text": NOT_EXPORTED_TEXT, "created_at": at, "extracted_at": at,
            "processed_at": at}


def _check_row(row: Any, spec: dict[str, tuple[str, bool]], table: str, n: int, now) -> dict:
    where = f"{table} item {n}"
    if not isinstance(row, dict):
        raise ImportFileError(f"{where} is not a JSON object; nothing was imported.")
    unknown = sorted(set(row) - set(spec))
    if unknown:
        raise ImportFileError(f"{where} has unknown field(s) {unknown}; nothing was imported.")
    for col, (kind, required) in spec.items():
        if required and row.get(col) is None:
            raise ImportFileError(f"{where} lacks {col!r}; nothing was imported.")
    for col, value in row.items():
        if value is None:
            continue
        kind = spec[col][0]
        if kind.startswith("INT") and (isinstance(value, bool) or not isinstance(value, int)):
            raise ImportFileError(f"{where}: {col!r} must be an integer; nothing was imported.")
        if kind == "INTEGER" and not -(2**63) <= value < 2**63:
            raise ImportFileError(f"{where}: {col!r} is out of range; nothing was imported.")
        if kind == "TEXT" and not isinstance(value, str):
            raise ImportFileError(f"{where}: {col!r} must be a string; nothing was imported.")
        if kind == "REAL" and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ImportFileError(f"{where}: {col!r} must be a number; nothing was imported.")
        if (table == "observations" and col == "text" and isinstance(value, str)
                and len(value) > MAX_OBSERVATION_CHARS):
            raise ImportFileError(f"{where}: 'text' is {len(value):,} characters, more than an "
                                  f"observation can hold ({MAX_OBSERVATION_CHARS:,}); nothing was "
                                  "imported.")
        if isinstance(value, str) and "\x00" in value:
            raise ImportFileError(f"{where}: {col!r} contains NUL bytes; nothing was imported.")
        if isinstance(value, str) and not _encodable(value):
            raise ImportFileError(f"{where}: {col!r} is not valid Unicode text; nothing was imported.")
        if col in TIME_COLUMNS:
            try:
                when = from_iso(value)
            except (ValueError, OverflowError):
                raise ImportFileError(f"{where}: {col!r} is not an ISO 8601 time ({value[:40]!r}); "
                                      "nothing was imported.") from None
            if when > now + FUTURE_SLACK:
                raise ImportFileError(f"{where}: {col!r} is in the future ({value[:40]!r}); "
                                      "nothing was imported.")
    return row


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_references(rows: dict[str, list[dict[str, Any]]]) -> None:
    for table in ("observations", "propositions", "revisions", "feedback", "conflicts",
                  *(t for t in CHAT_TABLES if t in rows)):
        ids = [r.get("id") for r in rows[table]]
        if len(ids) != len(set(ids)):
            raise ImportFileError(f"{table} has duplicate ids; nothing was imported.")
    obs = {r["id"] for r in rows["observations"]}
    props = {r["id"] for r in rows["propositions"]}
    refs = (("evidence", "proposition_id", props), ("evidence", "observation_id", obs),
            ("revisions", "old_id", props), ("revisions", "new_id", props),
            ("feedback", "proposition_id", props), ("conflicts", "proposition_id", props),
            ("conflicts", "confirmed_id", props))
    if "chat_messages" in rows:
        conv = {r["id"] for r in rows.get("conversations", [])}
        refs += (("chat_messages", "observation_id", obs), ("chat_messages", "conversation_id", conv),
                 ("chat_messages", "edit_observation_id", obs))
    for table, col, known in refs:
        for n, r in enumerate(rows.get(table, []), 1):
            if r.get(col) is not None and r[col] not in known:
                raise ImportFileError(f"{table} item {n}: {col} {r[col]!r} refers to nothing in "
                                      "the file; nothing was imported.")


def import_rows(ledger: Ledger, rows: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Write validated rows into an empty ledger, all in one transaction."""
    counts = ledger.counts()
    if counts.observations or counts.propositions or counts.superseded or counts.retracted:
        raise UsageError(
            f"This data dir already holds {counts.observations} observation(s) and "
            f"{counts.propositions + counts.superseded + counts.retracted} proposition(s); "
            "import restores into an empty one. Use --home NEW_DIR, or `familiar forget --all` first.")
    try:
        with ledger.transaction() as db:
            for table in rows:
                for r in rows[table]:
                    cols = list(r)
                    db.execute(f"INSERT INTO {table}({', '.join(cols)}) VALUES "
                               f"({', '.join('?' * len(cols))})", [r[c] for c in cols])
            db.execute("DELETE FROM index_queue")
    except sqlite3.Error as exc:
        raise ImportFileError(f"The export does not fit the ledger ({exc}); nothing was imported.") from None
    return {t: len(v) for t, v in rows.items()}


def import_file(ledger: Ledger, path: Path) -> dict[str, int]:
    return import_rows(ledger, validate(read_export(path), ledger))


__all__ = ["export_data", "write_export", "read_export", "parse_export", "validate",
           "import_rows", "import_file", "dump", "ImportFileError", "NOT_EXPORTED_TEXT"]

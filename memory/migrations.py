"""Schema migrations: small functions registered in order, recorded in a table."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

# A migration returns the SQL script that moves the schema one step; the script
# and its record in schema_migrations run in one transaction.
Migration = Callable[[sqlite3.Connection], str]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> str:
    return (
        """
        CREATE TABLE observations (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT 'user',
            text TEXT NOT NULL,
            app TEXT,
            window TEXT,
            external_id TEXT,
            at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            extracted_at TEXT,
            processed_at TEXT,
            llm_attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            sensitive INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX observations_external
            ON observations(source, external_id) WHERE external_id IS NOT NULL;
        CREATE INDEX observations_pending ON observations(processed_at, id);
        CREATE INDEX observations_source ON observations(source, id);

        CREATE TABLE propositions (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            reasoning TEXT NOT NULL DEFAULT '',
            confidence INTEGER NOT NULL CHECK (confidence BETWEEN 1 AND 10),
            decay INTEGER NOT NULL CHECK (decay BETWEEN 1 AND 10),
            kind TEXT NOT NULL DEFAULT 'fact',
            origin TEXT NOT NULL DEFAULT 'rule',
            polarity INTEGER NOT NULL DEFAULT 1,
            status TEXT NOT NULL DEFAULT 'current'
                CHECK (status IN ('current', 'superseded', 'retracted')),
            user_confirmed INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            sensitive INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_evidence_at TEXT NOT NULL
        );
        CREATE INDEX propositions_status ON propositions(status);

        CREATE VIRTUAL TABLE propositions_fts USING fts5(
            text, content='propositions', content_rowid='id'
        );
        CREATE TRIGGER propositions_ai AFTER INSERT ON propositions BEGIN
            INSERT INTO propositions_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER propositions_ad AFTER DELETE ON propositions BEGIN
            INSERT INTO propositions_fts(propositions_fts, rowid, text)
                VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER propositions_au AFTER UPDATE OF text ON propositions BEGIN
            INSERT INTO propositions_fts(propositions_fts, rowid, text)
                VALUES ('delete', old.id, old.text);
            INSERT INTO propositions_fts(rowid, text) VALUES (new.id, new.text);
        END;

        CREATE TABLE evidence (
            proposition_id INTEGER NOT NULL REFERENCES propositions(id),
            observation_id INTEGER NOT NULL REFERENCES observations(id),
            PRIMARY KEY (proposition_id, observation_id)
        );
        CREATE INDEX evidence_observation ON evidence(observation_id);

        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            old_id INTEGER NOT NULL REFERENCES propositions(id),
            new_id INTEGER REFERENCES propositions(id),
            reason TEXT NOT NULL,
            actor TEXT NOT NULL DEFAULT 'model',
            at TEXT NOT NULL
        );
        CREATE INDEX revisions_old ON revisions(old_id);
        CREATE INDEX revisions_new ON revisions(new_id);

        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            proposition_id INTEGER NOT NULL REFERENCES propositions(id),
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        );

        CREATE TABLE conflicts (
            id INTEGER PRIMARY KEY,
            proposition_id INTEGER NOT NULL REFERENCES propositions(id),
            confirmed_id INTEGER NOT NULL REFERENCES propositions(id),
            reason TEXT NOT NULL,
            at TEXT NOT NULL,
            resolved_at TEXT
        );

        -- Changes the vector index still has to apply (ledger first, index after).
        CREATE TABLE index_queue (
            id INTEGER PRIMARY KEY,
            proposition_id INTEGER NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('upsert', 'delete'))
        );
        """
    )


@migration
def m002_vocabulary(db: sqlite3.Connection) -> str:
    # Document frequencies of the words in propositions, for IDF-weighted keyword scores.
    return "CREATE VIRTUAL TABLE propositions_vocab USING fts5vocab(propositions_fts, 'row');"


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply every migration not yet recorded; return the names applied."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        script = fn(db)
        stamp = datetime.now(UTC).isoformat()
        db.executescript(
            f"BEGIN IMMEDIATE;\n{script}\n"
            f"INSERT INTO schema_migrations(name, applied_at) VALUES ('{name}', '{stamp}');\n"
            "COMMIT;"
        )
        applied.append(name)
    return applied

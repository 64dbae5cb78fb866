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


@migration
def m005_sensitive(db: sqlite3.Connection) -> str:
    # Which sensitive category an audit found (usermodel/sensitive.py), and whether the
    # user allowed a flagged proposition (then it is not flagged again on revision).
    return """
        ALTER TABLE propositions ADD COLUMN sensitive_category TEXT;
        ALTER TABLE propositions ADD COLUMN sensitive_allowed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE observations ADD COLUMN sensitive_category TEXT;
        CREATE INDEX propositions_sensitive ON propositions(sensitive) WHERE sensitive=1;
    """


@migration
def m003_conversations(db: sqlite3.Connection) -> str:
    # Chat conversations. A message's text is its observation's (source chat), never a
    # copy, so forgetting the observation deletes the message (and an emptied
    # conversation); forgetting an edit observation erases the edited text kept here.
    return """
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE chat_messages (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            observation_id INTEGER NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
            at TEXT NOT NULL,
            used TEXT NOT NULL DEFAULT '[]',
            edited_text TEXT,
            edit_observation_id INTEGER
        );
        CREATE INDEX chat_messages_conversation ON chat_messages(conversation_id, id);
        CREATE TRIGGER chat_follows_forgetting BEFORE DELETE ON observations BEGIN
            DELETE FROM chat_messages WHERE observation_id = old.id;
            UPDATE chat_messages SET edited_text = NULL, edit_observation_id = NULL
                WHERE edit_observation_id = old.id;
        END;
        CREATE TRIGGER chat_drops_empty_conversations AFTER DELETE ON chat_messages
        WHEN NOT EXISTS (SELECT 1 FROM chat_messages WHERE conversation_id = old.conversation_id)
        BEGIN
            DELETE FROM conversations WHERE id = old.conversation_id;
        END;
    """


@migration
def m004_suggestions(db: sqlite3.Connection) -> str:
    # Proactive suggestions (assistant/suggest.py) and the notification log
    # (assistant/notify.py). A suggestion is derived from propositions: when one of them
    # is forgotten (its text erased) or deleted, the suggestions and "never about this"
    # mutes resting on it go too. root_id is the first revision of the proposition, so
    # a suggestion stays the same thing across revisions.
    return """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            why TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT 'fact',
            origin TEXT NOT NULL DEFAULT 'rule',
            benefit REAL NOT NULL DEFAULT 0,
            cost REAL NOT NULL DEFAULT 0,
            interruption REAL NOT NULL DEFAULT 0,
            score REAL NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'accepted', 'dismissed', 'later', 'never')),
            hidden_until TEXT,
            notified_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX suggestions_status ON suggestions(status, score);
        CREATE TABLE suggestion_propositions (
            suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
            proposition_id INTEGER NOT NULL,
            root_id INTEGER NOT NULL,
            PRIMARY KEY (suggestion_id, root_id)
        );
        CREATE INDEX suggestion_propositions_prop ON suggestion_propositions(proposition_id);
        CREATE INDEX suggestion_propositions_root ON suggestion_propositions(root_id);
        CREATE TABLE suggestion_feedback (
            id INTEGER PRIMARY KEY,
            suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
            action TEXT NOT NULL,
            at TEXT NOT NULL
        );
        -- Proposition lineages already looked at for suggestions (with or without one).
        CREATE TABLE suggestion_sources (
            root_id INTEGER PRIMARY KEY,
            at TEXT NOT NULL
        );
        -- Feedback weight of a proposition lineage (by root id): dismissals lower it.
        CREATE TABLE suggestion_weights (
            root_id INTEGER PRIMARY KEY,
            weight REAL NOT NULL
        );
        CREATE TABLE muted_topics (
            id INTEGER PRIMARY KEY,
            suggestion_id INTEGER,
            topic TEXT NOT NULL,
            keywords TEXT NOT NULL DEFAULT '[]',
            embedding TEXT,
            at TEXT NOT NULL
        );
        CREATE TABLE muted_propositions (
            mute_id INTEGER NOT NULL REFERENCES muted_topics(id) ON DELETE CASCADE,
            root_id INTEGER NOT NULL,
            PRIMARY KEY (mute_id, root_id)
        );
        CREATE TABLE notification_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            suggestion_id INTEGER,
            notified INTEGER NOT NULL,
            reason TEXT NOT NULL,
            score REAL
        );
        CREATE INDEX notification_log_at ON notification_log(notified, at);

        CREATE TRIGGER suggestions_follow_erasure AFTER UPDATE OF text ON propositions
        WHEN new.text = '[forgotten]' BEGIN
            DELETE FROM suggestions WHERE id IN (SELECT suggestion_id FROM suggestion_propositions
                WHERE proposition_id = new.id OR root_id = new.id);
            DELETE FROM muted_topics WHERE id IN (SELECT mute_id FROM muted_propositions
                WHERE root_id = new.id);
            DELETE FROM suggestion_weights WHERE root_id = new.id;
            DELETE FROM suggestion_sources WHERE root_id = new.id;
        END;
        CREATE TRIGGER suggestions_follow_deletion AFTER DELETE ON propositions BEGIN
            DELETE FROM suggestions WHERE id IN (SELECT suggestion_id FROM suggestion_propositions
                WHERE proposition_id = old.id OR root_id = old.id);
            DELETE FROM muted_topics WHERE id IN (SELECT mute_id FROM muted_propositions
                WHERE root_id = old.id);
            DELETE FROM suggestion_weights WHERE root_id = old.id;
            DELETE FROM suggestion_sources WHERE root_id = old.id;
        END;
    """


@migration
def m006_access_log(db: sqlite3.Connection) -> str:
    """Every call another agent made to the user-model service (assistant/mcp_server.py),
    allowed or refused."""
    return """
        CREATE TABLE mcp_access (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            client TEXT NOT NULL,
            tool TEXT NOT NULL,
            arguments TEXT NOT NULL DEFAULT '',
            allowed INTEGER NOT NULL
        );
        CREATE INDEX mcp_access_at ON mcp_access(id DESC);
    """


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

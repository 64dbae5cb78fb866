"""The ledger on real SQLite."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import pytest

from memory.ledger import FORGOTTEN_TEXT, Ledger
from memory.models import Candidate


@pytest.fixture
def ledger(tmp_path):
    led = Ledger(tmp_path / "data" / "ledger.sqlite3")
    yield led
    led.close()


def cand(text, obs, confidence=7, decay=7, **kw):
    return Candidate(text=text, reasoning="test", confidence=confidence, decay=decay,
                     evidence=list(obs), **kw)


def test_schema_is_migrated_once_and_recorded(tmp_path):
    path = tmp_path / "l.sqlite3"
    Ledger(path).close()
    led = Ledger(path)
    from memory.migrations import MIGRATIONS

    names = [r[0] for r in led.db.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
    assert names == [name for name, _ in MIGRATIONS]
    assert names[:2] == ["m001_initial", "m002_vocabulary"]
    assert len(set(names)) == len(names)
    assert led.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert led.integrity_ok()
    led.close()


def test_files_are_private(ledger):
    assert stat.S_IMODE(ledger.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(ledger.path.parent.stat().st_mode) == 0o700


def test_observation_with_external_id_is_stored_once(ledger):
    a, created_a = ledger.add_observation("chat", "hello there", external_id="m1")
    b, created_b = ledger.add_observation("chat", "hello there", external_id="m1")
    assert (a, created_a, created_b) == (b, True, False)
    with pytest.raises(ValueError, match="already exists"):
        ledger.add_observation("chat", "something else", external_id="m1")
    # the same external id from another source is another observation
    c, _ = ledger.add_observation("note", "hello there", external_id="m1")
    assert c != a
    assert ledger.counts().observations == 2


def test_supersede_keeps_the_old_row_and_links_it(ledger):
    o1, _ = ledger.add_observation("chat", "I like tea")
    o2, _ = ledger.add_observation("chat", "I really like green tea")
    p1 = ledger.insert_proposition(cand("The user likes tea.", [o1]))
    p2 = ledger.supersede(p1, cand("The user likes green tea.", [o1, o2], confidence=8), "refined")
    old, new = ledger.proposition(p1), ledger.proposition(p2)
    assert old.status == "superseded" and old.text == "The user likes tea."
    assert new.status == "current" and new.confidence == 8
    assert [e.observation_id for e in new.evidence] == [o1, o2]
    (rev,) = ledger.history(p2)
    assert (rev.old_id, rev.new_id, rev.reason) == (p1, p2, "refined")
    assert ledger.history(p1) == ledger.history(p2)
    assert ledger.current_ids() == [p2]
    # the vector index is told: delete the old, upsert the new
    ops = [(pid, op) for _, pid, op in ledger.index_queue()]
    assert (p1, "delete") in ops and ops[-1] in {(p2, "upsert"), (p1, "delete")}


def test_superseding_a_non_current_proposition_is_refused(ledger):
    o, _ = ledger.add_observation("chat", "x y z")
    p1 = ledger.insert_proposition(cand("The user likes x.", [o]))
    ledger.supersede(p1, cand("The user likes y.", [o]), "r")
    with pytest.raises(ValueError):
        ledger.supersede(p1, cand("The user likes z.", [o]), "r")


def test_bm25_finds_current_propositions_by_content_words(ledger):
    o, _ = ledger.add_observation("chat", "...")
    veg = ledger.insert_proposition(cand("The user is vegetarian.", [o]))
    ledger.insert_proposition(cand("The user plays the cello.", [o]))
    old = ledger.insert_proposition(cand("The user eats vegetarian lasagna.", [o]))
    ledger.retract(old, "test")
    hits = ledger.bm25("any vegetarian dinner ideas for the user?", 10)
    assert [pid for pid, _ in hits] == [veg]
    assert ledger.bm25("the and of", 10) == []  # stopwords only
    assert ledger.bm25('"; DROP TABLE propositions; --', 10) == []


def test_forget_retracts_what_rested_only_on_forgotten_evidence(ledger):
    o1, _ = ledger.add_observation("chat", "I'm vegetarian", external_id="m1")
    o2, _ = ledger.add_observation("chat", "I love cooking with lentils", external_id="m2")
    only = ledger.insert_proposition(cand("The user is vegetarian.", [o1], confidence=8))
    both = ledger.insert_proposition(cand("The user eats plant-based food.", [o1, o2], confidence=8))
    ids = ledger.find_observations(external_ids=["m1"])
    assert ids == [o1]
    report = ledger.forget_observations(ids)
    assert report.retracted == [only]
    p = ledger.proposition(only)
    assert p.status == "retracted" and p.text == FORGOTTEN_TEXT and p.evidence == []
    ((old_id, new_id),) = report.rescored
    assert old_id == both
    rescored = ledger.proposition(new_id)
    assert rescored.status == "current" and rescored.confidence == 4
    assert [e.observation_id for e in rescored.evidence] == [o2]
    assert ledger.observation(o1) is None
    assert ledger.integrity_ok()


def test_find_observations_by_time_range_and_app(ledger):
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for h in range(5):
        ledger.add_observation("screen", f"frame {h}", at=t0 + timedelta(hours=h),
                               app="Editor" if h % 2 else "Browser")
    assert len(ledger.find_observations(since=t0 + timedelta(hours=1),
                                        until=t0 + timedelta(hours=3))) == 2
    assert len(ledger.find_observations(app="Editor")) == 2
    assert ledger.find_observations() == []  # no selector selects nothing
    assert len(ledger.find_observations(everything=True)) == 5


def test_forget_everything_leaves_no_text_in_the_file(ledger):
    secret = "zanzibar-ocelot-quixotic"
    o, _ = ledger.add_observation("chat", f"I love {secret}")
    ledger.insert_proposition(cand(f"The user loves {secret}.", [o]))
    ledger.forget_everything()
    ledger.close()
    for f in ledger.path.parent.iterdir():
        assert secret.encode() not in f.read_bytes(), f


def test_a_failed_transaction_leaves_nothing(ledger):
    with pytest.raises(RuntimeError):
        with ledger.transaction():
            ledger.add_observation("chat", "half done")
            raise RuntimeError("crash")
    assert ledger.counts().observations == 0

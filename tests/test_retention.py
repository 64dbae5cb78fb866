"""Retention: observations older than memory.retention_days expire; propositions keep
their text, lose that evidence and are re-scored; confirmed ones keep confidence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.cli import main
from assistant.services import NewObservation
from memory.timeutil import now_utc


@pytest.fixture(autouse=True)
def no_model(monkeypatch):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")


def observe(fam, text, days_ago):
    return fam.observe(NewObservation("chat", text, at=now_utc() - timedelta(days=days_ago)))[0]


def test_old_observations_expire_and_propositions_are_rescored(make_familiar):
    fam = make_familiar()
    old = observe(fam, "I love sailing on weekends.", 100)
    observe(fam, "I love sailing on weekends, always have.", 2)
    only_old = observe(fam, "I'm learning Japanese.", 120)
    fam.user_model.process()
    props = {p.text: p for p in fam.ledger.list_propositions()}
    sailing = next(p for t, p in props.items() if "sailing" in t)
    japanese = next(p for t, p in props.items() if "Japanese" in t)
    assert len(sailing.evidence) == 2 and len(japanese.evidence) == 1

    report = fam.apply_retention(days=90)
    assert report.observations == 2
    assert fam.ledger.observation(old) is None and fam.ledger.observation(only_old) is None
    current = {p.text: p for p in fam.ledger.list_propositions()}
    # both keep their text
    assert sailing.text in current and japanese.text in current
    new_sailing, new_japanese = current[sailing.text], current[japanese.text]
    # one of two observations expired: counts 1.5 of 2
    assert new_sailing.confidence == max(1, round(sailing.confidence * 0.75))
    assert [e.observation_id for e in new_sailing.evidence] != [old]
    # its only observation expired: half, and no evidence left
    assert new_japanese.confidence == max(1, round(japanese.confidence * 0.5))
    assert new_japanese.evidence == []
    assert new_japanese.last_evidence_at == japanese.last_evidence_at  # expiry is not news
    # as a revision, with the reason, the old row kept
    history = fam.ledger.history(new_japanese.id)
    assert history[-1].actor == "retention" and "expired" in history[-1].reason
    assert fam.ledger.proposition(japanese.id).status == "superseded"
    assert fam.memory.in_step()
    assert fam.ledger.integrity_ok()


def test_confirmed_propositions_keep_their_confidence(make_familiar):
    fam = make_familiar()
    observe(fam, "I'm vegetarian.", 400)
    fam.user_model.process()
    (p,) = fam.ledger.list_propositions()
    fam.confirm_proposition(p.id)
    report = fam.apply_retention(days=365)
    assert report.observations == 1 and report.unlinked == [p.id] and report.rescored == []
    after = fam.ledger.proposition(p.id)
    assert after.status == "current" and after.confidence == 10 and after.evidence == []


def test_retention_is_off_by_default_and_nothing_young_expires(make_familiar):
    fam = make_familiar()
    observe(fam, "I'm vegetarian.", 3000)
    assert fam.settings.memory.retention_days is None
    assert fam.apply_retention().cutoff is None
    assert fam.ledger.counts().observations == 1
    observe(fam, "I love jazz.", 1)
    assert fam.apply_retention(days=30).observations == 1
    assert fam.ledger.counts().observations == 1


def test_cli_retention_and_process(make_familiar, capsys, monkeypatch):
    fam = make_familiar()
    observe(fam, "I love jazz.", 50)
    observe(fam, "I'm vegetarian.", 1)
    fam.close()
    assert main(["retention", "--days", "30"]) == 0
    assert "would expire 1 observation" in capsys.readouterr().out
    assert main(["status", "--json"]) == 0 and '"observations": 2' in capsys.readouterr().out
    monkeypatch.setenv("FAMILIAR_MEMORY__RETENTION_DAYS", "30")
    assert main(["process"]) == 0  # process applies the setting first
    capsys.readouterr()
    assert main(["status", "--json"]) == 0 and '"observations": 1' in capsys.readouterr().out
    assert main(["retention", "--apply", "--days", "0"]) == 2
    assert "more than 0" in capsys.readouterr().err


def test_a_simulated_clock_dates_everything_familiar_writes(fam):
    """memory.timeutil.simulated_clock (the soak's accelerated day): an observation made
    without a time, and retention's cutoff, both follow the simulated clock."""
    from datetime import datetime, timedelta, timezone

    from assistant.retention import apply_retention
    from assistant.services import NewObservation
    from memory.timeutil import now_utc, simulated_clock

    then = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
    clock = [then]
    with simulated_clock(lambda: clock[0]):
        assert now_utc() == then
        oid, _ = fam.observe(NewObservation(source="chat", text="I'm learning the cello."))
        assert fam.ledger.observation(oid).at == then
        clock[0] = then + timedelta(days=2)
        assert apply_retention(fam.ledger, 1).observations == 1
    assert now_utc() > then + timedelta(days=300)  # the real clock is back

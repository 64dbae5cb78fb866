"""The user model over pending observations.

Stage 1, on every observation, no language model: rule-based extraction → relate →
revise → write. One transaction per observation (a crash re-runs it whole, never half).
Stage 2, on batches, within a budget, when a language model is configured: propose →
validate (JSON schema + pydantic) → ground each proposal in an observation → relate →
revise → write. A malformed or empty answer is retried once; then the batch stays
pending (with the error recorded) and the next batch goes on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import ValidationError

from assistant.errors import ModelError, ModelOutputError
from assistant.llm import LLM, parse_json_output
from assistant.settings import UserModelSettings
from memory.models import Candidate, Observation, Proposition
from memory.store import Memory
from usermodel import prompts
from usermodel.edits import extract_edit, model_view
from usermodel.extraction import extract
from usermodel.integrate import IntegrationReport, Integrator, polarity_of
from usermodel.schemas import (PROPOSE_SCHEMA, REVISE_SCHEMA, ProposeOutput,
                               RevisedProposition)

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
GROUNDING_MIN_SIMILARITY = 0.25  # a proposal unlike every observation it cites is dropped
REVISION_MIN_SIMILARITY = 0.6  # a model revision must still say what both inputs said


@dataclass
class ProcessReport:
    extracted: int = 0
    llm_batches: int = 0
    llm_failed_batches: int = 0
    processed: int = 0
    still_pending: int = 0
    errors: list[str] = field(default_factory=list)
    changes: IntegrationReport = field(default_factory=IntegrationReport)

    def to_dict(self) -> dict:
        c = self.changes
        return {
            "extracted": self.extracted, "processed": self.processed,
            "llm_batches": self.llm_batches, "llm_failed_batches": self.llm_failed_batches,
            "still_pending": self.still_pending, "inserted": len(c.inserted),
            "revised": len(c.revised), "corroborated": len(c.corroborated),
            "conflicts": len(c.conflicts), "dropped": len(c.dropped), "errors": self.errors,
        }


class UserModel:
    def __init__(self, memory: Memory, llm: LLM | None, settings: UserModelSettings | None = None,
                 *, llm_max_confidence: int = 8, audit=None):
        self.memory = memory
        self.audit = audit  # a usermodel.sensitive.SensitivityAudit, or None
        self.llm = llm
        self.settings = settings or UserModelSettings()
        self.llm_max_confidence = llm_max_confidence
        reviser = self._revise_with_model if (llm is not None and self.settings.llm_revise) else None
        self.integrator = Integrator(
            memory, identical=self.settings.identical_threshold,
            similar=self.settings.similar_threshold, reviser=reviser)

    # -- the whole run ------------------------------------------------------------
    def process(self, *, llm_budget: int | None = None, progress: Progress | None = None) -> ProcessReport:
        """Run until nothing is pending, or until the model budget is spent; batches
        the model could not handle stay pending for the next run."""
        report = ProcessReport()
        self.memory.sync()
        self._extract_all(report, progress)
        if self.llm is None:
            report.processed = report.extracted
        else:
            self._propose_all(report, llm_budget, progress)
        report.still_pending = self.memory.ledger.counts().pending
        return report

    def _integrate(self, candidates: list[Candidate], observations) -> IntegrationReport:
        """Write candidates, with the sensitivity audit (usermodel/sensitive.py) around it."""
        if self.audit is None:
            return self.integrator.integrate(candidates)
        changes = self.integrator.integrate(self.audit.screen(candidates, observations))
        self.audit.record(changes)
        return changes

    # -- stage 1: rules, on every observation ------------------------------------------
    def _extract_all(self, report: ProcessReport, progress: Progress | None) -> None:
        ledger = self.memory.ledger
        total = ledger.counts().pending
        while batch := ledger.pending_extraction(64):
            for obs in batch:
                previous = ledger.previous_observations(obs, 4)
                candidates = (extract_edit(obs) if obs.source == "edit"
                              else extract(obs, previous))
                with ledger.transaction():
                    report.changes.add(self._integrate(candidates, [obs]))
                    ledger.mark_extracted([obs.id])
                    if self.llm is None or not _worth_a_model(obs):
                        ledger.mark_processed([obs.id])
                self.memory.sync()
                report.extracted += 1
                if progress:
                    progress("extract", report.extracted, total)

    # -- stage 2: the language model, on batches ---------------------------------------
    def _propose_all(self, report: ProcessReport, budget: int | None, progress: Progress | None) -> None:
        ledger = self.memory.ledger
        seen = 0
        after = 0
        total = ledger.counts().pending
        while budget is None or seen < budget:
            size = self.settings.batch_size if budget is None else min(self.settings.batch_size, budget - seen)
            batch = ledger.pending_processing(size, after_id=after)
            if not batch:
                break
            after = batch[-1].id
            seen += len(batch)
            report.llm_batches += 1
            try:
                proposals = self._propose(batch)
            except ModelOutputError as exc:
                report.llm_failed_batches += 1
                report.errors.append(str(exc))
                ledger.record_llm_failure([o.id for o in batch], str(exc))
                log.warning("batch %s..%s kept pending: %s", batch[0].id, batch[-1].id, exc)
                continue
            except ModelError as exc:
                # The model itself is unusable: everything stays pending for a later run.
                report.llm_failed_batches += 1
                report.errors.append(str(exc))
                break
            with ledger.transaction():
                report.changes.add(self._integrate(proposals, batch))
                ledger.mark_processed([o.id for o in batch])
            self.memory.sync()
            report.processed += len(batch)
            if progress:
                progress("model", seen, total)

    def _propose(self, batch: Sequence[Observation]) -> list[Candidate]:
        messages = prompts.propose_messages(batch)
        last_error = ""
        for _attempt in range(2):
            text = self.llm.complete(messages, schema=PROPOSE_SCHEMA, max_tokens=600)
            try:
                if not text.strip():
                    raise ModelOutputError("the model returned nothing")
                parsed = ProposeOutput.model_validate(parse_json_output(text))
            except (ModelOutputError, ValidationError, TypeError, ValueError) as exc:
                last_error = _short(exc)
                log.info("model output rejected (%s): %.200s", last_error, text)
                continue
            return self._ground(parsed, batch)
        raise ModelOutputError(f"The model's answer was not valid twice ({last_error}); "
                               "the batch stays pending. A larger model may help "
                               "(familiar models).")

    def _ground(self, parsed: ProposeOutput, batch: Sequence[Observation]) -> list[Candidate]:
        """Keep proposals about the user that rest on an observation the user made."""
        users = [o for o in batch if o.role == "user"]
        if not users or not parsed.propositions:
            return []
        obs_vecs = self.memory.embed([model_view(o)[:2000] for o in users])
        about_user = [(p, " ".join(p.text.split())) for p in parsed.propositions]
        about_user = [(p, text) for p, text in about_user if "user" in text.lower()]
        vecs = self.memory.embed([text for _, text in about_user])  # one batch
        out: list[Candidate] = []
        for (p, text), vec in zip(about_user, vecs):
            sims = obs_vecs @ vec
            cited = [users.index(batch[i - 1]) for i in p.evidence
                     if 1 <= i <= len(batch) and batch[i - 1].role == "user"]
            rows = cited or [int(np.argmax(sims))]
            if float(max(sims[r] for r in rows)) < GROUNDING_MIN_SIMILARITY:
                continue
            out.append(Candidate(
                text=text if text.endswith(".") else text + ".",
                reasoning=p.reasoning.strip() or "Inferred by the language model.",
                confidence=min(p.confidence, self.llm_max_confidence), decay=p.decay,
                kind="inferred", origin="llm", evidence=[users[r].id for r in rows],
                polarity=polarity_of(text)))
        return out

    def _revise_with_model(self, old: Proposition, cand: Candidate) -> Candidate | None:
        evidence = self.memory.ledger.observations(cand.evidence)
        text = self.llm.complete(prompts.revise_messages(old, cand.text, cand.reasoning, evidence),
                                 schema=REVISE_SCHEMA, max_tokens=300)
        try:
            r = RevisedProposition.model_validate(parse_json_output(text))
        except (ModelOutputError, ValidationError, TypeError, ValueError):
            return None
        vecs = self.memory.embed([r.text, old.text, cand.text])
        if "user" not in r.text.lower() or min(vecs[0] @ vecs[1], vecs[0] @ vecs[2]) < REVISION_MIN_SIMILARITY:
            return None  # the model drifted from what both claims say; merge by rule
        origin = "llm" if old.origin == "llm" and cand.origin == "llm" else "rule+llm"
        return Candidate(text=r.text, reasoning=r.reasoning or old.reasoning,
                         confidence=min(r.confidence, self.llm_max_confidence,
                                        max(old.confidence, cand.confidence) + 1),
                         decay=r.decay, kind=old.kind, origin=origin, polarity=polarity_of(r.text))


def _worth_a_model(obs: Observation) -> bool:
    """Only what the user wrote or did goes to the model; the assistant's own words
    are context at most."""
    return obs.role == "user" and len(obs.text.strip()) >= 12


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return f"{exc.error_count()} schema error(s): {exc.errors()[0]['msg']}"
    return str(exc)[:200] if not isinstance(exc, json.JSONDecodeError) else "not JSON"

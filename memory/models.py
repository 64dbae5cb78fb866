"""Plain value types shared by the ledger, the user model and the assistant."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SOURCES = ("chat", "screen", "edit", "note", "file")
ROLES = ("user", "assistant")
STATUSES = ("current", "superseded", "retracted")


@dataclass(frozen=True)
class Observation:
    """Something the user did or said, already redacted, as stored in the ledger."""

    id: int
    source: str
    text: str
    at: datetime
    role: str = "user"
    app: str | None = None
    window: str | None = None
    external_id: str | None = None
    extracted: bool = False
    processed: bool = False
    sensitive: bool = False


@dataclass(frozen=True)
class NewObservation:
    """An observation on its way to the ledger (before it has an id)."""

    source: str
    text: str
    role: str = "user"
    at: datetime | None = None
    app: str | None = None
    window: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class Evidence:
    observation_id: int
    external_id: str | None
    source: str
    at: datetime
    text: str = ""


@dataclass(frozen=True)
class Proposition:
    """A confidence-weighted statement about the user."""

    id: int
    text: str
    reasoning: str
    confidence: int
    decay: int
    status: str
    created_at: datetime
    updated_at: datetime
    kind: str = "fact"
    origin: str = "rule"  # rule | llm | user
    user_confirmed: bool = False
    sensitive: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    polarity: int = 1
    rejected: bool = False
    last_evidence_at: datetime | None = None


@dataclass(frozen=True)
class Revision:
    old_id: int
    new_id: int | None
    reason: str
    at: datetime
    actor: str = "model"


@dataclass
class Candidate:
    """A proposition proposed by an extractor, not yet related to what is stored."""

    text: str
    reasoning: str
    confidence: int
    decay: int
    kind: str = "fact"
    origin: str = "rule"
    evidence: list[int] = field(default_factory=list)  # observation ids
    polarity: int = 1  # +1 likes/is, -1 dislikes/is not; used to spot contradictions

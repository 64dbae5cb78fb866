"""What the language model must return, as pydantic models (validated) and as plain
JSON schemas (sent to llama.cpp's grammar-constrained decoding; no $refs)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_PROPOSALS = 8


class RevisedProposition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=8, max_length=300)
    reasoning: str = Field(default="", max_length=600)
    confidence: int = Field(ge=1, le=10)
    decay: int = Field(ge=1, le=10)


class ProposedProposition(RevisedProposition):
    evidence: list[int] = Field(default_factory=list, max_length=20)


class ProposeOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    propositions: list[ProposedProposition] = Field(max_length=MAX_PROPOSALS)


_PROPOSITION_PROPS = {
    "text": {"type": "string", "minLength": 8, "maxLength": 300},
    "reasoning": {"type": "string", "maxLength": 600},
    "confidence": {"type": "integer", "minimum": 1, "maximum": 10},
    "decay": {"type": "integer", "minimum": 1, "maximum": 10},
}

PROPOSE_SCHEMA = {
    "type": "object",
    "properties": {
        "propositions": {
            "type": "array",
            "maxItems": MAX_PROPOSALS,
            "items": {
                "type": "object",
                "properties": {
                    **_PROPOSITION_PROPS,
                    "evidence": {"type": "array", "items": {"type": "integer"}, "maxItems": 20},
                },
                "required": ["text", "reasoning", "confidence", "decay", "evidence"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["propositions"],
    "additionalProperties": False,
}

REVISE_SCHEMA = {
    "type": "object",
    "properties": dict(_PROPOSITION_PROPS),
    "required": ["text", "reasoning", "confidence", "decay"],
    "additionalProperties": False,
}

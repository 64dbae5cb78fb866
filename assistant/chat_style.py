"""Which of the styles learned from edits apply to the reply being written.

CIPHER (Gao et al., 2024) keeps, for each edit, the context the draft was written
for, and when drafting again retrieves the preferences learned in the nearest
earlier contexts: a user may want terse notes to colleagues and full explanations of
code. Here the context of an edit made in chat is the user's message the draft
answered (``ChatStore.edit_contexts``). A style applies to a reply when

- the user confirmed it, or it comes from edits with no known context (nothing
  says where it holds, so it holds everywhere), or
- edits in at least ``GENERAL_AFTER`` different contexts show it (requests less
  alike than ``SAME_CONTEXT``; an edit whose context is unknown counts as one): it is
  how the user writes, not how they write one kind of text; or
- one of its contexts is among the ``NEAREST`` contexts most like the message (or
  the conversation so far) and at least ``MIN_SIMILARITY`` like it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from memory.models import Proposition

NEAREST = 3
MIN_SIMILARITY = 0.15  # cosine, all-MiniLM-L6-v2: unrelated requests score below
GENERAL_AFTER = 2
SAME_CONTEXT = 0.35  # cosine: requests this alike are one context (two notes to colleagues)


@dataclass(frozen=True)
class StyleChoice:
    proposition: Proposition
    why: str  # "confirmed" | "everywhere" | "general" | "similar"
    similarity: float | None = None


def choose_styles(styles: Sequence[Proposition], contexts: dict[int, str],
                  queries: np.ndarray, embed: Callable[[list[str]], np.ndarray],
                  k: int) -> list[StyleChoice]:
    """``styles``: current style propositions, best first; ``contexts``: {edit
    observation id: what the user had asked}; ``queries``: unit vectors of the message
    (and of the conversation so far)."""
    own: dict[int, list[int]] = {}  # the edits showing it whose context is known
    edits: dict[int, int] = {}  # how many edits show it
    for p in styles:
        shown = {e.observation_id for e in p.evidence if e.source == "edit"}
        edits[p.id] = len(shown)
        own[p.id] = sorted(shown.intersection(contexts))
    used = sorted({o for ids in own.values() for o in ids})
    sims: dict[int, float] = {}
    vecs: dict[int, np.ndarray] = {}
    if used:
        matrix = np.asarray(embed([contexts[o] for o in used]), dtype=np.float32)
        best = (matrix @ np.atleast_2d(queries).T).max(axis=1)
        sims = dict(zip(used, (float(s) for s in best)))
        vecs = dict(zip(used, matrix))

    def settings(p: Proposition) -> int:
        """In how many different contexts edits showed it (an unknown one counts)."""
        kept: list[np.ndarray] = []
        for o in own[p.id]:
            if all(float(vecs[o] @ v) < SAME_CONTEXT for v in kept):
                kept.append(vecs[o])
        return len(kept) + edits[p.id] - len(own[p.id])

    nearest = {o for o in sorted(sims, key=lambda o: -sims[o])[:NEAREST] if sims[o] >= MIN_SIMILARITY}
    first, similar = [], []
    for p in styles:
        ids = own[p.id]
        if p.user_confirmed:
            first.append(StyleChoice(p, "confirmed"))
        elif not ids:
            first.append(StyleChoice(p, "everywhere"))
        elif settings(p) >= GENERAL_AFTER:
            first.append(StyleChoice(p, "general", max(sims[o] for o in ids)))
        elif nearest.intersection(ids):
            similar.append(StyleChoice(p, "similar", max(sims[o] for o in ids)))
    similar.sort(key=lambda c: -(c.similarity or 0.0))
    return (first + similar)[:k]

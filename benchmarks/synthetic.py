"""Synthetic but realistic propositions and queries for latency benchmarks: the
kind of sentence the user model writes ("The user prefers ... on weekends"), many
distinct ones, deterministic for a seed."""

from __future__ import annotations

import random

VERBS = [
    "prefers", "enjoys", "is learning", "avoids", "often uses", "is planning", "dislikes",
    "works on", "reads about", "collects", "is interested in", "recently bought",
    "regularly checks", "wants to improve at", "is allergic to", "practises",
    "listens to", "watches", "writes about", "teaches", "is saving for", "volunteers for",
    "cooks", "travels to", "subscribes to", "repairs", "designs", "researches",
    "is frustrated by", "recommends",
]
OBJECTS = """
vegetarian recipes|spicy food|sourdough baking|Italian cooking|green tea|espresso|oat milk
|trail running|road cycling|bouldering|yoga|swimming|chess|tennis|hiking in the Alps
|Python|Rust|TypeScript|SQL queries|Kubernetes|Linux servers|mechanical keyboards
|vim|Emacs|data visualisation|machine learning papers|unit testing|code reviews
|jazz|classical piano|indie rock|podcasts about history|audiobooks|science fiction novels
|poetry|graphic novels|documentaries|film photography|watercolour painting|pottery
|gardening|houseplants|composting|birdwatching|astronomy|woodworking|3D printing
|home automation|electric cars|public transport|budget airlines|train travel in Europe
|boutique hotels|camping|Japanese language|Spanish grammar|sign language|public speaking
|minimalist design|dark mode interfaces|paper notebooks|fountain pens|calendar blocking
|early mornings|remote work|standing desks|noise-cancelling headphones|open-source software
|privacy tools|password managers|personal finance|index funds|meal prep|intermittent fasting
|board games|video game speedruns|retro consoles|tabletop role-playing|museum visits
|theatre|stand-up comedy|cooking for children|dog training|cat adoption|aquariums
|climate news|local politics|startup newsletters|quarterly reports|spreadsheet macros
|slide decks|technical writing|short emails|detailed explanations|bullet-point summaries
|metric units|24-hour time|British spelling|formal tone|casual conversation|emoji in chat
""".replace("\n", "").split("|")
QUALIFIERS = [
    "", "on weekends", "in the morning", "after work", "for their job", "with friends",
    "when travelling", "during winter", "on a tight budget", "as a beginner", "at an advanced level",
    "with their family", "to relax", "every day", "for a side project", "late at night",
]
REASONS = [  # an optional reason: together with the rest, about 750,000 distinct sentences
    "", "for their health", "because it saves time", "to save money", "since last year",
    "for their children", "to meet new people", "after a recommendation from a colleague",
    "because it helps them focus", "for a course they are taking", "when the weather is good",
    "to keep stress down", "as a long-term goal",
]
QUERIES = [
    "what should I cook for dinner tonight?", "plan a weekend trip for me",
    "recommend a book to read", "help me write an email to my manager",
    "which laptop should I buy?", "suggest a new hobby", "how should I spend my savings?",
    "what music would I like?", "give me a workout plan", "help me learn a new language",
    "what gift should I buy for my friend?", "how do I set up my development environment?",
    "summarise this article for me", "what film should we watch tonight?",
    "how can I be more productive in the morning?", "help me plan my holiday in Europe",
    "what should I grow in my garden?", "how do I fix this failing test?",
    "recommend a podcast for my commute", "which coffee machine should I get?",
]


def propositions(n: int, seed: int = 7) -> list[str]:
    """n distinct proposition texts (distinct sentences, not numbered copies, up to
    about 750,000)."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        parts = [rng.choice(VERBS), rng.choice(OBJECTS).strip(), rng.choice(QUALIFIERS),
                 rng.choice(REASONS)]
        text = "The user " + " ".join(x for x in parts if x) + "."
        if text in seen:
            if len(seen) < 500_000:
                continue  # draw again: most draws are new
            text = text[:-1] + f" (noted {len(out)})."
        seen.add(text)
        out.append(text)
    return out


def queries(n: int, seed: int = 11) -> list[str]:
    """n queries: the fixed requests, then requests naming a topic, all distinct."""
    rng = random.Random(seed)
    out = list(QUERIES[:n])
    while len(out) < n:
        q = f"help me with {rng.choice(OBJECTS).strip()} {rng.choice(QUALIFIERS)}".strip()
        if q not in out:
            out.append(q)
    return out

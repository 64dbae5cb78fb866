"""A scripted language model: answers are queued with enqueue(); every call is kept
in history, so a test can assert on the exact prompt."""

from __future__ import annotations

import json
from collections.abc import Iterator

from assistant.errors import ModelError


class ScriptedLLM:
    name = "scripted"
    n_ctx = 4096

    def __init__(self, answers: list | None = None):
        self.queue: list = list(answers or [])
        self.history: list[dict] = []

    def enqueue(self, *answers) -> "ScriptedLLM":
        """Each answer: a str (returned as is), a dict/list (returned as JSON), or an
        exception instance (raised)."""
        self.queue.extend(answers)
        return self

    def _next(self) -> str:
        if not self.queue:
            raise AssertionError("ScriptedLLM: no answer queued for this call")
        a = self.queue.pop(0)
        if isinstance(a, BaseException):
            raise a
        return a if isinstance(a, str) else json.dumps(a)

    def complete(self, messages, *, schema=None, max_tokens=512, temperature=0.0) -> str:
        self.history.append({"messages": messages, "schema": schema})
        return self._next()

    def stream(self, messages, *, max_tokens=512, temperature=0.7) -> Iterator[str]:
        self.history.append({"messages": messages, "schema": None})
        text = self._next()
        for i in range(0, len(text), 4):
            yield text[i : i + 4]

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)


class DeadLLM(ScriptedLLM):
    def complete(self, *a, **k):
        raise ModelError("Cannot reach the model server (test).")

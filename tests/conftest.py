from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# Qt never needs a screen in tests. Set here, for the whole session, so what a test sees
# does not depend on which test modules happened to be collected.
os.environ["QT_QPA_PLATFORM"] = "offscreen"


@pytest.fixture(autouse=True)
def familiar_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own home; no test touches the real user directories."""
    home = tmp_path / "home"
    monkeypatch.setenv("FAMILIAR_HOME", str(home))
    for var in [v for v in os.environ if v.startswith("FAMILIAR_") and v != "FAMILIAR_HOME"]:
        monkeypatch.delenv(var)
    return home


@pytest.fixture
def make_familiar(familiar_home):
    """Build a Familiar on the temp home, with no model unless one is injected."""
    from assistant.services import Familiar
    from assistant.settings import load_settings

    made = []

    def make(model=None, **settings):
        settings.setdefault("llm", {"backend": "none"})
        fam = Familiar(load_settings(familiar_home, **settings))
        if model is not None:
            fam.__dict__["llm"] = model  # the cached_property slot
        made.append(fam)
        return fam

    yield make
    for fam in made:
        fam.close()
    if made and "chromadb" in sys.modules:
        # Chroma keeps each store's client (and its open files) for the whole process;
        # let them go, or a long run exhausts the descriptors select() can watch.
        from memory.vector_index import ChromaIndex

        ChromaIndex.forget_clients()


@pytest.fixture
def fam(make_familiar):
    return make_familiar()

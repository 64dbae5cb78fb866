"""Cold start of CLI commands, and which heavy libraries each one imports.

    python -m benchmarks.startup [--runs 3]

Each command runs in a fresh process on a small store (wall time, median). The CLI
must not import Qt or torch for commands that do not need them; none of these
does (`recall` embeds the query with the numpy MiniLM, memory/minilm.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import Figure, emit, familiar, median, progress, temp_home

HEAVY = ("torch", "PySide6", "chromadb", "llama_cpp", "sentence_transformers", "onnxruntime")
PROBE = (
    "import sys, json\n"
    "from assistant.cli import main\n"
    "code = main(sys.argv[1:])\n"
    f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
    "sys.exit(code)\n"
)
COMMANDS = {
    "status": ["status"],
    "observe": ["observe", "--source", "note", "I like long walks"],
    "propositions list": ["propositions", "list"],
    "recall": ["recall", "what should I do this weekend?"],
}


def seed_store(home: Path) -> None:
    from memory.models import NewObservation

    fam = familiar(home)
    try:
        fam.observe_many([NewObservation(source="chat", text=t) for t in (
            "I'm vegetarian and I love hiking on weekends.",
            "I prefer short answers without greetings.",
            "I'm learning Spanish for a trip to Madrid.")])
        fam.user_model.process()
    finally:
        fam.close()


def run(runs: int) -> list[Figure]:
    home = temp_home()
    seed_store(home)
    env = {**os.environ, "FAMILIAR_HOME": str(home)}
    figures = []
    for name, argv in COMMANDS.items():
        progress(f"startup: familiar {name}")
        times, imported = [], []
        for _ in range(runs):
            t = time.perf_counter()
            p = subprocess.run([sys.executable, "-c", PROBE, *argv], env=env,
                               capture_output=True, text=True)
            times.append((time.perf_counter() - t) * 1000)
            if p.returncode != 0:
                raise RuntimeError(f"familiar {name} failed: {p.stderr.strip()[-300:]}")
            imported = json.loads(p.stderr.strip().splitlines()[-1])
        heavy = ", ".join(imported) or "none"
        ok = "PySide6" not in imported and "torch" not in imported
        figures.append(Figure(f"cold start, familiar {name}", f"{median(times):.0f}", "ms",
                              target="no Qt, no torch", met=ok,
                              note=f"heavy libraries imported: {heavy}"))
    return figures


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args(argv)
    emit(run(args.runs), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

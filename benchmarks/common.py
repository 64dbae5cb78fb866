"""Small shared pieces of the benchmarks: statistics, resident memory, a throwaway
Familiar home, and the figure rows every benchmark returns."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

CACHE = Path(os.environ.get("FAMILIAR_BENCH_CACHE", Path.home() / ".cache" / "familiar-bench"))


@dataclass
class Figure:
    """One line of the results table."""

    what: str
    value: float | str
    unit: str = ""
    target: str = ""
    peer: str = ""  # what the same run measured for comparison, if anything
    met: bool | None = None  # None: no target
    note: str = ""


def median(xs) -> float:
    return float(statistics.median(xs))


def percentile(xs, q: float) -> float:
    s = sorted(xs)
    if not s:
        return float("nan")
    pos = (len(s) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(s) - 1)
    return float(s[lo] + (s[hi] - s[lo]) * (pos - lo))


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc; psutil-free)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def temp_home(prefix: str = "familiar-bench-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def familiar(home: Path, **settings):
    """A Familiar on `home` with no language model unless settings say otherwise."""
    from assistant.services import Familiar
    from assistant.settings import load_settings

    settings.setdefault("llm", {"backend": "none"})
    return Familiar(load_settings(home, **settings))


def emit(figures: list[Figure], json_path: str | None) -> None:
    """Print the figures and, when asked, write them as JSON for `python -m benchmarks`."""
    for f in figures:
        peer = f"  (peer: {f.peer})" if f.peer else ""
        target = f"  target {f.target}" if f.target else ""
        verdict = "" if f.met is None else ("  ok" if f.met else "  MISSED")
        print(f"{f.what:<52} {f.value!s:>10} {f.unit:<8}{target}{verdict}{peer}")
        if f.note:
            print(f"    {f.note}")
    if json_path:
        Path(json_path).write_text(json.dumps([asdict(f) for f in figures], indent=2))


def progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)

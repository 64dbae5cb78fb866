"""Every benchmark in one go, on the embedded defaults: one table, and
benchmarks/results.json.

    python -m benchmarks [--quick] [--only NAME ...] [--skip NAME ...]
    make bench

Each benchmark runs in its own process (so imports, caches and memory of one do not
flatter or burden the next) and measures its natural peer in the same run. The
figures are medians over repeated runs; see each module's docstring for how.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.common import Figure

HERE = Path(__file__).resolve().parent

# name → (module, full arguments, --quick arguments)
BENCHMARKS: dict[str, tuple[str, list[str], list[str]]] = {
    "generation": ("benchmarks.generation", ["--runs", "5"], ["--runs", "2", "--max-tokens", "64"]),
    "recall": ("benchmarks.recall_latency", [], ["--sizes", "1000", "10000", "--queries", "50"]),
    "embedding": ("benchmarks.embedding", [], ["--sentences", "256", "--runs", "2"]),
    "ingestion": ("benchmarks.ingestion", [], ["--observations", "200", "--llm-batches", "1"]),
    "capture": ("benchmarks.capture", ["--seconds", "60"], ["--seconds", "10"]),
    "chat": ("benchmarks.chat", [], ["--runs", "2", "--queries", "20"]),
    "servers": ("benchmarks.servers", [], ["--runs", "1", "--queries", "20"]),
    "ui": ("benchmarks.ui", [], ["--runs", "1"]),
    "startup": ("benchmarks.startup", [], ["--runs", "1"]),
    "footprint": ("benchmarks.footprint", [], []),
    "soak": ("benchmarks.soak", ["--minutes", "20"], ["--minutes", "1"]),
    "reliability": ("benchmarks.reliability", [], []),
}

# Run besides, with the model offloaded, when the machine has a GPU (nvidia-smi sees one).
GPU_LAYERS = ["--n-gpu-layers", "99"]
GPU_BENCHMARKS = ("generation", "ingestion", "chat")


def planned(names: list[str], quick: bool, gpu: bool) -> list[tuple[str, str, list[str]]]:
    """(row name, module, arguments) for each benchmark to run, in order; on a machine
    with a GPU the model-bound ones run a second time offloaded to it."""
    runs = []
    for name in names:
        module, full, fast = BENCHMARKS[name]
        args = fast if quick else full
        runs.append((name, module, args))
        if gpu and name in GPU_BENCHMARKS:
            runs.append((f"{name} (GPU)", module, [*args, *GPU_LAYERS]))
    return runs


def machine() -> dict:
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = "none"
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            gpu = out.stdout.strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {"cores": os.cpu_count(), "ram_gb": mem_gb, "cpu": cpu, "gpu": gpu,
            "python": platform.python_version(), "os": platform.platform()}


def _figures(name: str, data) -> list[Figure]:
    """A benchmark writes a list of Figure dicts; older ones write a flat dict."""
    if isinstance(data, list):
        return [Figure(**{k: v for k, v in d.items() if k in Figure.__dataclass_fields__})
                for d in data]
    targets = {"unchanged_frame_ms": ("< 5 ms", 5.0), "ocr_full_frame_ms": ("< 1500 ms", 1500.0),
               "static_loop_cpu_percent": ("< 2 %", 2.0)}
    out = []
    for key, value in data.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        target, limit = targets.get(key, ("", None))
        out.append(Figure(f"{name}: {key}", value, target=target,
                          met=(value < limit) if limit is not None else None))
    return out


def run_one(name: str, module: str, args: list[str]) -> tuple[list[Figure], str | None]:
    """Run one benchmark; its figures, and what went wrong if anything did.

    A benchmark that misses a target exits non-zero after writing its figures: they are
    kept (each missed row says so), and the benchmark is reported as having missed.
    Only a benchmark that wrote nothing usable has no rows."""
    if not (HERE / f"{module.rsplit('.', 1)[1]}.py").exists():
        return [], "not present in this checkout"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        t = time.perf_counter()
        p = subprocess.run([sys.executable, "-m", module, *args, "--json", str(out)],
                           stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
        secs = time.perf_counter() - t
        print(p.stdout, end="", flush=True)
        return outcome(name, p.returncode, out, secs)


def outcome(name: str, returncode: int, out: Path, secs: float) -> tuple[list[Figure], str | None]:
    """The figures a benchmark process left in ``out``, and its problem, if any."""
    figures: list[Figure] = []
    unreadable = ""
    if out.exists():
        try:
            figures = _figures(name, json.loads(out.read_text()))
        except (ValueError, TypeError) as exc:  # half-written or not figures at all
            unreadable = f"; its figures could not be read ({type(exc).__name__}: {exc})"
    if returncode == 0 and figures:
        return figures, None
    if returncode == 0:
        return figures, f"failed: exit 0 but no figures after {secs:.0f} s{unreadable}"
    missed = [f.what for f in figures if f.met is False]
    if figures and missed:
        return figures, (f"failed (exit {returncode}) after {secs:.0f} s: missed "
                         + ", ".join(missed))
    return figures, f"failed (exit {returncode}) after {secs:.0f} s{unreadable}"


def table(rows: list[dict]) -> str:
    lines = ["| what | value | target | peer / note |", "|---|---|---|---|"]
    for r in rows:
        verdict = "" if r["met"] is None else (" ✓" if r["met"] else " ✗")
        value = f"{r['value']} {r['unit']}".strip()
        failed = f"{r.get('benchmark', 'the benchmark')} failed, see below" \
            if r.get("benchmark_failed") else ""
        extra = "; ".join(x for x in (r["peer"], r["note"], failed) if x)
        lines.append(f"| {r['what']} | {value} | {r['target']}{verdict} | {extra} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repeats and smaller stores")
    ap.add_argument("--only", nargs="+", choices=list(BENCHMARKS))
    ap.add_argument("--skip", nargs="+", choices=list(BENCHMARKS), default=[])
    ap.add_argument("--out", type=Path, default=HERE / "results.json")
    args = ap.parse_args(argv)

    started = datetime.now(timezone.utc)
    here = machine()
    names = [n for n in BENCHMARKS if (not args.only or n in args.only) and n not in args.skip]
    rows, problems = [], {}
    for name, module, bench_args in planned(names, args.quick, here["gpu"] != "none"):
        print(f"\n== {name} ==", flush=True)
        figures, problem = run_one(name, module, bench_args)
        if problem:
            problems[name] = problem
            print(f"   {name}: {problem}", flush=True)
        failed = bool(problem and problem.startswith("failed"))
        rows += [{"benchmark": name, **asdict(f), "benchmark_failed": failed} for f in figures]

    command = "python -m benchmarks" + (" --quick" if args.quick else "")
    if args.only:
        command += " --only " + " ".join(args.only)
    result = {"date": started.strftime("%Y-%m-%d %H:%M UTC"), "machine": here,
              "command": command, "figures": rows, "problems": problems,
              "minutes": round((datetime.now(timezone.utc) - started).total_seconds() / 60, 1)}
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    m = result["machine"]
    print(f"\n{result['date']} · {m['cores']} cores, {m['ram_gb']} GB RAM, {m['cpu']}, GPU: {m['gpu']}")
    print(f"`{command}` ({result['minutes']} min)\n")
    print(table(rows))
    for name, problem in problems.items():
        print(f"- {name}: {problem}")
    print(f"\nwrote {args.out}")
    return 1 if any(p.startswith("failed") for p in problems.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

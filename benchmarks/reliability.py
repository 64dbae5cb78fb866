"""Reliability figures, measured: one command prints every figure the README's
Reliability section reports.

    python -m benchmarks.reliability [--skip-slow] [--json F]

It runs the trust tests (crash safety, CLI and import fuzzing, model-output fuzzing,
no network) with ``RELIABILITY_COUNTS`` naming a file; each test appends what it
actually did to that file as it runs (kills survived, inputs tried, observations lost
or doubled). It then runs the redaction corpus of tests/test_redact.py and the
sensitive-inference examples of tests/test_sensitive.py through the real redactor
and classifier itself. Every count in the table is one of those measurements, never
a number written here. It exits non-zero if any test fails or any check misses.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ENV = "RELIABILITY_COUNTS"
ROOT = Path(__file__).resolve().parents[1]


def record(check: str, **figures) -> None:
    """Append one measurement to the file ``RELIABILITY_COUNTS`` names (no-op when unset).

    Tests call this; the variable deliberately has no FAMILIAR_ prefix, which the test
    suite's autouse fixture strips from the environment."""
    path = os.environ.get(ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"check": check, **figures}) + "\n")


# The trust tests the figures come from, and what each shows.
TESTS = {  # file: (name for --skip, what it shows)
    "tests/test_crash_safety.py": ("crash", "crash safety"),
    "tests/test_cli_fuzz.py": ("input", "bad input"),
    "tests/test_model_output_fuzz.py": ("model-output", "bad model output"),
    "tests/test_no_network.py": ("network", "no network"),
    "tests/test_redact.py": ("redaction", "redaction"),
    "tests/test_export.py": ("data-at-rest", "data at rest"),
    "tests/test_retention.py": ("retention", "retention"),
}


def run_tests(files: list[str], counts: Path, junit: Path) -> int:
    env = {**os.environ, ENV: str(counts)}
    cmd = [sys.executable, "-m", "pytest", *files, "-q", "-p", "no:cacheprovider",
           "--junitxml", str(junit)]
    print("$ " + " ".join(["python", "-m", "pytest", *files, "-q"]), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def outcomes(junit: Path) -> dict[str, Counter]:
    """Per test file: passed, failed, skipped (from pytest's JUnit XML)."""
    import xml.etree.ElementTree as ET

    out: dict[str, Counter] = defaultdict(Counter)
    if not junit.exists():
        return out
    for case in ET.parse(junit).iter("testcase"):
        file = "tests/" + case.get("classname", "").split(".")[-1] + ".py"
        tags = {child.tag for child in case}
        kind = ("failed" if tags & {"failure", "error"} else
                "skipped" if "skipped" in tags else "passed")
        out[file][kind] += 1
    return out


def load_counts(path: Path) -> dict[str, list[dict]]:
    by: dict[str, list[dict]] = defaultdict(list)
    if path.exists():
        for line in path.read_text().splitlines():
            item = json.loads(line)
            by[item.pop("check")].append(item)
    return by


def redaction_corpus():
    """tests/test_redact.py's corpus through the real redactor: secrets caught (every
    secret string gone and its kind reported), look-alikes kept byte for byte."""
    from capture.redact import redact
    from tests.test_redact import LOOKALIKES, SECRETS

    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed = []
    for s in SECRETS:
        total[s.kind] += 1
        out = redact(s.text)
        if s.kind in out.found and not any(secret in out.text for secret in s.secrets):
            caught[s.kind] += 1
        else:
            missed.append(s.id)
    kept, changed = 0, []
    for name, text in LOOKALIKES:
        out = redact(text)
        if out.text == text and not out.found:
            kept += 1
        else:
            changed.append(name)
    return caught, total, missed, kept, len(LOOKALIKES), changed


def sensitive_examples():
    """tests/test_sensitive.py's examples through the real classifier (MiniLM): per
    category, positives recognised as that category and everyday look-alikes not
    flagged. A category is covered when at least two of its three positives are
    recognised and none of its look-alikes is flagged (the tests' own criterion)."""
    from memory.embedder import default_embedder
    from tests.test_sensitive import NEGATIVE, POSITIVE
    from usermodel.sensitive import CATEGORIES, SensitivityClassifier

    classifier = SensitivityClassifier(default_embedder().embed)
    rows = {}
    for category in CATEGORIES:
        pos, neg = POSITIVE.get(category, []), NEGATIVE.get(category, [])
        right = sum(1 for v in classifier.classify_many(pos) if v.sensitive and v.category == category)
        flagged = sum(1 for v in classifier.classify_many(neg) if v.sensitive)
        rows[category] = (right, len(pos), flagged, len(neg))
    return rows


def figures(counts: dict[str, list[dict]], results: dict[str, Counter], ran: list[str],
            sensitive: bool = True) -> list:
    from benchmarks.common import Figure

    def tests_ok(file: str) -> bool:
        r = results.get(file, Counter())
        return r["failed"] == 0 and r["passed"] > 0

    def one(check: str) -> dict | None:
        items = counts.get(check)
        return items[-1] if items else None

    out = []
    for stage in ("rule stage", "model stage"):
        c = one(f"crash safety: {stage}")
        if c is None:
            if "tests/test_crash_safety.py" in ran:
                out.append(Figure(f"crash safety ({stage}): SIGKILLs survived", "not measured",
                                  target="all", met=False, note="the test did not get that far"))
            continue
        clean = c["lost"] == 0 and c["doubled"] == 0 and c["skipped"] == 0 \
            and c["integrity_ok"] == c["checks"] and c["final_integrity"] \
            and c.get("index_in_step", True) and c["processed"] == c["observations"]
        index = ""
        if "index_in_step" in c:
            index = (f"; index {'in step' if c['index_in_step'] else 'NOT in step'} at the end"
                     + (" (rebuilt)" if c["index_rebuilt"] else ""))
        out.append(Figure(
            f"crash safety ({stage}): SIGKILLs survived", c["kills"], "kills",
            target="0 lost, 0 doubled", met=clean and tests_ok("tests/test_crash_safety.py"),
            note=f"`familiar process` over {c['observations']} observations: {c['lost']} lost, "
                 f"{c['doubled']} learned twice, {c['skipped']} skipped, {c['processed']} processed "
                 f"at the end; integrity_check ok after {c['integrity_ok']}/{c['checks']} kills"
                 + index))
    fuzz = one("input fuzzing")
    if fuzz is not None:
        ok = tests_ok("tests/test_cli_fuzz.py")
        labels = {"command lines": "random command lines", "arguments": "bad --at times and texts",
                  "ingest files": "ingest: malformed JSONL files",
                  "import files": "import: malformed files",
                  "damaged exports": "import: real exports with one thing wrong"}
        for key, label in labels.items():
            n = fuzz["tried"].get(key, 0)
            note = ("each: one line of error, non-zero exit, data dir unchanged (files, "
                    "ledger rows, index entries)")
            if key == "command lines":
                note = "each: a clean exit, or one line of error with the data dir unchanged"
            if key == "damaged exports":
                note = ", ".join(f"{k} {v}" for k, v in sorted(fuzz["damaged_exports"].items())) \
                    + "; each rejected for that reason"
            out.append(Figure(f"bad input: {label}", n, "tried", target="all handled",
                              met=ok and n > 0, note=note))
    model = one("model output fuzzing")
    if model is not None:
        ok = tests_ok("tests/test_model_output_fuzz.py")
        for key, n in sorted(model["tried"].items()):
            out.append(Figure(f"bad model output: {key}", n, "answers", target="all survived",
                              met=ok and n > 0,
                              note="nothing invalid stored, no observation lost, index in step"))
    if "tests/test_redact.py" in ran:
        caught, total, missed, kept, n_look, changed = redaction_corpus()
        out.append(Figure("secrets caught (redaction corpus)",
                          f"{sum(caught.values())} / {sum(total.values())}", "", target="all",
                          met=not missed, note=", ".join(f"{k} {caught[k]}/{total[k]}" for k in total)
                          + (f"; missed: {', '.join(missed)}" if missed else "")))
        out.append(Figure("look-alikes kept byte for byte", f"{kept} / {n_look}", "", target="all",
                          met=not changed, note="order numbers, tracking ids, dates, prices, "
                          "failed-Luhn numbers, bad IBANs, password prose..."
                          + (f"; changed: {', '.join(changed)}" if changed else "")))
    if sensitive:
        rows = sensitive_examples()
        covered = [c for c, (r, p, f, n) in rows.items() if p and r >= 2 and f == 0]
        out.append(Figure("sensitive categories covered", f"{len(covered)} / {len(rows)}", "",
                          target="all", met=len(covered) == len(rows),
                          note="; ".join(f"{c}: {r}/{p} recognised, {f}/{n} look-alikes flagged"
                                         for c, (r, p, f, n) in rows.items())))
    for check, items in sorted(counts.items()):
        if not check.startswith("no network: "):
            continue
        c = items[-1]
        setup = check.split(": ", 1)[1]
        ok = c["refused"] == 0 and tests_ok("tests/test_no_network.py")
        servers = (f"; {c['allowed']} connections, all to the {c['servers_reached']} configured "
                   "server(s)") if c["servers_reached"] else "; no connection, not even to loopback"
        out.append(Figure(f"no network ({setup}): attempts refused", c["refused"], "",
                          target="0", met=ok,
                          note=f"{c['runs']} guarded `familiar` process(es){servers}"))
    for file, (_, what) in TESTS.items():
        if file not in ran:
            continue
        r = results.get(file, Counter())
        skipped = f", {r['skipped']} skipped" if r["skipped"] else ""
        out.append(Figure(f"{what}: tests passed ({file})", f"{r['passed']} / "
                          f"{r['passed'] + r['failed'] + r['skipped']}", "", target="all",
                          met=tests_ok(file), note=f"{r['failed']} failed{skipped}"))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--skip", nargs="+", default=[],
                   choices=[*(name for name, _ in TESTS.values()), "sensitive"],
                   help="leave these checks out (their figures are then missing)")
    p.add_argument("--json")
    args = p.parse_args(argv)
    from benchmarks.common import emit, progress

    files = [f for f, (name, _) in TESTS.items() if name not in args.skip]
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="familiar-reliability-") as tmp:
        counts_path, junit = Path(tmp) / "counts.jsonl", Path(tmp) / "junit.xml"
        code = run_tests(files, counts_path, junit) if files else 0
        counts, results = load_counts(counts_path), outcomes(junit)
    progress(f"tests took {time.monotonic() - t0:.0f} s (pytest exit {code})")
    figs = figures(counts, results, files, sensitive="sensitive" not in args.skip)
    emit(figs, args.json)
    command = "python -m benchmarks.reliability" + (f" --skip {' '.join(args.skip)}" if args.skip else "")
    print(f"\n`{command}`: {time.monotonic() - t0:.0f} s")
    failed = code != 0 or any(f.met is False for f in figs)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

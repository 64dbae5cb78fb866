"""The benchmark harness's own pieces, and the import discipline the startup
benchmark reports (a cheap command must not load Qt or torch)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import _figures, table
from benchmarks.common import Figure, percentile
from benchmarks.startup import HEAVY, PROBE
from benchmarks.synthetic import propositions, queries


def test_synthetic_propositions_are_distinct_and_deterministic():
    a = propositions(5000)
    assert len(set(a)) == 5000
    assert a == propositions(5000)
    assert all(t.startswith("The user ") and t.endswith(".") for t in a)
    assert len(set(queries(100))) == 100
    big = propositions(100_000)  # the largest recall store: distinct sentences, not copies
    assert len(set(big)) == 100_000 and not any("(noted" in t for t in big)


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4, 5], 50) == 3
    assert percentile(list(range(101)), 95) == 95
    assert percentile([10.0], 95) == 10.0


def test_flat_dict_figures_get_targets_and_verdicts():
    rows = _figures("capture", {"unchanged_frame_ms": 1.4, "ocr_full_frame_ms": 3900.0,
                                "frame": "1920x1080"})
    by = {f.what: f for f in rows}
    assert by["capture: unchanged_frame_ms"].met is True
    assert by["capture: ocr_full_frame_ms"].met is False
    assert "capture: frame" not in by  # not a number


def test_table_marks_targets():
    from dataclasses import asdict

    rows = [{"benchmark": "x", **asdict(Figure("recall p95", 12.5, "ms", "< 30 ms", met=True))}]
    assert "| recall p95 | 12.5 ms | < 30 ms ✓ |" in table(rows)


@pytest.mark.parametrize("argv", [["status"], ["observe", "--source", "note", "I like tea"],
                                  ["propositions", "list"], ["recall", "weekend plans"]])
def test_cheap_commands_do_not_import_qt_or_torch(argv, familiar_home):
    p = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    imported = json.loads(p.stderr.strip().splitlines()[-1])
    assert set(imported) <= set(HEAVY)
    assert "torch" not in imported and "PySide6" not in imported


# -- a benchmark that misses a target keeps its figures -----------------------------------
MISSING_TARGET = '''
import sys
from benchmarks.common import Figure, emit

args = sys.argv[1:]
figures = [Figure("errors", 2, "", target="0", met=False, note="process: OSError x2"),
           Figure("RSS end", 230, "MB"),
           Figure("index agrees with ledger", "True", "", target="True", met=True)]
mode = args[0]
if mode != "crash-before-writing":
    emit(figures, args[args.index("--json") + 1])
sys.exit({"miss": 1, "crash-after-writing": 3, "crash-before-writing": 3, "ok": 0}[mode])
'''


@pytest.fixture
def fake_benchmark(tmp_path, monkeypatch):
    """A benchmark module outside the repository, run by the real harness."""
    import benchmarks.__main__ as harness

    pkg = tmp_path / "fakebench"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "missing.py").write_text(MISSING_TARGET)
    monkeypatch.setattr(harness, "HERE", pkg)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(tmp_path), str(Path(__file__).resolve().parents[1])]))
    return harness


def test_a_missed_target_keeps_every_figure(fake_benchmark):
    figures, problem = fake_benchmark.run_one("soak", "fakebench.missing", ["miss"])
    assert [f.what for f in figures] == ["errors", "RSS end", "index agrees with ledger"]
    assert figures[0].met is False and figures[1].value == 230
    assert problem.startswith("failed (exit 1)") and "missed errors" in problem


def test_a_crash_after_writing_keeps_the_figures_and_fails(fake_benchmark):
    figures, problem = fake_benchmark.run_one("soak", "fakebench.missing", ["crash-after-writing"])
    assert len(figures) == 3
    assert problem.startswith("failed (exit 3)")


def test_a_crash_before_writing_has_no_figures(fake_benchmark):
    figures, problem = fake_benchmark.run_one("soak", "fakebench.missing", ["crash-before-writing"])
    assert figures == [] and problem.startswith("failed (exit 3)")


def test_a_clean_run_has_no_problem(fake_benchmark):
    figures, problem = fake_benchmark.run_one("soak", "fakebench.missing", ["ok"])
    assert len(figures) == 3 and problem is None


def test_the_results_file_keeps_a_failed_benchmarks_rows(fake_benchmark, tmp_path, monkeypatch,
                                                          capfd):
    monkeypatch.setattr(fake_benchmark, "BENCHMARKS", {"soak": ("fakebench.missing", ["miss"], [])})
    monkeypatch.setattr(fake_benchmark, "machine", lambda: {
        "cores": 2, "ram_gb": 8, "cpu": "test", "gpu": "none"})
    out = tmp_path / "results.json"
    assert fake_benchmark.main(["--out", str(out)]) == 1
    result = json.loads(out.read_text())
    assert [r["what"] for r in result["figures"]] == ["errors", "RSS end", "index agrees with ledger"]
    assert all(r["benchmark_failed"] for r in result["figures"])
    assert result["problems"]["soak"].startswith("failed (exit 1)")
    printed = capfd.readouterr().out
    assert "| RSS end | 230 MB |" in printed and "soak failed, see below" in printed
    assert "| errors | 2 | 0 ✗ |" in printed


# -- the reliability figures -------------------------------------------------------------
def test_reliability_counts_are_recorded_only_when_asked(tmp_path, monkeypatch):
    from benchmarks.reliability import ENV, load_counts, record

    path = tmp_path / "counts.jsonl"
    monkeypatch.delenv(ENV, raising=False)
    record("input fuzzing", tried={"command lines": 3})
    assert not path.exists()
    monkeypatch.setenv(ENV, str(path))
    record("input fuzzing", tried={"command lines": 3})
    record("crash safety: rule stage", kills=10, lost=0)
    assert load_counts(path) == {"input fuzzing": [{"tried": {"command lines": 3}}],
                                 "crash safety: rule stage": [{"kills": 10, "lost": 0}]}


def test_test_outcomes_come_from_pytest_itself(tmp_path):
    from benchmarks.reliability import outcomes

    (tmp_path / "test_tiny.py").write_text(
        "import pytest\n"
        "def test_ok(): pass\n"
        "def test_bad(): assert 1 == 2\n"
        "@pytest.mark.skip(reason='x')\n"
        "def test_skipped(): pass\n"
        "@pytest.mark.parametrize('n', [1, 2])\n"
        "def test_many(n): pass\n")
    junit = tmp_path / "junit.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "--junitxml", str(junit), "test_tiny.py"], cwd=tmp_path,
                   capture_output=True, timeout=120)
    assert dict(outcomes(junit)["tests/test_tiny.py"]) == {"passed": 3, "failed": 1, "skipped": 1}


CRASH = {"kills": 10, "observations": 500, "lost": 0, "integrity_ok": 10, "checks": 10,
         "processed": 500, "doubled": 0, "skipped": 0, "index_in_step": True,
         "index_rebuilt": False, "final_integrity": True}


def _verdicts(counts, results, ran):
    from collections import Counter

    from benchmarks.reliability import figures

    rows = figures(counts, {f: Counter(r) for f, r in results.items()}, ran, sensitive=False)
    return {f.what: f for f in rows}


@pytest.mark.parametrize("change", [{}, {"lost": 1}, {"doubled": 2}, {"skipped": 1},
                                    {"integrity_ok": 9}, {"index_in_step": False},
                                    {"processed": 499}, {"final_integrity": False}])
def test_a_crash_figure_misses_on_any_loss(change):
    file = "tests/test_crash_safety.py"
    rows = _verdicts({"crash safety: rule stage": [{**CRASH, **change}]},
                     {file: {"passed": 2}}, [file])
    row = rows["crash safety (rule stage): SIGKILLs survived"]
    assert row.value == 10 and row.met is (change == {})
    # the model stage's test ran but recorded nothing: that is a miss, not a blank
    assert rows["crash safety (model stage): SIGKILLs survived"].met is False


def test_a_failed_test_fails_its_figures():
    file = "tests/test_cli_fuzz.py"
    counts = {"input fuzzing": [{"tried": {"command lines": 150, "arguments": 300,
                                           "ingest files": 150, "import files": 150,
                                           "damaged exports": 120},
                                 "damaged_exports": {"truncated": 120}}]}
    passing = _verdicts(counts, {file: {"passed": 13}}, [file])
    failing = _verdicts(counts, {file: {"passed": 12, "failed": 1}}, [file])
    assert passing["bad input: random command lines"].met is True
    assert failing["bad input: random command lines"].met is False
    assert failing["bad input: tests passed (tests/test_cli_fuzz.py)"].met is False


def test_a_refused_connection_fails_the_network_figure():
    file = "tests/test_no_network.py"
    seen = {"commands": 7, "runs": 7, "allowed": 0, "servers_reached": 0}
    ok = _verdicts({"no network: embedded defaults": [{**seen, "refused": 0}]},
                   {file: {"passed": 6}}, [file])
    bad = _verdicts({"no network: embedded defaults": [{**seen, "refused": 1}]},
                    {file: {"passed": 6}}, [file])
    assert ok["no network (embedded defaults): attempts refused"].met is True
    assert bad["no network (embedded defaults): attempts refused"].met is False


def test_the_redaction_figures_are_computed_from_the_corpus():
    from benchmarks.reliability import redaction_corpus
    from tests.test_redact import LOOKALIKES, SECRETS

    caught, total, missed, kept, n_look, changed = redaction_corpus()
    assert sum(total.values()) == len(SECRETS) and n_look == len(LOOKALIKES)
    assert sum(caught.values()) + len(missed) == len(SECRETS)
    assert kept + len(changed) == len(LOOKALIKES)


def test_a_gpu_adds_offloaded_runs_of_the_model_benchmarks():
    from benchmarks.__main__ import GPU_LAYERS, planned

    cpu = planned(["generation", "recall", "ingestion"], quick=True, gpu=False)
    assert [name for name, _, _ in cpu] == ["generation", "recall", "ingestion"]
    gpu = planned(["generation", "recall", "ingestion"], quick=True, gpu=True)
    assert [name for name, _, _ in gpu] == ["generation", "generation (GPU)", "recall",
                                            "ingestion", "ingestion (GPU)"]
    offloaded = dict((name, args) for name, _, args in gpu)
    assert offloaded["generation (GPU)"][-2:] == GPU_LAYERS
    assert GPU_LAYERS[0] not in offloaded["generation"]


def test_likelihood_scoring_continues_the_prompt_exactly(tmp_path):
    """The MCQ likelihood method evaluates the prompt once and each option after it;
    its scores equal a fresh evaluation of prompt + option, on the embedded model."""
    import numpy as np

    from assistant.llm import embedded_model_path
    from benchmarks.mcq_likelihood import LikelihoodScorer

    scorer = LikelihoodScorer(embedded_model_path("smollm2", tmp_path))
    system, question = "You are a helpful assistant.", "What should I cook tonight?"
    options = ["A lentil stew.", "A ribeye steak with fries and a pepper sauce.", "Pizza."]
    best, scores = scorer.choose(system, question, options)
    assert best == int(np.argmax(scores))
    llama, prompt = scorer.llama, scorer.prompt_tokens(system, question)
    for option, score in zip(options, scores):
        answer = llama.tokenize(option.encode(), add_bos=False, special=False)
        llama.reset()
        llama.eval(prompt + answer)
        logits = np.asarray(llama.scores[len(prompt) - 1 : len(prompt) + len(answer) - 1], np.float64)
        logp = [float(row[t] - np.log(np.exp(row - row.max()).sum()) - row.max())
                for row, t in zip(logits, answer)]
        assert score == pytest.approx(sum(logp) / len(logp), abs=1e-4)
    assert prompt[-3:] == llama.tokenize(b"<|im_start|>assistant\n", add_bos=False, special=True)[-3:]

"""The benchmark harness's own pieces, and the import discipline the startup
benchmark reports (a cheap command must not load Qt or torch)."""

from __future__ import annotations

import json
import subprocess
import sys

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

"""The ONNX models RapidOCR bundles (PP-OCRv4 mobile detector, Chinese+English
recognizer) and onnxruntime sessions tuned for a background app on a small CPU.

The recognizer runs in float: an int8 copy (MatMul/Gemm quantized, as tried before)
measured no faster here (1437 vs 1445 ms of CPU for a page), its convolutions
dominate."""

from __future__ import annotations

import os
from pathlib import Path

DETECTOR = "ch_PP-OCRv4_det_infer.onnx"
RECOGNIZER = "ch_PP-OCRv4_rec_infer.onnx"
MAX_THREADS = 2  # a background observer: never more than two cores, however many there are


def bundled(name: str) -> Path:
    import rapidocr_onnxruntime

    return Path(rapidocr_onnxruntime.__file__).parent / "models" / name


def session(path: Path, threads: int | None = None):
    """An inference session on the model's simplified graph (capture/ocr_graph.py) that
    does not spin: onnxruntime's worker threads busy-wait between operators by default,
    which on a two-core machine shared with other work doubles the wall time (measured:
    635 ms vs 346 ms for ten lines) and burns CPU."""
    import onnxruntime as ort

    from capture.ocr_graph import simplified

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.intra_op_num_threads = threads or max_threads()
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    return ort.InferenceSession(simplified(path), sess_options=opts, providers=["CPUExecutionProvider"])


def max_threads() -> int:
    return max(1, min(MAX_THREADS, os.cpu_count() or 1))

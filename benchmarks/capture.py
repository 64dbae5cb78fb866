"""Capture costs on a 1920x1080 screen.

    python -m benchmarks.capture [--seconds 60]

Prints: ms for an unchanged frame (grab + change check, median of 50), ms for OCR of
a changed full frame (a page of text, median of 5; each a different page, so no line
comes from the OCR's line cache), the share of its words OCR found, the same frame
read again (every line cached: what a frame with the same lines costs), and the CPU %
of the capture loop over N seconds of a static screen (one capture every 2 s, as the
app does). Uses the current DISPLAY, or starts Xvfb at 1920x1080 when there is none.
Other work on the machine slows every figure: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

TARGETS = {"unchanged_frame_ms": 5.0, "ocr_full_frame_ms": 1500.0, "static_loop_cpu_percent": 2.0}


def start_xvfb() -> tuple[subprocess.Popen | None, str]:
    if os.environ.get("DISPLAY"):
        return None, os.environ["DISPLAY"]
    if not shutil.which("Xvfb"):
        sys.exit("benchmarks.capture: no DISPLAY and no Xvfb (apt-get install xvfb)")
    for n in range(140, 200):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            break
    proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{n}").exists():
            break
        time.sleep(0.05)
    return proc, f":{n}"


WORDS = ("the quick brown fox jumps over lazy dog meeting notes budget review "
         "quarterly planning vegetarian recipes travel itinerary python code").split()


def page_lines(height=1080, seed=1) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, 14)) for _ in range(20, height - 30, 34)]


def page_of_text(width=1920, height=1080, seed=1) -> np.ndarray:
    """A BGR frame full of text, like an editor or a web page (page_lines(height, seed))."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=22)
    for y, line in zip(range(20, height - 30, 34), page_lines(height, seed)):
        draw.text((30, y), line, fill="black", font=font)
    return np.asarray(img)[:, :, ::-1].copy()


def words_found(lines: list[str], truth: list[str]) -> float:
    """Share of the words of ``truth`` (with repeats) that OCR read."""
    from collections import Counter

    got = Counter(" ".join(lines).lower().split())
    want = Counter(" ".join(truth).lower().split())
    return sum(min(n, got[w]) for w, n in want.items()) / max(1, sum(want.values()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the static-screen loop")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    xvfb, display = start_xvfb()
    os.environ["DISPLAY"] = display
    try:
        from capture.change import ChangeDetector
        from capture.frames import MssFrames
        from capture.ocr import RapidOcrEngine, reading_order

        frames = MssFrames()
        monitor = frames.monitors()[0]
        det = ChangeDetector()
        det.check(frames.grab(monitor))
        times = []
        for _ in range(50):
            t = time.perf_counter()
            change = det.check(frames.grab(monitor))
            times.append((time.perf_counter() - t) * 1000)
            assert not change.changed
        unchanged = statistics.median(times)

        ocr = RapidOcrEngine()
        ocr.read(page_of_text(400, 200, seed=0))  # load the models outside the timing
        ocr_times, ocr_cpu, recall = [], [], []
        for seed in range(1, 6):  # a new page each time: nothing comes from the line cache
            page = page_of_text(monitor[2], monitor[3], seed=seed)
            t, c = time.perf_counter(), time.process_time()
            lines = reading_order(ocr.read(page))
            ocr_times.append((time.perf_counter() - t) * 1000)
            ocr_cpu.append((time.process_time() - c) * 1000)
            recall.append(words_found(lines, page_lines(monitor[3], seed)))
        ocr_ms = statistics.median(ocr_times)
        cached_times = []  # the last page again: every line is in the cache, detection still runs
        for _ in range(5):
            t = time.perf_counter()
            reading_order(ocr.read(page))
            cached_times.append((time.perf_counter() - t) * 1000)
        cached_ms = statistics.median(cached_times)
        band_times = []  # what a typical later frame costs: one changed line, whole width
        for seed in range(11, 16):
            band = page_of_text(monitor[2], monitor[3], seed=seed)[500:580]
            t = time.perf_counter()
            reading_order(ocr.read(band))
            band_times.append((time.perf_counter() - t) * 1000)
        band_ms = statistics.median(band_times)

        interval = 2.0
        cpu0, t0 = time.process_time(), time.perf_counter()
        while time.perf_counter() - t0 < args.seconds:
            tick = time.perf_counter()
            if det.check(frames.grab(monitor)).changed:
                reading_order(ocr.read(frames.grab(monitor).pixels[:, :, :3]))
            time.sleep(max(0.0, interval - (time.perf_counter() - tick)))
        cpu = (time.process_time() - cpu0) / (time.perf_counter() - t0) * 100
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()

    figures = {"unchanged_frame_ms": round(unchanged, 2), "ocr_full_frame_ms": round(ocr_ms, 1),
               "static_loop_cpu_percent": round(cpu, 2), "ocr_lines_read": len(lines),
               "ocr_changed_band_ms": round(band_ms, 1), "ocr_same_lines_ms": round(cached_ms, 1),
               "ocr_full_frame_runs_ms": [round(x) for x in ocr_times],
               "ocr_full_frame_cpu_ms": round(statistics.median(ocr_cpu), 1),
               "ocr_words_found": round(min(recall), 3), "load_average": os.getloadavg(),
               "frame": f"{monitor[2]}x{monitor[3]}", "loop_seconds": args.seconds}
    print(f"{'what':<28}{'value':>10}{'target':>10}")
    for key, target in TARGETS.items():
        unit = "%" if "percent" in key else "ms"
        print(f"{key:<28}{figures[key]:>10}{'< ' + str(target) + ' ' + unit:>12}")
    print(f"{'ocr_changed_band_ms':<28}{figures['ocr_changed_band_ms']:>10}   (one changed line, full width)")
    print(f"{'ocr_full_frame_cpu_ms':<28}{figures['ocr_full_frame_cpu_ms']:>10}   (CPU time, all its threads)")
    print(f"{'ocr_same_lines_ms':<28}{figures['ocr_same_lines_ms']:>10}   (the same frame again: lines from the cache)")
    print(f"OCR read {len(lines)} lines from a {figures['frame']} page of text; full-frame runs "
          f"{figures['ocr_full_frame_runs_ms']} ms; words found >= {figures['ocr_words_found']:.1%}")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
          + f" on {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

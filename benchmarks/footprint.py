"""Resident memory of Familiar with the embedded model loaded: the desktop app idle,
the core alone idle, and the core with 10,000 stored propositions being recalled.

    python -m benchmarks.footprint

Each figure is taken in a fresh process (RSS from /proc). The app runs on Qt's
offscreen platform with capture off (a screen grab would only add OCR buffers that
come and go); its memory, embedder and model are loaded and used once, then it idles
with its own timers running. The 10k store is the one `benchmarks.recall_latency`
builds (copied, so the cached one is never touched).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time

from benchmarks.common import Figure, emit, familiar, progress, rss_mb, temp_home


def idle_with_model() -> dict:
    """Familiar with the embedded model, the embedder and the index loaded and used once."""
    fam = familiar(temp_home(), llm={"backend": "embedded"})
    try:
        base = rss_mb()
        fam.llm.complete([{"role": "user", "content": "Say hello."}], max_tokens=8)
        fam.recaller.recall("hello")
        time.sleep(2)
        return {"before_mb": base, "idle_mb": rss_mb()}
    finally:
        fam.close()


def app_idle_with_model(idle_s: float = 10.0) -> dict:
    """The desktop app (window, tray, controller and its workers) with the embedded model
    loaded and used once, then idle."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from ui.app import FamiliarApp

    app = QApplication([])
    fam = familiar(temp_home(), llm={"backend": "embedded"})
    ui = FamiliarApp(fam, capture=False, first_run=False, modal_errors=False)
    ui.start()

    def pump(seconds: float, until=lambda: False) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not until():
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)

    pump(120, until=lambda: ui.controller.is_ready)
    base = rss_mb()
    fam.llm.complete([{"role": "user", "content": "Say hello."}], max_tokens=8)
    fam.recaller.recall("hello")
    pump(idle_s)
    idle = rss_mb()
    ui.quit()
    fam.close()
    return {"ready_mb": base, "idle_mb": idle}


def with_10k() -> dict:
    from benchmarks.recall_latency import build_store
    from benchmarks.synthetic import queries

    src = build_store(10_000)
    home = temp_home()
    shutil.rmtree(home)
    shutil.copytree(src, home)
    fam = familiar(home, llm={"backend": "embedded"})
    try:
        fam.llm.complete([{"role": "user", "content": "Say hello."}], max_tokens=8)
        marks = []
        for i, q in enumerate(queries(200)):
            fam.recaller.recall(q)
            if i % 50 == 49:
                marks.append(rss_mb())
        return {"after_10k_mb": marks[-1], "marks_mb": marks}
    finally:
        fam.close()
        shutil.rmtree(home, ignore_errors=True)


def _child(fn: str) -> dict:
    p = subprocess.run([sys.executable, "-m", "benchmarks.footprint", "--child", fn],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip()[-500:])
    return json.loads(p.stdout.strip().splitlines()[-1])


def run() -> list[Figure]:
    progress("footprint: the app idle with the embedded model")
    app = _child("app")
    progress("footprint: idle with the embedded model")
    idle = _child("idle")
    progress("footprint: 10k propositions")
    big = _child("10k")
    growth = big["marks_mb"][-1] - big["marks_mb"][0]
    return [
        Figure("resident memory, app idle, embedded model loaded", f"{app['idle_mb']:.0f}", "MB",
               note=f"{app['ready_mb']:.0f} MB once its memory was loaded, before the model"),
        Figure("resident memory, core idle, embedded model loaded", f"{idle['idle_mb']:.0f}", "MB"),
        Figure("resident memory, 10k propositions, after 200 recalls", f"{big['after_10k_mb']:.0f}",
               "MB", note="RSS every 50 recalls: " + ", ".join(f"{m:.0f}" for m in big["marks_mb"])
               + f" MB (growth {growth:+.0f} MB)"),
    ]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child", choices=["app", "idle", "10k"], help=argparse.SUPPRESS)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args(argv)
    if args.child:
        child = {"app": app_idle_with_model, "idle": idle_with_model, "10k": with_10k}
        print(json.dumps(child[args.child]()))
        return 0
    emit(run(), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

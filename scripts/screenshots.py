"""Screenshots of the desktop app for docs/screenshots/: starts it under Xvfb (the real
xcb platform) on a seeded demo home, clicks through every tab, and saves PNGs.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--llm embedded|none]

The demo data: a few chat messages and screen observations, learned from by the rules
(and the model, with --llm embedded); the chat screenshot is a real answer of the
configured model (the embedded SmolLM2-135M by default, --model gemma3 for Gemma 3 270M:
small models, and it shows).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHAT = [
    "I'm vegetarian and I can't stand cilantro.",
    "I live in Lisbon with my partner and our two cats.",
    "I work as a data engineer, mostly Python and SQL.",
    "I prefer short answers, no small talk please.",
    "I go climbing on Tuesday and Thursday evenings.",
    "I'm learning Portuguese, I'm at about A2 level.",
    "My sister Ana's birthday is on March 3.",
    "I usually take the train to work.",
]
SCREEN = [
    ("Firefox", "Lisbon to Porto train tickets — CP", "Alfa Pendular 08:39 Lisboa Oriente → Porto "
     "Campanhã\n2nd class 31,70 €\nSelect seat"),
    ("Code", "pipeline.py — etl", "def load_orders(conn):\n    return conn.execute('SELECT * FROM "
     "orders WHERE day = ?', (day,))"),
    ("Thunderbird", "Inbox — Climbing club", "Thursday session moved to 19:30 at the Alcântara "
     "wall. Bring your own chalk."),
]
QUESTION = "Suggest one dinner for tonight, in one sentence."
EDIT = "A chickpea and spinach curry, no cilantro."


def seed(fam) -> None:
    from assistant.services import NewObservation
    from memory.timeutil import now_utc

    now = now_utc()
    items = [NewObservation(source="chat", text=t, at=now - timedelta(minutes=90 - 5 * i))
             for i, t in enumerate(CHAT)]
    items += [NewObservation(source="screen", text=text, app=app, window=title,
                             at=now - timedelta(minutes=20 - 5 * i))
              for i, (app, title, text) in enumerate(SCREEN)]
    fam.observe_many(items)
    fam.user_model.process()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--llm", default="embedded", help="embedded (default) or none")
    ap.add_argument("--model", default="smollm2", help="the embedded model: smollm2 or gemma3")
    args = ap.parse_args()
    from tests.xvfb import xvfb

    home = Path(tempfile.mkdtemp(prefix="familiar-demo-"))
    os.environ["FAMILIAR_HOME"] = str(home)
    with xvfb(size=(1280, 860)) as display:
        os.environ["DISPLAY"] = display
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        return shoot(home, args.out, args.llm, args.model)


def shoot(home: Path, out: Path, backend: str, model: str) -> int:
    from PySide6.QtWidgets import QApplication

    from assistant.services import Familiar
    from assistant.settings import load_settings
    from ui.app import FamiliarApp

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    fam = Familiar(load_settings(home, llm={"backend": "none"}))
    seed(fam)
    if backend != "none":  # chat with the model; what was seeded was learned by the rules
        from assistant import settings_store

        settings_store.apply(fam, settings_store.updated(
            fam.settings, {"llm": {"backend": backend, "model": model}}))
    ui = FamiliarApp(fam, capture=False, first_run=False, modal_errors=False, background=False)
    ui.start()
    w = ui.window
    w.resize(1180, 760)

    def pump(seconds: float = 0.3, until=None, limit: float = 180.0) -> None:
        end = time.monotonic() + (limit if until else seconds)
        while time.monotonic() < end:
            app.processEvents()
            if until is not None and until():
                break
            time.sleep(0.02)
        for _ in range(5):
            app.processEvents()

    def save(widget, name: str) -> None:
        pump(0.3)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    pump(until=lambda: ui.controller.is_ready)

    # what I know about you, and one proposition opened
    k = w.knowledge
    w.tabs.setCurrentWidget(k)
    pump(until=lambda: k.model.rowCount() > 0)
    save(w, "knowledge")
    row = next(r for r in range(k.proxy.rowCount())
               if "vegetarian" in k.proxy.row_at(k.proxy.index(r, 0)).text)
    k.table.selectRow(row)
    dialog = k.open(k.proxy.row_at(k.proxy.index(row, 0)).id)
    pump(until=lambda: dialog.detail is not None)
    save(dialog, "proposition")
    dialog.close()

    k.search.setText("what should I cook tonight?")
    k.run_search()
    pump(until=lambda: k.model.scores is not None)
    save(w, "knowledge-search")
    k.show_all()

    # chat: a real answer, with what it used
    c = w.chat
    w.tabs.setCurrentWidget(c)
    c.input.setPlainText(QUESTION)
    c.send()
    pump(until=lambda: c.streaming is None, limit=600)
    answer = c.messages[-1]
    if answer.message_id is not None:  # the user corrects the draft; Familiar learns from it
        c.save_edit(answer, EDIT)
        pump(until=lambda: answer.edited.isVisible())
    save(w, "chat")

    # suggestions, activity, settings
    sv = w.suggestions
    w.tabs.setCurrentWidget(sv)
    pump(until=lambda: sv.refresh_button.isEnabled() and sv.loaded)
    ui.controller.notify_tick()  # one notification decision, for the log
    pump(until=lambda: sv.log_model.rowCount() > 0)
    save(w, "suggestions")
    w.tabs.setCurrentWidget(w.activity)
    pump(until=lambda: w.activity.model.rowCount() > 0)
    save(w, "activity")
    w.tabs.setCurrentWidget(w.settings)
    pump(1.0)
    save(w, "settings")
    bar = w.settings.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())  # the data section: where it is kept, Move…, export, delete
    save(w, "settings-data")
    bar.setValue(0)

    # the tray menu and the first-run screen
    ui.tray.refresh()
    ui.tray.menu.adjustSize()
    save(ui.tray.menu, "tray-menu")
    first = ui.first_run()
    pump(0.5)
    save(first, "first-run")
    first.done(0)
    app.processEvents()

    ui.quit()
    fam.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

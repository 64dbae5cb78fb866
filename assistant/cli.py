"""`familiar` — the command line. Every subcommand has --help; errors are one line on
stderr with a non-zero exit, and leave the data dir as it was."""

from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import sys
from datetime import datetime
from pathlib import Path

from assistant import chat_cli, mcp_cli, suggest_cli
from assistant.errors import FamiliarError, UsageError

log = logging.getLogger("familiar")


def _one_line(text: object) -> str:
    """An error message as one printable line: a file name or argument holding a line
    break or other control character is shown escaped (\\r), not obeyed."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(text))


# -- argument parsing ------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """Usage errors on one line, like every other error."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see `{self.prog} --help`)\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="familiar",
        description="Familiar: a personal assistant that learns who you are, on your machine.")
    p.add_argument("--home", type=Path, help="put all data, settings and logs under DIR "
                   "(also FAMILIAR_HOME)", metavar="DIR")
    p.add_argument("-v", "--verbose", action="store_true", help="log to stderr too")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("status", help="what is stored and which model is used")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("observe", help="store one observation (a chat message, a note...)")
    s.add_argument("--source", required=True, choices=["chat", "screen", "edit", "note", "file"])
    s.add_argument("--role", default="user", choices=["user", "assistant"],
                   help="who wrote it (default: user)")
    s.add_argument("--id", dest="external_id", help="your own id for it (kept as evidence)")
    s.add_argument("--at", help="when it happened, ISO 8601 (default: now)")
    s.add_argument("--app", help="the application it came from")
    s.add_argument("--window", help="the window title")
    s.add_argument("text", help="the text, or - to read it from stdin")

    s = sub.add_parser("ingest", help="store observations from a JSONL file")
    s.add_argument("file", type=Path, help='one JSON object per line: {"source", "text", '
                   '"id"?, "at"?, "role"?, "app"?, "window"?}; - for stdin')

    s = sub.add_parser("process", help="run the user model until nothing is pending")
    s.add_argument("--budget", type=int, help="at most this many observations for the model")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("recall", help="the propositions most relevant to a query")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=5, help="how many (default 5)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("propositions", help="review what Familiar believes about you")
    psub = s.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = psub.add_parser("list", help="current propositions")
    a.add_argument("--all", action="store_true", help="include superseded and retracted ones")
    a.add_argument("--sort", choices=["updated", "confidence", "id"], default="updated")
    a.add_argument("--limit", type=int)
    a.add_argument("--sensitive", action="store_true",
                   help="only those held as sensitive (allow or forget them)")
    a.add_argument("--json", action="store_true")
    a = psub.add_parser("show", help="one proposition with its evidence and history")
    a.add_argument("id", type=int)
    a.add_argument("--json", action="store_true")
    a = psub.add_parser("edit", help="correct a proposition (new text or a confidence: user-confirmed)")
    a.add_argument("id", type=int)
    a.add_argument("text", nargs="?", help="the corrected text")
    a.add_argument("--confidence", type=int)
    a.add_argument("--decay", type=int)
    for name, text in (("confirm", "mark as right (confidence 10)"),
                       ("reject", "mark as wrong: retracted and not learned again"),
                       ("delete", "remove it and erase its text"),
                       ("allow", "clear the sensitive flag: may be used like any other")):
        a = psub.add_parser(name, help=text)
        a.add_argument("ids", type=int, nargs="+", metavar="ID")

    s = sub.add_parser("forget", help="delete observations and what rests only on them")
    s.add_argument("--observation", type=int, action="append", default=[], metavar="ID")
    s.add_argument("--external-id", action="append", default=[], metavar="EXT_ID")
    s.add_argument("--source", choices=["chat", "screen", "edit", "note", "file"])
    s.add_argument("--app")
    s.add_argument("--since", help="ISO 8601 time (inclusive)")
    s.add_argument("--until", help="ISO 8601 time (exclusive)")
    s.add_argument("--all", action="store_true", help="everything: observations and propositions")
    s.add_argument("--yes", action="store_true", help="do not ask before --all")

    s = sub.add_parser("capture", help="screen observations: one now, pause, resume, or run",
                       description="Without an action: show whether capture is on.")
    s.add_argument("action", nargs="?", choices=["pause", "resume", "status", "run"],
                   help="pause [--for 30m], resume, status, or run (capture in the foreground "
                        "until Ctrl-C)")
    s.add_argument("--once", action="store_true", help="take one screen observation now")
    s.add_argument("--for", dest="duration", metavar="DURATION",
                   help="with pause: for how long (30m, 2h, 1d)")
    s.add_argument("--json", action="store_true")

    sub.add_parser("reindex", help="rebuild the search index from the ledger")

    s = sub.add_parser("chat", help="ask Familiar; the answer uses what it knows about you",
                       description="Streams the answer. Without --conversation or --new, "
                       "continues the latest conversation if it was active in the last hour.")
    s.add_argument("message", nargs="?", help="what to say (- to read it from stdin)")
    s.add_argument("--json", action="store_true",
                   help='print {"answer", "used", "conversation_id", "message_id"} at the end')
    s.add_argument("--conversation", type=int, metavar="ID", help="continue this conversation")
    s.add_argument("--new", action="store_true", help="start a new conversation")
    s.add_argument("--list", action="store_true", help="list the conversations")
    s.add_argument("--edit", type=int, metavar="MESSAGE_ID",
                   help="replace an answer (its message_id) with MESSAGE, your version; "
                        "Familiar learns from the edit how you like replies written")

    s = sub.add_parser("instruct", help="add a standing instruction for every answer")
    s.add_argument("text", help='e.g. "Always answer in metric units."')

    s = sub.add_parser("export", help="write the whole user model to a JSON file")
    s.add_argument("file", type=Path)
    s.add_argument("--with-observations", action="store_true",
                   help="include the observations' text (without it, only their source and time)")
    s = sub.add_parser("import", help="restore an export into an empty data dir")
    s.add_argument("file", type=Path)
    s = sub.add_parser("move-data", help="move the data (ledger, index) to another folder and "
                                         "keep it there from now on")
    s.add_argument("dir", help="a new or empty folder")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("retention", help="expire observations older than memory.retention_days")
    s.add_argument("--apply", action="store_true", help="expire them now (default: only show)")
    s.add_argument("--days", type=float, help="use this many days instead of the setting")

    s = sub.add_parser("models", help="language models found on this machine")
    s.add_argument("--json", action="store_true")
    suggest_cli.add_parsers(sub)
    mcp_cli.add_parser(sub)
    return p


# -- helpers ---------------------------------------------------------------------------
def _time(text: str | None, what: str = "--at") -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what} {text!r} is not an ISO 8601 time (e.g. 2026-11-23T09:30:00).") from None


def _utf8(text: str, what: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{what} is not valid UTF-8; nothing was stored.") from None
    return text


def _read_stdin_text() -> str:
    data = sys.stdin.buffer.read(5_000_001 * 4)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("The text on stdin is not valid UTF-8; nothing was stored.") from None


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _evidence_json(p) -> list[dict]:
    return [{"observation_id": e.observation_id, "external_id": e.external_id,
             "source": e.source, "at": e.at.isoformat()} for e in p.evidence]


def _proposition_json(p, **extra) -> dict:
    return {"id": p.id, "text": p.text, "reasoning": p.reasoning, "confidence": p.confidence,
            "decay": p.decay, **extra, "status": p.status, "kind": p.kind, "origin": p.origin,
            "user_confirmed": p.user_confirmed, "sensitive": p.sensitive,
            "updated_at": p.updated_at.isoformat(),
            "evidence": _evidence_json(p)}


def _progress(stage: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\r{stage}: {done}/{total}", end="", file=sys.stderr, flush=True)


# -- commands ----------------------------------------------------------------------------
def cmd_status(fam, args) -> int:
    st = fam.status()
    if args.json:
        _print_json(st)
    else:
        print("Familiar — what is stored (`familiar` alone opens the app).")
        for k, v in st.items():
            print(f"  {k.replace('_', ' ')}: {v}")
        print("Try: familiar observe --source chat \"I'm vegetarian\" && familiar process "
              "&& familiar recall \"dinner ideas\"")
    return 0


def cmd_observe(fam, args) -> int:
    from assistant.services import NewObservation

    text = _read_stdin_text() if args.text == "-" else _utf8(args.text, "The text")
    oid, created = fam.observe(NewObservation(
        source=args.source, text=text, role=args.role, at=_time(args.at), app=args.app,
        window=args.window, external_id=args.external_id))
    print(f"observation {oid} {'stored' if created else 'already stored'}; "
          "run `familiar process` to learn from it")
    return 0


def _ingest_items(raw: bytes):
    from assistant.services import NewObservation

    items = []
    allowed = {"source", "text", "id", "at", "role", "app", "window"}
    for n, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            raise UsageError(f"Line {n} is not valid UTF-8; nothing was imported.") from None
        except json.JSONDecodeError as exc:
            raise UsageError(f"Line {n} is not valid JSON ({exc.msg}); nothing was imported.") from None
        if not isinstance(obj, dict):
            raise UsageError(f"Line {n} is not a JSON object; nothing was imported.")
        unknown = set(obj) - allowed
        if unknown:
            raise UsageError(f"Line {n} has unknown field(s) {sorted(unknown)}; allowed: "
                             f"{sorted(allowed)}. Nothing was imported.")
        for key in ("source", "text"):
            if not isinstance(obj.get(key), str):
                raise UsageError(f"Line {n} needs a string {key!r}; nothing was imported.")
        for key in ("id", "at", "role", "app", "window"):
            if key in obj and obj[key] is not None and not isinstance(obj[key], str | int):
                raise UsageError(f"Line {n}: {key!r} must be a string; nothing was imported.")
        try:
            at = _time(obj.get("at"), f"Line {n}: 'at'")
        except UsageError as exc:
            raise UsageError(f"{exc} Nothing was imported.") from None
        items.append(NewObservation(
            source=obj["source"], text=obj["text"], role=obj.get("role") or "user", at=at,
            app=obj.get("app"), window=obj.get("window"),
            external_id=None if obj.get("id") is None else str(obj["id"])))
    if not items:
        raise UsageError("The file has no observations; nothing was imported.")
    return items


def cmd_ingest(fam, args) -> int:
    if str(args.file) == "-":
        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = args.file.read_bytes()
        except OSError as exc:
            raise UsageError(f"Cannot read {args.file}: {exc.strerror or exc}.") from None
    created, existing = fam.observe_many(_ingest_items(raw))
    print(f"stored {created} observation(s)" + (f", {existing} already stored" if existing else "")
          + "; run `familiar process` to learn from them")
    return 0


def cmd_process(fam, args) -> int:
    if fam.llm is not None:
        fam.llm.preflight()  # a missing model or dead server fails here, before any write
    if fam.settings.memory.retention_days:
        fam.apply_retention()
    report = fam.user_model.process(llm_budget=args.budget, progress=_progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    d = report.to_dict()
    if args.json:
        _print_json(d)
    else:
        print(f"looked at {d['extracted']} new observation(s); {d['inserted']} new proposition(s), "
              f"{d['revised']} revised, {d['corroborated']} corroborated, {d['conflicts']} conflict(s)"
              + (f"; the model handled {d['processed']}" if fam.llm is not None else ""))
        if d["still_pending"]:
            print(f"{d['still_pending']} observation(s) still pending for the model")
    for err in report.errors[:3]:
        print(f"familiar: warning: {_one_line(err)}", file=sys.stderr)
    return 1 if report.errors and report.processed == 0 and report.still_pending else 0


def cmd_recall(fam, args) -> int:
    if not args.query.strip():
        raise UsageError("The query is empty.")
    if not 1 <= args.k <= 100:
        raise UsageError("-k must be between 1 and 100.")
    results = fam.recaller.recall(_utf8(args.query, "The query"), args.k)
    if args.json:
        out = {"query": args.query, "results": [
            _proposition_json(r.proposition, score=round(r.score, 4)) for r in results]}
        if fam.notices:  # e.g. the Chroma server is down and the ledger answered
            out["notice"] = " ".join(fam.notices)
        _print_json(out)
        return 0
    if not results:
        print("Nothing relevant is known yet.")
    for n, r in enumerate(results, 1):
        p = r.proposition
        ev = ", ".join(f"#{e.observation_id}" + (f" ({e.external_id})" if e.external_id else "")
                       for e in p.evidence[:5])
        print(f"{n}. {p.text}  [score {r.score:.3f}, confidence {p.confidence}, decay {p.decay}]")
        print(f"   why: {p.reasoning}")
        print(f"   evidence: {ev or 'none'}")
    return 0


def cmd_propositions(fam, args) -> int:
    action = args.action
    if action == "list":
        props = fam.ledger.list_propositions(
            status=None if args.all else "current", limit=args.limit, order=args.sort)
        if args.sensitive:
            props = [p for p in props if p.sensitive]
        if args.json:
            _print_json([_proposition_json(p) for p in props])
            return 0
        if not props:
            print("No propositions yet: add observations, then run `familiar process`.")
        for p in props:
            mark = "✓" if p.user_confirmed else " "
            status = "" if p.status == "current" else f" ({p.status})"
            status += " [sensitive]" if p.sensitive else ""
            print(f"{p.id:>6} {mark} c{p.confidence:<2} d{p.decay:<2} {p.text}{status}")
        return 0
    if action == "show":
        p = fam.get_proposition(args.id)
        history = fam.ledger.history(p.id)
        feedback = fam.ledger.feedback(p.id)
        conflicts = fam.ledger.conflicts(p.id)
        if args.json:
            _print_json(_proposition_json(
                p, history=[{"old_id": r.old_id, "new_id": r.new_id, "reason": r.reason,
                             "actor": r.actor, "at": r.at.isoformat()} for r in history],
                feedback=[{"action": a, "detail": d, "at": t.isoformat()} for a, d, t in feedback],
                conflicts=[{"proposition_id": a, "confirmed_id": b, "reason": c} for a, b, c in conflicts]))
            return 0
        print(f"#{p.id} {p.text}")
        print(f"  status {p.status}; confidence {p.confidence}; decay {p.decay}; kind {p.kind}; "
              f"from {p.origin}{'; confirmed by you' if p.user_confirmed else ''}")
        print(f"  reasoning: {p.reasoning}")
        print("  evidence:")
        for e in p.evidence:
            ext = f" ({e.external_id})" if e.external_id else ""
            print(f"    #{e.observation_id}{ext} {e.source} {e.at:%Y-%m-%d %H:%M}: {e.text[:160]}")
        if history:
            print("  history:")
            for r in history:
                arrow = f"#{r.old_id} → #{r.new_id}" if r.new_id else f"#{r.old_id} retracted"
                print(f"    {r.at:%Y-%m-%d %H:%M} {arrow}: {r.reason} ({r.actor})")
        for a, b, c in conflicts:
            print(f"  conflict: #{a} vs your confirmed #{b}: {c}")
        return 0
    if action == "edit":
        if args.text is None and args.confidence is None and args.decay is None:
            raise UsageError("Give the new text, --confidence or --decay.")
        text = _utf8(args.text, "The text") if args.text is not None else None
        new_id = fam.edit_proposition(args.id, text, args.confidence, args.decay)
        print(f"proposition {args.id} revised as {new_id} (confirmed by you)")
        return 0
    handler = {"confirm": fam.confirm_proposition, "reject": fam.reject_proposition,
               "delete": fam.delete_proposition, "allow": fam.allow_sensitive}[action]
    for pid in args.ids:
        fam._current(pid)  # check them all before changing any
    for pid in args.ids:
        handler(pid)
    done = {"confirm": "confirmed", "reject": "rejected", "delete": "deleted",
            "allow": "allowed"}[action]
    print(f"{done}: " + ", ".join(str(i) for i in args.ids))
    return 0


def cmd_forget(fam, args) -> int:
    if args.all:
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError("`forget --all` erases everything; add --yes to confirm.")
            answer = input("Erase every observation and proposition? Type 'yes': ")
            if answer.strip().lower() != "yes":
                print("nothing was forgotten")
                return 1
        report = fam.forget(everything=True)
        print(f"forgot everything ({report.observations} observations)")
        return 0
    selector = dict(ids=args.observation, external_ids=args.external_id, source=args.source,
                    app=args.app, since=_time(args.since, "--since"),
                    until=_time(args.until, "--until"))
    if not any(selector.values()):
        raise UsageError("Say what to forget: --observation, --external-id, --source, --app, "
                         "--since/--until, or --all.")
    report = fam.forget(**selector)
    print(f"forgot {report.observations} observation(s); retracted {len(report.retracted)} "
          f"proposition(s) that rested only on them; re-scored {len(report.rescored)}")
    return 0


def _outcome_json(outcome, obs_id=None, merged=False) -> dict:
    w = outcome.window
    return {"captured": outcome.captured, "reason": outcome.reason, "detail": outcome.detail,
            "observation_id": obs_id, "merged": merged,
            "app": w.app if w else None, "window": outcome.observation.window if outcome.observation
            else (w.title if w and outcome.reason != "excluded" else None),
            "text": outcome.observation.text if outcome.observation else "",
            "redactions": outcome.redactions, "timings_ms": outcome.timings_ms}


def cmd_capture(fam, args) -> int:
    from capture.state import parse_duration

    state = fam.capture_state
    if args.once:
        outcome, obs_id, merged = fam.capture_once(ignore_idle=True)
        if outcome.reason == "no screen":
            raise UsageError(f"{outcome.detail}. Is a display available (DISPLAY / WAYLAND_DISPLAY)?")
        if args.json:
            _print_json(_outcome_json(outcome, obs_id, merged))
        elif outcome.captured:
            verb = "added to" if merged else "stored as"
            print(f"{outcome.window.app or 'unknown app'} — {outcome.observation.window or ''}: "
                  f"{len(outcome.lines)} line(s) {verb} observation {obs_id}")
            if outcome.redactions:
                print("redacted: " + ", ".join(f"{n} {k}" for k, n in outcome.redactions.items()))
        else:
            print(f"nothing captured: {outcome.reason}" + (f" ({outcome.detail})" if outcome.detail else ""))
        return 0
    if args.action == "pause":
        try:
            duration = parse_duration(args.duration) if args.duration else None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        print(state.pause(duration).describe())
        return 0
    if args.duration:
        raise UsageError("--for goes with pause: familiar capture pause --for 30m")
    if args.action == "resume":
        print(state.resume().describe())
        return 0
    if args.action == "run":
        return _capture_run(fam)
    st = state.get()
    if args.json:
        _print_json({"paused": st.paused, "until": st.until.isoformat() if st.until else None})
    else:
        print(st.describe())
    return 0


def _capture_run(fam) -> int:
    import signal
    import threading

    from capture.loop import CaptureLoop

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def report(result):
        outcome, obs_id, merged = result
        if outcome.captured:
            print(f"{outcome.window.app or 'unknown app'}: {len(outcome.lines)} line(s) → "
                  f"observation {obs_id}{' (merged)' if merged else ''}", flush=True)

    windows = fam.screen.windows

    def window_key():
        w = windows.active()  # one read: app and title of the same window
        return w.app, w.title

    loop = CaptureLoop(fam.capture_once, window_key, fam.settings.capture.interval_s,
                       on_outcome=report)
    loop.start()
    from assistant.notify import PrintNotifier

    notify_job = fam.notification_job(notifier=PrintNotifier())  # suggestions, within budget
    if fam.settings.notify.enabled:
        notify_job.start()
    print(f"capturing every {fam.settings.capture.interval_s:g} s and on window switches; "
          "Ctrl-C to stop", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        loop.stop()
        notify_job.stop()
    print(f"stopped after {loop.captures} capture(s), {loop.errors} error(s)")
    return 0


def _run_app(fam) -> int:
    try:
        from ui.app import run_app
    except ImportError as exc:
        raise FamiliarError(
            f"The desktop app cannot start ({exc}). Install it with `sh scripts/bootstrap.sh`, "
            "or use the commands (`familiar --help`).") from None
    return run_app(fam)


def cmd_reindex(fam, args) -> int:
    n = fam.reindex(progress=lambda d, t: _progress("reindex", d, t))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"rebuilt the index: {n} proposition(s)")
    return 0


def cmd_export(fam, args) -> int:
    counts = fam.export_to(args.file, with_observations=args.with_observations)
    print(f"exported {counts['propositions']} proposition row(s), {counts['observations']} "
          f"observation(s){'' if args.with_observations else ' (without their text)'} to {args.file}")
    return 0


def cmd_import(fam, args) -> int:
    counts = fam.import_from(args.file)
    print(f"imported {counts['propositions']} proposition row(s) and {counts['observations']} "
          f"observation(s) from {args.file}; the search index was rebuilt")
    return 0


def cmd_retention(fam, args) -> int:
    from assistant.retention import apply_retention

    days = fam.settings.memory.retention_days if args.days is None else args.days
    if args.days is not None and args.days <= 0:
        raise UsageError("--days must be more than 0.")
    if args.apply:
        print(fam.apply_retention(days).describe())
        return 0
    report = apply_retention(fam.ledger, days, dry_run=True)
    if report.cutoff is None:
        print(report.describe())
    else:
        print(f"would expire {report.observations} observation(s) from before "
              f"{report.cutoff:%Y-%m-%d %H:%M} UTC; run with --apply to expire them")
    return 0


def cmd_models(fam, args) -> int:
    from assistant.model_discovery import find_models

    found = find_models()
    if args.json:
        _print_json([{"name": m.name, "path": str(m.path) if m.path else None,
                      "source": m.source, "size_bytes": m.size_bytes} for m in found])
        return 0
    current = fam.settings.llm
    print(f"in use: {current.backend} {current.url or current.model}")
    for m in found:
        size = f"{m.size_bytes / 1e6:,.0f} MB" if m.size_bytes else ""
        print(f"  {m.name:<40} {m.source:<10} {size:>10}  {m.path or '(built on first use)'}")
    print("Use one with: FAMILIAR_LLM__BACKEND=gguf FAMILIAR_LLM__MODEL=<name or path>")
    return 0


def cmd_move_data(fam, args) -> int:
    report = fam.move_data(
        args.dir, progress=lambda d, t: _progress("copying MB", round(d / 1e6, 1), round(t / 1e6, 1)))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        print(json.dumps({"from": str(report.source), "to": str(report.target), "files": report.files,
                          "bytes": report.bytes, "left_behind": report.left_behind}))
    else:
        print(report.describe())
    return 0


COMMANDS = {
    "status": cmd_status, "observe": cmd_observe, "ingest": cmd_ingest, "process": cmd_process,
    "recall": cmd_recall, "propositions": cmd_propositions, "forget": cmd_forget,
    "reindex": cmd_reindex, "models": cmd_models, "capture": cmd_capture,
    "export": cmd_export, "import": cmd_import, "retention": cmd_retention,
    "move-data": cmd_move_data,
    "chat": chat_cli.cmd_chat, "instruct": chat_cli.cmd_instruct,
    **suggest_cli.COMMANDS,
    "mcp": mcp_cli.cmd_mcp,
    "app": lambda fam, args: _run_app(fam),
}


_HANDLERS: list[logging.Handler] = []


def _setup_logging(log_dir: Path, verbose: bool) -> None:
    """Once per entry: a second main() in one process (tests, the app) replaces the
    handlers the first installed instead of stacking open log files."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    while _HANDLERS:
        old = _HANDLERS.pop()
        root.removeHandler(old)
        old.close()
    try:
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = logging.handlers.RotatingFileHandler(
            log_dir / "familiar.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        _HANDLERS.append(handler)
    except OSError:
        pass
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.INFO if verbose else logging.ERROR)
    stderr.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(stderr)
    _HANDLERS.append(stderr)
    for noisy in ("apscheduler", "chromadb", "httpx", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from assistant.settings import load_settings

    try:
        settings = load_settings(args.home) if args.home else load_settings()
    except Exception as exc:  # pydantic ValidationError: a bad env var or settings file
        print(f"familiar: error: invalid settings: {_one_line(str(exc).splitlines()[0])} — check your "
              "FAMILIAR_* environment variables and settings.toml", file=sys.stderr)
        return 2
    from assistant.services import private_files

    private_files()  # the log too: it may quote what the user did
    _setup_logging(settings.log_dir, args.verbose)
    command = args.command or "app"  # no command: the desktop app
    if command == "status" and not hasattr(args, "json"):
        args.json = False
    fam = None
    try:
        from assistant.services import Familiar

        fam = Familiar(settings)
        code = COMMANDS[command](fam, args)
        for notice in fam.notices:
            print(f"familiar: {_one_line(notice)}", file=sys.stderr)
        return code
    except FamiliarError as exc:
        print(f"familiar: error: {_one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("familiar: interrupted; nothing half-done was kept", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: one line, details in the log
        log.exception("unexpected error")
        print(f"familiar: unexpected error: {type(exc).__name__}: {_one_line(exc)} "
              f"(details in {settings.log_dir / 'familiar.log'})", file=sys.stderr)
        return 1
    finally:
        if fam is not None:
            fam.close()


if __name__ == "__main__":
    sys.exit(main())

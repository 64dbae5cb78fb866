"""`familiar suggest`, `familiar notifications`, `familiar notify` (parsers live in cli.py)."""

from __future__ import annotations

import json

from assistant.errors import UsageError


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def add_parsers(sub) -> None:
    s = sub.add_parser("suggest", help="what Familiar could do for you now, or feedback on one",
                       description="Without an action: list suggestions, best first. "
                       "With one: accept, dismiss, later (hide for notify.later_hours) or "
                       "never (mute this topic) suggestion ID.")
    s.add_argument("action", nargs="?", choices=["accept", "dismiss", "later", "never"])
    s.add_argument("id", nargs="?", type=int, help="the suggestion's id (with an action)")
    s.add_argument("--limit", type=int, default=10, help="how many (default 10)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("notifications", help="every decision to notify or not, with its reason")
    s.add_argument("--limit", type=int, default=50, help="how many, newest first (default 50)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("notify", help="decide now whether to notify the best suggestion")
    s.add_argument("--tick", action="store_true", required=True, help="run one decision now")
    s.add_argument("--json", action="store_true")


def cmd_suggest(fam, args) -> int:
    if args.action:
        if args.id is None:
            raise UsageError(f"Say which suggestion: familiar suggest {args.action} ID.")
        s = fam.suggestion_feedback(args.id, args.action)
        if args.json:
            _print_json(s.to_dict())
        else:
            done = {"accept": "accepted", "dismiss": "dismissed",
                    "later": (f"hidden until {s.hidden_until.astimezone():%Y-%m-%d %H:%M}"
                              if s.hidden_until else "hidden for now"),
                    "never": "muted: nothing more about this"}[args.action]
            print(f"suggestion {s.id} {done}")
        return 0
    if args.id is not None:
        raise UsageError("Give an action before the id: familiar suggest accept|dismiss|later|never ID.")
    if not 1 <= args.limit <= 1000:
        raise UsageError("--limit must be between 1 and 1000.")
    found = fam.suggestions(refresh=True, limit=args.limit)
    if args.json:
        _print_json([s.to_dict() for s in found])
        return 0
    if not found:
        print("Nothing to suggest yet: Familiar needs to learn about you first "
              "(familiar observe …, then familiar process).")
    for s in found:
        print(f"{s.id:>5}. {s.text}  [score {s.score:.2f}: benefit {s.benefit:.2f}, cost "
              f"{s.cost:.2f}, interruption {s.interruption:.2f}]")
        print(f"       why: {s.why}")
    if found:
        print("Answer with: familiar suggest accept|dismiss|later|never ID")
    return 0


def cmd_notifications(fam, args) -> int:
    if not 1 <= args.limit <= 10000:
        raise UsageError("--limit must be between 1 and 10000.")
    decisions = fam.notification_log(args.limit)
    if args.json:
        _print_json([d.to_dict() for d in decisions])
        return 0
    if not decisions:
        print("No notification decisions yet (familiar notify --tick runs one).")
    for d in decisions:
        what = f"suggestion {d.suggestion_id}" if d.suggestion_id is not None else "—"
        print(f"{d.at.astimezone():%Y-%m-%d %H:%M:%S} {'notified' if d.notified else 'held   '} "
              f"{what}: {d.reason}")
    return 0


def cmd_notify(fam, args) -> int:
    d = fam.notify_tick()
    if args.json:
        _print_json(d.to_dict())
    elif d.notified:
        print(f"notified suggestion {d.suggestion_id}: {d.text} ({d.reason})")
    else:
        print(f"no notification: {d.reason}")
    return 0


COMMANDS = {"suggest": cmd_suggest, "notifications": cmd_notifications, "notify": cmd_notify}

"""`familiar chat` and `familiar instruct` (registered in assistant/cli.py)."""

from __future__ import annotations

import sys
from datetime import timedelta

from assistant.errors import UsageError

CONTINUE_WITHIN = timedelta(hours=1)


def cmd_chat(fam, args) -> int:
    from assistant.cli import _print_json, _read_stdin_text, _utf8

    if args.list:
        if args.message is not None or args.new or args.conversation is not None \
                or args.edit is not None:
            raise UsageError("--list goes alone: familiar chat --list")
        return _list(fam, args.json)
    if args.message is None:
        raise UsageError('Say something: familiar chat "MESSAGE" (or --list).')
    if args.edit is not None:
        if args.new or args.conversation is not None:
            raise UsageError("--edit names the message already: familiar chat --edit ID TEXT")
        return _edit(fam, args)
    if args.new and args.conversation is not None:
        raise UsageError("Give --new or --conversation, not both.")
    message = _read_stdin_text() if args.message == "-" else _utf8(args.message, "The message")
    conversation = args.conversation
    if conversation is None and not args.new:
        conversation = fam.chat_service.recent_conversation(CONTINUE_WITHIN)

    def show(piece: str) -> None:
        sys.stdout.write(piece)
        sys.stdout.flush()

    reply = fam.chat(message, conversation, on_token=None if args.json else show)
    if args.json:
        _print_json({"answer": reply.answer, "used": reply.used,
                     "conversation_id": reply.conversation_id, "message_id": reply.message_id})
        return 0
    print()
    used = ", ".join(f"#{i}" for i in reply.used) or "nothing yet"
    print(f"(conversation {reply.conversation_id}; used what Familiar knows: {used})",
          file=sys.stderr)
    return 0


def _edit(fam, args) -> int:
    from assistant.cli import _print_json, _read_stdin_text, _utf8

    text = _read_stdin_text() if args.message == "-" else _utf8(args.message, "The edited text")
    obs_id = fam.edit_draft(args.edit, text)
    if args.json:
        _print_json({"message_id": args.edit, "observation_id": obs_id})
    else:
        print(f"kept your version of message {args.edit}; the change is observation {obs_id}, "
              "learned from at the next `familiar process`")
    return 0


def _list(fam, as_json: bool) -> int:
    from assistant.cli import _print_json

    convs = fam.conversations()
    if as_json:
        _print_json([{"id": c.id, "title": c.title, "started_at": c.started_at.isoformat(),
                      "updated_at": c.updated_at.isoformat()} for c in convs])
        return 0
    if not convs:
        print('No conversations yet: familiar chat "Hello"')
    for c in convs:
        print(f"{c.id:>6}  {c.updated_at:%Y-%m-%d %H:%M}  {c.title}")
    return 0


def cmd_instruct(fam, args) -> int:
    from assistant.cli import _utf8

    pid = fam.add_instruction(_utf8(args.text, "The instruction"))
    print(f"standing instruction stored as proposition {pid}; every answer will follow it "
          f"(`familiar propositions delete {pid}` removes it)")
    return 0

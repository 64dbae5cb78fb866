"""`familiar mcp serve` and `familiar mcp log` (registered in assistant/cli.py)."""

from __future__ import annotations

from assistant.errors import UsageError


def add_parser(sub) -> None:
    s = sub.add_parser("mcp", help="the user model as a service for other agents (MCP)",
                       description="Off unless mcp.enabled is set; answers only the clients "
                       "named in mcp.allowed_clients; every call is logged.")
    msub = s.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = msub.add_parser("serve", help="serve over stdio (default) or streamable HTTP on loopback")
    a.add_argument("--http", type=int, metavar="PORT",
                   help="serve at http://127.0.0.1:PORT/mcp instead of stdio")
    a = msub.add_parser("log", help="who asked what, allowed or refused (newest first)")
    a.add_argument("--limit", type=int, default=50)
    a.add_argument("--json", action="store_true")


def cmd_mcp(fam, args) -> int:
    if args.action == "serve":
        from assistant.mcp_server import serve

        if args.http is not None and not 1 <= args.http <= 65535:
            raise UsageError("--http needs a port between 1 and 65535.")
        serve(fam, args.http)
        return 0
    from assistant.cli import _print_json

    if not 1 <= args.limit <= 10000:
        raise UsageError("--limit must be between 1 and 10000.")
    entries = fam.mcp_access_log(args.limit)
    if args.json:
        _print_json([e.to_dict() for e in entries])
        return 0
    if not entries:
        state = "on" if fam.settings.mcp.enabled else "off"
        print(f"No agent has used the user-model service (it is {state}).")
    for e in entries:
        verdict = "allowed" if e.allowed else "REFUSED"
        print(f"{e.at:%Y-%m-%d %H:%M:%S} {verdict:<8} {e.client:<24} {e.tool}({e.arguments})")
    return 0

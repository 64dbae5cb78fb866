"""The user model as a service for other agents: an MCP server (stdio, or streamable
HTTP on loopback) with three tools.

- ``get_user_context(query, since?, until?, k?)``: the propositions most relevant to
  a query, with confidence and a summary of their evidence;
- ``add_observation(text, source?)``: something the agent saw the user say or do,
  stored like any observation (redacted first) for the next ``familiar process``;
- ``list_propositions(limit?)``: what Familiar believes, most confident first.

Consent: the service is off unless ``mcp.enabled`` is set, and it answers only the
clients named in ``mcp.allowed_clients``, matched against the name a client gives in
its MCP ``initialize`` (``clientInfo.name``). That name is the client's own claim, not
proof of identity: any program of this user could claim it, as it could read the
data dir directly. Every call, allowed or refused, goes to the access log
(``familiar mcp log``). Propositions flagged sensitive are never given out.
"""


import logging
import threading
from datetime import datetime
from typing import Any

from assistant import mcp_log
from assistant.errors import UsageError

log = logging.getLogger(__name__)

SUMMARY_CHARS = 160
SOURCES_FOR_AGENTS = ("note", "chat", "file", "edit")


class NotAllowed(Exception):
    pass


def disabled_message() -> str:
    return ("The user-model service is off. To let other agents use it, set "
            "FAMILIAR_MCP__ENABLED=true (or `enabled = true` under [mcp] in settings.toml) and "
            "name the clients you allow in mcp.allowed_clients, e.g. "
            "FAMILIAR_MCP__ALLOWED_CLIENTS='[\"claude-code\"]'.")


class UserModelService:
    """What the tools do, without MCP: the CLI, the tests and the UI can call it."""

    def __init__(self, fam):
        self.fam = fam
        self._lock = threading.Lock()  # one call at a time into the ledger and models
        self._mcp = fam.settings.mcp
        self._settings_stamp = _stamp(self._settings_file())

    def _settings_file(self):
        from assistant.settings_store import settings_path

        return settings_path(self.fam.settings)

    @property
    def mcp(self):
        """The [mcp] settings as saved now: the user may turn the service off or change
        the allowed clients (in the app's Settings) while an agent keeps it running."""
        path = self._settings_file()
        stamp = _stamp(path)
        if stamp != self._settings_stamp:
            from assistant.settings import load_settings

            self._settings_stamp = stamp
            try:
                self._mcp = load_settings(self.fam.settings.home).mcp
                log.info("settings changed: allowed clients now %s (service %s)",
                         self._mcp.allowed_clients, "on" if self._mcp.enabled else "off")
            except Exception as exc:  # noqa: BLE001 - a half-edited file: keep what was in force
                log.warning("cannot read the changed settings in %s (%s); keeping the previous "
                            "[mcp] settings", path, exc)
        return self._mcp

    @property
    def allowed(self) -> list[str]:
        mcp = self.mcp
        return list(mcp.allowed_clients) if mcp.enabled else []

    def check(self, client: str, tool: str, arguments: dict) -> None:
        mcp = self.mcp
        allowed = mcp.enabled and client in mcp.allowed_clients
        mcp_log.record(self.fam.ledger, client, tool, arguments, allowed)
        if not mcp.enabled:
            log.warning("refused %s from client %r: the service was turned off", tool, client)
            raise NotAllowed(disabled_message())
        if not allowed:
            log.warning("refused %s from client %r", tool, client)
            raise NotAllowed(
                f"Client {client!r} is not allowed to use this user's model. The user can allow "
                "it by adding its name to mcp.allowed_clients in Familiar's settings.")

    def user_context(self, query: str, since: str | None = None, until: str | None = None,
                     k: int = 5) -> dict:
        if not query.strip():
            raise ValueError("The query is empty.")
        k = max(1, min(int(k), 20))
        lo, hi = _time(since, "since"), _time(until, "until")
        with self._lock:
            pool = self.fam.recaller.recall(query, k if lo is hi is None else k * 4,
                                            include_sensitive=False)
            results = []
            for r in pool:
                evidence = [e for e in r.proposition.evidence
                            if (lo is None or e.at >= lo) and (hi is None or e.at < hi)]
                if (lo or hi) and not evidence:
                    continue
                results.append(self._proposition(r.proposition, evidence, score=round(r.score, 4)))
                if len(results) == k:
                    break
            out: dict[str, Any] = {"query": query, "propositions": results}
            if self.fam.notices:
                out["notice"] = " ".join(self.fam.notices)
            return out

    def add_observation(self, text: str, source: str = "note") -> dict:
        from memory.models import NewObservation

        if source not in SOURCES_FOR_AGENTS:
            raise ValueError(f"source must be one of {', '.join(SOURCES_FOR_AGENTS)}.")
        with self._lock:
            try:
                oid, created = self.fam.observe(NewObservation(source=source, text=text))
            except UsageError as exc:
                raise ValueError(str(exc)) from None
        return {"observation_id": oid, "stored": created,
                "note": "Familiar learns from it the next time the user model runs."}

    def list_propositions(self, limit: int = 20) -> dict:
        limit = max(1, min(int(limit), 200))
        with self._lock:
            props = [p for p in self.fam.ledger.list_propositions(
                status="current", order="confidence") if not p.sensitive][:limit]
            return {"propositions": [self._proposition(p, p.evidence) for p in props]}

    def _proposition(self, p, evidence, **extra) -> dict:
        texts = {o.id: o.text for o in self.fam.ledger.observations([e.observation_id for e in evidence[:5]])}
        return {"id": p.id, "text": p.text, "confidence": 10 if p.user_confirmed else p.confidence,
                "decay": p.decay, "user_confirmed": p.user_confirmed, **extra,
                "evidence": [{"source": e.source, "at": e.at.isoformat(),
                              "summary": _summary(texts.get(e.observation_id, ""))}
                             for e in evidence[:5]],
                "evidence_count": len(evidence)}


def _summary(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _stamp(path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _time(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    from memory.timeutil import from_iso

    try:
        return from_iso(text.strip())
    except ValueError:
        raise ValueError(f"{name} must be an ISO 8601 time, e.g. 2026-11-01T00:00:00.") from None


def client_name(ctx) -> str:
    params = getattr(ctx.session, "client_params", None)
    info = getattr(params, "clientInfo", None)
    return (getattr(info, "name", None) or "").strip() or "(unnamed client)"


def build_server(service: UserModelService, *, port: int = 8765):
    """A FastMCP server whose tools check the caller, log the call and run it."""
    import anyio
    from mcp.server.fastmcp import Context, FastMCP

    server = FastMCP(
        "familiar",
        instructions="What Familiar knows about its user: propositions with confidence and "
                     "evidence. Use get_user_context before personalizing an answer.",
        host="127.0.0.1", port=port, log_level="WARNING")

    async def call(ctx: Context, tool: str, arguments: dict, fn):
        client = client_name(ctx)
        await anyio.to_thread.run_sync(service.check, client, tool, arguments)
        return await anyio.to_thread.run_sync(lambda: fn(**arguments))

    @server.tool()
    async def get_user_context(query: str, ctx: Context, since: str | None = None,
                               until: str | None = None, k: int = 5) -> dict:
        """The propositions about the user most relevant to `query`, best first, each with
        its confidence (1-10), decay (how long it stays true, 1-10) and a summary of its
        evidence. `since` / `until` (ISO 8601) keep only evidence from that time range."""
        return await call(ctx, "get_user_context",
                          {"query": query, "since": since, "until": until, "k": k},
                          service.user_context)

    @server.tool()
    async def add_observation(text: str, ctx: Context, source: str = "note") -> dict:
        """Tell Familiar something the user said or did (source: note, chat, file or edit).
        Secrets are redacted before it is stored."""
        return await call(ctx, "add_observation", {"text": text, "source": source},
                          service.add_observation)

    @server.tool()
    async def list_propositions(ctx: Context, limit: int = 20) -> dict:
        """What Familiar believes about the user, most confident first."""
        return await call(ctx, "list_propositions", {"limit": limit}, service.list_propositions)

    return server


def serve(fam, http_port: int | None = None) -> None:
    """Run until the client closes stdin (stdio) or until interrupted (HTTP)."""
    if not fam.settings.mcp.enabled:
        raise UsageError(disabled_message())
    service = UserModelService(fam)
    server = build_server(service, port=http_port or 8765)
    if not service.allowed:
        log.warning("the user-model service is on but mcp.allowed_clients is empty: "
                    "every call will be refused")
    if http_port is None:
        server.run("stdio")
    else:
        server.run("streamable-http")

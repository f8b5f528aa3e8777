"""HTTP scoring service: ``fraudrules serve`` (needs the ``fraudrules[server]`` extra).

A FastAPI application around a :class:`~fraudrules.host.RuleHost`, served by uvicorn on
loopback by default. JSON in, JSON out; ``/openapi.json`` documents every endpoint::

    POST /v1/score                      {"text": ...}                 -> verdict
    POST /v1/score/batch                {"texts": [...]}              -> {"verdicts": [...]}
    POST /v1/score/conversation         {"messages": [...]}           -> verdict
    POST /v1/chats/{chat_id}/messages   {"text", "sender"?, "timestamp"?} -> verdict in context
    GET  /healthz  /readyz  /metrics
    POST /admin/reload                  Authorization: Bearer $FRAUDRULES_ADMIN_TOKEN

Errors are JSON ``{"error": CODE, "message": TEXT, "details": [...]}``: 400 malformed JSON,
401/403 missing or wrong admin token, 404 unknown path (and the admin endpoints when no token
is configured), 409 a reload that failed (the old rules keep serving), 413 over a configured
size limit (body bytes, characters of one text, items of a batch or conversation), 415 a body
that is not JSON, 422 wrong types or missing fields, 503 before the first ruleset is loaded.

Scoring is CPU-bound, so the endpoints are plain functions that FastAPI runs in its thread
pool; the event loop only parses and answers. ``docs/server.md`` has the details.

>>> from fraudrules.host import RuleHost
>>> app = create_app(RuleHost(packs=[]), settings=ServerSettings(max_batch=10))
>>> sorted(r.path for r in app.routes if r.path.startswith("/v1"))  # doctest: +NORMALIZE_WHITESPACE
['/v1/chats/{chat_id}/messages', '/v1/score', '/v1/score/batch', '/v1/score/conversation']
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import json
import logging
import os
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, Literal

import uvicorn
from fastapi import Depends, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.routing import Match as RouteMatch
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import __version__
from .conversation import Conversation
from .errors import FraudRulesError, PackError
from .host import RuleHost
from .verdict import Verdict

__all__ = ["ServerSettings", "create_app", "serve"]

_log = logging.getLogger("fraudrules.server")

TOKEN_VARIABLE = "FRAUDRULES_ADMIN_TOKEN"
_OPTIONS_VARIABLE = "FRAUDRULES_SERVE_OPTIONS"  # how `serve --workers N` reaches its workers
_BEARER = HTTPBearer(auto_error=False, description=f"the value of ${TOKEN_VARIABLE}")
_CHAT_ID_PATTERN = r"^[A-Za-z0-9_:@=+\-][A-Za-z0-9_.:@=+\-]{0,127}$"


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Limits and options of one server. Every size limit answers 413 when exceeded.

    ``admin_token`` enables ``POST /admin/reload`` (``None`` or empty: disabled, 404).
    ``chat_*`` bound the server-side chat windows: at most ``max_chats`` chats (least recently
    used dropped first), each dropped after ``chat_ttl`` idle seconds, each keeping its last
    ``chat_window`` messages. ``watch_interval`` polls the pack files and reloads on change.

    >>> ServerSettings().max_batch
    256
    >>> ServerSettings.from_env({"FRAUDRULES_ADMIN_TOKEN": "s3cret"}).admin_enabled
    True
    """

    max_body_bytes: int = 1_048_576
    max_text_chars: int = 50_000
    max_batch: int = 256
    max_chats: int = 10_000
    chat_ttl: float = 1800.0
    chat_window: int = 30
    admin_token: str | None = field(default=None, repr=False)
    watch_interval: float | None = None

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_text_chars", "max_batch", "max_chats",
                     "chat_window"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not self.chat_ttl > 0:
            raise ValueError(f"chat_ttl must be positive, got {self.chat_ttl!r}")
        if self.watch_interval is not None and not self.watch_interval > 0:
            raise ValueError(f"watch_interval must be positive, got {self.watch_interval!r}")

    @property
    def admin_enabled(self) -> bool:
        return bool(self.admin_token)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **options: Any) -> ServerSettings:
        """Settings with the admin token read from ``FRAUDRULES_ADMIN_TOKEN``."""
        env = os.environ if environ is None else environ
        return cls(admin_token=env.get(TOKEN_VARIABLE) or None, **options)


# --- request and response documents ---------------------------------------------------------

# Strict: `false` is not a timestamp and `"12"` is not a number (lax mode would coerce both).
# Unknown fields are ignored, so clients can send more than this server reads.
_STRICT = ConfigDict(strict=True)

Timestamp = Annotated[float, Field(allow_inf_nan=False, description="seconds (Unix time)")]


class ScoreRequest(BaseModel):
    model_config = _STRICT
    text: str = Field(description="the message; longer than max_text_chars: 413")


class BatchRequest(BaseModel):
    model_config = _STRICT
    texts: list[str] = Field(description="messages scored in order by one ruleset; more than "
                             "max_batch items or a text over max_text_chars: 413")


class ChatMessage(BaseModel):
    model_config = _STRICT
    text: str
    sender: str | None = None
    timestamp: Timestamp | None = None


class ConversationRequest(BaseModel):
    model_config = _STRICT
    messages: list[str | ChatMessage] = Field(
        description="oldest first: strings or {text, sender?, timestamp?}; more than max_batch "
        "messages or a text over max_text_chars: 413")


class MatchModel(BaseModel):
    model_config = ConfigDict(title="Match")
    rule_id: str
    category: str
    contribution: float
    start: int
    end: int
    text: str
    description: str
    parts: list[list[int]]
    message: int | None = None
    part_messages: list[int] | None = None


class VerdictModel(BaseModel):
    model_config = ConfigDict(title="Verdict")
    score: float
    category: str | None
    action: Literal["allow", "review", "block"]
    categories: dict[str, float]
    matches: list[MatchModel]
    truncated: bool
    ruleset_version: str
    biases: dict[str, float]
    errors: list[str]


class BatchResponse(BaseModel):
    verdicts: list[VerdictModel]


class ErrorModel(BaseModel):
    model_config = ConfigDict(title="Error")
    error: str = Field(description="a short code: bad_request, too_large, invalid, ...")
    message: str
    details: list[dict[str, Any]] = []


class ReloadResponse(BaseModel):
    ruleset_version: str
    previous_version: str
    reloads: int
    failed_reloads: int


class StatusResponse(BaseModel):
    status: str
    ruleset_version: str | None = None
    version: str = __version__


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {400: "malformed JSON", 401: "missing bearer token", 403: "wrong bearer token",
            404: "admin endpoints disabled (no FRAUDRULES_ADMIN_TOKEN)",
            409: "the reload failed; the old rules keep serving",
            413: "over a configured size limit", 415: "the body is not application/json",
            422: "wrong types or missing fields", 503: "no ruleset loaded yet"}
    return {code: {"model": ErrorModel, "description": text[code]} for code in codes}


_SCORING_ERRORS = _errors(400, 413, 415, 422, 503)


# --- JSON ------------------------------------------------------------------------------------

def _dumps(data: Any) -> bytes:
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in the text: escape it instead
        return json.dumps(data, separators=(",", ":"), allow_nan=False).encode("ascii")


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(_dumps(data), status_code=status, media_type="application/json",
                    headers=headers)


def _error(status: int, code: str, message: str, details: Sequence[dict[str, Any]] = (),
           headers: dict[str, str] | None = None) -> Response:
    return _json({"error": code, "message": message, "details": list(details)}, status,
                 headers)


_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "reload_failed", 413: "too_large",
          415: "unsupported_media_type", 422: "invalid", 503: "not_ready"}


class _Reject(Exception):
    """Raised inside an endpoint to answer with a JSON error."""

    def __init__(self, status: int, message: str, details: Sequence[dict[str, Any]] = (),
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers


# --- ASGI middleware -------------------------------------------------------------------------

def _is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/")
                                          and kind.endswith("+json"))


class _BodyLimit:
    """Reads a POST body up to ``limit`` bytes (413 beyond, 415 when it is not JSON) and
    hands the buffered body to the application."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        if body and not _is_json(content_type):
            shown = content_type or "none"
            response = _error(415, "unsupported_media_type",
                              f"send the body as JSON with 'Content-Type: application/json' "
                              f"(got content-type: {shown})")
            await response(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error(413, "too_large",
                          f"the request body is over the limit of {self.limit} bytes",
                          headers={"Connection": "close"})
        await response(scope, receive, send)


class _Metrics:
    """Counts requests and their latency by route template (not by raw path, so that chat
    ids do not explode the label set)."""

    def __init__(self, app: ASGIApp, metrics: _AppMetrics, routes: Callable[[], list[Any]]
                 ) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            endpoint = self._endpoint(scope)
            self.metrics.requests.labels(endpoint, scope["method"], str(status)).inc()
            self.metrics.latency.labels(endpoint).observe(time.perf_counter() - start)

    def _endpoint(self, scope: Scope) -> str:
        route = scope.get("route")
        path = getattr(route, "path", None)
        if isinstance(path, str):
            return path
        for candidate in self.routes():  # answered before routing (413, 415)
            match, _ = candidate.matches(scope)
            if match != RouteMatch.NONE:
                return str(candidate.path)
        return "unmatched"


class _AppMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter("fraudrules_http_requests", "HTTP requests answered",
                                ["endpoint", "method", "status"], registry=registry)
        self.latency = Histogram(
            "fraudrules_http_request_duration_seconds", "Time to answer, by endpoint",
            ["endpoint"], registry=registry,
            buckets=(.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
        self.verdicts = Counter("fraudrules_verdicts", "Verdicts returned",
                                ["action", "category"], registry=registry)

    def count(self, verdicts: Iterable[Verdict]) -> None:
        for verdict in verdicts:
            self.verdicts.labels(verdict.action, verdict.category or "none").inc()


class _HostCollector(Collector):
    """The ruleset version and reload counters, read from the host at scrape time (so reloads
    by the pack watcher count too)."""

    def __init__(self, state: _State) -> None:
        self.state = state

    def collect(self) -> Iterator[Any]:
        host = self.state.host
        ready = GaugeMetricFamily("fraudrules_ready", "1 once a ruleset is loaded")
        ready.add_metric([], 1.0 if host is not None else 0.0)
        yield ready
        chats = GaugeMetricFamily("fraudrules_chats", "Chat windows held in memory")
        chats.add_metric([], float(len(self.state.chats)))
        yield chats
        if host is None:
            return
        info = InfoMetricFamily("fraudrules_ruleset", "The ruleset being served")
        info.add_metric([], {"version": host.version})
        yield info
        reloads = CounterMetricFamily("fraudrules_reloads", "Successful reloads")
        reloads.add_metric([], float(host.reloads))
        yield reloads
        failed = CounterMetricFamily("fraudrules_failed_reloads",
                                     "Reloads refused (the old rules kept serving)")
        failed.add_metric([], float(host.failed_reloads))
        yield failed


# --- chats -----------------------------------------------------------------------------------

class _Chat:
    """One chat's window. ``lock`` guards it: a Conversation is not thread-safe."""

    __slots__ = ("conversation", "history", "last_used", "lock", "version")

    def __init__(self, window: int) -> None:
        self.lock = threading.Lock()
        self.conversation: Conversation | None = None
        self.version = ""  # the ruleset the conversation was built with
        self.history: deque[tuple[str, str | None, float | None]] = deque(maxlen=window)
        self.last_used = time.monotonic()


class _Chats:
    """At most ``max_chats`` windows, least recently used dropped first, idle ones dropped
    after ``ttl`` seconds. Memory stays flat however many chats come and go."""

    def __init__(self, max_chats: int, ttl: float, window: int) -> None:
        self._chats: OrderedDict[str, _Chat] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_chats
        self._ttl = ttl
        self._window = window

    def __len__(self) -> int:
        return len(self._chats)

    def get(self, chat_id: str) -> _Chat:
        now = time.monotonic()
        with self._lock:
            chats = self._chats
            while chats:  # ordered by last use: the idle ones are at the front
                oldest = next(iter(chats.values()))
                if now - oldest.last_used <= self._ttl:
                    break
                chats.popitem(last=False)
            chat = chats.get(chat_id)
            if chat is None:
                chat = chats[chat_id] = _Chat(self._window)
                while len(chats) > self._max:
                    chats.popitem(last=False)
            else:
                chats.move_to_end(chat_id)
            chat.last_used = now
            return chat

    def add(self, chat_id: str, host: RuleHost, text: str, sender: str | None,
            timestamp: float | None) -> Verdict:
        chat = self.get(chat_id)
        with chat.lock:
            classifier = host.classifier
            conversation = chat.conversation
            if conversation is None or chat.version != classifier.version:
                # New chat, or the rules were reloaded: replay the window with the new rules.
                conversation = classifier.conversation(max_messages=self._window)
                for old_text, old_sender, old_time in chat.history:
                    conversation.add(old_text, sender=old_sender, timestamp=old_time)
                chat.conversation = conversation
                chat.version = classifier.version
            verdict = conversation.add(text, sender=sender, timestamp=timestamp)
            chat.history.append((text, sender, timestamp))
            return verdict


# --- the application -------------------------------------------------------------------------

@dataclass
class _State:
    settings: ServerSettings
    chats: _Chats
    host: RuleHost | None = None
    load_error: str | None = None


def create_app(
    host: RuleHost | None = None,
    *,
    settings: ServerSettings | None = None,
    rules: Sequence[str] | None = None,
    packs: Sequence[str] | None = None,
) -> FastAPI:
    """The scoring service as an ASGI application.

    With ``host``, it serves that :class:`RuleHost` (ready at once). Without, it loads
    ``RuleHost(rules, packs=packs)`` in a background thread at startup; until that finishes
    the scoring endpoints and ``/readyz`` answer 503. ``settings`` defaults to
    :meth:`ServerSettings.from_env` (the admin token comes from ``FRAUDRULES_ADMIN_TOKEN``).
    """
    settings = settings if settings is not None else ServerSettings.from_env()
    state = _State(settings, _Chats(settings.max_chats, settings.chat_ttl,
                                    settings.chat_window), host)
    registry = CollectorRegistry(auto_describe=True)
    metrics = _AppMetrics(registry)
    registry.register(_HostCollector(state))

    def load_in_background() -> None:
        try:
            state.host = RuleHost(rules, packs=packs)
        except PackError as exc:
            state.load_error = str(exc)
            _log.error("fraudrules: the rule packs did not load: %s", exc)
            return
        _log.info("fraudrules: serving %s", state.host.version)
        if settings.watch_interval is not None:
            state.host.watch(settings.watch_interval)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        loader = None
        if state.host is None:
            loader = threading.Thread(target=load_in_background, name="fraudrules-loader",
                                      daemon=True)
            loader.start()
        elif settings.watch_interval is not None and not state.host.watching:
            state.host.watch(settings.watch_interval)
        try:
            yield
        finally:
            if state.host is not None and settings.watch_interval is not None:
                state.host.stop()

    app = FastAPI(
        title="fraudrules",
        version=__version__,
        summary="Score Chinese chat messages for fraud with readable rule packs.",
        description=_DESCRIPTION.format(s=settings),
        lifespan=lifespan,
    )
    app.state.fraudrules = state

    def current() -> RuleHost:
        host = state.host
        if host is None:
            raise _Reject(503, state.load_error or "the rule packs are still loading",
                          headers={"Retry-After": "1"})
        return host

    def check_text(text: str, what: str = "text") -> None:
        if len(text) > settings.max_text_chars:
            raise _Reject(413, f"{what} has {len(text)} characters, over the limit of "
                          f"{settings.max_text_chars}")

    def check_count(count: int, what: str) -> None:
        if count > settings.max_batch:
            raise _Reject(413, f"{count} {what}, over the limit of {settings.max_batch} per "
                          f"request")

    # --- scoring ---

    @app.post("/v1/score", response_model=VerdictModel, responses=_SCORING_ERRORS,
              tags=["scoring"], summary="Score one message")
    def score(request: ScoreRequest) -> Response:
        check_text(request.text)
        verdict = current().score(request.text)
        metrics.count((verdict,))
        return _json(verdict.to_dict())

    @app.post("/v1/score/batch", response_model=BatchResponse, responses=_SCORING_ERRORS,
              tags=["scoring"], summary="Score messages in order, with one ruleset")
    def score_batch(request: BatchRequest) -> Response:
        check_count(len(request.texts), "texts")
        for number, text in enumerate(request.texts):
            check_text(text, f"texts[{number}]")
        classifier = current().classifier  # one ruleset for the whole batch
        verdicts = [classifier.score(text) for text in request.texts]
        metrics.count(verdicts)
        return _json({"verdicts": [v.to_dict() for v in verdicts]})

    @app.post("/v1/score/conversation", response_model=VerdictModel,
              responses=_SCORING_ERRORS, tags=["scoring"],
              summary="Score a finished conversation")
    def score_conversation(request: ConversationRequest) -> Response:
        check_count(len(request.messages), "messages")
        messages: list[str | dict[str, Any]] = []
        for number, message in enumerate(request.messages):
            if isinstance(message, str):
                check_text(message, f"messages[{number}]")
                messages.append(message)
            else:
                check_text(message.text, f"messages[{number}].text")
                messages.append(message.model_dump())
        verdict = current().classifier.score_conversation(messages)
        metrics.count((verdict,))
        return _json(verdict.to_dict())

    @app.post("/v1/chats/{chat_id}/messages", response_model=VerdictModel,
              responses=_SCORING_ERRORS, tags=["scoring"],
              summary="Add a message to a chat; its verdict in the chat's recent context")
    def chat_message(
        chat_id: Annotated[str, Path(pattern=_CHAT_ID_PATTERN,
                                     description="1-128 of A-Z a-z 0-9 _ . : @ = + -")],
        message: ChatMessage,
    ) -> Response:
        check_text(message.text)
        verdict = state.chats.add(chat_id, current(), message.text, message.sender,
                                  message.timestamp)
        metrics.count((verdict,))
        return _json(verdict.to_dict())

    # --- operations ---

    @app.get("/healthz", response_model=StatusResponse, tags=["operations"],
             summary="The process is up")
    async def healthz() -> Response:
        return _json({"status": "ok", "version": __version__})

    @app.get("/readyz", response_model=StatusResponse, responses=_errors(503),
             tags=["operations"], summary="A ruleset is loaded")
    async def readyz() -> Response:
        host = current()
        return _json({"status": "ready", "ruleset_version": host.version,
                      "version": __version__})

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics",
             response_class=Response,
             responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
    def prometheus() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/admin/reload", response_model=ReloadResponse,
              responses=_errors(401, 403, 404, 409, 503), tags=["admin"],
              summary="Reload the rule packs; a failed reload keeps the old rules")
    def reload(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                      Depends(_BEARER)]) -> Response:
        token = settings.admin_token
        if not token:
            raise _Reject(404, f"admin endpoints are disabled: set {TOKEN_VARIABLE} to "
                          f"enable them")
        challenge = {"WWW-Authenticate": "Bearer"}
        if credentials is None:
            raise _Reject(401, "send 'Authorization: Bearer <token>'", headers=challenge)
        # Header values arrive decoded as latin-1: compare the bytes that were sent.
        if not hmac.compare_digest(credentials.credentials.encode("latin-1"),
                                   token.encode("utf-8")):
            raise _Reject(403, "wrong admin token", headers=challenge)
        host = current()
        previous = host.version
        try:
            version = host.reload()
        except PackError as exc:
            location = exc.location
            raise _Reject(409, f"reload failed, still serving {host.version}: {exc}", [{
                "path": location.path if location else None,
                "line": location.line if location else None,
                "column": location.column if location else None,
                "rule_id": exc.rule_id,
                "message": exc.message,
                "ruleset_version": host.version,
            }]) from exc
        return _json({"ruleset_version": version, "previous_version": previous,
                      "reloads": host.reloads, "failed_reloads": host.failed_reloads})

    # --- errors ---

    @app.exception_handler(_Reject)
    async def rejected(_: Request, exc: _Reject) -> Response:
        return _error(exc.status, _CODES.get(exc.status, "error"), exc.message, exc.details,
                      exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> Response:
        problems = list(exc.errors())
        for problem in problems:
            if problem.get("type") == "json_invalid":
                reason = (problem.get("ctx") or {}).get("error", "invalid JSON")
                position = problem.get("loc", ("body", "?"))[-1]
                return _error(400, "bad_request",
                              f"malformed JSON: {reason} at character {position}")
        details = [{"loc": list(p.get("loc", ())), "msg": str(p.get("msg", "")),
                    "type": str(p.get("type", ""))} for p in problems]
        # The deepest problem names the field best (a union reports every alternative).
        first: dict[str, Any] = max(problems, key=lambda p: len(p.get("loc", ())), default={})
        where = ".".join(str(part) for part in first.get("loc", ()))
        what = str(first.get("msg", "invalid request"))
        return _error(422, "invalid", f"{where}: {what}" if where else what, details)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 400:
            message = f"malformed JSON: {message}"
        return _error(exc.status_code, _CODES.get(exc.status_code, "error"), message,
                      headers=dict(exc.headers) if exc.headers else None)

    app.add_middleware(_BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(_Metrics, metrics=metrics, routes=lambda: list(app.routes))
    return app


_DESCRIPTION = """\
Scores Chinese chat messages for fraud (red-envelope gambling, investment-group scams, the grey
market in WeChat accounts). Every verdict says which rule fired on which characters.

Limits of this server: a body of at most {s.max_body_bytes} bytes, a text of at most
{s.max_text_chars} characters, at most {s.max_batch} texts per batch or messages per
conversation; over any of them: **413**. Wrong types or missing fields: **422**; malformed
JSON: **400**; a body that is not `application/json`: **415**. Chat windows: at most
{s.max_chats} chats (least recently used dropped first), dropped after {s.chat_ttl:g} idle
seconds, {s.chat_window} messages each. Errors are `{{"error", "message", "details"}}`.
"""


# --- running ---------------------------------------------------------------------------------

def _worker_app() -> FastAPI:
    """The application of one ``--workers N`` process (options come from the environment)."""
    options = json.loads(os.environ[_OPTIONS_VARIABLE])
    settings = ServerSettings.from_env(**options["settings"])
    return create_app(settings=settings, rules=options["rules"], packs=options["packs"])


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    rules: Sequence[str] | None = None,
    packs: Sequence[str] | None = None,
    workers: int = 1,
    settings: ServerSettings | None = None,
    log_level: str = "info",
) -> None:
    """Run the service until interrupted (what ``fraudrules serve`` calls).

    The packs are loaded once here first, so a broken pack stops the command with its
    :class:`PackError` before anything listens. With ``workers > 1`` uvicorn starts that many
    processes; each loads the packs and keeps its own chat windows and metrics.
    """
    settings = settings if settings is not None else ServerSettings.from_env()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    rule_host = RuleHost(rules, packs=packs)  # fail fast, with the located error
    if workers == 1:
        uvicorn.run(create_app(rule_host, settings=settings), host=host, port=port,
                    log_level=log_level)
        return
    shared = {k: v for k, v in asdict(settings).items() if k != "admin_token"}
    options = {"settings": shared,
               "rules": list(rules) if rules is not None else None,
               "packs": list(packs) if packs is not None else None}
    os.environ[_OPTIONS_VARIABLE] = json.dumps(options)
    if settings.admin_token:
        os.environ[TOKEN_VARIABLE] = settings.admin_token
    uvicorn.run("fraudrules.server:_worker_app", factory=True, host=host, port=port,
                workers=workers, log_level=log_level)


def run_cli(args: argparse.Namespace) -> int:
    """``fraudrules serve``: the parsed command line to :func:`serve`."""
    packs = None
    if args.packs is not None:
        packs = [p.strip() for p in args.packs.split(",") if p.strip()]
    try:
        settings = ServerSettings.from_env(
            max_body_bytes=args.max_body_bytes, max_text_chars=args.max_text_chars,
            max_batch=args.max_batch, max_chats=args.max_chats, chat_ttl=args.chat_ttl,
            watch_interval=args.watch)
    except ValueError as exc:
        raise ArgumentError(str(exc)) from exc
    if args.workers < 1:
        raise ArgumentError(f"--workers must be at least 1, got {args.workers}")
    if not settings.admin_enabled:
        print(f"fraudrules serve: {TOKEN_VARIABLE} is not set: POST /admin/reload is "
              "disabled", file=sys.stderr)
    serve(host=args.host, port=args.port, rules=args.rules or None, packs=packs,
          workers=args.workers, settings=settings, log_level=args.log_level)
    return 0


class ArgumentError(FraudRulesError):
    """A ``fraudrules serve`` option is out of range."""

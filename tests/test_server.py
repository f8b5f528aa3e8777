"""The HTTP scoring service: a real uvicorn server on loopback, started and stopped here."""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("prometheus_client")
uvicorn = pytest.importorskip("uvicorn")

from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

import fraudrules  # noqa: E402
from fraudrules.host import RuleHost  # noqa: E402
from fraudrules.server import ServerSettings, _Chats, create_app  # noqa: E402

try:
    import schemathesis
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - the API fuzzing needs schemathesis
    schemathesis = None

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "test-token-4f7c9a"

# --- a live server ---------------------------------------------------------------------------


class Live:
    """uvicorn serving ``app`` from a thread on a free loopback port."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    def __enter__(self) -> Live:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        """One request on a new connection: status, headers, JSON (or text) body."""
        connection = self.connection()
        try:
            sent = dict(headers or {})
            data = raw
            if body is not None:
                data = json.dumps(body).encode()  # \u escapes carry lone surrogates
                sent.setdefault("Content-Type", "application/json")
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            payload = response.read()
            kind = response.getheader("content-type", "")
            parsed = json.loads(payload) if "json" in kind else payload.decode()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, parsed
        finally:
            connection.close()


@pytest.fixture(scope="module")
def bundled() -> RuleHost:
    return RuleHost()


@pytest.fixture(scope="module")
def live(bundled: RuleHost) -> Iterator[Live]:
    with Live(create_app(bundled, settings=ServerSettings(admin_token=TOKEN))) as server:
        yield server


@pytest.fixture(scope="module")
def tight(bundled: RuleHost) -> Iterator[Live]:
    """Small limits, so every limit is cheap to cross."""
    limits = ServerSettings(max_body_bytes=4096, max_text_chars=200, max_batch=4)
    with Live(create_app(bundled, settings=limits)) as server:
        yield server


def as_json(verdict: fraudrules.Verdict) -> Any:
    return json.loads(json.dumps(verdict.to_dict(), ensure_ascii=False))


def metrics(server: Live) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, headers, text = server.request("GET", "/metrics")
    assert status == 200
    assert headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


# --- scoring ---------------------------------------------------------------------------------

TEXTS = [
    pytest.param("出租V信号，30一天，实名带支付", id="account-trading"),
    pytest.param("扫雷群，包尾中雷赔1.5倍，抽水5%", id="red-envelope"),
    pytest.param("老师今天带单，稳赚不赔", id="investment"),
    pytest.param("妈，我到家了", id="clean"),
    pytest.param("", id="empty"),
    pytest.param("出\u200b租\u200b微\u200b信\u200b号 🧧🧧", id="zero-width-emoji"),
    pytest.param("高价回收微信号" * 2000, id="truncated"),
    pytest.param("出租微信号\ud800", id="lone-surrogate"),
    pytest.param("\x00\x01\u202e出租微信號", id="controls-traditional"),
]


@pytest.mark.parametrize("text", TEXTS)
def test_single_verdict_equals_the_library(live: Live, bundled: RuleHost, text: str) -> None:
    status, _, body = live.request("POST", "/v1/score", {"text": text})
    assert status == 200
    assert body == as_json(bundled.score(text))


def test_batch_verdicts_equal_the_library_in_order(live: Live, bundled: RuleHost) -> None:
    lines = (ROOT / "examples" / "chat.txt").read_text(encoding="utf-8").splitlines()
    texts = [*lines, *(p.values[0] for p in TEXTS)]
    status, _, body = live.request("POST", "/v1/score/batch", {"texts": texts})
    assert status == 200
    assert body == {"verdicts": [as_json(bundled.score(t)) for t in texts]}


def test_empty_batch_gives_no_verdicts(live: Live) -> None:
    assert live.request("POST", "/v1/score/batch", {"texts": []})[2] == {"verdicts": []}


def test_conversation_verdict_equals_the_library(live: Live, bundled: RuleHost) -> None:
    messages: list[Any] = ["跟着老师做了一周", {"text": "想上车的找助理入金", "sender": "阿琳",
                                              "timestamp": 1_700_000_000}]
    status, _, body = live.request("POST", "/v1/score/conversation", {"messages": messages})
    assert status == 200
    assert body == as_json(bundled.classifier.score_conversation(messages))
    assert body["action"] == "block"


def test_chat_messages_are_scored_in_the_context_of_their_chat(
        live: Live, bundled: RuleHost) -> None:
    chat = bundled.classifier.conversation()
    turns = [("跟着老师做了一周", "阿琳", 100.0), ("想上车的找助理入金", "阿琳", 160.0)]
    for text, sender, when in turns:
        status, _, body = live.request("POST", "/v1/chats/group-42/messages",
                                       {"text": text, "sender": sender, "timestamp": when})
        assert status == 200
        assert body == as_json(chat.add(text, sender=sender, timestamp=when))
    assert body["action"] == "block"
    # Another chat does not see group-42's evidence.
    status, _, other = live.request("POST", "/v1/chats/group-43/messages",
                                    {"text": "想上车的找助理入金", "sender": "阿琳"})
    assert status == 200
    assert other == as_json(bundled.classifier.conversation().add("想上车的找助理入金",
                                                                  sender="阿琳"))
    assert other != body


def test_chat_windows_are_bounded_by_count_and_idle_time() -> None:
    chats = _Chats(max_chats=3, ttl=0.2, window=5)
    for name in ("a", "b", "c"):
        chats.get(name)
    chats.get("a")  # a is now the most recently used
    chats.get("d")  # b is the least recently used: dropped
    assert list(chats._chats) == ["c", "a", "d"]
    for number in range(1000):
        chats.get(f"flood-{number}")
    assert len(chats) == 3
    time.sleep(0.3)
    chats.get("fresh")
    assert list(chats._chats) == ["fresh"]


def test_chat_count_is_bounded_on_the_server(bundled: RuleHost) -> None:
    with Live(create_app(bundled, settings=ServerSettings(max_chats=5))) as server:
        for number in range(40):
            status, _, _ = server.request("POST", f"/v1/chats/c{number}/messages",
                                          {"text": "你好"})
            assert status == 200
        assert metrics(server)[("fraudrules_chats", ())] == 5


# --- operations ------------------------------------------------------------------------------

def test_healthz_and_readyz(live: Live, bundled: RuleHost) -> None:
    assert live.request("GET", "/healthz")[:1] == (200,)
    status, _, body = live.request("GET", "/readyz")
    assert status == 200
    assert body["ruleset_version"] == bundled.version


def test_not_ready_until_the_packs_load(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(pack_text("1"), encoding="utf-8")
    with Live(create_app(rules=[str(pack)], packs=[],
                         settings=ServerSettings())) as server:
        deadline = time.monotonic() + 20
        while server.request("GET", "/readyz")[0] != 200:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        verdict = server.request("POST", "/v1/score", {"text": "出租微信号"})[2]
        assert verdict["category"] == "server_scam"
    pack.write_text(BROKEN, encoding="utf-8")
    with Live(create_app(rules=[str(pack)], packs=[], settings=ServerSettings())) as server:
        time.sleep(0.3)  # the loader thread fails quickly; the server stays up, not ready
        status, headers, body = server.request("GET", "/readyz")
        assert status == 503
        assert "pack.yaml:4:3" in body["message"]
        assert headers["retry-after"] == "1"
        assert server.request("POST", "/v1/score", {"text": "x"})[0] == 503
        assert server.request("GET", "/healthz")[0] == 200
        assert metrics(server)[("fraudrules_ready", ())] == 0


def test_metrics_count_requests_latency_verdicts_and_the_ruleset(bundled: RuleHost) -> None:
    with Live(create_app(bundled, settings=ServerSettings())) as server:
        for _ in range(3):
            server.request("POST", "/v1/score", {"text": "出租微信号，日结"})
        server.request("POST", "/v1/score/batch", {"texts": ["你好", "在吗"]})
        server.request("POST", "/v1/score", {"text": 1})
        server.request("POST", "/v1/chats/x/messages", {"text": "你好"})
        found = metrics(server)
    def requests(endpoint: str, status: str) -> float:
        key = ("fraudrules_http_requests_total",
               (("endpoint", endpoint), ("method", "POST"), ("status", status)))
        return found.get(key, 0.0)
    assert requests("/v1/score", "200") == 3
    assert requests("/v1/score", "422") == 1
    assert requests("/v1/score/batch", "200") == 1
    assert requests("/v1/chats/{chat_id}/messages", "200") == 1  # the template, not the id
    assert found[("fraudrules_http_request_duration_seconds_count",
                  (("endpoint", "/v1/score"),))] == 4
    assert found[("fraudrules_verdicts_total",
                  (("action", "block"), ("category", "account_trading")))] == 3
    assert found[("fraudrules_verdicts_total", (("action", "allow"), ("category", "none")))] == 3
    assert found[("fraudrules_ruleset_info", (("version", bundled.version),))] == 1
    assert ("fraudrules_reloads_total", ()) in found
    assert ("fraudrules_failed_reloads_total", ()) in found


def test_openapi_document_lists_every_endpoint(live: Live) -> None:
    status, _, document = live.request("GET", "/openapi.json")
    assert status == 200
    assert set(document["paths"]) >= {
        "/v1/score", "/v1/score/batch", "/v1/score/conversation",
        "/v1/chats/{chat_id}/messages", "/healthz", "/readyz", "/metrics", "/admin/reload"}
    assert set(document["paths"]["/v1/score"]["post"]["responses"]) >= {
        "200", "400", "413", "415", "422"}


# --- errors ----------------------------------------------------------------------------------

JSON = {"Content-Type": "application/json"}

ERRORS = [
    pytest.param("POST", "/v1/score", b'{"text": ', JSON, 400, "malformed JSON", id="truncated-json"),
    pytest.param("POST", "/v1/score", b"{'text': 'x'}", JSON, 400, "malformed JSON", id="single-quotes"),
    pytest.param("POST", "/v1/score", b"[" * 3000, JSON, 400, "malformed JSON", id="deep-nesting"),
    pytest.param("POST", "/v1/score", b"\xff\xfe{}", JSON, 400, "malformed JSON", id="not-utf8"),
    pytest.param("POST", "/v1/score", b'{"text": "x"}', {"Content-Type": "text/plain"}, 415,
                 "application/json", id="text-plain"),
    pytest.param("POST", "/v1/score", b'{"text": "x"}', {}, 415, "application/json",
                 id="no-content-type"),
    pytest.param("POST", "/v1/score", b"{}", JSON, 422, "body.text: Field required", id="missing-text"),
    pytest.param("POST", "/v1/score", b"", JSON, 422, "Field required", id="empty-body"),
    pytest.param("POST", "/v1/score", b'{"text": 5}', JSON, 422, "valid string", id="text-number"),
    pytest.param("POST", "/v1/score", b'{"text": null}', JSON, 422, "valid string", id="text-null"),
    pytest.param("POST", "/v1/score", b'["x"]', JSON, 422, "body", id="list-body"),
    pytest.param("POST", "/v1/score/batch", b'{"texts": "x"}', JSON, 422, "valid list", id="texts-string"),
    pytest.param("POST", "/v1/score/batch", b'{"texts": ["a", 1]}', JSON, 422, "texts.1", id="texts-item"),
    pytest.param("POST", "/v1/score/conversation", b'{"messages": [{"sender": "a"}]}', JSON, 422,
                 "text", id="message-without-text"),
    pytest.param("POST", "/v1/score/conversation",
                 b'{"messages": [{"text": "a", "timestamp": NaN}]}', JSON, 422, "finite",
                 id="nan-timestamp"),
    pytest.param("POST", "/v1/score/conversation",
                 b'{"messages": [{"text": "a", "timestamp": "noon"}]}', JSON, 422, "timestamp",
                 id="string-timestamp"),
    pytest.param("POST", "/v1/chats/c1/messages", b'{"text": "a", "sender": 7}', JSON, 422,
                 "sender", id="sender-number"),
    pytest.param("POST", "/v1/chats/..%20/messages", b'{"text": "a"}', JSON, 422, "chat_id",
                 id="bad-chat-id"),
    pytest.param("POST", "/v1/score", json.dumps({"text": "x" * 201}).encode(), JSON, 413,
                 "201 characters", id="text-too-long"),
    pytest.param("POST", "/v1/score", json.dumps({"text": "x" * 5000}).encode(), JSON, 413,
                 "4096 bytes", id="body-too-large"),
    pytest.param("POST", "/v1/score/batch", json.dumps({"texts": ["a"] * 5}).encode(), JSON,
                 413, "5 texts", id="batch-too-large"),
    pytest.param("POST", "/v1/score/batch", json.dumps({"texts": ["a", "x" * 201]}).encode(),
                 JSON, 413, "texts[1]", id="batch-text-too-long"),
    pytest.param("POST", "/v1/score/conversation", json.dumps({"messages": ["a"] * 5}).encode(),
                 JSON, 413, "5 messages", id="conversation-too-long"),
    pytest.param("POST", "/v1/score/conversation",
                 json.dumps({"messages": [{"text": "x" * 201}]}).encode(), JSON, 413,
                 "messages[0].text", id="conversation-text-too-long"),
    pytest.param("POST", "/v1/chats/c1/messages", json.dumps({"text": "x" * 201}).encode(), JSON,
                 413, "201 characters", id="chat-text-too-long"),
    pytest.param("GET", "/v1/nothing", None, {}, 404, "Not Found", id="unknown-path"),
    pytest.param("GET", "/v1/score", None, {}, 405, "Method Not Allowed", id="wrong-method"),
]


@pytest.mark.parametrize(("method", "path", "raw", "headers", "status", "fragment"), ERRORS)
def test_bad_requests_get_a_json_error_never_a_500(
        tight: Live, *, method: str, path: str, raw: bytes | None, headers: dict[str, str],
        status: int, fragment: str) -> None:
    got, answer_headers, body = tight.request(method, path, raw=raw, headers=headers)
    assert got == status, body
    assert answer_headers["content-type"] == "application/json"
    assert set(body) == {"error", "message", "details"}
    assert fragment in body["message"]


def test_a_chunked_body_over_the_limit_is_refused(tight: Live) -> None:
    chunk = b" " * 1000
    request = (b"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
               + b"%x\r\n%s\r\n" % (len(chunk), chunk) * 10 + b"0\r\n\r\n")
    with socket.create_connection(("127.0.0.1", tight.port), timeout=10) as sock:
        sock.sendall(request)  # 10 kB: fits the socket buffers, so no broken pipe
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert response.status == 413
        assert json.loads(response.read())["error"] == "too_large"


# --- admin -----------------------------------------------------------------------------------

def pack_text(version: str, weight: float = 3.0) -> str:
    return f"""\
pack: server_test
version: '{version}'
category: server_scam
description: 服务测试用规则包
lists:
  wechat: [微信, 微信号, vx]
rules:
  - id: ST-001
    description: 出租微信号
    all: [出租, $wechat]
    within: 4
    weight: {weight}
    examples:
      match: [出租微信号，日结]
"""


BROKEN = "pack: server_test\nversion: 'broken'\nrules: [\n  - id: 没有闭合\n"
UNKNOWN_KEY = pack_text("9").replace("    within: 4\n", "    withn: 4\n")


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@pytest.fixture
def pack_host(tmp_path: Path) -> tuple[Path, RuleHost]:
    folder = tmp_path / "packs"
    folder.mkdir()
    path = folder / "server_test.yaml"
    write_atomically(path, pack_text("1"))
    return path, RuleHost([folder], packs=[])


@pytest.mark.parametrize(("headers", "status"), [
    pytest.param({}, 401, id="missing"),
    pytest.param({"Authorization": "Bearer"}, 401, id="empty"),
    pytest.param({"Authorization": f"Basic {TOKEN}"}, 401, id="not-bearer"),
    pytest.param({"Authorization": "Bearer wrong"}, 403, id="wrong"),
    pytest.param({"Authorization": f"Bearer {TOKEN}"}, 200, id="right"),
])
def test_reload_needs_the_bearer_token(pack_host: tuple[Path, RuleHost],
                                       headers: dict[str, str], status: int) -> None:
    _, host = pack_host
    with Live(create_app(host, settings=ServerSettings(admin_token=TOKEN))) as server:
        got, answer_headers, body = server.request("POST", "/admin/reload", headers=headers)
    assert got == status, body
    if status == 200:
        assert body["reloads"] == 1
        assert host.reloads == 1
    else:
        assert answer_headers["www-authenticate"] == "Bearer"
        assert host.reloads == 0


def test_admin_is_disabled_without_a_token(pack_host: tuple[Path, RuleHost],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _, host = pack_host
    monkeypatch.delenv("FRAUDRULES_ADMIN_TOKEN", raising=False)
    with Live(create_app(host)) as server:  # settings from the (token-less) environment
        for headers in ({}, {"Authorization": "Bearer anything"}, {"Authorization": "Bearer "}):
            status, _, body = server.request("POST", "/admin/reload", headers=headers)
            assert status == 404
            assert "FRAUDRULES_ADMIN_TOKEN" in body["message"]
    assert host.reloads == 0
    monkeypatch.setenv("FRAUDRULES_ADMIN_TOKEN", "")
    assert not ServerSettings.from_env().admin_enabled


@pytest.mark.parametrize(("text", "location", "rule_id"), [
    pytest.param(BROKEN, "server_test.yaml:4:3", None, id="bad-yaml"),
    pytest.param(UNKNOWN_KEY, "server_test.yaml:11:5", "ST-001", id="unknown-key"),
])
def test_a_failed_reload_answers_409_with_the_location_and_keeps_the_rules(
        pack_host: tuple[Path, RuleHost], text: str, location: str, rule_id: str | None
        ) -> None:
    path, host = pack_host
    before = host.version
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with Live(create_app(host, settings=ServerSettings(admin_token=TOKEN))) as server:
        write_atomically(path, text)
        status, _, body = server.request("POST", "/admin/reload", headers=auth)
        assert status == 409
        assert body["error"] == "reload_failed"
        assert location in body["message"]
        detail = body["details"][0]
        assert f"{detail['path']}:{detail['line']}:{detail['column']}".endswith(location)
        assert detail["rule_id"] == rule_id
        assert detail["ruleset_version"] == before
        verdict = server.request("POST", "/v1/score", {"text": "出租微信号"})[2]
        assert verdict["ruleset_version"] == before
        assert verdict["category"] == "server_scam"
        write_atomically(path, pack_text("2", weight=-1.0))
        status, _, body = server.request("POST", "/admin/reload", headers=auth)
        assert status == 200
        assert body["previous_version"] == before
        assert body["failed_reloads"] == 1
        assert server.request("POST", "/v1/score", {"text": "出租微信号"})[2]["action"] == "allow"
        found = metrics(server)
    assert found[("fraudrules_failed_reloads_total", ())] == 1
    assert found[("fraudrules_reloads_total", ())] == 1
    assert not any(name == "fraudrules_http_requests_total" and dict(labels)["status"] >= "500"
                   for name, labels in found)


def test_a_chat_continues_with_the_reloaded_rules(pack_host: tuple[Path, RuleHost]) -> None:
    path, host = pack_host
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with Live(create_app(host, settings=ServerSettings(admin_token=TOKEN))) as server:
        first = server.request("POST", "/v1/chats/c/messages", {"text": "出租微信号"})[2]
        write_atomically(path, pack_text("2", weight=5.0))
        assert server.request("POST", "/admin/reload", headers=auth)[0] == 200
        second = server.request("POST", "/v1/chats/c/messages", {"text": "你好"})[2]
    assert first["ruleset_version"] != second["ruleset_version"] == host.version
    # The window was replayed with the new rules: the earlier message still counts.
    assert [m["rule_id"] for m in second["matches"]] == ["ST-001"]
    assert second["matches"][0]["message"] == 0


# --- load ------------------------------------------------------------------------------------

CLIENTS = 16
PER_CLIENT = 320  # 16 x 320 = 5,120 requests


def test_load_with_reloads_drops_nothing_and_never_fails(
        pack_host: tuple[Path, RuleHost], capsys: pytest.CaptureFixture[str]) -> None:
    path, host = pack_host
    contents = [pack_text("1"), pack_text("2", weight=5.0)]
    valid = set()
    for content in contents:
        write_atomically(path, content)
        valid.add(fraudrules.load([path.parent], packs=[]).version)
    write_atomically(path, contents[0])
    host.reload()
    texts = ["出租微信号，日结", "你好", "回收vx号", "明天见", "出租 微信 30一天"]
    statuses: Counter[int] = Counter()
    versions: Counter[str] = Counter()
    failures: list[BaseException] = []
    lock = threading.Lock()
    done = threading.Event()
    reload_results: Counter[tuple[str, int]] = Counter()
    settings_ = ServerSettings(admin_token=TOKEN)

    with Live(create_app(host, settings=settings_)) as server:
        def client(seed: int) -> None:
            rng = random.Random(seed)
            connection = server.connection()
            try:
                for number in range(PER_CLIENT):
                    if number % 10 == 9:
                        path_, body = "/v1/score/batch", {"texts": rng.sample(texts, 3)}
                    else:
                        path_, body = "/v1/score", {"text": rng.choice(texts)}
                    connection.request("POST", path_, body=json.dumps(body).encode(),
                                       headers=JSON)
                    response = connection.getresponse()
                    answer = json.loads(response.read())
                    found = answer.get("verdicts", [answer])
                    with lock:
                        statuses[response.status] += 1
                        versions.update(v.get("ruleset_version", "?") for v in found)
            except BaseException as exc:  # a dropped request: recorded, then asserted
                failures.append(exc)
            finally:
                connection.close()

        def reloader() -> None:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            step = 0
            while not done.is_set():
                kind = "broken" if step % 2 else "good"
                write_atomically(path, BROKEN if step % 2 else contents[(step // 2) % 2])
                status = server.request("POST", "/admin/reload", headers=auth)[0]
                reload_results[kind, status] += 1
                step += 1
                time.sleep(0.05)

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        background = threading.Thread(target=reloader)
        background.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        done.set()
        background.join(30)
        wall = time.perf_counter() - started
        found = metrics(server)

    total = CLIENTS * PER_CLIENT
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    with capsys.disabled():
        print(f"\nload: {total} requests from {CLIENTS} clients in {wall:.1f} s "
              f"({total / wall:.0f} req/s); reloads {dict(reload_results)}; "
              f"statuses {dict(statuses)}; versions {len(versions)}")
    assert not failures
    assert sum(statuses.values()) == total
    assert server_errors == 0
    assert statuses == {200: total}
    assert set(versions) <= valid
    assert set(reload_results) <= {("good", 200), ("broken", 409)}
    assert reload_results["good", 200] >= 5
    assert reload_results["broken", 409] >= 5
    assert host.failed_reloads == reload_results["broken", 409]
    assert found[("fraudrules_failed_reloads_total", ())] == host.failed_reloads
    assert wall < 60


# --- property-based API testing --------------------------------------------------------------

if schemathesis is not None:
    # The document of the `live` server (it depends on the settings only, not on the packs).
    # Built from the app rather than through `schemathesis.pytest.from_fixture`, whose lazy
    # loader reads `Function._nodeid`, which pytest 9 removed.
    schema = schemathesis.openapi.from_dict(
        create_app(settings=ServerSettings(admin_token=TOKEN)).openapi())

    @schema.parametrize()
    @settings(max_examples=30, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def test_api_follows_its_openapi_document(case: Any, live: Live) -> None:
        case.call_and_validate(base_url=live.base)

else:  # pragma: no cover

    def test_api_follows_its_openapi_document() -> None:
        pytest.skip("schemathesis is not installed")


# --- the command line ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(*args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fraudrules", *args], capture_output=True,
                          text=True, timeout=60, check=False, **options)


def test_serve_refuses_a_broken_pack_with_its_location(tmp_path: Path) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text(UNKNOWN_KEY, encoding="utf-8")
    result = run_cli("serve", "--port", str(free_port()), "--rules", str(pack))
    assert result.returncode == 2
    assert "bad.yaml:11:5: rule ST-001" in result.stderr


def test_serve_rejects_bad_options() -> None:
    assert run_cli("serve", "--workers", "0").returncode == 2
    assert run_cli("serve", "--max-batch", "0").returncode == 2


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_command_starts_workers_and_stops_on_sigint(workers: int) -> None:
    port = free_port()
    env = {**os.environ, "FRAUDRULES_ADMIN_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-m", "fraudrules", "serve", "--port", str(port), "--packs",
         "account_trading", "--workers", str(workers), "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 45
        while True:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the server did not become ready"
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/readyz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.2)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/v1/score", body=json.dumps({"text": "出租微信号，日结"}),
                           headers=JSON)
        verdict = json.loads(connection.getresponse().read())
        connection.close()
        assert verdict["category"] == "account_trading"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.communicate()
    assert process.returncode in (0, -signal.SIGINT)


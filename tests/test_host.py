"""RuleHost: reloading under load, failed reloads that keep serving, the file watcher."""

from __future__ import annotations

import itertools
import os
import queue
import threading
import time
from pathlib import Path

import pytest

from fraudrules import PackError, Verdict
from fraudrules.engine import load
from fraudrules.host import RuleHost


def pack_text(version: str, weight: float = 3.0, *, extra_rule: bool = False) -> str:
    text = f"""\
pack: host_test
version: '{version}'
category: host_scam
description: 热加载测试用规则包
lists:
  wechat: [微信, 微信号, vx]
rules:
  - id: HT-001
    description: 出租微信号
    all: [出租, $wechat]
    within: 4
    weight: {weight}
    examples:
      match: [出租微信号，日结]
      no_match: [警方提醒：不要把房子出租给陌生人]
  - id: HT-002
    description: 扫雷群的群规
    at_least:
      n: 2
      of: [扫雷群, 包尾, 抽水, 赔1.5倍]
    weight: 3.0
    examples:
      match: [扫雷群招人，包尾中雷赔1.5倍]
"""
    if extra_rule:
        text += """\
  - id: HT-003
    description: 稳赚不赔的投资群
    any: [稳赚不赔, 带单老师]
    weight: 3.0
    examples:
      match: [跟着带单老师稳赚不赔]
"""
    return text


BROKEN = "pack: host_test\nversion: 'broken'\nrules: [\n  - id: 没有闭合\n"


def write_atomically(path: Path, text: str) -> None:
    """Replace a pack the way a deploy should: write beside it, then rename over it."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@pytest.fixture
def pack_file(tmp_path: Path) -> Path:
    folder = tmp_path / "packs"
    folder.mkdir()
    path = folder / "host_test.yaml"
    write_atomically(path, pack_text("2026.1"))
    return path


def wait_until(condition: object, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.01)
    return False


# --- reload -----------------------------------------------------------------------------------


def test_reload_serves_the_new_pack_and_returns_its_version(pack_file: Path) -> None:
    host = RuleHost([pack_file], packs=[])
    before = host.version
    assert host.score("跟着带单老师稳赚不赔").action == "allow"
    write_atomically(pack_file, pack_text("2026.2", extra_rule=True))
    version = host.reload()
    assert version == host.version == host.classifier.version != before
    assert "host_test@2026.2" in version
    assert host.score("跟着带单老师稳赚不赔").category == "host_scam"
    assert (host.reloads, host.failed_reloads, host.last_error) == (1, 0, None)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(BROKEN, "YAML syntax error", id="bad-yaml"),
        pytest.param(pack_text("2026.2").replace("within: 4", "withn: 4"),
                     "did you mean 'within'", id="unknown-key"),
        pytest.param(pack_text("2026.2").replace("weight: 3.0", "weight: 很重", 1),
                     "'weight' must be a number", id="wrong-type"),
        pytest.param(b"\xff\xfe\x00\xd8 \xc3\x28", "not UTF-8", id="not-utf8"),
        pytest.param(None, "no such file", id="file-deleted"),
    ],
)
def test_failed_reload_keeps_serving_the_old_classifier(
    pack_file: Path, content: str | bytes | None, expected: str
) -> None:
    host = RuleHost([pack_file], packs=[])
    old = host.classifier
    if content is None:
        pack_file.unlink()
    elif isinstance(content, bytes):
        pack_file.write_bytes(content)
    else:
        write_atomically(pack_file, content)
    with pytest.raises(PackError, match=expected) as caught:
        host.reload()
    assert host.classifier is old
    assert host.score("出租微信号，日结").category == "host_scam"
    assert (host.reloads, host.failed_reloads) == (0, 1)
    assert host.last_error is caught.value


def test_a_good_reload_after_a_failed_one_clears_last_error(pack_file: Path) -> None:
    host = RuleHost([pack_file], packs=[])
    write_atomically(pack_file, BROKEN)
    ok, error = host.try_reload()
    assert not ok
    assert isinstance(error, PackError)
    assert host.last_error is error
    write_atomically(pack_file, pack_text("2026.3"))
    assert host.try_reload() == (True, None)
    assert "host_test@2026.3" in host.version
    assert (host.reloads, host.failed_reloads, host.last_error) == (1, 1, None)


def test_first_load_failure_raises_from_the_constructor(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(PackError, match="YAML syntax error"):
        RuleHost([path], packs=[])


def test_check_examples_refuses_a_pack_whose_examples_fail(pack_file: Path) -> None:
    host = RuleHost([pack_file], packs=[], check_examples=True)
    old = host.version
    # The pack still loads, but a match example no longer fires its rule.
    write_atomically(pack_file, pack_text("2026.2").replace("match: [出租微信号，日结]",
                                                            "match: [出租房子，日结]"))
    RuleHost([pack_file], packs=[])  # loads fine without the check
    with pytest.raises(PackError, match=r"1 rule example\(s\) failed.*出租房子，日结") as caught:
        host.reload()
    assert caught.value.rule_id == "HT-001"
    assert host.version == old
    assert host.failed_reloads == 1


def test_unexpected_loader_exception_is_reported_as_a_failed_reload(pack_file: Path) -> None:
    host = RuleHost([pack_file], packs=[])
    old = host.classifier
    # Deep plain-YAML nesting: whatever the loader raises (see test_hostile), the host turns it
    # into a PackError and keeps serving.
    write_atomically(pack_file, "[" * 5000 + "]" * 5000)
    with pytest.raises(PackError):
        host.reload()
    assert host.classifier is old
    assert host.failed_reloads == 1


def test_options_are_kept_across_reloads(pack_file: Path) -> None:
    host = RuleHost([pack_file], packs=[], thresholds={"review": 0.1, "block": 0.99},
                    max_chars=20)
    write_atomically(pack_file, pack_text("2026.2"))
    host.reload()
    verdict = host.score("出租微信号，日结" + "。" * 50)
    assert verdict.truncated
    assert verdict.action == "review"  # 0.5 is above the 0.1 review threshold, below block


def test_score_many_scores_a_batch_with_one_classifier(pack_file: Path) -> None:
    host = RuleHost([pack_file], packs=[])
    first = host.version
    verdicts = host.score_many(["出租微信号，日结"] * 5)
    write_atomically(pack_file, pack_text("2026.2"))
    host.reload()
    assert {v.ruleset_version for v in verdicts} == {first}  # consumed after the reload
    assert host.version != first


# --- watching ---------------------------------------------------------------------------------


def test_poll_reloads_only_when_a_pack_file_changes(pack_file: Path) -> None:
    host = RuleHost([pack_file.parent], packs=[])
    assert host.poll() is False
    write_atomically(pack_file, pack_text("2026.2"))
    assert host.poll() is True
    assert host.poll() is False
    write_atomically(pack_file, BROKEN)
    assert host.poll() is True  # a failed attempt is counted, not raised
    assert host.poll() is False  # and the same broken content is not retried
    assert (host.reloads, host.failed_reloads) == (1, 1)
    assert "host_test@2026.2" in host.version


def test_poll_notices_a_new_file_in_a_watched_folder(pack_file: Path) -> None:
    host = RuleHost([pack_file.parent], packs=[])
    extra = pack_text("1").replace("host_test", "host_extra").replace("HT-", "HX-")
    extra = extra.replace("wechat", "wechat_extra")
    write_atomically(pack_file.parent / "extra.yaml", extra)
    assert host.poll() is True
    assert "host_extra@1" in host.version


def test_watcher_reloads_a_rewritten_pack(pack_file: Path) -> None:
    with RuleHost([pack_file], packs=[]).watch(interval=0.02) as host:
        assert host.watching
        write_atomically(pack_file, pack_text("2026.2", extra_rule=True))
        assert wait_until(lambda: "host_test@2026.2" in host.version)
        write_atomically(pack_file, BROKEN)
        assert wait_until(lambda: host.failed_reloads == 1)
        assert "host_test@2026.2" in host.version
        assert host.score("跟着带单老师稳赚不赔").category == "host_scam"
    assert not host.watching


def test_watching_twice_is_refused_and_stop_is_idempotent(pack_file: Path) -> None:
    host = RuleHost([pack_file], packs=[]).watch(interval=0.05)
    with pytest.raises(RuntimeError, match="already watching"):
        host.watch()
    host.stop()
    host.stop()
    assert not host.watching
    host.watch(interval=0.05).stop()


# --- under load -------------------------------------------------------------------------------

CLEAN = ["妈，我到家了", "今天一起吃饭吗？{n}点见", "明天下午开会，记得带电脑",
         "房子出租，两室一厅，{n}元一个月", "警方提醒：不要出租出借微信号",
         "宝宝生日快乐🎂🎉", "第{n}次提醒：周五交报告"]
SCAM = ["出租微信号，日结{n}元", "长期收购vx号，价格美丽，{n}一个", "扫雷群招人，包尾中雷赔1.5倍",
        "扫雷群，抽水5%，包尾{n}", "出 租 微\u200b信，日结"]


def messages(count: int) -> list[str]:
    templates = itertools.cycle(CLEAN + SCAM + CLEAN)
    return [next(templates).format(n=i % 97) for i in range(count)]


def test_reloads_under_load_never_mix_or_drop_verdicts(pack_file: Path) -> None:
    count, scorers, attempts = 50_000, 4, 24
    valid = [pack_text("2026.1"), pack_text("2026.2", weight=2.5, extra_rule=True)]
    versions = set()
    for number, text in enumerate(valid):
        other = pack_file.with_name(f"check{number}.yaml")
        other.write_text(text, encoding="utf-8")
        versions.add(load([other], packs=[]).version)
        other.unlink()
    host = RuleHost([pack_file], packs=[])
    assert host.version in versions

    todo: queue.Queue[tuple[int, str] | None] = queue.Queue()
    for item in enumerate(messages(count)):
        todo.put(item)
    for _ in range(scorers):
        todo.put(None)
    results: list[list[tuple[int, Verdict]]] = [[] for _ in range(scorers)]
    errors: list[BaseException] = []
    scoring_done = threading.Event()

    def score(worker: int) -> None:
        mine = results[worker]
        try:
            while (item := todo.get()) is not None:
                if worker == 0:  # one worker scores in small batches through score_many
                    batch = [item]
                    while len(batch) < 50 and (more := todo.get()) is not None:
                        batch.append(more)
                    verdicts = list(host.score_many(text for _, text in batch))
                    assert len({v.ruleset_version for v in verdicts}) == 1
                    mine.extend((i, v) for (i, _), v in zip(batch, verdicts, strict=True))
                    if len(batch) < 50:  # met the end marker
                        return
                else:
                    mine.append((item[0], host.score(item[1])))
        except BaseException as exc:  # recorded, then asserted on below
            errors.append(exc)

    broken = 0
    last_valid = host.version

    def reload_repeatedly() -> None:
        nonlocal broken, last_valid
        for attempt in itertools.count():
            if attempt >= attempts and scoring_done.is_set():
                return
            if attempt % 2:
                write_atomically(pack_file, BROKEN)
                broken += 1
                try:
                    host.reload()
                except PackError:
                    pass
                else:
                    errors.append(AssertionError("a broken pack was accepted"))
            else:
                write_atomically(pack_file, valid[(attempt // 2) % 2])
                last_valid = host.reload()
            time.sleep(0.002)

    started = time.monotonic()
    threads = [threading.Thread(target=score, args=(k,)) for k in range(scorers)]
    reloader = threading.Thread(target=reload_repeatedly)
    for thread in [*threads, reloader]:
        thread.start()
    for thread in threads:
        thread.join(60)
    scoring_done.set()
    reloader.join(60)
    elapsed = time.monotonic() - started

    assert not any(t.is_alive() for t in [*threads, reloader]), "a thread hung"
    assert errors == []
    got = sorted(i for worker in results for i, _ in worker)
    assert got == list(range(count))  # every message exactly once
    seen = {v.ruleset_version for worker in results for _, v in worker}
    assert seen == versions  # both valid versions served while the stream was scored
    assert host.failed_reloads == broken
    assert host.reloads + host.failed_reloads >= attempts
    assert host.version == last_valid
    flagged = sum(v.flagged for worker in results for _, v in worker)
    assert 0 < flagged < count
    print(f"\nload test: {count} messages, {host.reloads} reloads, {host.failed_reloads} failed, "
          f"{len(seen)} versions seen, {flagged} flagged, {elapsed:.1f} s")

"""The examples in examples/ run and do what their docstrings say."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

EXAMPLES = ROOT / "examples"


def run(*args: str) -> str:
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    return result.stdout


def test_example_chat_scores_scams_and_spares_family_chat() -> None:
    out = run("-m", "fraudrules", "score", str(EXAMPLES / "chat.txt"))
    lines = (EXAMPLES / "chat.txt").read_text(encoding="utf-8").splitlines()
    verdicts = dict(zip(lines, (json.loads(x) for x in out.splitlines()), strict=True))
    assert verdicts["妈，我到家了，晚饭不用等我"]["action"] == "allow"
    assert verdicts["恭喜老王手气最佳！"]["action"] == "allow"
    assert verdicts["警方提醒：不要出租、出借自己的微信号和银行卡"]["action"] == "allow"
    assert verdicts["长期高价回收微信號，满月号、一年号都要，秒结"]["category"] == "account_trading"
    assert verdicts["扫雷群新开，包尾中雷赔1.8倍，抽水5%，秒上秒下"]["action"] == "block"
    flagged = sum(v["action"] != "allow" for v in verdicts.values())
    assert 5 <= flagged <= 10


def test_moderation_hook_routes_messages_to_queues(tmp_path: Path) -> None:
    out = run(str(EXAMPLES / "moderation_hook.py"), str(EXAMPLES / "messages.jsonl"),
              "--out", str(tmp_path))
    queues = {name: [json.loads(x) for x in
                     (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
              for name in ("allow", "review", "block")}
    allowed = {item["id"] for item in queues["allow"]}
    assert {1, 5, 6} <= allowed
    flagged = queues["review"] + queues["block"]
    assert {item["id"] for item in flagged} == {2, 3, 4}
    assert all(item["reasons"] for item in flagged)
    assert out.splitlines()[-1] == (f"allow={len(queues['allow'])} "
                                    f"review={len(queues['review'])} "
                                    f"block={len(queues['block'])}")


def test_custom_pack_adds_a_category_to_the_bundled_ones() -> None:
    out = run(str(EXAMPLES / "custom_pack.py"))
    assert "task_scam" in out.splitlines()[0]
    rows = out.splitlines()[1:]
    assert rows[0].split()[:2] in (["review", "task_scam"], ["block", "task_scam"])
    assert rows[1].split()[1] == "account_trading"
    assert rows[2].split()[0] == "allow"


def test_custom_pack_examples_pass() -> None:
    out = run("-m", "fraudrules", "test", "--bundled", str(EXAMPLES / "custom_pack.yaml"))
    assert out.splitlines()[-1] == "4 passed, 0 failed"

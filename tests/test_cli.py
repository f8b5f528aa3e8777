from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fraudrules.cli import main

from .conftest import ROOT, pack_yaml


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_prints_one_json_verdict_per_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("你好\n长期回收微信号，秒结\n", encoding="utf-8")
    code, out, _ = run(capsys, "score", str(path))
    assert code == 0
    verdicts = [json.loads(line) for line in out.splitlines()]
    assert next(v["action"] for v in verdicts) == "allow"
    assert verdicts[1]["category"] == "account_trading"


def test_score_reads_a_jsonl_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "msgs.jsonl"
    path.write_text('{"body": "扫雷群包尾中雷赔1.5倍"}\n{"body": "吃饭了吗"}\n', encoding="utf-8")
    code, out, _ = run(capsys, "score", "--field", "body", str(path))
    assert code == 0
    assert [json.loads(x)["category"] for x in out.splitlines()] == ["red_envelope_gambling",
                                                                     None]


def test_score_reads_stdin(monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("出租微信号，日结\n"))
    code, out, _ = run(capsys, "score")
    assert code == 0
    assert json.loads(out)["category"] == "account_trading"


def test_score_explain_shows_rules_and_original_spans(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("出*租 微信號，日结\n", encoding="utf-8")
    code, out, _ = run(capsys, "score", "--explain", str(path))
    assert code == 0
    assert out.splitlines()[0].split()[0] in ("REVIEW", "BLOCK")
    assert "'出*租 微信號" in out


def test_score_conversation_prints_one_verdict_per_conversation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "chats.jsonl"
    lines = [{"id": "a", "messages": ["你好", "吃了吗"]},
             {"id": "b", "messages": [{"sender": "甲", "text": "长期回收微信号"},
                                      {"sender": "甲", "text": "秒结"}]}]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    code, out, _ = run(capsys, "score", "--conversation", str(path))
    assert code == 0
    verdicts = [json.loads(x) for x in out.splitlines()]
    assert next(v["action"] for v in verdicts) == "allow"
    assert verdicts[1]["category"] == "account_trading"
    assert {m["message"] for m in verdicts[1]["matches"]} >= {0}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["score", "/no/such/file.txt"], "cannot read /no/such/file.txt",
                     id="missing-file"),
        pytest.param(["score", "--rules", "/no/such/pack.yaml", "x"], "no such file",
                     id="missing-pack"),
    ],
)
def test_usage_errors_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err


def test_bad_json_line_is_located(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "你好"}\n{oops\n', encoding="utf-8")
    code, _, err = run(capsys, "score", "--field", "text", str(path))
    assert code == 2
    assert f"{path}:2: not JSON" in err


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


def test_lint_prints_located_problems_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(pack_yaml("rules:\n  - id: X-1\n    description: 甲\n    any: [出租]\n"
                              "    wieght: 1\n    examples: {match: [出租]}\n"), encoding="utf-8")
    code, out, err = run(capsys, "lint", str(path))
    assert code == 1
    assert f"{path}:9:5: rule X-1: unknown key 'wieght' in a rule; did you mean 'weight'?" in out
    assert "error" in err


def test_lint_of_bundled_packs_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "lint", str(ROOT / "rules"))
    assert code == 0
    assert err.startswith("0 errors")


def test_test_command_reports_failures_and_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(pack_yaml("rules:\n  - id: X-1\n    description: 甲\n    any: [出租]\n"
                              "    weight: 1\n    examples: {match: [出租, 出售], "
                              "no_match: [出租车]}\n"), encoding="utf-8")
    code, out, _ = run(capsys, "test", str(path))
    assert code == 1
    assert "FAIL X-1" in out
    assert "should fire on '出售'" in out
    assert "should not fire on '出租车'" in out
    assert out.splitlines()[-1] == "1 passed, 2 failed"


def test_test_command_passes_on_bundled_packs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "test")
    assert code == 0
    assert out.splitlines()[-1].endswith(" passed, 0 failed")


def test_evaluate_json_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    rows = [{"text": "长期回收微信号，秒结", "label": "account_trading", "evasion": False},
            {"text": "出*租 薇信号，日结", "label": "account_trading", "evasion": True},
            {"text": "今天吃火锅", "label": "clean"},
            {"text": "扫雷群包尾中雷赔1.5倍", "label": "red_envelope_gambling"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    code, out, _ = run(capsys, "evaluate", str(path), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["overall"]["recall"] == 1.0
    assert report["overall"]["clean_flagged_review"] == 0.0
    assert report["per_category"]["account_trading"]["support"] == 2
    assert report["recall_by_evasion"]["account_trading"] == {"plain": 1.0, "evasive": 1.0}
    assert report["confusion"]["clean"]["clean"] == 1
    assert any(r["hits"] for r in report["rules"])


def test_evaluate_text_report_ends_with_headline_figures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"text": "今天吃火锅", "label": "clean"}\n'
                    '{"text": "扫雷群包尾中雷赔1.5倍", "label": "clean"}\n', encoding="utf-8")
    code, out, _ = run(capsys, "evaluate", str(path))
    assert code == 0
    assert "False positives (1):" in out
    assert "clean flagged at review  50.0%" in out


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "fraudrules", "score"], input="你好\n",
                            capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(result.stdout)["action"] == "allow"

"""The benchmark suite runs end to end in quick mode and writes its tables (no timings
are asserted: they depend on the machine)."""

from __future__ import annotations

from pathlib import Path

import pytest

import fraudrules
from benchmarks import run, synthetic, traffic


@pytest.mark.parametrize("seed", [pytest.param(1, id="seed-1"), pytest.param(2026, id="seed-2026")])
def test_traffic_is_seeded_and_within_bounds(seed: int) -> None:
    messages = traffic.generate(2000, seed=seed)
    assert messages == traffic.generate(2000, seed=seed)
    assert all(len(m.text) <= traffic.MAX_LENGTH for m in messages)
    scams = sum(1 for m in messages if m.label == "scam")
    assert 0.01 < scams / len(messages) < 0.06


def test_long_messages_have_the_requested_length() -> None:
    assert {len(t) for t in traffic.long_messages(20, 200)} == {200}


def test_synthetic_packs_load_with_the_requested_size(tmp_path: Path) -> None:
    paths = synthetic.write_packs(tmp_path, rules=40, terms=90, seed=3)
    ruleset = fraudrules.load(paths, packs=[]).ruleset
    assert len(ruleset.rules) >= 40
    assert len(ruleset.terms) == 90


def test_quick_run_writes_every_table(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    assert run.main(["--quick", "--out", str(out)]) == 0
    report = out.read_text(encoding="utf-8")
    for heading in ("## Machine", "## Throughput", "## score_many", "## Compile time",
                    "## Latency", "## Where the time goes", "## Targets"):
        assert heading in report
    assert "raw pyahocorasick" in report
    assert "fraudrules score() bundled [pyahocorasick]" in report
    assert "python -m benchmarks.run --quick" in report


@pytest.mark.skipif(not (Path(__file__).resolve().parent.parent / ".git").exists(),
                    reason="needs the git history")
def test_compare_scores_a_revision_beside_the_working_tree(
        capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import compare

    assert compare.main(["HEAD", "--messages", "600", "--reps", "1"]) == 0
    assert "speed-up" in capsys.readouterr().out

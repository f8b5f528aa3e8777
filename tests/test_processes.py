"""Verdicts survive process boundaries: pickling, hash randomization, worker processes."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fraudrules
from fraudrules import Classifier
from fraudrules.engine import bundled_pack_paths

MESSAGES = [
    "",
    "妈，我到家了",
    "出租微信号，日结",
    "长期高价回收微信号，秒结",
    "扫雷群，包尾中雷赔1.5倍，抽水5%",
    "跟着带单老师稳赚不赔，进群领取内部消息",
    "警方提醒：不要出租出借微信号",
    "出\u200b租 ＶＸ 號，日结",
    "出\ud800租微信号\x00日结",
    "😀🎉🧧" * 50,
    "出租微信号，" * 3000,
]


@pytest.fixture(scope="module")
def bundled() -> Classifier:
    return fraudrules.load()


def verdicts(classifier: Classifier) -> list[dict[str, object]]:
    return [classifier.score(text).to_dict() for text in MESSAGES]


def test_pickled_classifier_gives_identical_verdicts(bundled: Classifier) -> None:
    copy = pickle.loads(pickle.dumps(bundled))
    assert copy is not bundled
    assert copy.version == bundled.version
    assert verdicts(copy) == verdicts(bundled)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_verdicts_pickle_to_equal_verdicts(bundled: Classifier, protocol: int) -> None:
    found = [bundled.score(text) for text in MESSAGES]
    found.append(bundled.score_conversation(
        [{"text": "老师今天带单，跟上的都赚了", "sender": "a"},
         {"text": "入金找我，名额有限", "sender": "b"}]))
    assert any(m.message is not None for m in found[-1].matches)  # conversation fields too
    assert sum(bool(v.matches) for v in found) >= 5
    for verdict in found:
        again = pickle.loads(pickle.dumps(verdict, protocol=protocol))
        assert again == verdict
        assert again.to_dict() == verdict.to_dict()
        assert all(type(m) is type(n) for m, n in zip(again.matches, verdict.matches, strict=True))


def test_pickled_classifier_keeps_its_options() -> None:
    classifier = fraudrules.load(packs=["account_trading"], max_chars=12,
                                 thresholds={"review": 0.2, "block": 0.6}, regex_timeout=0.5)
    copy = pickle.loads(pickle.dumps(classifier, protocol=pickle.HIGHEST_PROTOCOL))
    assert (copy.max_chars, copy.regex_timeout) == (12, 0.5)
    assert copy.thresholds("account_trading") == (0.2, 0.6)
    assert verdicts(copy) == verdicts(classifier)


_CHILD = textwrap.dedent("""
    import json, sys
    import fraudrules
    messages = json.loads(sys.stdin.read())
    classifier = fraudrules.load([sys.argv[1]], packs=[])
    print(json.dumps([classifier.score(m).to_dict() for m in messages]))
""")


def score_in_child(packs: Path, hash_seed: str) -> list[dict[str, object]]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    result = subprocess.run([sys.executable, "-c", _CHILD, str(packs)],
                            input=json.dumps(MESSAGES), capture_output=True, text=True, env=env,
                            timeout=120, check=True)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_verdicts_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    packs = tmp_path / "rules"  # a snapshot, so every process reads the same packs
    shutil.copytree(bundled_pack_paths()[0].parent, packs)
    first, second = score_in_child(packs, "1"), score_in_child(packs, "4242")
    assert first == second
    here = json.loads(json.dumps(verdicts(fraudrules.load([packs], packs=[]))))
    assert first == here


def test_worker_processes_give_the_same_verdicts_in_order(bundled: Classifier) -> None:
    texts = MESSAGES * 20
    parallel = [v.to_dict() for v in bundled.score_many(texts, workers=2, chunksize=7)]
    assert parallel == [bundled.score(t).to_dict() for t in texts]

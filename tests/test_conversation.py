from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

import fraudrules
from fraudrules import Classifier, Conversation

from .conftest import SHARED_CORPUS, pack_yaml

Build = Callable[..., Classifier]

PACK = pack_yaml("""\
    rules:
      - id: M-PROFIT
        description: 晒盈利
        any: [盈利, 出金]
        weight: 1.5
        examples: {match: [今天盈利两万]}
      - id: M-DEPOSIT
        description: 催入金
        any: [入金, 充值]
        weight: 1.5
        examples: {match: [赶紧入金]}
      - id: C-STORY
        description: 晒盈利之后催入金
        scope: conversation
        all: [[盈利, 出金], [入金, 充值]]
        weight: 1.0
        examples:
          match: [[今天盈利两万, 想跟的入金]]
          no_match: [[今天盈利两万]]
      - id: C-ECHO
        description: 几个人附和感谢老师
        scope: conversation
        any: [感谢老师]
        min_senders: 3
        weight: 2.0
        examples:
          match:
            - [{sender: 甲, text: 感谢老师}, {sender: 乙, text: 感谢老师}, {sender: 丙, text: 感谢老师}]
          no_match:
            - [{sender: 甲, text: 感谢老师}, {sender: 甲, text: 感谢老师}, {sender: 甲, text: 感谢老师}]
      - id: C-REPEAT
        description: 同一人反复拉人进群
        scope: conversation
        any: [进群]
        min_messages: 3
        same_sender: true
        weight: 2.0
        examples:
          match:
            - [{sender: 甲, text: 进群}, {sender: 乙, text: 好}, {sender: 甲, text: 进群}, {sender: 甲, text: 快进群}]
          no_match:
            - [{sender: 甲, text: 进群}, {sender: 乙, text: 进群}, {sender: 丙, text: 进群}]
    """)


@pytest.fixture
def classifier(build: Build) -> Classifier:
    return build(PACK)


def rule_ids(verdict: fraudrules.Verdict) -> list[str]:
    return [m.rule_id for m in verdict.matches]


def test_weak_messages_add_up_across_the_chat(classifier: Classifier) -> None:
    assert classifier.score("今天盈利两万").action == "allow"
    assert classifier.score("想跟的入金").action == "allow"
    chat = classifier.conversation()
    assert chat.add("今天盈利两万").action == "allow"
    verdict = chat.add("想跟的入金")
    assert verdict.action == "review"
    assert sorted(rule_ids(verdict)) == ["C-STORY", "M-DEPOSIT", "M-PROFIT"]


def test_matches_say_which_message_and_span_they_came_from(classifier: Classifier) -> None:
    chat = classifier.conversation()
    chat.add("你好")
    chat.add("今天盈利两万")
    verdict = chat.add("想跟的请入金")
    by_rule = {m.rule_id: m for m in verdict.matches}
    assert (by_rule["M-PROFIT"].message, by_rule["M-PROFIT"].text) == (1, "盈利")
    assert (by_rule["M-DEPOSIT"].message, by_rule["M-DEPOSIT"].text) == (2, "入金")
    story = by_rule["C-STORY"]
    assert story.part_messages == (1, 2)
    assert story.parts == ((2, 4), (4, 6))
    assert verdict.to_dict()["matches"][0]["message"] in (1, 2)


def test_old_evidence_decays_with_messages(classifier: Classifier) -> None:
    chat = classifier.conversation(half_life_messages=1)
    chat.add("今天盈利两万")
    chat.add("吃饭了吗")
    verdict = chat.add("吃了")
    profit = next(m for m in verdict.matches if m.rule_id == "M-PROFIT")
    assert profit.contribution == pytest.approx(1.5 / 4)


def test_an_old_hit_does_not_flag_an_innocent_message_an_hour_later(
    classifier: Classifier,
) -> None:
    start = datetime(2026, 11, 1, 20, 0)
    chat = classifier.conversation()
    chat.add("今天盈利两万", timestamp=start)
    assert chat.add("想跟的入金", timestamp=start + timedelta(minutes=1)).action == "review"
    later = chat.add("晚上吃什么", timestamp=start + timedelta(hours=1))
    assert later.action == "allow"
    assert later.matches == ()


def test_window_is_bounded_by_message_count(classifier: Classifier) -> None:
    chat = classifier.conversation(max_messages=3)
    chat.add("今天盈利两万")
    for _ in range(3):
        verdict = chat.add("聊点别的")
    assert verdict.matches == ()
    assert chat.messages_seen == 4
    assert len(chat._window) == 3  # memory stays bounded however long the chat runs


def test_several_senders_echoing_a_claim(classifier: Classifier) -> None:
    chat = classifier.conversation()
    for sender in ["甲", "乙"]:
        assert "C-ECHO" not in rule_ids(chat.add("感谢老师", sender=sender))
    assert "C-ECHO" in rule_ids(chat.add("感谢老师！", sender="丙"))


def test_one_sender_repeating_recruitment(classifier: Classifier) -> None:
    chat = classifier.conversation()
    for sender in ["甲", "乙", "甲"]:
        assert "C-REPEAT" not in rule_ids(chat.add("进群领福利", sender=sender))
    assert "C-REPEAT" in rule_ids(chat.add("还没进群的快", sender="甲"))


def test_conversation_rules_do_not_fire_on_single_messages(classifier: Classifier) -> None:
    assert rule_ids(classifier.score("今天盈利两万，想跟的入金")) == ["M-PROFIT", "M-DEPOSIT"]


def test_add_one_by_one_equals_score_conversation(classifier: Classifier) -> None:
    messages = [{"text": "今天盈利两万", "sender": "甲", "timestamp": 100.0},
                {"text": "感谢老师", "sender": "乙", "timestamp": 130.0},
                {"text": "想跟的入金", "sender": "甲", "timestamp": 160.0},
                {"text": "吃饭了吗", "sender": "丙", "timestamp": 400.0}]
    chat = classifier.conversation()
    for m in messages:
        chat.add(m["text"], sender=m["sender"], timestamp=m["timestamp"])  # type: ignore[arg-type]
    whole = classifier.score_conversation(messages)
    assert chat.verdict.to_dict() == whole.to_dict()
    assert whole.action == "review"


def test_conversation_verdict_is_the_most_severe_moment(classifier: Classifier) -> None:
    chat = classifier.conversation(half_life_messages=1)
    chat.add("今天盈利两万")
    peak = chat.add("想跟的入金")
    for _ in range(5):
        chat.add("聊点别的")
    assert chat.verdict == peak


def test_plain_strings_and_bad_messages(classifier: Classifier) -> None:
    assert classifier.score_conversation(["今天盈利两万", "想跟的入金"]).action == "review"
    with pytest.raises(TypeError, match="message 1"):
        classifier.score_conversation(["你好", 42])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="timestamp"):
        classifier.conversation().add("你好", timestamp="昨天")  # type: ignore[arg-type]


def test_conversation_examples_are_checked_by_fraudrules_test(classifier: Classifier) -> None:
    from fraudrules.checks import check_examples

    results = check_examples(classifier)
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    assert any(" / " in r.text for r in results)


def test_different_conversations_from_different_threads(classifier: Classifier) -> None:
    results: dict[int, str] = {}

    def run(number: int) -> None:
        chat: Conversation = classifier.conversation()
        verdict = chat.add("你好")
        for _ in range(200):
            verdict = chat.add("今天盈利两万" if number % 2 else "吃饭了吗")
            verdict = chat.add("想跟的入金" if number % 2 else "吃了")
        results[number] = verdict.action

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {n: ("review" if n % 2 else "allow") for n in range(6)}


def _shared_conversations() -> list[dict[str, object]]:
    path = SHARED_CORPUS / "conversations.jsonl"
    if not path.exists():
        pytest.skip("shared development corpus not present")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_bundled_packs_score_the_shared_conversations_the_same_both_ways() -> None:
    classifier = fraudrules.load()
    for record in _shared_conversations():
        messages = record["messages"]
        chat = classifier.conversation()
        for m in messages:  # type: ignore[attr-defined]
            chat.add(m["text"], sender=m.get("sender"))
        assert chat.verdict.to_dict() == classifier.score_conversation(messages).to_dict()  # type: ignore[arg-type]


def test_sender_counts_see_every_message_holding_a_part(build: Build) -> None:
    # The banker states the rule and the payment word in one message; a player's later
    # "转了" is a second sender holding a part, though the first message already had both.
    c = build(pack_yaml("""\
        rules:
          - id: C-PAID
            description: 规则和付款来自两个人
            scope: conversation
            all: [末位, 转了]
            min_senders: 2
            weight: 3
            examples:
              match:
                - [{sender: 庄, text: 末位算，中了的转了再说}, {sender: 阿伟, text: 转了}]
              no_match:
                - [{sender: 庄, text: 末位算，中了的转了再说}]
        """))
    chat = c.conversation()
    assert chat.add("末位算，中了的转了再说", sender="庄").matches == ()
    assert rule_ids(chat.add("转了", sender="阿伟")) == ["C-PAID"]

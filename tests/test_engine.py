from __future__ import annotations

import json
import math
import pickle
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fraudrules
from fraudrules import Classifier, compiler, normalize
from fraudrules.engine import load_sources

from .conftest import pack_yaml

Build = Callable[..., Classifier]


def rule(rule_id: str, condition: str, weight: float = 3.0, match: str = "出租") -> str:
    return (f"  - id: {rule_id}\n    description: 规则{rule_id}\n{condition}"
            f"    weight: {weight}\n    examples: {{match: [{match}]}}\n")


def fired(classifier: Classifier, text: str) -> list[str]:
    return [m.rule_id for m in classifier.score(text).matches]


def test_a_term_shared_by_two_rules_fires_both(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    any: [出租微信]\n")
                        + rule("B", "    all: [出租微信, 日结]\n")))
    assert fired(c, "出租微信，日结") == ["A", "B"]
    assert len(c.ruleset.terms) == 2


def test_empty_ruleset_allows_everything() -> None:
    c = fraudrules.load(packs=[])
    verdict = c.score("出租微信号，扫雷群，稳赚不赔")
    assert (verdict.category, verdict.action, verdict.score, verdict.matches) == (
        None, "allow", 0.0, ())
    assert verdict.categories == {}


def test_terms_match_through_separators_and_spans_cover_the_original(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    any: [出租微信]\n")))
    for text in ["出*租*微*信", "出 租 微 信", "出\u200b租微信", "出租微信"]:
        verdict = c.score("我" + text + "号")
        assert [m.rule_id for m in verdict.matches] == ["A"], text
        match = verdict.matches[0]
        assert match.text == text
        assert (match.start, match.end) == (1, 1 + len(text))


def test_traditional_and_fullwidth_text_matches_simplified_terms(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    all: [微信号, vx]\n")))
    verdict = c.score("出租微信號，加ＶＸ")
    assert [m.text for m in verdict.matches] == ["微信號，加ＶＸ"]


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        pytest.param("出租微信", True, id="adjacent"),
        pytest.param("出租我的微信", True, id="gap-2"),
        pytest.param("出租我的旧微信", True, id="gap-3"),
        pytest.param("出租我的那个旧微信", False, id="gap-5"),
        pytest.param("微信出租", True, id="either-order"),
        pytest.param("出租，，，，，微信", True, id="deleted-punctuation-does-not-count"),
    ],
)
def test_within_counts_normalized_characters_between_parts(
    build: Build, text: str, fires: bool
) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    all: [出租, 微信]\n    within: 3\n")))
    assert (fired(c, text) == ["A"]) is fires


def test_within_picks_the_closest_occurrences(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    all: [出租, 微信]\n    within: 1\n")))
    verdict = c.score("出租房子很久了，想问微信怎么出租微信号")
    assert [m.text for m in verdict.matches] == ["出租微信"]


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        pytest.param("扫雷抽水", True, id="two-of-three"),
        pytest.param("扫雷赔抽水", True, id="three-of-three"),
        pytest.param("扫雷扫雷扫雷", False, id="one-item-repeated"),
        pytest.param("抽水", False, id="one-item"),
    ],
)
def test_at_least_counts_distinct_items(build: Build, text: str, fires: bool) -> None:
    c = build(pack_yaml("rules:\n" + rule(
        "A", "    at_least:\n      n: 2\n      of: [扫雷, 赔, 抽水]\n")))
    assert (fired(c, text) == ["A"]) is fires


@pytest.mark.parametrize("mask_parts", [4096, 0], ids=["parts-as-masks", "parts-as-sets"])
def test_at_least_whose_items_need_the_same_terms_counts_each_item(
        build: Build, monkeypatch: pytest.MonkeyPatch, mask_parts: int) -> None:
    monkeypatch.setattr(compiler, "_MASK_PARTS", mask_parts)
    # both items are woken by 扫雷: the quorum holds the same term set twice
    c = build(pack_yaml("rules:\n" + rule(
        "A", "    at_least:\n      n: 2\n      of: [扫雷, {all: [扫雷, 群]}]\n")))
    assert fired(c, "扫雷群") == ["A"]
    assert fired(c, "扫雷") == []


def test_at_least_with_within_needs_n_items_close_together(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule(
        "A", "    at_least:\n      n: 2\n      of: [扫雷, 赔, 抽水]\n    within: 2\n")))
    assert fired(c, "扫雷群赔") == ["A"]
    assert fired(c, "扫雷今天天气很好赔") == []


def test_unless_vetoes_the_rule_anywhere_in_the_message(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule(
        "A", "    all: [出租, 微信]\n    within: 4\n    unless: [警方提醒, 不要出租]\n")))
    assert fired(c, "出租微信号，日结") == ["A"]
    assert fired(c, "警方提醒：不要出租出借微信号") == []


def test_unless_inside_a_nested_condition_only_vetoes_that_part(build: Build) -> None:
    condition = (
        "    any:\n"
        "      - all: [出租, 微信]\n"
        "        unless: 反诈\n"
        "      - 扫雷群\n"
    )
    c = build(pack_yaml("rules:\n" + rule("A", condition)))
    assert fired(c, "反诈宣传：出租微信违法") == []
    assert fired(c, "反诈宣传：扫雷群是赌博") == ["A"]


def test_nested_all_inside_all(build: Build) -> None:
    condition = (
        "    all:\n"
        "      - any: [扫雷, 踩雷]\n"
        "      - all: [加, vx]\n"
        "        within: 0\n"
    )
    c = build(pack_yaml("rules:\n" + rule("A", condition)))
    assert fired(c, "扫雷群招人，加vx") == ["A"]
    assert fired(c, "扫雷群招人，加我的vx") == []


def test_regex_runs_on_the_normalized_text_only_when_anchored(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule(
        "A", "    regex: '赔\\d+(\\.\\d+)?倍'\n    anchors: [赔]\n")))
    verdict = c.score("中雷赔 1.5 倍")
    assert [m.text for m in verdict.matches] == ["赔 1.5 倍"]
    assert fired(c, "赔①⑧倍") == ["A"]
    assert c.ruleset.always == ()


def test_regex_without_anchors_or_literals_runs_on_every_message(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    regex: '.{2}\\D'\n")))
    assert c.ruleset.always == (0,)
    assert fired(c, "30天") == ["A"]


def test_regex_without_anchors_is_woken_by_a_literal_it_needs(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    regex: '\\d{2}天'\n")))
    assert c.ruleset.always == ()
    assert c.ruleset.candidates(c.ruleset.find("你好30")) == []
    assert fired(c, "30天") == ["A"]


def test_regex_needs_every_literal_set_its_matches_hold(build: Build) -> None:
    # every match holds one of 出/卖 AND one of 个号/个微信: either alone does not run it
    c = build(pack_yaml("rules:\n" + rule("A", "    regex: '(出|卖)\\d+个(号|微信)'\n")))
    ruleset = c.ruleset
    assert ruleset.candidates(ruleset.find(normalize("出门买了3个苹果").text)) == []
    assert ruleset.candidates(ruleset.find(normalize("我有3个号").text)) == []
    assert fired(c, "出3个号") == ["A"]
    assert fired(c, "卖 20 个微信") == ["A"]


def test_regex_runs_only_when_a_literal_every_match_needs_was_seen(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule(
        "A", "    regex: '\\d{2}(元|块)一天'\n    anchors: [天]\n")))
    assert c.ruleset.always == ()
    ruleset = c.ruleset
    assert ruleset.touched(ruleset.scan(normalize("今天30元"))) == []  # 天 alone no longer wakes it
    assert fired(c, "出租30元一天") == ["A"]
    assert fired(c, "vx30块一天") == ["A"]


def test_only_rules_a_hit_can_satisfy_are_evaluated(build: Build) -> None:
    c = build(pack_yaml("rules:\n"
                        + rule("A", "    all: [出租, 微信]\n")
                        + rule("B", "    any: [扫雷]\n")
                        + rule("C", "    at_least:\n      n: 2\n      of: [甲乙, 丙丁, 戊己]\n")))
    ruleset = c.ruleset

    def touched(text: str) -> list[int]:
        return ruleset.touched(ruleset.scan(normalize(text)))

    assert touched("扫雷") == [1]
    # 'all' needs a hit for every part before it is evaluated
    assert touched("出租") == touched("微信") == []
    assert touched("出租微信") == [0]
    # 'at_least 2 of 3' needs hits for two of its items before it is evaluated
    assert [touched(t) for t in ["甲乙", "丙丁", "戊己"]] == [[], [], []]
    assert touched("甲乙丙丁") == touched("丙丁戊己") == [2]


def test_latin_terms_do_not_match_inside_latin_words(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    any: [vx]\n")))
    assert fired(c, "加vx") == ["A"]
    assert fired(c, "加 V X：abc") == ["A"]
    assert fired(c, "vx123") == ["A"]
    assert fired(c, "lvxing") == []
    assert fired(c, "I have vxlan") == []


def test_negative_weights_lower_the_score(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    any: [扫雷]\n", 4.0)
                        + rule("B", "    any: [游戏]\n", -3.0)))
    assert c.score("扫雷").action == "review"
    assert c.score("扫雷游戏").action == "allow"


def test_explanation_adds_up_to_the_score(build: Build) -> None:
    c = build(pack_yaml("bias: -2.5\nrules:\n" + rule("A", "    any: [扫雷]\n", 2.0)
                        + rule("B", "    any: [抽水]\n", 1.5)))
    verdict = c.score("扫雷群抽水")
    logit = verdict.biases["test_scam"] + sum(m.contribution for m in verdict.matches)
    assert logit == pytest.approx(1.0)
    assert verdict.categories["test_scam"] == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert verdict.score == verdict.categories["test_scam"]


def test_actions_follow_thresholds_and_the_caller_can_override_them(build: Build) -> None:
    text = pack_yaml("thresholds: {review: 0.4, block: 0.8}\nrules:\n"
                     + rule("A", "    any: [扫雷]\n", 3.0))
    assert build(text).score("扫雷").action == "review"  # sigmoid(0) = 0.5
    assert build(text, thresholds={"block": 0.5}).score("扫雷").action == "block"
    assert build(text, thresholds={"review": 0.6}).score("扫雷").action == "allow"


def test_category_is_the_most_likely_among_those_that_fired(build: Build) -> None:
    first = pack_yaml("rules:\n" + rule("A", "    any: [扫雷]\n", 2.0), name="a", category="cat_a")
    second = pack_yaml("rules:\n" + rule("B", "    any: [出租]\n", 4.0), name="b",
                       category="cat_b")
    verdict = build(first, second).score("扫雷出租")
    assert verdict.category == "cat_b"
    assert set(verdict.categories) == {"cat_a", "cat_b"}


def test_long_text_is_scored_on_its_prefix_and_flagged(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    any: [扫雷]\n")), max_chars=10)
    assert c.score("扫雷" + "好" * 20).truncated
    assert fired(c, "扫雷" + "好" * 20) == ["A"]
    assert fired(c, "好" * 20 + "扫雷") == []
    assert not c.score("扫雷").truncated


@pytest.mark.parametrize("value", [None, b"\xe5\x87\xba", 12, ["出租"]])
def test_non_str_input_raises_type_error_naming_the_type(build: Build, value: object) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    any: [扫雷]\n")))
    with pytest.raises(TypeError, match=type(value).__name__):
        c.score(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("扫雷" * 500_000, id="one-megabyte"),
        pytest.param("\u200b\u200c\u200d" * 100, id="only-zero-width"),
        pytest.param("😀🧧💣" * 100, id="only-emoji"),
        pytest.param("扫\ud800雷\udfff", id="lone-surrogates"),
        pytest.param("扫\x00雷\x07\x1b[31m", id="control-characters"),
        pytest.param("\u202e雷扫\u202c", id="rtl-override"),
    ],
)
def test_odd_text_never_raises(text: str) -> None:
    verdict = fraudrules.score(text)
    assert verdict.action in ("allow", "review", "block")
    for match in verdict.matches:
        assert 0 <= match.start < match.end <= len(text)


def test_verdict_to_dict_is_json(build: Build) -> None:
    c = build(pack_yaml("rules:\n" + rule("A", "    any: [扫雷]\n")))
    data = json.loads(json.dumps(c.score("来扫雷").to_dict(), ensure_ascii=False))
    assert data["category"] == "test_scam"
    assert data["matches"][0]["rule_id"] == "A"
    assert data["matches"][0]["text"] == "扫雷"
    assert data["ruleset_version"].startswith("test_pack@1.0#")


def test_ruleset_version_changes_with_pack_content(build: Build) -> None:
    one = build(pack_yaml("rules:\n" + rule("A", "    any: [扫雷]\n")))
    two = build(pack_yaml("rules:\n" + rule("A", "    any: [踩雷]\n")))
    assert one.version != two.version
    assert one.version.split("#")[0] == two.version.split("#")[0]


def test_classifier_pickles_into_an_identical_scorer() -> None:
    c = fraudrules.load()
    again = pickle.loads(pickle.dumps(c))
    texts = ["出租微信号，日结", "扫雷群包尾中雷赔1.5倍", "妈我到家了"]
    assert [again.score(t).to_dict() for t in texts] == [c.score(t).to_dict() for t in texts]


def test_score_many_keeps_order_with_one_and_two_workers() -> None:
    c = fraudrules.load()
    texts = ["出租微信号，日结", "你好", "扫雷群包尾中雷赔1.5倍"] * 50
    expected = [c.score(t).to_dict() for t in texts]
    assert [v.to_dict() for v in c.score_many(texts)] == expected
    assert [v.to_dict() for v in c.score_many(iter(texts), workers=2, chunksize=7)] == expected


def test_module_level_score_uses_the_bundled_packs() -> None:
    assert fraudrules.score("妈，我到家了").action == "allow"
    assert fraudrules.score("长期高价回收微信号，秒结").category == "account_trading"


TERMS = ["出租微信", "扫雷", "vx", "稳赚不赔"]
_term_pack = pack_yaml("lists:\n  t: [" + ", ".join(TERMS) + "]\nrules:\n"
                       + rule("A", "    any: [$t]\n"))
_term_classifier = load_sources([("t.yaml", _term_pack)])
noise = st.text(alphabet=st.characters(codec=None), max_size=8)


@settings(max_examples=300)
@given(st.lists(st.tuples(noise, st.sampled_from(TERMS), st.sampled_from(["", " ", "*", "\u200b", "．"])),
                max_size=4), noise)
def test_every_match_span_normalizes_to_contain_a_term(
    pieces: list[tuple[str, str, str]], tail: str
) -> None:
    text = "".join(n + sep.join(term) for n, term, sep in pieces) + tail
    verdict = _term_classifier.score(text)
    for match in verdict.matches:
        assert match.text == text[match.start:match.end]
        for start, end in match.parts:
            assert 0 <= start < end <= len(text)
            assert any(term in normalize(text[start:end]).text for term in TERMS)


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(codec=None), max_size=200))
def test_score_never_raises_on_arbitrary_text(text: str) -> None:
    verdict = fraudrules.score(text)
    for match in verdict.matches:
        assert 0 <= match.start < match.end <= len(text)

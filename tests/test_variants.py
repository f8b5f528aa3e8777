from __future__ import annotations

from collections.abc import Callable

import pytest

from fraudrules import Classifier
from fraudrules.variants import term_variants

from .conftest import pack_yaml


@pytest.mark.parametrize(
    ("term", "variant"),
    [
        pytest.param("财务", "cai务", id="first-character-pinyin"),
        pytest.param("财务", "财wu", id="last-character-pinyin"),
        pytest.param("上下分", "shangxiafen", id="whole-word-pinyin"),
        pytest.param("老师", "lao师", id="two-character-word-one-pinyin"),
        pytest.param("直登号", "zd号", id="initials-then-rest"),
        pytest.param("接码平台", "jmpt", id="all-initials"),
        pytest.param("一年号", "1年号", id="numeral-as-digit"),
        pytest.param("两倍", "2倍", id="liang-as-digit"),
        pytest.param("绿泡泡", "lv泡泡", id="u-umlaut-typed-as-v"),
    ],
)
def test_term_variants_include(term: str, variant: str) -> None:
    assert variant in term_variants(term)


def test_two_character_words_get_no_whole_pinyin() -> None:
    assert "zhonglei" not in term_variants("中雷")  # 种类 reads the same


@pytest.mark.parametrize("term", ["赌", "雷", "vx", "qq", "30天"])
def test_single_characters_and_latin_terms_get_no_pinyin(term: str) -> None:
    assert not any(v.isascii() and v.isalpha() for v in term_variants(term))


def test_variants_never_include_the_term_itself() -> None:
    assert "财务" not in term_variants("财务")


def test_variant_spellings_fire_the_rule_and_report_the_original_span(
    build: Callable[..., Classifier],
) -> None:
    c = build(pack_yaml("rules:\n  - id: A\n    description: 找财务下分\n"
                        "    all: [财务, 下分]\n    within: 2\n    weight: 3\n"
                        "    examples: {match: [找财务下分]}\n"))
    for text in ["找财wu下分", "找cai务xia分", "找CAI务下fen", "找財務下分"]:
        verdict = c.score(text)
        assert [m.rule_id for m in verdict.matches] == ["A"], text
        assert verdict.matches[0].text == text[1:]


def test_pinyin_variant_does_not_match_inside_a_latin_word(
    build: Callable[..., Classifier],
) -> None:
    c = build(pack_yaml("rules:\n  - id: A\n    description: 老师\n    any: [老师]\n"
                        "    weight: 3\n    examples: {match: [老师]}\n"))
    assert [m.rule_id for m in c.score("跟着lao师做").matches] == ["A"]
    assert c.score("blao师").matches == ()


def test_a_term_marked_exact_gets_no_variants(build: Callable[..., Classifier]) -> None:
    c = build(pack_yaml("rules:\n  - id: A\n    description: 赌博群\n    any: ['=赌博群']\n"
                        "    weight: 3\n    examples: {match: [赌博群]}\n"))
    assert [m.rule_id for m in c.score("进赌博群").matches] == ["A"]
    assert c.score("进du博群").matches == ()

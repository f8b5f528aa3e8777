from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from benchmarks import synthetic
from fraudrules import Classifier
from fraudrules.engine import bundled_pack_paths
from fraudrules.packs import Condition, ListRef, Regex, Term, parse_pack
from fraudrules.variants import _pinyin, term_variants

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


# --- the same variants as before term_variants was made faster ---------------------------------


def frozen_term_variants(term: str) -> set[str]:
    """term_variants as it was before it was made faster (2026-11-28): the reference."""
    found: set[str] = set()
    digits = term.translate(str.maketrans("零一二三四五六七八九两", "01234567892"))
    if digits != term:
        found.add(digits)
    table = _pinyin()
    readings = [table.get(char) for char in term]
    hanzi = [i for i, r in enumerate(readings) if r]
    if len(hanzi) >= 2:
        for index in hanzi:
            for reading in readings[index] or ():
                found.add(term[:index] + reading + term[index + 1:])
    if len(hanzi) >= 3:
        found.add("".join(r[0] if r else c for c, r in zip(term, readings, strict=True)))
        if hanzi[:2] == [0, 1]:
            initials = [r[0][0] for r in readings if r]
            found.add("".join(initials[:2]) + term[2:])
            if len(hanzi) == len(term) >= 4:
                found.add("".join(initials))
    found.discard(term)
    if len(found) > 24:
        found = set(sorted(found, key=lambda v: (len(v), v))[:24])
    return found


def folded_terms(paths: Iterable[Path]) -> set[str]:
    terms: set[str] = set()

    def collect(item: Condition | None) -> None:
        if item is None or isinstance(item, ListRef):
            return
        if isinstance(item, Term):
            terms.add(item.folded)
            return
        for child in item.anchors if isinstance(item, Regex) else item.items:
            collect(child)
        collect(item.unless)

    for path in paths:
        pack, _ = parse_pack(path.read_text(encoding="utf-8"), str(path))
        assert pack is not None
        for items in pack.lists.values():
            for item in items:
                collect(item)
        for rule in pack.rules:
            collect(rule.condition)
    return terms


def test_variants_of_the_bundled_and_synthetic_terms_are_as_before(tmp_path: Path) -> None:
    terms = folded_terms(bundled_pack_paths())
    terms |= folded_terms(synthetic.write_packs(tmp_path, rules=1_500, terms=3_000, seed=7))
    assert len(terms) > 3_000
    assert [t for t in sorted(terms) if term_variants(t) != frozen_term_variants(t)] == []


# Characters with several readings (长 行 了 重 …), numerals, and what is not a hanzi at all.
VARIANT_ALPHABET = "长行了重乐和还都着传为单朝曾率疟一二三两零十百千万号码财务微信接平台abvx019.%😀"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=VARIANT_ALPHABET, max_size=12))
@example("长行了重乐还都着传单朝曾")  # 27 variants: the 24 shortest are kept
@example("一二三")
def test_variants_of_any_term_are_as_before(term: str) -> None:
    assert term_variants(term) == frozen_term_variants(term)

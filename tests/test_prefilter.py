from __future__ import annotations

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from fraudrules.prefilter import required_clauses, required_literals


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        pytest.param("扫雷群", {"扫雷群"}, id="literal"),
        pytest.param("(出租|出售)微信号", {"出租微信号", "出售微信号"}, id="alternation-combined"),
        pytest.param(r"\d+(元|块)一天", {f"{d}{u}一天" for d in "0123456789" for u in "元块"},
                     id="digits-then-literals"),
        pytest.param(r"(下一|下个)(包|轮)?", {"下一", "下个"}, id="optional-suffix"),
        pytest.param(r"赔\d+(\.\d+)?倍", {f"赔{d}" for d in "0123456789"},
                     id="a-digit-joins-a-single-character"),
        pytest.param(r"赔.+倍", None, id="single-characters-are-no-gate"),
        pytest.param(r"(包尾|尾数)\d", {f"{w}{d}" for w in ("包尾", "尾数") for d in "0123456789"},
                     id="branch-before-class"),
        pytest.param(r"(包尾|尾数)\w", {"包尾", "尾数"}, id="branch-before-wide-class"),
        pytest.param(r"(包尾|尾数)?\d+", None, id="optional-only"),
        pytest.param(r".*", None, id="wildcard"),
        pytest.param(r"(?i)vxhao", None, id="case-insensitive"),
        pytest.param(r"(?<!不)出租号", {"出租号"}, id="lookbehind-ignored"),
        pytest.param(r"\p{Han}+号码", None, id="regex-only-syntax"),
    ],
)
def test_required_literals(pattern: str, expected: set[str] | None) -> None:
    found = required_literals(pattern)
    assert (None if found is None else set(found)) == expected


def test_longer_literals_containing_a_shorter_one_are_dropped() -> None:
    assert required_literals("(下一|下一轮)") == {"下一"}


PIECES = ["出租", "微信", "号", r"\d+", "(元|块)", "(一天|每天)", "?", "红包", "(包尾|尾数)", "."]


@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6),
       st.text(alphabet="出租微信号红包尾数元块一天每123", max_size=30))
def test_every_match_contains_one_of_the_literals(pieces: list[str], text: str) -> None:
    pattern = "".join(pieces).lstrip("?")
    try:
        compiled = regex.compile(pattern)
    except regex.error:
        return
    literals = required_literals(pattern)
    if literals is None:
        return
    for match in compiled.finditer(text):
        if match.end() > match.start():
            assert any(literal in match.group() for literal in literals), (pattern, match)


def test_normalized_text_holds_ascii_digits_only_as_the_prefilter_assumes() -> None:
    import sys
    import unicodedata

    from fraudrules import normalize
    from fraudrules.prefilter import DIGITS_FOLDED

    digits = [chr(c) for c in range(sys.maxunicode + 1)
              if unicodedata.category(chr(c)) == "Nd"]
    assert len(digits) > 600
    assert DIGITS_FOLDED
    assert all(normalize(d).text in "0123456789" and normalize(d).text for d in digits)


def test_a_digit_class_joins_the_literal_after_it() -> None:
    clauses = required_clauses(r"赔\d+倍")
    assert {f"{d}倍" for d in "0123456789"} in [set(c) for c in clauses]

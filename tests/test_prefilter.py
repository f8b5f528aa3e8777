from __future__ import annotations

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from fraudrules.prefilter import required_literals


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        pytest.param("扫雷群", {"扫雷群"}, id="literal"),
        pytest.param("(出租|出售)微信号", {"出租微信号", "出售微信号"}, id="alternation-combined"),
        pytest.param(r"\d+(元|块)一天", {"元一天", "块一天"}, id="digits-then-literals"),
        pytest.param(r"(下一|下个)(包|轮)?", {"下一", "下个"}, id="optional-suffix"),
        pytest.param(r"赔\d+(\.\d+)?倍", None, id="single-characters-are-no-gate"),
        pytest.param(r"(包尾|尾数)\d", {"包尾", "尾数"}, id="branch-before-class"),
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

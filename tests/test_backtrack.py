from __future__ import annotations

import pytest

import fraudrules
from fraudrules.backtrack import BUDGET, safe_length
from fraudrules.compiler import _Regex


@pytest.mark.parametrize("pattern", [
    "(a+)+b", "(a|a)*b", r"(\w+\s?)+$", "(x+x+)+y", r"(.*)\1", "(a|ab)*c",
])
def test_patterns_that_can_backtrack_exponentially_get_no_bound(pattern: str) -> None:
    assert safe_length(pattern) == 0


@pytest.mark.parametrize(("pattern", "at_least"), [
    ("(出租|出售)微信号", 10_000),
    ("(?:收|收购|出|出售)(?:微信|vx)号", 10_000),
    (r"\d+个", 512),  # the digits can only end where 个 starts
    (r"赔\d+(\.\d+)?倍", 256),
])
def test_bounded_patterns_run_without_a_timeout_on_chat_sized_text(pattern: str,
                                                                    at_least: int) -> None:
    assert safe_length(pattern) >= at_least


def test_the_bound_grows_with_overlapping_repeats() -> None:
    # '.*' then 'x': every split is tried from every start, so the bound is quadratic
    assert safe_length(".*x") < safe_length("[^x]*x") or safe_length(".*x") < 10_000
    assert 0 < safe_length(".*.*x") < safe_length(".*x")


def test_regex_syntax_re_cannot_read_keeps_the_timeout() -> None:
    assert safe_length(r"\p{Han}+号") == 0
    assert BUDGET > 0


def test_bundled_regexes_mostly_skip_the_timeout_on_chat_messages() -> None:
    found = []

    def walk(node: object) -> None:
        if isinstance(node, _Regex):
            found.append(node.safe)
        for item in getattr(node, "items", ()):
            walk(item)
        unless = getattr(node, "unless", None)
        if unless is not None:
            walk(unless)

    for compiled in fraudrules.load().ruleset.rules:
        walk(compiled.node)
    assert sum(1 for safe in found if safe >= 128) > len(found) * 0.8

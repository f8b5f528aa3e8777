from __future__ import annotations

import importlib.util

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fraudrules
from fraudrules import automaton
from fraudrules.automaton import BACKENDS, ENV_VAR, build

HAS_RS = importlib.util.find_spec("ahocorasick_rs") is not None
needs_rs = pytest.mark.skipif(not HAS_RS, reason="ahocorasick-rs is not installed")

ALL_BACKENDS = [
    pytest.param("pyahocorasick", id="pyahocorasick"),
    pytest.param("ahocorasick_rs", id="ahocorasick_rs", marks=needs_rs),
]

TERMS = ["微信", "信号", "微信号", "号", "😀x", "𠮷野", "vx", "a", "aa", "扫雷群", "雷", "ｅ"]


def brute_force(terms: list[str], text: str) -> list[tuple[int, int, int]]:
    return sorted(
        (index, start, start + len(term))
        for index, term in enumerate(terms)
        for start in range(len(text) - len(term) + 1)
        if text.startswith(term, start)
    )


CASES = [
    pytest.param("", id="empty-text"),
    pytest.param("今天一起吃饭吗", id="no-match"),
    pytest.param("加微信号", id="cjk-overlapping"),
    pytest.param("微信号微信号号", id="repeated-overlapping"),
    pytest.param("😀😀x", id="emoji-before-match"),
    pytest.param("𠮷野家在𠮷野", id="astral-cjk-term"),
    pytest.param("🧧扫雷群🧧雷", id="emoji-around-cjk"),
    pytest.param("aaaa", id="self-overlapping-latin"),
    pytest.param("ｖｘ vx ｅ", id="full-width-not-folded-here"),
    pytest.param("👨‍👩‍👧微信", id="zwj-sequence"),
]


@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("text", CASES)
def test_find_reports_every_occurrence_in_code_points(backend: str, text: str) -> None:
    matcher = build(TERMS, backend=backend)
    assert matcher.backend == backend
    assert sorted(matcher.find(text)) == brute_force(TERMS, text)


@pytest.mark.parametrize("backend", ALL_BACKENDS)
@pytest.mark.parametrize("text", CASES)
def test_scan_agrees_with_find(backend: str, text: str) -> None:
    matcher = build(TERMS, backend=backend)
    assert list(matcher.scan(text)) == [(i, end) for i, _start, end in matcher.find(text)]


@pytest.mark.parametrize("backend", ALL_BACKENDS)
def test_occurrences_come_in_order_of_end(backend: str) -> None:
    found = build(TERMS, backend=backend).find("微信号😀x微信号aaa")
    ends = [end for _i, _s, end in found]
    assert ends == sorted(ends)


@needs_rs
@pytest.mark.parametrize("text", CASES)
def test_backends_agree(text: str) -> None:
    py = build(TERMS, backend="pyahocorasick")
    rs = build(TERMS, backend="ahocorasick_rs")
    assert sorted(py.find(text)) == sorted(rs.find(text))
    # per term, occurrences come in the same order (the compiler keeps the first 32)
    for index in range(len(TERMS)):
        assert [o for o in py.find(text) if o[0] == index] == \
            [o for o in rs.find(text) if o[0] == index]


@needs_rs
@given(st.lists(st.text(alphabet="微信号雷a😀", min_size=1, max_size=4), min_size=1,
                max_size=8, unique=True),
       st.text(alphabet="微信号雷a😀b", max_size=30))
def test_backends_agree_on_random_input(terms: list[str], text: str) -> None:
    expected = brute_force(terms, text)
    assert sorted(build(terms, backend="pyahocorasick").find(text)) == expected
    assert sorted(build(terms, backend="ahocorasick_rs").find(text)) == expected


@pytest.mark.parametrize("backend", ALL_BACKENDS)
def test_lone_surrogates_in_text_do_not_break_offsets(backend: str) -> None:
    matcher = build(TERMS, backend=backend)
    text = "微信\ud800号\udfff微信"
    assert sorted(matcher.find(text)) == brute_force(TERMS, text)


def test_lone_surrogate_sentinel_is_never_a_match() -> None:
    # a term containing U+FFFF must not match where a surrogate was replaced
    terms = ["a\uffff", "\uffff"]
    for backend in [b for b in BACKENDS if b == "pyahocorasick" or HAS_RS]:
        assert build(terms, backend=backend).find("a\ud800") == []


@needs_rs
def test_terms_with_surrogates_fall_back_or_raise() -> None:
    terms = ["a\ud800"]
    assert build(terms, backend="auto").backend == "pyahocorasick"
    assert build(terms, backend="auto").find("xa\ud800") == [(0, 1, 3)]
    with pytest.raises(ValueError, match="surrogates"):
        build(terms, backend="ahocorasick_rs")


@pytest.mark.parametrize("backend", ["auto", *BACKENDS])
def test_no_terms_finds_nothing(backend: str) -> None:
    if backend == "ahocorasick_rs" and not HAS_RS:
        pytest.skip("ahocorasick-rs is not installed")
    matcher = build([], backend=backend)
    assert matcher.backend == "empty"
    assert matcher.find("微信") == []
    assert list(matcher.scan("微信")) == []


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        pytest.param(["微信", ""], "non-empty", id="empty-term"),
        pytest.param(["微信", "微信"], "distinct", id="repeated-term"),
    ],
)
def test_bad_terms_raise(terms: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build(terms, backend="pyahocorasick")


def test_auto_prefers_the_fast_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    expected = "ahocorasick_rs" if HAS_RS else "pyahocorasick"
    assert build(["微信"]).backend == expected
    assert automaton.available_backends()[0] == expected


def test_auto_without_rs_uses_pyahocorasick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(automaton, "_rs_importable", lambda: False)
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert build(["微信"]).backend == "pyahocorasick"
    assert automaton.available_backends() == ("pyahocorasick",)
    with pytest.raises(ValueError, match="not installed"):
        build(["微信"], backend="ahocorasick_rs")


@pytest.mark.parametrize("backend", ALL_BACKENDS)
def test_environment_variable_chooses_backend(monkeypatch: pytest.MonkeyPatch,
                                              backend: str) -> None:
    monkeypatch.setenv(ENV_VAR, backend)
    assert build(["微信"]).backend == backend


def test_environment_variable_accepts_dash_and_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "PyAhoCorasick")
    assert build(["微信"]).backend == "pyahocorasick"
    monkeypatch.setenv(ENV_VAR, "")
    assert build(["微信"]).backend in BACKENDS


def test_argument_overrides_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "no-such-backend")
    assert build(["微信"], backend="pyahocorasick").backend == "pyahocorasick"


def test_unknown_backend_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="auto, pyahocorasick, ahocorasick_rs"):
        build(["微信"], backend="hyperscan")


def test_unknown_backend_in_environment_says_where_it_came_from(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "flashtext")
    with pytest.raises(ValueError, match=f"'flashtext' \\(from {ENV_VAR}\\)"):
        build(["微信"])


@pytest.mark.parametrize("backend", ALL_BACKENDS)
def test_classifier_scores_the_same_on_each_backend(monkeypatch: pytest.MonkeyPatch,
                                                    backend: str) -> None:
    monkeypatch.setenv(ENV_VAR, backend)
    classifier = fraudrules.load()
    assert classifier.ruleset.backend == backend
    verdict = classifier.score("扫雷群，包尾中雷赔1.5倍，抽水5%")
    assert verdict.category == "red_envelope_gambling"
    assert classifier.score("妈，我到家了").action == "allow"

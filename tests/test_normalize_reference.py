"""The optimised normalizer against the frozen reference copy (tests/normalize_reference.py).

Every check compares real outputs of both implementations: the folded text, the original, the
whole origin map and spans of several ranges. Inputs: benchmark traffic, the test data files,
the shared corpus (when it is there), every code point of Unicode, and hypothesis-generated text
that mixes the characters the normalizer treats specially.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.traffic import generate, long_messages
from fraudrules.normalize import _tables, fold_char, is_ascii_letter, normalize

from . import normalize_reference as reference

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = sorted((ROOT / "tests" / "data").glob("*.jsonl"))
SHARED_MESSAGES = ROOT.parent / "shared" / "corpus" / "messages.jsonl"


def assert_same(text: str, *, spans: bool = True) -> None:
    """Fail unless ``normalize`` and the reference agree on ``text`` in every observable way."""
    new = normalize(text)
    old = reference.normalize(text)
    assert new.text == old.text, text
    assert new.original == old.original == text
    assert repr(new) == repr(old)
    size = len(old.text)
    # A span asked for before origins() was called (the lazy path) ...
    if size:
        assert new.span(0, size) == old.span(0, size), text
    # ... then the whole map, and a spread of ranges over it.
    assert new.origins() == old.origins(), text
    if spans:
        for start in range(size):
            assert new.span(start, start + 1) == old.span(start, start + 1), (text, start)
            end = min(size, start + 4)
            assert new.span(start, end) == old.span(start, end), (text, start, end)


def jsonl_texts(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                if isinstance(record.get("text"), str):
                    yield record["text"]


@pytest.mark.parametrize("seed", [2026, 7])
def test_traffic_matches_reference(seed: int) -> None:
    messages = generate(20000, seed=seed)
    assert len(messages) == 20000
    for message in messages:
        assert_same(message.text)


def test_long_traffic_matches_reference() -> None:
    for text in long_messages(200, 1000, seed=3):
        assert_same(text)


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.name for p in DATA_FILES])
def test_data_files_match_reference(path: Path) -> None:
    texts = list(jsonl_texts(path))
    assert texts, f"{path} holds no text"
    for text in texts:
        assert_same(text)


def test_data_file_set_is_not_empty() -> None:
    assert DATA_FILES


@pytest.mark.skipif(not SHARED_MESSAGES.exists(), reason="shared corpus not present")
def test_shared_corpus_matches_reference() -> None:
    texts = list(jsonl_texts(SHARED_MESSAGES))
    assert texts
    for text in texts:
        assert_same(text)


def test_every_code_point_matches_reference() -> None:
    """All of Unicode (surrogates included), one by one and in runs of neighbouring code points."""
    chars = [chr(code) for code in range(0x110000)]
    # fold_char and is_ascii_letter: the scanned planes whole, a sample of the rest.
    sample = chars[:0x20000] + chars[0xE0000:0xE0200] + chars[0x20000::251]
    assert list(map(fold_char, sample)) == list(map(reference.fold_char, sample))
    assert list(map(is_ascii_letter, sample)) == list(map(reference.is_ascii_letter, sample))
    chunk = 127  # odd size, so runs start at varied offsets in every block
    for start in range(0, len(chars), chunk):
        run = chars[start:start + chunk]
        assert_same("".join(run), spans=False)
        # The same code points between digits, where '.', '/' and ':' survive.
        assert_same("1".join(run), spans=False)
        assert_same("…".join(run), spans=False)


def test_tables_are_unchanged() -> None:
    assert _tables() == reference._tables()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1.5",
        "1…2",
        "1.…2",
        "…1.2…",
        "1:.2",
        "12.",
        ".12",
        "１．５",
        "１：１．８",
        "一二三",
        "二〇二六",
        "一1二",
        "一.二三",
        "30一天",
        "①.⑧",
        "⑩.5",
        "微\U000e0001信",
        "\U000e0000\U000e0001\U000e007f\U000e0080\U000e0100\U000e01ef\U000e01f0\U000e01ff",
        "1.\U000e0101.2",
        "1\U000e0101.2",
        "𠀀一𠀁二三",
        "\U0002f800\U0002fa1d",
        "\U0001fbf0\U0001fbf9\U0001fbfa",
        "\U0001fffe\U0001ffff\U00020000",
        "\ud800出\udfff租",
        "\U0010ffff",
        "ﷺ.1",
        "🧧🧧💣",
        "⑩…⑩",
        "1‥2⩴3︙4︰5",
        "1\x00.2",
        "1…\x00.2",
        "一\x00二三",
        "\U00050000",
        "1.\U00050000.2…",
        "\U000dffff\U000e0200\U000f0000\U0010fffd出租",
        "一\U00050000二三",
        "\u00bd.\u00bc",
    ],
)
def test_edge_cases_match_reference(text: str) -> None:
    assert_same(text)


# Characters the normalizer treats specially, mixed with ordinary text.
SPECIAL_CHARS = (
    "./:%。，、！？…‥：．／％ \n\t~*-_"
    "0123456789０１２３４５６７８９"
    "一二三四五六七八九零〇壹贰叁肆伍陆柒捌玖两十百千万"
    "①②⑧⑩⑳⑴⒈❶❿➀➊⓫⓵⓿"
    "ＡＺａｚＶＸ"
    "AaZzVvXx"
    "àáǜşİıẞß"
    "微信號紅包賭博嗎個"
    "\u200b\u200c\u200d\u2060\ufeff\u202e\u2066\u2069\u00ad"
    "\ufe0e\ufe0f\u0301\u20e3"
    "\U000e0000\U000e0001\U000e0020\U000e007f\U000e0080\U000e0100\U000e01ef\U000e01f0"
    "😀👍🧧💣🐧💰🇨🇳👨👩👧❤✨🏻"
    "\U0001fbf0\U0001fbf9\U00020000\U0002a6d6\U0002f800\U0010ffff"
    "\ud800\udbff\udc00\udfff"
    "\x00‥⩴︙︰"
    "\U00040000\U00050000\U000dffff\U000e0200\U000f0000"
    "ﷺ㍱㎏℡™"
)

special_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(SPECIAL_CHARS),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),  # full-width ASCII
        st.characters(min_codepoint=0x3000, max_codepoint=0x303F),  # CJK punctuation
        st.characters(min_codepoint=0x2460, max_codepoint=0x24FF),  # enclosed alphanumerics
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
        st.characters(min_codepoint=0xE0000, max_codepoint=0xE01FF),  # tags, selectors
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, codec=None,
                      categories=["Cs"]),  # lone surrogates
    ),
    max_size=80,
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(special_text)
def test_special_text_matches_reference(text: str) -> None:
    assert_same(text)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_matches_reference(text: str) -> None:
    assert_same(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=60))
def test_any_code_points_match_reference(text: str) -> None:
    assert_same(text)


def test_comparison_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """``assert_same`` notices a normalizer that differs in text or in origins."""
    import sys

    this = sys.modules[__name__]
    monkeypatch.setattr(this, "normalize", lambda text: reference.normalize(text + "x"))
    with pytest.raises(AssertionError):
        assert_same("出租")

    class ShiftedOrigins(reference.NormalizedText):
        def origins(self) -> list[int]:
            return [index + 1 for index in super().origins()]

    def shifted(text: str) -> reference.NormalizedText:
        folded = reference.normalize(text)
        return ShiftedOrigins(folded.original, folded.text, folded._prefold)

    monkeypatch.setattr(this, "normalize", shifted)
    with pytest.raises(AssertionError):
        assert_same("出 租")

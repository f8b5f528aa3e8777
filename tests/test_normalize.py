from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fraudrules import normalize
from fraudrules.normalize import fold_char


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("ＶＸ１８８", "vx188", id="fullwidth-letters-and-digits"),
        pytest.param("WeiXin", "weixin", id="case-folding"),
        pytest.param("微信號出租", "微信号出租", id="traditional-to-simplified"),
        pytest.param("紅包賭博", "红包赌博", id="traditional-red-envelope"),
        pytest.param("①⑧⑧", "188", id="circled-digits"),
        pytest.param("⑴⑵", "12", id="parenthesized-digits"),
        pytest.param("❶❷➂⓸", "1234", id="dingbat-digits"),
        pytest.param("壹贰叁", "123", id="financial-numerals"),
        pytest.param("二〇二六", "2026", id="chinese-numeral-run-with-ling"),
        pytest.param("一三八一二三四五六七八", "13812345678", id="chinese-numeral-phone-run"),
        pytest.param("一个半", "一个半", id="lone-numeral-stays-a-word"),
        pytest.param("日租30一天", "日租30一天", id="lone-numeral-after-digits-stays"),
        pytest.param("1三八", "138", id="mixed-digit-run"),
        pytest.param("出*租*微*信", "出租微信", id="asterisk-separators"),
        pytest.param("出 租 微 信", "出租微信", id="space-separators"),
        pytest.param("出\u200b租\u200c微\u200d信\ufeff", "出租微信", id="zero-width"),
        pytest.param("出\u202e租\u2066微\u2069信", "出租微信", id="bidi-controls"),
        pytest.param("微\ufe0f信\U000e0101", "微信", id="variation-selectors"),
        pytest.param("扫😀雷👍群", "扫雷群", id="emoji-inside-words"),
        pytest.param("踩💣了，抢🧧，收🐧号", "踩雷了抢红包收企鹅号", id="emoji-that-picture-a-word"),
        pytest.param("赔1.5倍。", "赔1.5倍", id="decimal-point-kept-between-digits"),
        pytest.param("出.租", "出租", id="dot-between-letters-deleted"),
        pytest.param("赔率1:1.8，100/5", "赔率1:1.8100/5", id="colon-and-slash-between-digits-kept"),
        pytest.param("35/天，时间:10点", "35天时间10点", id="colon-and-slash-elsewhere-deleted"),
        pytest.param("抽水5％", "抽水5%", id="percent-kept"),
        pytest.param("Ѵх", "vx", id="cyrillic-look-alikes"),
        pytest.param("⼀⼆", "一二", id="kangxi-radicals"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalize_folds(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_span_covers_deleted_separators() -> None:
    text = "请出*租 微\u200b信号"
    n = normalize(text)
    start = n.text.index("出租微信")
    first, last = n.span(start, start + 4)
    assert text[first:last] == "出*租 微\u200b信"


def test_span_maps_folded_characters_to_their_originals() -> None:
    text = "加ＶＸ：①⑧⑧"
    n = normalize(text)
    assert n.text == "加vx188"
    assert n.span(1, 3) == (1, 3)
    assert text[slice(*n.span(3, 6))] == "①⑧⑧"


def test_span_of_an_expanded_character_covers_it_whole() -> None:
    text = "第⑩名"  # ⑩ folds to two characters
    n = normalize(text)
    assert n.text == "第10名"
    assert n.span(1, 2) == (1, 2)
    assert n.span(2, 3) == (1, 2)
    assert n.span(1, 4) == (1, 3)


def test_origins_without_changes_are_the_identity() -> None:
    n = normalize("今天吃饭")
    assert n.origins() == [0, 1, 2, 3]


def test_lone_surrogates_and_nul_are_deleted() -> None:
    n = normalize("出\ud800租\x00号")
    assert n.text == "出租号"
    assert n.origins() == [0, 2, 4]


def test_fold_char_reports_deletion_as_empty() -> None:
    assert fold_char("，") == ""
    assert fold_char("Ｖ") == "v"


def _expected_chars(char: str) -> str:
    return fold_char(char).translate(str.maketrans("零一二三四五六七八九", "0123456789"))


@given(st.text(alphabet=st.characters(codec=None), max_size=60))
def test_origin_map_invariants(text: str) -> None:
    n = normalize(text)
    origins = n.origins()
    assert len(origins) == len(n.text)
    assert origins == sorted(origins)
    for index, origin in enumerate(origins):
        assert 0 <= origin < len(text)
        assert n.text[index] in _expected_chars(text[origin]) + fold_char(text[origin])


@given(st.text(alphabet=st.characters(codec=None), max_size=60))
def test_normalizing_twice_changes_nothing_more(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


@pytest.mark.parametrize(
    ("text", "expected", "origins"),
    [
        pytest.param("好…了", "好了", [0, 2], id="ellipsis-deleted"),
        pytest.param("1.…2", "12", [0, 3], id="ellipsis-takes-the-dot-next-to-it"),
        pytest.param("1…:2", "12", [0, 3], id="ellipsis-takes-the-colon-next-to-it"),
        pytest.param("1.5‥2", "1.52", [0, 1, 2, 4], id="two-dot-leader-keeps-the-decimal"),
        pytest.param("等等…1.5…", "等等1.5", [0, 1, 3, 4, 5], id="ellipsis-around-a-decimal"),
        pytest.param("一…二三", "123", [0, 2, 3], id="ellipsis-between-numerals"),
        pytest.param("时间：10：30…", "时间10:30", [0, 1, 3, 4, 5, 6, 7], id="full-width-colons"),
    ],
)
def test_runs_of_separators_fold_like_their_dots(text: str, expected: str,
                                                 origins: list[int]) -> None:
    n = normalize(text)
    assert n.text == expected
    assert n.origins() == origins


def test_unassigned_planes_stay_and_keep_their_place() -> None:
    text = "\U00050000出\u3000租\U000e0001"  # plane 5 (unassigned), then a tag character
    n = normalize(text)
    assert n.text == "\U00050000出租"
    assert n.origins() == [0, 1, 3]


def test_supplementary_ideographs_stay() -> None:
    n = normalize("𠮷野家，一起")
    assert n.text == "𠮷野家一起"
    assert n.span(0, 3) == (0, 3)

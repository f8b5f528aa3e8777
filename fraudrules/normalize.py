"""Fold chat text into the view rules match against, keeping a map back to the original.

One table, built once, does all the per-character work in a single ``str.translate``:

* compatibility forms (NFKC): full-width → half-width, ``⼀`` → ``一``, ``①`` → ``1``;
* case folding, traditional → simplified (OpenCC's character table), look-alike letters,
  Latin letters without their accents (pinyin tone marks: ``tí xiàn`` → ``tixian``);
* digit forms NFKC leaves alone: ``❶ ➀ ⓵`` → digits, ``壹贰…玖`` → digits, ``〇`` → ``0``, and
  every other decimal digit (``٣ ๓``) → its ASCII digit, so ``\\d`` in a rule means ``[0-9]``;
* deletion of whitespace, punctuation, symbols (emoji included), zero-width characters, bidi
  controls, variation selectors and other combining marks, except a few emoji that picture a
  word of scam chat (``💣`` → ``雷``, ``🧧`` → ``红包``, ``🐧`` → ``企鹅``; data/emoji_words.txt).

A few characters survive because they carry meaning in amounts: ``%`` always, and ``.``, ``/``
and ``:`` when both of their neighbours in the folded text are digits (``1.5倍``, ``100/5``,
``1:1.8``). Runs of three or more Chinese
numerals and digits holding at least two Chinese numerals (``一三八``, ``1三八``) become digits;
a lone ``一`` stays a word, also next to digits (``30一天``).

The map from normalized index to original index is built lazily: most messages match nothing
and never need it.

For speed, :func:`normalize` translates with a list indexed by code point, built once from that
table: with the dict, ``str.translate`` raises and catches a ``KeyError`` for every character
the table leaves alone. In the list a character that folds to separators which can never
survive (``…`` → ``...``, ``‥`` → ``..``) becomes a single mark character: no digit either, so
the separator pass treats its neighbours the same, and the mark goes afterwards. The separator
pass runs only when the translation holds ``.``, ``/`` or ``:``. Text, origins and spans are
those of translating with the table itself.

>>> n = normalize("出*租 微\u200b信號")
>>> n.text
'出租微信号'
>>> n.span(0, 5)
(0, 8)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources
from itertools import chain, compress, repeat
from typing import NamedTuple

__all__ = ["NormalizedText", "fold_char", "normalize"]

# Character categories deleted from the folded view: separators, controls and format characters
# (zero-width, bidi), surrogates, combining marks (variation selectors), punctuation, symbols.
_DELETED_CATEGORIES = frozenset(
    {"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Mn", "Me", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
     "Sm", "Sc", "Sk", "So"}
)
_KEPT = frozenset("%./:")

# Digit forms NFKC does not decompose.
_EXTRA_DIGITS: dict[str, str] = {}
for _base, _first, _count in (
    (0x2776, 1, 10),  # ❶..❿ dingbat negative circled
    (0x2780, 1, 10),  # ➀..➉ dingbat circled sans-serif
    (0x278A, 1, 10),  # ➊..➓ dingbat negative circled sans-serif
    (0x24EB, 11, 10),  # ⓫..⓴ negative circled 11..20
    (0x24F5, 1, 10),  # ⓵..⓾ double circled
):
    for _k in range(_count):
        _EXTRA_DIGITS[chr(_base + _k)] = str(_first + _k)
_EXTRA_DIGITS["⓿"] = "0"
_EXTRA_DIGITS["〇"] = "0"
for _k, _c in enumerate("壹贰叁肆伍陆柒捌玖", start=1):
    _EXTRA_DIGITS[_c] = str(_k)

_CJK_NUMERALS = "零一二三四五六七八九"
_CJK_NUMERAL_TABLE = str.maketrans(_CJK_NUMERALS, "0123456789")
_NUMERAL_RUN = re.compile(f"[0-9{_CJK_NUMERALS}]{{3,}}")
_HAS_NUMERAL = re.compile(f"[{_CJK_NUMERALS}]")
# Two Chinese numerals with only digits between them: the start of a run worth converting.
_NUMERAL_PAIR = re.compile(f"[{_CJK_NUMERALS}][0-9]*[{_CJK_NUMERALS}]")
# '.', '/' and ':' carry meaning between digits (1.5倍, 100/5, 赔率1:1.8) and none elsewhere:
# a separator goes unless both of its neighbours are digits. (Written to start with the class, so
# the regex engine scans for it: same matches as ``(?<![0-9])[./:]|[./:](?![0-9])``.)
_SEPARATORS = "./:"
_LONE_DOT = re.compile(r"[./:](?:(?<![0-9][./:])|(?![0-9]))")
# What the fast table puts for a character that folds to two or more separators ('…' → '...'):
# a character the full table deletes, so no fold holds it. Like those separators it is no
# digit, so the separator pass treats its neighbours the same, and then it goes.
_MARK = "\x00"
# What normalize() takes out of the translated text: marks and lone separators.
_DROPPED = re.compile(re.escape(_MARK) + "|" + _LONE_DOT.pattern)

# Planes scanned when the table is built: the BMP, the supplementary plane holding emoji and
# symbols, and the tags / variation-selector block.
_SCANNED = (range(0x20000), range(0xE0000, 0xE0200))


def _read_pairs(name: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    text = resources.files("fraudrules.data").joinpath(name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        source, _, target = line.partition("\t")
        if source and target:
            pairs.setdefault(source, target.split(" ")[0])
    return pairs


def _is_deleted(char: str) -> bool:
    return char not in _KEPT and unicodedata.category(char) in _DELETED_CATEGORIES


@functools.cache
def _tables() -> tuple[dict[int, str], dict[int, str]]:
    """Return (full table, one-to-one table). The full table maps code point → replacement
    ('' deletes, several characters expand); the one-to-one table keeps only same-length folds
    and is used to look at characters next to a match."""
    t2s = _read_pairs("ts_characters.txt")
    confusables = _read_pairs("confusables.txt")
    emoji_words = _read_pairs("emoji_words.txt")

    def fold_one(char: str) -> str:
        char = t2s.get(char, char)
        char = confusables.get(char, char)
        if "a" <= unicodedata.normalize("NFKD", char)[:1] <= "z":  # à ǜ ş → a u s
            char = unicodedata.normalize("NFKD", char)[0]
        if unicodedata.category(char) == "Nd":  # every decimal digit (٣ ๓ ３) is an ASCII one
            return str(unicodedata.decimal(char))
        return _EXTRA_DIGITS.get(char, char)

    full: dict[int, str] = {}
    for block in _SCANNED:
        for code in block:
            char = chr(code)
            if char in emoji_words:
                folded = emoji_words[char]
            elif char in _EXTRA_DIGITS:
                folded = _EXTRA_DIGITS[char]
            else:
                composed = unicodedata.normalize("NFKC", char).lower()
                folded = "".join(fold_one(c) for c in composed if not _is_deleted(c))
            if folded != char:
                full[code] = folded
    one_to_one = {code: repl for code, repl in full.items() if len(repl) == 1}
    return full, one_to_one


# The list the hot path translates with (_FastTables.fold), filled once by _fast_tables().
_FOLD: list[int | str] = []

# Code points the fold list holds an entry for, one by one: planes 0-1 (BMP, emoji and symbols)
# and the tags / variation-selector block. Planes 2-13 hold _NO_ENTRY except where the table
# changes a character (rare CJK extensions, unassigned planes: an int object for each of their
# code points would cost 4 MB); code points past the list (planes 14-16 after the tags block)
# are unchanged.
_DIRECT = (range(0x20000), _SCANNED[-1])
# An int that is no code point: str.translate raises ValueError when it meets one.
_NO_ENTRY = 0x110000
# Code points _FastTables.counts covers: the BMP and plane 1 (emoji).
_COUNTED = 0x20000
_new_object = object.__new__


class _FastTables(NamedTuple):
    """The tables behind normalize() and the origin map, derived from _tables() (about 13 MB,
    most of it ``fold``: 0.9 million pointers and an int for each code point of planes 0-1)."""

    fold: list[int | str]
    """Replacement by code point for ``str.translate``: the code point itself (an int) when it
    is unchanged, else the full table's replacement, except that each ``dotted`` character
    maps to _MARK; _NO_ENTRY between the ranges of _DIRECT."""
    lengths: bytes
    """``len`` of every code point's replacement in ``fold`` (1 when unchanged)."""
    counts: list[str]
    """``chr`` of those lengths for the code points of planes 0-1, for ``str.translate``."""
    dotted: frozenset[str]
    """Characters that fold to two or more separators (``…`` → ``...``)."""


@functools.cache
def _fast_tables() -> _FastTables:
    full = _tables()[0]
    if full.get(ord(_MARK)) != "" or any(_MARK in folded for folded in full.values()):
        raise RuntimeError("the fold table outputs the mark character")  # pragma: no cover
    dotted = frozenset(
        chr(code) for code, folded in full.items()
        if len(folded) >= 2 and all(c in _SEPARATORS and ord(c) not in full for c in folded)
    )
    fold: list[int | str] = [_NO_ENTRY] * _DIRECT[-1].stop
    for block in _DIRECT:
        fold[block.start:block.stop] = block
    lengths = bytearray(b"\x01") * 0x110000
    for code, replacement in full.items():
        folded = _MARK if chr(code) in dotted else replacement
        fold[code] = folded
        lengths[code] = len(folded)
    global _FOLD  # noqa: PLW0603 - set once; a rebinding, so no thread sees it half filled
    if not _FOLD:
        _FOLD = fold  # not copied: a second list of 0.9 million pointers would be 7 MB more
    counts = [chr(length) for length in lengths[:_COUNTED]]
    return _FastTables(_FOLD, bytes(lengths), counts, dotted)


def _load_fold() -> list[int | str]:
    return _fast_tables().fold


def _translate(text: str) -> str:
    """``text.translate(fold)`` for a text holding code points that the fold list leaves out
    (planes 2-13 where the table leaves them unchanged)."""
    fold = _FOLD or _load_fold()
    parts: list[str] = []
    for char in text:
        code = ord(char)
        folded = fold[code] if code < len(fold) else code
        if folded == _NO_ENTRY:
            folded = code
        parts.append(chr(folded) if isinstance(folded, int) else folded)
    return "".join(parts)


def fold_char(char: str) -> str:
    """Fold one character as the normalizer does ('' when it is deleted).

    >>> fold_char("Ｖ"), fold_char("號"), fold_char("\u200b")
    ('v', '号', '')
    """
    return char.translate(_tables()[0])


class NormalizedText:
    """A message in its folded view, with a map back to the original.

    ``text`` is what rules match; ``original`` the text as received (after truncation).
    :meth:`span` turns a ``[start, end)`` range of ``text`` into the range of ``original``
    that produced it, covering any deleted characters in between.
    """

    __slots__ = ("_origins", "_prefold", "original", "text")

    def __init__(self, original: str, text: str, prefold: str) -> None:
        self.original = original
        self.text = text
        # ``original`` translated by the fold list (each '…' as one _MARK), before the
        # separator and numeral passes.
        self._prefold = prefold
        self._origins: list[int] | None = None

    def __repr__(self) -> str:
        return f"NormalizedText({self.text!r})"

    def origins(self) -> list[int]:
        """Original index of every normalized character (``len(origins) == len(text)``)."""
        if self._origins is None:
            self._origins = _build_origins(self.original, self.text, self._prefold)
        return self._origins

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty normalized range ``[start, end)`` to the original range."""
        origins = self.origins()
        return origins[start], origins[end - 1] + 1


def _build_origins(original: str, text: str, prefold: str) -> list[int]:
    tables = _fast_tables()
    try:  # how many characters each character of original became, as bytes
        counts = original.translate(tables.counts).encode("latin-1")
    except UnicodeEncodeError:  # code points past plane 1 stayed themselves
        counts = bytes(map(tables.lengths.__getitem__, map(ord, original)))
    indices = range(len(original))
    origins = list(compress(indices, counts))
    if len(origins) != len(prefold):  # some character folded into several
        origins = list(chain.from_iterable(map(repeat, indices, counts)))
    if len(prefold) != len(text):  # the separator pass or the marks took characters out
        for index in reversed([m.start() for m in _DROPPED.finditer(prefold)]):
            del origins[index]
    return origins


def normalize(text: str) -> NormalizedText:
    """Fold ``text`` into the view rules match against.

    >>> normalize("ＶＸ：①⑧⑧ 壹贰").text
    'vx18812'
    >>> normalize("赔1.5倍。").text
    '赔1.5倍'
    >>> normalize("等等…1.5…").text
    '等等1.5'
    """
    try:
        prefold = text.translate(_FOLD or _load_fold())
    except ValueError:  # an unchanged code point of planes 2-13
        prefold = _translate(text)
    folded = prefold
    if "." in folded or "/" in folded or ":" in folded:
        folded = _LONE_DOT.sub("", folded)
    if _MARK in folded:
        folded = folded.replace(_MARK, "")
    if _NUMERAL_PAIR.search(folded) is not None:
        folded = _NUMERAL_RUN.sub(_numeral_run, folded)
    # NormalizedText(text, folded, prefold) without the call of __init__ (a tenth of the time).
    normalized = _new_object(NormalizedText)
    normalized.original = text
    normalized.text = folded
    normalized._prefold = prefold
    normalized._origins = None
    return normalized


def _numeral_run(match: re.Match[str]) -> str:
    run = match.group()
    if len(_HAS_NUMERAL.findall(run)) < 2:  # 30一天 and 15一个 keep their 一
        return run
    return run.translate(_CJK_NUMERAL_TABLE)


def is_ascii_letter(char: str) -> bool:
    """True for a-z / A-Z after folding (used for word edges of Latin terms)."""
    folded = char.translate(_tables()[1])
    return folded.isascii() and folded.isalpha()

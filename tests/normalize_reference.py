"""Frozen reference copy of ``fraudrules/normalize.py`` as it was before the speed-up.

Kept verbatim (only this docstring differs) so ``tests/test_normalize_reference.py`` can check
that the optimised module gives exactly the same folded text, origins and spans. It builds its
own table from the bundled data files and does not import anything from ``fraudrules.normalize``.
Do not edit it to follow changes of the normalizer: it defines the expected behaviour.

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
# '.', '/' and ':' carry meaning between digits (1.5倍, 100/5, 赔率1:1.8) and none elsewhere.
_HAS_SEPARATOR = re.compile(r"[./:]")
_LONE_DOT = re.compile(r"(?<![0-9])[./:]|[./:](?![0-9])")

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
        self._prefold = prefold  # ``original`` translated, before '.' and numeral fixes
        self._origins: list[int] | None = None

    def __repr__(self) -> str:
        return f"NormalizedText({self.text!r})"

    def origins(self) -> list[int]:
        """Original index of every normalized character (``len(origins) == len(text)``)."""
        if self._origins is None:
            self._origins = _build_origins(self.original, self._prefold)
        return self._origins

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty normalized range ``[start, end)`` to the original range."""
        origins = self.origins()
        return origins[start], origins[end - 1] + 1


def _build_origins(original: str, prefold: str) -> list[int]:
    table = _tables()[0]
    origins: list[int] = []
    get = table.get
    for index, char in enumerate(original):
        replacement = get(ord(char))
        if replacement is None:
            origins.append(index)
        elif replacement:
            origins.extend([index] * len(replacement))
    if _HAS_SEPARATOR.search(prefold):
        dropped = {m.start() for m in _LONE_DOT.finditer(prefold)}
        origins = [o for i, o in enumerate(origins) if i not in dropped]
    return origins


def normalize(text: str) -> NormalizedText:
    """Fold ``text`` into the view rules match against.

    >>> normalize("ＶＸ：①⑧⑧ 壹贰").text
    'vx18812'
    >>> normalize("赔1.5倍。").text
    '赔1.5倍'
    """
    folded = text.translate(_tables()[0])
    prefold = folded
    if _HAS_SEPARATOR.search(folded):
        folded = _LONE_DOT.sub("", folded)
    if _NUMERAL_PAIR.search(folded) is not None:
        folded = _NUMERAL_RUN.sub(_numeral_run, folded)
    return NormalizedText(text, folded, prefold)


def _numeral_run(match: re.Match[str]) -> str:
    run = match.group()
    if len(_HAS_NUMERAL.findall(run)) < 2:  # 30一天 and 15一个 keep their 一
        return run
    return run.translate(_CJK_NUMERAL_TABLE)


def is_ascii_letter(char: str) -> bool:
    """True for a-z / A-Z after folding (used for word edges of Latin terms)."""
    folded = char.translate(_tables()[1])
    return folded.isascii() and folded.isalpha()

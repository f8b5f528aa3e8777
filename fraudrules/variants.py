"""Spellings a term takes when people dodge keyword filters, generated when a pack compiles.

For a term already normalized (lowercase, simplified, no separators) this yields:

* digits for Chinese numerals: ``一年号`` → ``1年号``, ``两倍`` → ``2倍``;
* pinyin for one character of a term: ``财务`` → ``cai务``, ``财wu``;
* pinyin for every character, for terms of three or more characters: ``上下分`` →
  ``shangxiafen`` (two-character words share their pinyin with too many others:
  ``zhonglei`` is 中雷 but also 种类);
* the initials of the first two characters before the rest, for terms of three or more:
  ``直登号`` → ``zd号``, ``接码平台`` → ``jm平台``; all initials for four or more: ``jmpt``.

Single characters get no variants: ``du`` or ``l`` would match everywhere. Variants are added to
the automaton as alternative patterns of the same term, so a rule never lists them; a term
written with a leading ``=`` in a pack gets none.

>>> sorted(term_variants("财务"))
['cai务', '财wu']
"""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["term_variants"]

_NUMERAL_DIGITS = str.maketrans("零一二三四五六七八九两", "01234567892")
_MAX_VARIANTS = 24


@functools.cache
def _pinyin() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    text = resources.files("fraudrules.data").joinpath("pinyin.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        char, _, readings = line.partition("\t")
        table[char] = tuple(readings.split(","))
    return table


def term_variants(term: str) -> set[str]:
    """Alternative spellings of a normalized term (never the term itself)."""
    found: set[str] = set()
    digits = term.translate(_NUMERAL_DIGITS)
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
    if len(found) > _MAX_VARIANTS:
        found = set(sorted(found, key=lambda v: (len(v), v))[:_MAX_VARIANTS])
    return found

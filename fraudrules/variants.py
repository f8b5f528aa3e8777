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

_NUMERALS = "零一二三四五六七八九两"
_NUMERAL_DIGITS = str.maketrans(_NUMERALS, "01234567892")
_NUMERAL_SET = frozenset(_NUMERALS)
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
    readings = [*map(_pinyin().get, term)]  # None for a character that is not a hanzi
    size = len(term)
    hanzi = size - readings.count(None)
    found: set[str] = set()
    if hanzi >= 2:
        add = found.add
        for index, options in enumerate(readings):
            if options:
                head, tail = term[:index], term[index + 1:]
                for reading in options:
                    add(head + reading + tail)
        if hanzi >= 3:
            add("".join([r[0] if r else c for c, r in zip(term, readings, strict=True)]))
            first, second = readings[0], readings[1]
            if first and second:  # initials of the first two characters, then the rest
                add(first[0][0] + second[0][0] + term[2:])
                if hanzi == size >= 4:
                    add("".join([r[0][0] for r in readings if r]))
    if not _NUMERAL_SET.isdisjoint(term):
        found.add(term.translate(_NUMERAL_DIGITS))
    found.discard(term)
    if len(found) > _MAX_VARIANTS:
        found = set(sorted(found, key=lambda v: (len(v), v))[:_MAX_VARIANTS])
    return found

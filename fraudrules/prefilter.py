"""Literal strings every match of a regex must contain, found by reading the regex itself.

A rule's regex runs only when one of its ``anchors`` was seen; authors often anchor on one
common character (包, 号, 天), so the regex would run on most messages. The compiler asks
:func:`required_literals` for a set of strings such that every match contains at least one of
them (as RE2 and Hyperscan do for their prefilters) and adds it as a second gate: gating on it
can never change what the regex finds, only skip runs that could not match.

The regex is read with the standard library's parser (``re._parser``); a pattern it cannot read
(``regex``-only syntax), case-insensitive patterns, and patterns that give no useful literal
set yield ``None``, and the author's anchors alone apply.

>>> sorted(required_literals(r"(发|埋)了?\\d+(元|块)的?红包"))
['元的红包', '元红包', '块的红包', '块红包']
>>> required_literals(r"\\d+天") is None
True
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any

__all__ = ["required_literals"]

try:  # CPython 3.11+: the parser behind ``re`` (private, so used best-effort only)
    _p: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - other interpreters
    _p = _c = None

_MAX_SET = 64  # strings kept while combining exact alternatives
_MAX_CLASS = 12  # a character class this small is treated as a set of literals


class _Info:
    """What a piece of a pattern matches: ``exact`` (every match is one of these strings) or
    ``need`` (every match contains one of these strings); either may be ``None``."""

    __slots__ = ("exact", "need")

    def __init__(self, exact: frozenset[str] | None = None,
                 need: frozenset[str] | None = None) -> None:
        self.exact = exact
        self.need = need if need is not None else (
            exact if exact is not None and "" not in exact else None)


_EMPTY = _Info(exact=frozenset({""}))
_UNKNOWN = _Info()


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None or "" in a:
        return None if b is None or "" in b else b
    if b is None or "" in b:
        return a
    key_a = (min(map(len, a)), -len(a))
    key_b = (min(map(len, b)), -len(b))
    return a if key_a >= key_b else b


def _sequence(items: list[tuple[Any, Any]]) -> _Info:
    run: frozenset[str] = frozenset({""})
    best: frozenset[str] | None = None
    whole_exact = True
    for op, av in items:
        info = _node(op, av)
        if info.exact is not None and len(run) * len(info.exact) <= _MAX_SET:
            run = frozenset(a + b for a in run for b in info.exact)
            continue
        whole_exact = False
        best = _better(best, run)
        best = _better(best, info.need)
        run = info.exact if info.exact is not None else frozenset({""})
    if whole_exact:
        return _Info(exact=run)
    return _Info(need=_better(best, run))


def _node(op: Any, av: Any) -> _Info:
    if op is _c.LITERAL:
        return _Info(exact=frozenset({chr(av)}))
    if op is _c.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is _c.LITERAL:
                chars.add(chr(value))
            elif kind is _c.RANGE and value[1] - value[0] < _MAX_CLASS:
                chars.update(chr(c) for c in range(value[0], value[1] + 1))
            else:
                return _UNKNOWN
        return _Info(exact=frozenset(chars)) if len(chars) <= _MAX_CLASS else _UNKNOWN
    if op is _c.SUBPATTERN:
        _, add_flags, _, pattern = av
        if add_flags & re.IGNORECASE:
            return _UNKNOWN
        return _sequence(list(pattern))
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is _c.BRANCH:
        infos = [_sequence(list(branch)) for branch in av[1]]
        if all(i.exact is not None for i in infos):
            union = frozenset().union(*(i.exact for i in infos if i.exact is not None))
            if len(union) <= _MAX_SET:
                return _Info(exact=union)
        needs = [i.need for i in infos]
        if any(n is None for n in needs):
            return _UNKNOWN
        return _Info(need=frozenset().union(*(n for n in needs if n is not None)))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, high, pattern = av
        inner = _sequence(list(pattern))
        if low == 0:
            if high == 1 and inner.exact is not None:
                return _Info(exact=inner.exact | {""})
            return _EMPTY if high == 0 else _Info(exact=None)
        if low == high == 1:
            return inner
        return _Info(need=inner.need)
    if op in (_c.ASSERT, _c.ASSERT_NOT, _c.AT):
        return _EMPTY
    return _UNKNOWN


@functools.cache  # the compiler asks once per use of the regex (node, triggers, required sets)
def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains, or ``None`` when the pattern
    gives no useful set (an empty match is possible, or some string is a single character)."""
    if _p is None:
        return None
    try:
        parsed = _p.parse(pattern)
    except (re.error, RecursionError, ValueError, OverflowError):
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    need = _sequence(list(parsed)).need
    if need is None or not need or min(map(len, need)) < 2:
        return None
    # A string that contains another member adds nothing: keep the shorter ones.
    ordered = sorted(need, key=len)
    kept: list[str] = []
    for text in ordered:
        if not any(shorter in text for shorter in kept):
            kept.append(text)
    return frozenset(kept)

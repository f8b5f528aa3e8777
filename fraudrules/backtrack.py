"""An upper bound on a regex's backtracking work, read from the regex itself.

Every rule regex runs with a timeout (``regex``'s ``timeout=``), so that a pattern that
backtracks catastrophically cannot stall scoring. The timeout has a fixed price of a few
microseconds per call, more than many regexes cost to run on a chat message. For most rule
regexes the work is bounded by construction: alternations of literals, small classes and
bounded repeats. :func:`safe_length` finds, for one pattern, the longest text on which an
upper bound of the work of a whole search stays under :data:`BUDGET` steps; on texts up to
that length the compiler runs the regex without a timeout, on longer ones with it.

The bound follows the backtracking engine: from each start position it may explore every way
the pattern can match there. For each node, ``ways`` bounds the distinct ways it can match at
one position and ``cost`` the steps to try them all:

* a character (literal, class, ``.``): 1 way, 1 step;
* a sequence A B: ways multiply; cost is A's, plus B's once per way of A;
* an alternation: ways and costs add up;
* ``X{lo,hi}``: up to ``ways(X)**k`` ways for each count k (an unbounded repeat counts up to
  the text's length);
* a lookaround: 1 way, its inner cost;
* a backreference, or anything ``re``'s parser cannot read: no bound (the timeout stays).

The whole search costs at most ``length * cost(pattern)``.

>>> safe_length("(出租|出售)微信号") >= 10_000
True
>>> safe_length("(a+)+b")
0
"""

from __future__ import annotations

import functools
import re
from typing import Any

from .prefilter import _c, _p  # re's private parser, loaded there best-effort

__all__ = ["BUDGET", "safe_length"]

BUDGET = 1_000_000  # steps of one search: at 50 ns a step, the default regex timeout
_LENGTHS = (10_000, 4096, 2048, 1024, 512, 256, 128, 64, 32, 16)
_HUGE = float(10**18)  # "no useful bound"


def _cap(value: float) -> float:
    return value if value < _HUGE else _HUGE


class _Chars:
    """Characters one position can hold: explicit ones plus, with ``digit``, every decimal
    digit; ``None`` in place of an instance means any character."""

    __slots__ = ("chars", "digit")

    def __init__(self, chars: frozenset[str], digit: bool = False) -> None:
        self.chars = chars
        self.digit = digit

    def groups(self) -> set[str]:
        """Grouping keys: characters, with every digit under one key when ``digit``."""
        if not self.digit:
            return set(self.chars)
        return {"<digit>" if c.isdecimal() else c for c in self.chars} | {"<digit>"}

    def union(self, other: _Chars) -> _Chars:
        return _Chars(self.chars | other.chars, self.digit or other.digit)


def _disjoint(a: _Chars | None, b: _Chars | None) -> bool:
    return a is not None and b is not None and not (a.groups() & b.groups())


_NOTHING = _Chars(frozenset())
_SMALL_RANGE = 64


class _Info:
    """``ways`` and ``cost`` as in the module docstring; ``first``: the characters a non-empty
    match can start with (``None``: any); ``nullable``: it can match the empty string;
    ``single``: for a repeat of one character matcher, that matcher's characters."""

    __slots__ = ("cost", "first", "nullable", "single", "ways")

    def __init__(self, ways: float, cost: float, first: _Chars | None, nullable: bool,
                 single: _Chars | None = None) -> None:
        self.ways = ways
        self.cost = cost
        self.first = first
        self.nullable = nullable
        self.single = single


def _class(av: Any) -> _Chars | None:
    chars: set[str] = set()
    digit = False
    for kind, value in av:
        if kind is _c.LITERAL:
            chars.add(chr(value))
        elif kind is _c.RANGE and value[1] - value[0] < _SMALL_RANGE:
            chars.update(chr(c) for c in range(value[0], value[1] + 1))
        elif kind is _c.CATEGORY and value is _c.CATEGORY_DIGIT:
            digit = True
        else:  # negation, wide ranges, other categories
            return None
    return _Chars(frozenset(chars), digit)


def _sequence(items: Any, length: int) -> _Info:
    infos = [_node(op, av, length) for op, av in items]
    ways, cost = 1.0, 0.0
    first: _Chars | None = _NOTHING
    leading = True  # every item so far can match the empty string
    for index, info in enumerate(infos):
        item_ways = info.ways
        if info.single is not None and info.ways > 1:
            follow = _follow(infos[index + 1:])
            if _disjoint(info.single, follow):
                # only the split where the run of these characters ends can go on: every
                # other one fails on the next item's first character at once
                item_ways = 1.0
        cost = _cap(cost + ways * info.cost)
        ways = _cap(ways * item_ways)
        if leading:
            first = None if first is None or info.first is None else first.union(info.first)
            leading = info.nullable
    return _Info(ways, cost, first, leading)


def _follow(infos: list[_Info]) -> _Chars | None:
    """Characters the rest of a sequence can start with; ``None`` when unknown, or when it
    can match the empty string (what follows the sequence is not known here)."""
    found = _NOTHING
    for info in infos:
        if info.first is None:
            return None
        found = found.union(info.first)
        if not info.nullable:
            return found
    return None


def _branch(branches: Any, length: int) -> _Info:
    infos = [_sequence(branch, length) for branch in branches]
    nullable = any(i.nullable for i in infos)
    first: _Chars | None = _NOTHING
    for info in infos:
        first = None if first is None or info.first is None else first.union(info.first)
    if first is None or nullable:
        ways = sum(i.ways for i in infos)
        cost = sum(i.cost for i in infos)
    else:
        # at one position only the branches that can start with its character get past it
        groups: dict[str, list[_Info]] = {}
        for info in infos:
            assert info.first is not None
            for key in info.first.groups():
                groups.setdefault(key, []).append(info)
        ways = max(sum(i.ways for i in group) for group in groups.values())
        cost = max(sum(i.cost for i in group) for group in groups.values()) + len(infos)
    return _Info(_cap(ways), _cap(cost), first, nullable)


def _repeat(low: int, high: int, inner: _Info, length: int, possessive: bool) -> _Info:
    high = min(high, length)
    nullable = low == 0 or inner.nullable
    single = inner.first if inner.ways <= 1 and inner.cost <= 1 and not inner.nullable \
        else None
    if high < low:
        return _Info(1.0, 0.0, _NOTHING, True)
    if inner.ways <= 1:
        ways, cost = float(high - low + 1), _cap(high * inner.cost)
    else:
        ways = cost = 0.0
        power = 1.0  # inner.ways ** (k - 1)
        for k in range(1, high + 1):
            cost = _cap(cost + power * inner.cost)
            power = _cap(power * inner.ways)
            if k >= low:
                ways = _cap(ways + power)
            if power >= _HUGE:
                return _Info(_HUGE, _HUGE, None, nullable)
        ways += 1.0 if low == 0 else 0.0
    if possessive:
        ways = 1.0
    return _Info(ways, cost, inner.first, nullable, single)


def _node(op: Any, av: Any, length: int) -> _Info:
    if op is _c.LITERAL:
        return _Info(1.0, 1.0, _Chars(frozenset({chr(av)})), False)
    if op is _c.IN:
        return _Info(1.0, 1.0, _class(av), False)
    if op in (_c.NOT_LITERAL, _c.ANY, _c.CATEGORY):
        return _Info(1.0, 1.0, None, False)
    if op is _c.AT:
        return _Info(1.0, 1.0, _NOTHING, True)
    if op is _c.SUBPATTERN:
        return _sequence(av[3], length)
    if op is _c.ATOMIC_GROUP:
        inner = _sequence(av, length)
        return _Info(1.0, inner.cost, inner.first, inner.nullable)
    if op is _c.BRANCH:
        return _branch(av[1], length)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, pattern = av
        return _repeat(low, high, _sequence(pattern, length), length, possessive=False)
    if op is getattr(_c, "POSSESSIVE_REPEAT", None):
        low, high, pattern = av
        return _repeat(low, high, _sequence(pattern, length), length, possessive=True)
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return _Info(1.0, _sequence(av[1], length).cost, _NOTHING, True)
    return _Info(_HUGE, _HUGE, None, True)  # backreferences, conditionals: no bound


@functools.cache
def safe_length(pattern: str) -> int:
    """The longest text length (from a fixed ladder up to 10,000) on which a search with
    ``pattern`` provably stays under :data:`BUDGET` steps; 0 when none does."""
    if _p is None:
        return 0
    try:
        parsed = _p.parse(pattern)
    except (re.error, RecursionError, ValueError, OverflowError):
        return 0
    for length in _LENGTHS:
        if length * _sequence(list(parsed), length).cost <= BUDGET:
            return length
    return 0

"""Literal strings the matches of a regex must contain, found by reading the regex itself.

A rule's regex runs only when one of its ``anchors`` was seen; authors often anchor on one
common character (包, 号, 天), so the regex would run on most messages. The compiler asks
:func:`required_clauses` for sets of strings such that every match contains one string of each
set (a conjunction of alternatives, as the prefilters of RE2 and Hyperscan build) and requires a
hit for each before the regex runs, and before the rule is even considered: gating on them can
never change what the regex finds, only skip runs that could not match.

Each piece of the pattern is summarized by what it matches exactly (when that is a small set of
strings), what every match starts and ends with, and the clauses it needs; a concatenation
joins the end of one piece to the start of the next, so a digit class before ``倍`` yields the
two-character strings ``0倍`` … ``9倍``, much rarer in chat than ``倍``. ``\\d`` counts as
``[0-9]`` because the normalizer folds every decimal digit to ASCII (:data:`DIGITS_FOLDED`).

The regex is read with the standard library's parser (``re._parser``); a pattern it cannot read
(``regex``-only syntax) and case-insensitive patterns give no clause, and the author's anchors
alone apply.

>>> [sorted(c) for c in required_clauses(r"(发|埋)了?.+(元|块)的?红包")]
[['元的红包', '元红包', '块的红包', '块红包'], ['发', '埋']]
>>> sorted(required_literals(r"\\d+天"))
['0天', '1天', '2天', '3天', '4天', '5天', '6天', '7天', '8天', '9天']
"""

from __future__ import annotations

import functools
import importlib
import itertools
import math
import re
from typing import Any

__all__ = ["required_clauses", "required_literals"]

try:  # CPython 3.11+: the parser behind ``re`` (private, so used best-effort only)
    _p: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - other interpreters
    _p = _c = None

_MAX_SET = 64  # strings kept while combining exact alternatives
_MAX_CLASS = 32  # a character class this small is treated as a set of literals
_MAX_CLAUSE = 256  # strings in one clause; a bigger one gates almost nothing
_MAX_PRODUCT = 16  # clauses made when distributing an alternation over its branches' clauses
_DIGITS = frozenset("0123456789")
# Whether the normalizer folds every Unicode decimal digit to ASCII, so that in normalized text
# ``\\d`` matches 0-9 only (tests/test_prefilter.py checks it against normalize.py).
DIGITS_FOLDED = True

Clause = frozenset[str]


class _Info:
    """What a piece of a pattern matches, as far as literals go (``None``: unknown):

    ``exact``: every match is one of these strings ("" when it can be empty);
    ``prefix`` / ``suffix``: every match starts / ends with one of these non-empty strings;
    ``clauses``: for each clause, every match contains one of its strings;
    ``nullable``: it may match the empty string (``exact`` then holds "" when known).
    """

    __slots__ = ("clauses", "exact", "nullable", "prefix", "suffix")

    def __init__(self, exact: Clause | None = None, clauses: tuple[Clause, ...] = (),
                 prefix: Clause | None = None, suffix: Clause | None = None,
                 nullable: bool = False) -> None:
        self.exact = exact
        self.nullable = nullable  # can match the empty string (not known exactly)
        if exact is not None and "" not in exact:
            clauses = clauses or (exact,)
            prefix = prefix or exact
            suffix = suffix or exact
        self.clauses = clauses
        self.prefix = prefix
        self.suffix = suffix


_EMPTY = _Info(exact=frozenset({""}))
_UNKNOWN = _Info()


def _quality(clause: Clause) -> tuple[int, int]:
    """Longer shortest string first, then fewer strings: the rarer gate."""
    return min(map(len, clause)), -len(clause)


def _product(left: Clause, right: Clause) -> Clause | None:
    if len(left) * len(right) > _MAX_CLAUSE:
        return None
    return frozenset(a + b for a in left for b in right)


def _sequence(items: list[tuple[Any, Any]]) -> _Info:
    """A concatenation. ``run`` holds strings one of which the match contains ending at the
    current position ({""} when nothing is known); where an item is not exact, the run joined
    to the item's prefix is one clause, and the item's suffix starts the next run."""
    run: Clause = frozenset({""})
    clauses: list[Clause] = []
    prefix: Clause | None = None
    broken = False
    empty = True  # every item so far may match the empty string
    for op, av in items:
        info = _node(op, av)
        empty = empty and (info.nullable or (info.exact is not None and "" in info.exact))
        if info.exact is not None and len(run) * len(info.exact) <= _MAX_SET:
            run = frozenset(a + b for a in run for b in info.exact)
            continue
        if info.nullable:
            # It needs nothing itself; what ends after it is the run (it matched nothing) or
            # its suffix.
            if not broken:
                prefix = run if "" not in run else None
                broken = True
            if "" not in run:
                clauses.append(run)
            run = run | info.suffix if info.suffix is not None and "" not in run \
                else frozenset({""})
            continue
        seam = _product(run, info.prefix) if info.prefix is not None else None
        if not broken:
            prefix = seam if seam is not None else (run if "" not in run else None)
            broken = True
        if seam is not None and "" not in seam:
            clauses.append(seam)
        elif "" not in run:
            clauses.append(run)
        clauses.extend(info.clauses)
        if info.exact is not None:  # exact, but too many strings to combine
            run = info.exact
        else:
            run = info.suffix if info.suffix is not None else frozenset({""})
    if not broken:
        return _Info(exact=run)
    if "" not in run:
        clauses.append(run)
    if empty:
        return _Info(suffix=run if "" not in run else None, nullable=True)
    return _Info(clauses=tuple(clauses), prefix=prefix,
                 suffix=run if "" not in run else None)


def _union(sets: list[Clause | None]) -> Clause | None:
    if any(s is None for s in sets):
        return None
    union = frozenset().union(*(s for s in sets if s is not None))
    return union if len(union) <= _MAX_CLAUSE else None


def _branch(infos: list[_Info]) -> _Info:
    """Every match of an alternation is a match of one branch: distribute the OR over the
    branches' clauses (each resulting clause unions one clause of every branch)."""
    if all(i.exact is not None for i in infos):
        union = frozenset().union(*(i.exact for i in infos if i.exact is not None))
        if len(union) <= _MAX_SET:
            return _Info(exact=union)
    prefix = _union([i.prefix for i in infos])
    suffix = _union([i.suffix for i in infos])
    if any(i.nullable or (i.exact is not None and "" in i.exact) for i in infos):
        return _Info(suffix=suffix, nullable=True)
    if any(not i.clauses for i in infos):
        return _Info(prefix=prefix, suffix=suffix)
    per_branch = [sorted(i.clauses, key=_quality, reverse=True) for i in infos]
    while math.prod(map(len, per_branch)) > _MAX_PRODUCT:
        longest = max(per_branch, key=len)
        longest.pop()
    combined = {frozenset().union(*choice) for choice in itertools.product(*per_branch)}
    return _Info(clauses=tuple(c for c in combined if len(c) <= _MAX_CLAUSE),
                 prefix=prefix, suffix=suffix)


def _characters(av: Any) -> _Info:
    chars: set[str] = set()
    for kind, value in av:
        if kind is _c.LITERAL:
            chars.add(chr(value))
        elif kind is _c.RANGE and value[1] - value[0] < _MAX_CLASS:
            chars.update(chr(c) for c in range(value[0], value[1] + 1))
        elif kind is _c.CATEGORY and value is _c.CATEGORY_DIGIT and DIGITS_FOLDED:
            chars.update(_DIGITS)
        else:
            return _UNKNOWN
    return _Info(exact=frozenset(chars)) if len(chars) <= _MAX_CLASS else _UNKNOWN


def _node(op: Any, av: Any) -> _Info:
    if op is _c.LITERAL:
        return _Info(exact=frozenset({chr(av)}))
    if op is _c.IN:
        return _characters(av)
    if op is _c.SUBPATTERN:
        _, add_flags, _, pattern = av
        if add_flags & re.IGNORECASE:
            return _UNKNOWN
        return _sequence(list(pattern))
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is _c.BRANCH:
        return _branch([_sequence(list(branch)) for branch in av[1]])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, high, pattern = av
        inner = _sequence(list(pattern))
        if low == 0:
            if high == 1 and inner.exact is not None:
                return _Info(exact=inner.exact | {""})
            return _EMPTY if high == 0 else _Info(suffix=inner.suffix, nullable=True)
        if low == high == 1:
            return inner
        return _Info(clauses=inner.clauses, prefix=inner.prefix, suffix=inner.suffix)
    if op in (_c.ASSERT, _c.ASSERT_NOT, _c.AT):
        return _EMPTY
    return _UNKNOWN


def _minimal(clause: Clause) -> Clause:
    """A string that contains another member adds nothing: keep the shorter ones."""
    kept: list[str] = []
    for text in sorted(clause, key=len):
        if not any(shorter in text for shorter in kept):
            kept.append(text)
    return frozenset(kept)


@functools.cache  # the compiler asks once per use of the regex (node, triggers, required sets)
def required_clauses(pattern: str) -> tuple[Clause, ...]:
    """Sets of strings such that every match of ``pattern`` contains one string of EACH set,
    rarest first by :func:`_quality` (``()`` when the pattern gives none). A set may hold
    single characters: on its own such a set gates little, together with the others a lot.

    >>> [sorted(c) for c in required_clauses(r"(出|卖).{0,3}个(号|微信)")]
    [['个号', '个微信'], ['出', '卖']]
    >>> [sorted(c) for c in required_clauses(r"赔\\d倍")][0][:3]
    ['赔0倍', '赔1倍', '赔2倍']
    """
    if _p is None:
        return ()
    try:
        parsed = _p.parse(pattern)
    except (re.error, RecursionError, ValueError, OverflowError):
        return ()
    if parsed.state.flags & re.IGNORECASE:
        return ()
    info = _sequence(list(parsed))
    clauses = sorted({_minimal(c) for c in info.clauses if c and "" not in c},
                     key=lambda c: (_quality(c), sorted(c)), reverse=True)
    # A clause is implied by another whose every string contains one of its strings (the
    # digits by 0倍..9倍): keep the rarest of such a family only.
    kept: list[Clause] = []
    for clause in clauses:
        if not any(all(any(s in t for s in clause) for t in other) for other in kept):
            kept.append(clause)
    return tuple(kept)


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains, or ``None`` when the pattern
    gives no useful set (an empty match is possible, or some string is a single character)."""
    useful = [c for c in required_clauses(pattern) if min(map(len, c)) >= 2]
    return useful[0] if useful else None

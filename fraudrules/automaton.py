"""The one seam to the multi-pattern matcher.

``build(terms)`` returns a :class:`Matcher` over distinct, non-empty terms. Two ways to read it,
both reporting every occurrence of every term (overlaps included), with indexes in Python ``str``
code points (an emoji or other astral character counts as one):

* ``scan(text)`` yields ``(term_index, end)`` pairs, ``end`` exclusive;
* ``find(text)`` returns a list of ``(term_index, start, end)`` triples, ``end`` exclusive. It is
  the faster shape: with ahocorasick-rs it is the list the extension already built, so no
  Python code runs per hit.

Both list occurrences in order of ``end``; occurrences with the same ``end`` may come in a
different order on different backends.

Backends:

``pyahocorasick``
    Always available (a dependency). Accepts any ``str``, lone surrogates included.
``ahocorasick_rs``
    ahocorasick-rs (the ``fast`` extra), Rust's ``aho-corasick`` crate: faster to scan. It works
    on UTF-8, so it cannot take a lone surrogate: a term containing one makes ``build`` fall back
    to pyahocorasick under ``auto`` and raise ``ValueError`` when asked for by name; a text
    containing one is scanned with each surrogate replaced by a character no term contains, so
    the results are the same (the normalizer deletes surrogates anyway, so this path is cold).

The backend is chosen by the ``backend`` argument of :func:`build`, else by the environment
variable ``FRAUDRULES_BACKEND`` (read at each ``build``), else ``auto``: ahocorasick-rs when it
is importable, pyahocorasick otherwise. ``Matcher.backend`` names the one in use (``"empty"``
for a matcher without terms: pyahocorasick raises on an automaton without words).

>>> matcher = build(["微信", "信号", "😀x"])
>>> matcher.find("微信号😀x")
[(0, 0, 2), (1, 1, 3), (2, 3, 5)]
>>> list(matcher.scan("微信号"))
[(0, 2), (1, 3)]
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Protocol

import ahocorasick

__all__ = ["BACKENDS", "ENV_VAR", "Matcher", "available_backends", "build"]

ENV_VAR = "FRAUDRULES_BACKEND"
BACKENDS = ("pyahocorasick", "ahocorasick_rs")
_CHOICES = ("auto", *BACKENDS)

_SURROGATES = range(0xD800, 0xE000)


class Matcher(Protocol):
    """Finds every occurrence of a fixed set of terms."""

    backend: str  # ``pyahocorasick``, ``ahocorasick_rs`` or ``empty``

    def scan(self, text: str) -> Iterator[tuple[int, int]]:
        """Yield ``(term_index, end)`` for each occurrence, ``end`` exclusive."""
        ...

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence as ``(term_index, start, end)``, ``end`` exclusive."""
        ...


class _Empty:
    backend = "empty"

    def scan(self, text: str) -> Iterator[tuple[int, int]]:
        return iter(())

    def find(self, text: str) -> list[tuple[int, int, int]]:
        return []


class _PyAhoCorasick:
    backend = "pyahocorasick"

    __slots__ = ("_automaton", "_iter")

    def __init__(self, terms: Sequence[str]) -> None:
        automaton = ahocorasick.Automaton()
        for index, term in enumerate(terms):
            # the value is (index, len - 1): start = last - (len - 1), end = last + 1
            automaton.add_word(term, (index, len(term) - 1))
        automaton.make_automaton()
        self._automaton = automaton
        self._iter = automaton.iter

    def scan(self, text: str) -> Iterator[tuple[int, int]]:
        for last, (index, _extra) in self._iter(text):
            yield index, last + 1

    def find(self, text: str) -> list[tuple[int, int, int]]:
        return [(index, last - extra, last + 1) for last, (index, extra) in self._iter(text)]


class _AhoCorasickRs:
    backend = "ahocorasick_rs"

    __slots__ = ("_find", "_sentinel")

    def __init__(self, terms: Sequence[str]) -> None:
        import ahocorasick_rs

        matcher = ahocorasick_rs.AhoCorasick(list(terms),
                                             matchkind=ahocorasick_rs.MatchKind.Standard)
        self._find = matcher.find_matches_as_indexes
        used = set("".join(terms))
        # a code point no term contains stands in for lone surrogates in a scanned text
        candidates = chain(range(0xFFFF, 0xDFFF, -1), range(0xD7FF, 0, -1))
        self._sentinel = next(c for c in map(chr, candidates) if c not in used)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        try:
            return self._find(text, overlapping=True)
        except UnicodeEncodeError:
            return self._find(_replace_surrogates(text, self._sentinel), overlapping=True)

    def scan(self, text: str) -> Iterator[tuple[int, int]]:
        for index, _start, end in self.find(text):
            yield index, end


def _replace_surrogates(text: str, sentinel: str) -> str:
    return "".join(sentinel if ord(c) in _SURROGATES else c for c in text)


def _has_surrogate(terms: Sequence[str]) -> bool:
    try:
        "".join(terms).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _rs_importable() -> bool:
    return importlib.util.find_spec("ahocorasick_rs") is not None


def available_backends() -> tuple[str, ...]:
    """Names of the backends that can be used here, fastest first.

    >>> "pyahocorasick" in available_backends()
    True
    """
    if _rs_importable():
        return ("ahocorasick_rs", "pyahocorasick")
    return ("pyahocorasick",)


def _choose(backend: str | None) -> str:
    name = backend if backend is not None else os.environ.get(ENV_VAR, "auto")
    name = name.strip().lower().replace("-", "_") or "auto"
    if name not in _CHOICES:
        source = "backend" if backend is not None else ENV_VAR
        raise ValueError(f"unknown matcher backend {name!r} (from {source}); "
                         f"valid: {', '.join(_CHOICES)}")
    return name


def build(terms: Sequence[str], *, backend: str | None = None) -> Matcher:
    """Build a matcher over distinct, non-empty ``terms``; indexes follow the sequence.

    ``backend`` is ``auto``, ``pyahocorasick`` or ``ahocorasick_rs``; ``None`` reads the
    ``FRAUDRULES_BACKEND`` environment variable (default ``auto``). An unknown name, a
    backend that is not installed, an empty term or a repeated term raise ``ValueError``.

    >>> build(["出租", "微信"], backend="pyahocorasick").find("出租微信")
    [(0, 0, 2), (1, 2, 4)]
    """
    name = _choose(backend)
    if any(not term for term in terms):
        raise ValueError("matcher terms must be non-empty")
    if len(set(terms)) != len(terms):
        raise ValueError("matcher terms must be distinct")
    if name == "auto":
        name = "ahocorasick_rs" if _rs_importable() and not _has_surrogate(terms) \
            else "pyahocorasick"
    elif name == "ahocorasick_rs":
        if not _rs_importable():
            raise ValueError("backend 'ahocorasick_rs' is not installed "
                             "(pip install 'fraudrules[fast]')")
        if _has_surrogate(terms):
            raise ValueError("backend 'ahocorasick_rs' cannot match terms with lone "
                             "surrogates; use 'pyahocorasick'")
    if not terms:
        return _Empty()
    if name == "ahocorasick_rs":
        return _AhoCorasickRs(terms)
    return _PyAhoCorasick(terms)

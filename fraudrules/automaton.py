"""The one seam to the multi-pattern matcher.

``build(terms)`` returns a :class:`Matcher` whose ``scan(text)`` yields ``(term_index, end)``
pairs, ``end`` exclusive, for every occurrence of every term (overlaps included). The backend is
pyahocorasick; an empty term list gives a matcher that finds nothing (pyahocorasick raises on an
automaton without words).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import ahocorasick

__all__ = ["Matcher", "build"]


class Matcher(Protocol):
    """Finds every occurrence of a fixed set of terms."""

    backend: str

    def scan(self, text: str) -> Iterator[tuple[int, int]]:
        """Yield ``(term_index, end)`` for each occurrence, ``end`` exclusive."""
        ...


class _Empty:
    backend = "empty"

    def scan(self, text: str) -> Iterator[tuple[int, int]]:
        return iter(())


class _PyAhoCorasick:
    backend = "pyahocorasick"

    def __init__(self, terms: Sequence[str]) -> None:
        automaton = ahocorasick.Automaton()
        for index, term in enumerate(terms):
            automaton.add_word(term, index)
        automaton.make_automaton()
        self._iter = automaton.iter
        self._automaton = automaton

    def scan(self, text: str) -> Iterator[tuple[int, int]]:
        for end, index in self._iter(text):
            yield index, end + 1


def build(terms: Sequence[str]) -> Matcher:
    """Build a matcher over distinct, non-empty ``terms``; indexes follow the sequence."""
    if not terms:
        return _Empty()
    return _PyAhoCorasick(terms)

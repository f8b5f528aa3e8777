"""Compile packs into an immutable :class:`Ruleset`.

Every term of every pack goes into ONE automaton (a term used by several rules is stored once
and maps to all of them). Each rule's condition becomes a small tree of nodes over term indexes;
regexes are compiled once. The engine asks a ruleset two things per message: which terms occur
(``scan``) and which rules those terms touch; it then evaluates only those rules.

An *occurrence* is ``(start, end, parts)`` in normalized coordinates, ``parts`` being the
``(start, end)`` of each term or regex match that made it up.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from bisect import bisect_left
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import regex

from . import automaton
from .backtrack import safe_length
from .normalize import NormalizedText, is_ascii_letter
from .packs import (
    DEFAULT_BIAS,
    DEFAULT_BLOCK,
    DEFAULT_REVIEW,
    AllOf,
    AnyOf,
    Condition,
    ListRef,
    Pack,
    Regex,
    Rule,
    Term,
    check_packs,
)
from .prefilter import required_clauses
from .variants import term_variants

__all__ = ["CompiledRule", "Ruleset", "compile_packs"]

Span: TypeAlias = tuple[int, int]
Occurrence: TypeAlias = tuple[int, int, tuple[Span, ...]]

MAX_OCCURRENCES = 32  # per term, and per condition, in one message
_TERM_COST = {1: 1000, 2: 10, 3: 1}  # expected frequency by term length (see _Builder.cost)
_MASK_PARTS = 4096  # parts of all rules up to which hit parts are a bit mask (Ruleset)
_MAX_PRODUCT = 16  # term sets made when distributing an 'any' over what its items need


class ScanState:
    """What one message's evaluation reads and records; private to one ``score`` call.

    ``hits`` maps a term to its spans; each term leaf's occurrences are computed the first time
    a rule asks for them and kept in ``cache`` (many rules share a list such as ``$wechat``)."""

    __slots__ = ("cache", "errors", "found", "hits", "text", "timeout")

    def __init__(self, text: str, hits: dict[int, list[Span]], timeout: float) -> None:
        self.text = text
        self.hits = hits
        # A set, so that intersections iterate the smaller side (a dict is always iterated).
        self.found = frozenset(hits)
        self.timeout = timeout
        self.errors: list[str] = []
        self.cache: dict[int, list[Occurrence]] = {}


_NOTHING: list[Occurrence] = []


class _Node:
    __slots__ = ("unless",)

    def __init__(self, unless: _Node | None) -> None:
        self.unless = unless

    def evaluate(self, state: ScanState, limit: int = MAX_OCCURRENCES) -> list[Occurrence]:
        """The condition's occurrences in order, the first ``limit`` of them (a rule's verdict
        reads only the first; ``limit`` lets a node stop searching there)."""
        found = self._evaluate(state, limit)
        if found and self.unless is not None and self.unless.holds(state):
            return []
        return found

    def holds(self, state: ScanState) -> bool:
        """Whether the condition holds at all (``unless`` needs no occurrences)."""
        return bool(self.evaluate(state, 1))

    def _evaluate(self, state: ScanState, limit: int) -> list[Occurrence]:
        raise NotImplementedError


class _Terms(_Node):
    __slots__ = ("index", "terms")

    def __init__(self, terms: frozenset[int], index: int) -> None:
        super().__init__(None)
        self.terms = terms
        self.index = index

    def holds(self, state: ScanState) -> bool:
        return not self.terms.isdisjoint(state.found)

    def evaluate(self, state: ScanState, limit: int = MAX_OCCURRENCES) -> list[Occurrence]:
        found = state.cache.get(self.index)
        if found is None:
            found = state.cache[self.index] = self._collect(state)
        return found if len(found) <= limit else found[:limit]

    def _collect(self, state: ScanState) -> list[Occurrence]:
        present = self.terms & state.found
        if not present:
            return _NOTHING
        hits = state.hits
        result: list[Occurrence] = [(s, e, ((s, e),)) for t in present for s, e in hits[t]]
        if len(present) > 1:
            result.sort()
            del result[MAX_OCCURRENCES:]
        return result


class _Any(_Node):
    __slots__ = ("items",)

    def __init__(self, items: tuple[_Node, ...], unless: _Node | None) -> None:
        super().__init__(unless)
        self.items = items

    def _evaluate(self, state: ScanState, limit: int) -> list[Occurrence]:
        result: list[Occurrence] = []
        for item in self.items:
            result.extend(item.evaluate(state))
        result.sort()
        return result[:limit]


def _combine(chosen: Sequence[Occurrence]) -> Occurrence:
    parts = tuple(sorted(p for occ in chosen for p in occ[2]))
    return min(o[0] for o in chosen), max(o[1] for o in chosen), parts


def _closest(found: Sequence[list[Occurrence]], n: int, within: int,
             limit: int = MAX_OCCURRENCES) -> list[Occurrence]:
    """Pick n of the occurrence lists, one occurrence each, so that the gap between the
    earliest end and the latest start is at most ``within``; one result per feasible
    earliest end (see docs/rule-format.md), the first ``limit`` of them."""
    # For each list: its occurrences by end, and for each position the one with the smallest
    # start from there on (the first of the earliest in list order on ties), so that the best
    # pick of a list for an earliest end `low` is found by one bisection.
    tables: list[tuple[list[int], list[Occurrence]]] = []
    for occurrences in found:
        by_end = sorted(occurrences, key=_end)
        ends = [occ[1] for occ in by_end]
        best: list[Occurrence] = by_end[:]
        for index in range(len(by_end) - 2, -1, -1):
            if best[index + 1][0] < best[index][0] or (
                    best[index + 1][0] == best[index][0]
                    and _order(occurrences, best[index + 1]) < _order(occurrences, best[index])):
                best[index] = best[index + 1]
        tables.append((ends, best))
    results: list[Occurrence] = []
    seen: set[tuple[int, int]] = set()
    for low in sorted({occ[1] for occs in found for occ in occs}):
        picks: list[Occurrence] = []
        for ends, best in tables:
            index = bisect_left(ends, low)
            if index < len(best):
                picks.append(best[index])
        if len(picks) < n:
            continue
        picks.sort()
        chosen = picks[:n]
        if chosen[-1][0] - low <= within:
            combined = _combine(chosen)
            if combined[:2] not in seen:
                seen.add(combined[:2])
                results.append(combined)
                if len(results) >= limit:
                    break
    return results


def _end(occurrence: Occurrence) -> int:
    return occurrence[1]


def _order(occurrences: list[Occurrence], occurrence: Occurrence) -> int:
    return occurrences.index(occurrence)


class _All(_Node):
    __slots__ = ("items", "within")

    def __init__(self, items: tuple[_Node, ...], within: int | None,
                 unless: _Node | None) -> None:
        super().__init__(unless)
        self.items = items
        self.within = within

    def _evaluate(self, state: ScanState, limit: int) -> list[Occurrence]:
        found: list[list[Occurrence]] = []
        for item in self.items:
            occurrences = item.evaluate(state)
            if not occurrences:
                return []
            found.append(occurrences)
        if self.within is None:
            return [_combine([occs[0] for occs in found])]
        return _closest(found, len(found), self.within, limit)


class _AtLeast(_Node):
    __slots__ = ("items", "n", "within")

    def __init__(self, n: int, items: tuple[_Node, ...], within: int | None,
                 unless: _Node | None) -> None:
        super().__init__(unless)
        self.n = n
        self.items = items
        self.within = within

    def _evaluate(self, state: ScanState, limit: int) -> list[Occurrence]:
        found: list[list[Occurrence]] = []
        missing_allowed = len(self.items) - self.n
        for item in self.items:
            occurrences = item.evaluate(state)
            if occurrences:
                found.append(occurrences)
            else:
                missing_allowed -= 1
                if missing_allowed < 0:  # too few items left to reach n
                    return []
        if self.within is None:
            return [_combine([occs[0] for occs in found[: self.n]])]
        return _closest(found, self.n, self.within, limit)


class _Regex(_Node):
    __slots__ = ("anchors", "gates", "pattern", "safe")

    def __init__(self, pattern: regex.Pattern[str], anchors: _Terms | None,
                 gates: tuple[frozenset[int], ...], unless: _Node | None) -> None:
        super().__init__(unless)
        self.pattern = pattern
        self.anchors = anchors  # the author's: part of the rule's meaning
        # for each literal set every match holds one of (prefilter.py), its raw terms, rarest
        # first: a shortcut that never changes what the regex finds
        self.gates = gates
        # texts up to this length cannot make it backtrack long (backtrack.py): no timeout
        self.safe = safe_length(pattern.pattern)

    def _evaluate(self, state: ScanState, limit: int) -> list[Occurrence]:
        if self.anchors is not None and not self.anchors.holds(state):
            return []
        found = state.found
        for gate in self.gates:
            if gate.isdisjoint(found):
                return []
        result: list[Occurrence] = []
        text = state.text
        try:
            matches = (self.pattern.finditer(text) if len(text) <= self.safe
                       else self.pattern.finditer(text, timeout=state.timeout))
            for match in matches:
                start, end = match.span()
                if end > start:
                    result.append((start, end, ((start, end),)))
                    if len(result) >= limit:
                        break
        except TimeoutError:
            state.errors.append(f"regex {self.pattern.pattern!r} timed out")
            return []
        return result


Quorum: TypeAlias = tuple[int, tuple[frozenset[int], ...]]  # at least n of these sets hit


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to evaluate: its source :class:`Rule`, its condition tree, the term sets
    that must each have a hit before the rule can fire, and quorums (``n`` of some term sets
    must have a hit: an ``at_least``); both are checked before evaluating."""

    index: int
    rule: Rule
    node: _Node
    required: tuple[frozenset[int], ...] = ()
    quorums: tuple[Quorum, ...] = ()


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    name: str
    bias: float
    review: float
    block: float


class Ruleset:
    """Every loaded pack compiled into one automaton plus condition trees. Immutable."""

    __slots__ = (
        "_conversation_touches",
        "_edge",
        "_find",
        "_idle",
        "_masks",
        "_matcher",
        "_pattern_all",
        "_pattern_masks",
        "_pattern_parts",
        "_pattern_raw",
        "_pattern_wakes",
        "_quorum_masks",
        "_rule_masks",
        "_rule_parts",
        "_rule_quorums",
        "_term_masks",
        "_term_parts",
        "_touches",
        "_waking",
        "always",
        "categories",
        "conversation_always",
        "packs",
        "patterns",
        "rules",
        "terms",
        "version",
    )

    def __init__(self, packs: Sequence[Pack]) -> None:
        self.packs = tuple(packs)
        builder = _Builder(self.packs)
        self.rules: tuple[CompiledRule, ...] = tuple(builder.rules)
        self.terms: tuple[str, ...] = tuple(builder.terms)
        # The automaton's patterns: every term, then the variant spellings of each
        # (variants.py); a pattern maps to every term it spells.
        pattern_index: dict[str, int] = {}
        pattern_terms: list[list[int]] = []
        for term_id, term in enumerate(self.terms):
            index = pattern_index.setdefault(term, len(pattern_terms))
            if index == len(pattern_terms):
                pattern_terms.append([])
            pattern_terms[index].append(term_id)
        for term_id, term in enumerate(self.terms):
            if builder.exact[term_id]:
                continue
            for variant in sorted(term_variants(term)):
                index = pattern_index.setdefault(variant, len(pattern_terms))
                if index == len(pattern_terms):
                    pattern_terms.append([])
                if term_id not in pattern_terms[index]:
                    pattern_terms[index].append(term_id)
        self.patterns: tuple[str, ...] = tuple(pattern_index)
        # Most patterns spell one term: their per-pattern entries below are that term's own
        # tuples, shared, so that 100,000 variant patterns cost pointers, not objects.
        alone = [(t,) for t in range(len(self.terms))]
        self._pattern_all = tuple(alone[terms[0]] if len(terms) == 1 else tuple(terms)
                                  for terms in pattern_terms)
        # Raw terms (regex gates) take every occurrence; the others skip Latin terms found
        # inside a longer Latin word. Patterns with a Latin letter at an edge -> 1: check the
        # left edge, 2: the right edge, 3: both (patterns are normalized already, so lowercase
        # ASCII is the only Latin left); when the check fails, only raw terms take it.
        raw = builder.raw
        self._edge = bytes(
            (1 if "a" <= p[0] <= "z" else 0) | (2 if "a" <= p[-1] <= "z" else 0)
            for p in self.patterns
        )
        self._pattern_raw = {index: kept for index, flags in enumerate(self._edge) if flags
                             for kept in (tuple(t for t in pattern_terms[index] if raw[t]),)
                             if kept}
        self._touches: tuple[tuple[int, ...], ...] = tuple(
            tuple(sorted(builder.touches[i])) if i in builder.touches else ()
            for i in range(len(self.terms))
        )
        self.always: tuple[int, ...] = tuple(builder.always)
        self._conversation_touches = {term: tuple(sorted(rules)) for term, rules
                                      in builder.conversation_touches.items()}
        self.conversation_always: tuple[int, ...] = tuple(builder.conversation_always)
        # The same wiring in pattern space, so that a message is gated on the automaton's raw
        # output before any per-hit work: the rules each pattern wakes, the parts (below) it
        # belongs to, and the set of patterns that wake anything.
        self._pattern_wakes = self._per_pattern(self._touches)
        # The smaller of the two sets: patterns that wake a rule, or those that wake none
        # (a large ruleset's patterns nearly all wake one).
        waking = [i for i, rules in enumerate(self._pattern_wakes) if rules]
        if len(waking) * 2 <= len(self.patterns):
            self._waking: frozenset[int] | None = frozenset(waking)
            self._idle: frozenset[int] | None = None
        else:
            self._waking = None
            self._idle = frozenset(i for i, rules in enumerate(self._pattern_wakes) if not rules)
        # Every term set a rule needs (or counts in a quorum) is a numbered part; a message's
        # hit parts are collected from its terms (or patterns) and each rule checked on them.
        part_ids: dict[frozenset[int], int] = {}
        for rule in self.rules:
            for part in (*rule.required, *(p for _, sets in rule.quorums for p in sets)):
                part_ids.setdefault(part, len(part_ids))
        term_parts: list[list[int]] = [[] for _ in self.terms]
        for part, number in part_ids.items():
            for term_index in part:
                term_parts[term_index].append(number)
        term_tuples = tuple(tuple(sorted(parts)) if parts else () for parts in term_parts)
        # Up to _MASK_PARTS parts, a set of parts is an int bit mask: a message's hit parts are
        # then one `|` per pattern seen instead of one set insertion per part of each (a digit
        # or a common character belongs to dozens); with more, the masks would grow too large.
        self._masks = len(part_ids) <= _MASK_PARTS
        if self._masks:
            shared: dict[tuple[int, ...], int] = {}
            self._term_masks = tuple(shared.setdefault(parts, _mask(parts))
                                     for parts in term_tuples)
            self._pattern_masks = tuple(
                self._term_masks[terms[0]] if len(terms) == 1 else
                _mask({n for t in terms for n in term_tuples[t]})
                for terms in self._pattern_all)
            self._rule_masks = tuple(_mask(part_ids[p] for p in rule.required)
                                     for rule in self.rules)
            # a quorum of distinct parts counts its hits with one popcount
            self._quorum_masks: tuple[tuple[tuple[int, int], ...] | None, ...] = tuple(
                tuple((n, _mask(part_ids[p] for p in sets)) for n, sets in rule.quorums)
                if all(len({part_ids[p] for p in sets}) == len(sets) for _, sets in rule.quorums)
                else None
                for rule in self.rules)
            self._term_parts: tuple[tuple[int, ...], ...] = ()
            self._pattern_parts: tuple[tuple[int, ...], ...] = ()
            self._rule_parts: tuple[frozenset[int], ...] = ()
        else:
            self._term_masks = self._pattern_masks = self._rule_masks = ()
            self._quorum_masks = ()
            self._term_parts = term_tuples
            self._pattern_parts = self._per_pattern(term_tuples)
            self._rule_parts = tuple(frozenset(part_ids[p] for p in rule.required)
                                     for rule in self.rules)
        self._rule_quorums = tuple(
            tuple((n, tuple(part_ids[p] for p in sets)) for n, sets in rule.quorums)
            for rule in self.rules)
        # The automaton is built last, once the scaffolding above is gone: its construction
        # needs memory of its own, and the peak is what a large ruleset is limited by.
        del builder, pattern_index, pattern_terms, part_ids, term_parts, term_tuples
        self._matcher = automaton.build(self.patterns)
        self._find = self._matcher.find
        self.categories: dict[str, CategoryInfo] = _categories(self.packs)
        self.version = _version(self.packs)

    def _per_pattern(self, per_term: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], ...]:
        """A per-term table read per pattern: a one-term pattern shares its term's tuple."""
        return tuple(per_term[terms[0]] if len(terms) == 1 else
                     tuple(sorted({n for t in terms for n in per_term[t]}))
                     for terms in self._pattern_all)

    @property
    def backend(self) -> str:
        return self._matcher.backend

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """The automaton's raw output on a normalized text: ``(pattern, start, end)``."""
        return self._find(text)

    def candidates(self, found: list[tuple[int, int, int]]) -> list[int]:
        """Message-scope rules worth evaluating, read from the automaton's raw output alone:
        woken by a pattern and with a pattern hit for every term set they need. A superset of
        :meth:`touched` (a Latin term inside a longer word still counts here), so that the
        common case, a message that touches nothing, costs a few set operations."""
        always = self.always
        if not found and not always:
            return []
        seen = {hit[0] for hit in found}
        waking = self._waking
        hot = waking.intersection(seen) if waking is not None else \
            seen.difference(self._idle or ())
        if not hot:
            return list(always)
        woken: set[int] = set(always)
        wakes = self._pattern_wakes
        for pattern in hot:
            woken.update(wakes[pattern])
        if self._masks:
            masks = self._pattern_masks
            mask = 0
            for pattern in seen:
                mask |= masks[pattern]
            return self._ready_masks(sorted(woken), mask)
        parts = self._pattern_parts
        hit: set[int] = set()
        for pattern in seen:
            hit.update(parts[pattern])
        return self._ready(sorted(woken), hit)

    def _ready_masks(self, rules: Iterable[int], hit: int) -> list[int]:
        """:meth:`_ready` with the hit parts as a bit mask."""
        rule_masks = self._rule_masks
        quorum_masks = self._quorum_masks
        ready = []
        for index in rules:
            need = rule_masks[index]
            if hit & need != need:
                continue
            counted = quorum_masks[index]
            if counted is None:  # a part counted twice in a quorum
                if any(sum(1 for p in ids if hit >> p & 1) < n
                       for n, ids in self._rule_quorums[index]):
                    continue
            elif counted and any((hit & mask).bit_count() < n for n, mask in counted):
                continue
            ready.append(index)
        return ready

    def _ready(self, rules: Iterable[int], hit: set[int]) -> list[int]:
        """The rules whose parts all have a hit and whose quorums are met."""
        rule_parts = self._rule_parts
        quorums = self._rule_quorums
        ready = []
        for index in rules:
            if not rule_parts[index] <= hit:
                continue
            if quorums[index] and any(sum(1 for p in ids if p in hit) < n
                                      for n, ids in quorums[index]):
                continue
            ready.append(index)
        return ready

    def hits(self, normalized: NormalizedText,
             found: list[tuple[int, int, int]]) -> dict[int, list[Span]]:
        """Occurrences of each term (at most MAX_OCCURRENCES each) from the automaton's output
        (:meth:`find` on ``normalized.text``)."""
        hits: dict[int, list[Span]] = {}
        edge = self._edge
        pattern_all = self._pattern_all
        for pattern, start, end in found:
            terms = pattern_all[pattern]
            if edge[pattern] and not _clean_edges(normalized, start, end, edge[pattern]):
                terms = self._pattern_raw.get(pattern, ())
            for term in terms:
                spans = hits.get(term)
                if spans is None:
                    hits[term] = [(start, end)]
                else:
                    spans.append((start, end))
        if len(found) > MAX_OCCURRENCES:
            for spans in hits.values():
                del spans[MAX_OCCURRENCES:]
        return hits

    def scan(self, normalized: NormalizedText) -> dict[int, list[Span]]:
        """Occurrences of each term in the normalized text (at most MAX_OCCURRENCES each)."""
        return self.hits(normalized, self._find(normalized.text))

    def state(self, text: str, hits: dict[int, list[Span]], timeout: float) -> ScanState:
        """Evaluation state for one message (or one conversation window)."""
        return ScanState(text, hits, timeout)

    @property
    def has_conversation_rules(self) -> bool:
        return bool(self._conversation_touches or self.conversation_always)

    def _ready_for(self, rules: Iterable[int], terms: Iterable[int]) -> list[int]:
        """:meth:`_ready` given the terms that have a hit."""
        if self._masks:
            masks = self._term_masks
            mask = 0
            for term in terms:
                mask |= masks[term]
            return self._ready_masks(rules, mask)
        parts = self._term_parts
        hit: set[int] = set()
        for term in terms:
            hit.update(parts[term])
        return self._ready(rules, hit)

    def touched_conversation(self, terms: Collection[int]) -> list[int]:
        """Indexes of the conversation-scope rules that terms seen in a window can make fire."""
        found: set[int] = set(self.conversation_always)
        touches = self._conversation_touches
        for term in terms:
            rules = touches.get(term)
            if rules:
                found.update(rules)
        if not found:
            return []
        return self._ready_for(sorted(found), terms)

    def touched(self, hits: Collection[int]) -> list[int]:
        """Indexes of the message-scope rules a set of term hits can make fire, in order: woken
        by one of their terms, with a hit in every term set they need and their quorums met."""
        touches = self._touches
        found: set[int] = set(self.always)
        for term in hits:
            found.update(touches[term])
        if not found:
            return []
        return self._ready_for(sorted(found), hits)


def _mask(bits: Iterable[int]) -> int:
    mask = 0
    for bit in bits:
        mask |= 1 << bit
    return mask


def _clean_edges(normalized: NormalizedText, start: int, end: int, edge: int) -> bool:
    """A Latin term must not sit inside a longer Latin word of the original text.

    A Latin letter in the original survives folding as a letter, so when the normalized
    neighbour is not a letter the original one is not either, and the offset map is not needed.
    """
    folded = normalized.text
    if not (edge & 1 and start > 0 and "a" <= folded[start - 1] <= "z") and not (
            edge & 2 and end < len(folded) and "a" <= folded[end] <= "z"):
        return True
    original = normalized.original
    first, last = normalized.span(start, end)
    if edge & 1 and first > 0 and is_ascii_letter(original[first - 1]):
        return False
    return not (edge & 2 and last < len(original) and is_ascii_letter(original[last]))


class _Builder:
    def __init__(self, packs: Sequence[Pack]) -> None:
        self.lists: dict[str, tuple[Term | ListRef, ...]] = {}
        for pack in packs:
            for name, items in pack.lists.items():
                self.lists.setdefault(name, items)
        self.term_index: dict[str, int] = {}
        self.terms: list[str] = []  # an exact term and its variant-bearing twin are two terms
        self.exact: list[bool] = []
        self.raw: list[bool] = []
        self.expanded: dict[str, frozenset[int]] = {}
        self.touches: dict[int, set[int]] = {}
        self.always: list[int] = []
        self.conversation_touches: dict[int, set[int]] = {}
        self.conversation_always: list[int] = []
        self.rules: list[CompiledRule] = []
        self.leaves: dict[frozenset[int], _Terms] = {}
        for pack in packs:
            for rule in pack.rules:
                index = len(self.rules)
                node = self.node(rule.condition)
                triggers = self.triggers(rule.condition)
                conversation = rule.scope == "conversation"
                if triggers is None:
                    (self.conversation_always if conversation else self.always).append(index)
                else:
                    touches = self.conversation_touches if conversation else self.touches
                    for term in triggers:
                        touches.setdefault(term, set()).add(index)
                needs = self.needs(rule.condition)
                required = tuple(sorted({sets[0] for n, sets in needs if len(sets) == 1},
                                        key=self.cost))
                quorums = tuple((n, sets) for n, sets in needs if len(sets) > 1)
                self.rules.append(CompiledRule(index, rule, node, required, quorums))

    def term_id(self, folded: str, exact: bool, raw: bool = False) -> int:
        """The index of a term. ``exact`` terms get no variants; ``raw`` ones (regex gates)
        also skip the Latin word-edge check, as the regex they gate would."""
        key = ("\0" if raw else "=" if exact else "") + folded
        index = self.term_index.get(key)
        if index is None:
            index = self.term_index[key] = len(self.terms)
            self.terms.append(folded)
            self.exact.append(exact)
            self.raw.append(raw)
        return index

    def expand(self, items: Iterable[Term | ListRef]) -> frozenset[int]:
        ids: set[int] = set()
        for item in items:
            if isinstance(item, Term):
                ids.add(self.term_id(item.folded, item.exact))
            else:
                if item.name not in self.expanded:
                    self.expanded[item.name] = frozenset()  # cycles were rejected earlier
                    self.expanded[item.name] = self.expand(self.lists[item.name])
                ids.update(self.expanded[item.name])
        return frozenset(ids)

    def leaf(self, items: Iterable[Term | ListRef]) -> _Terms:
        return self.intern(self.expand(items))

    def intern(self, ids: frozenset[int]) -> _Terms:
        node = self.leaves.get(ids)
        if node is None:
            node = self.leaves[ids] = _Terms(ids, len(self.leaves))
        return node

    def cost(self, terms: frozenset[int]) -> int:
        """How often a set of terms is expected to occur in ordinary chat, roughly: single
        characters (号, 出, 包) are everywhere, two-character words and short Latin tokens
        often, longer terms rarely. Rules are woken by their rarest necessary part."""
        return sum(_TERM_COST.get(len(self.terms[t]), 1) for t in terms)

    def gates(self, condition: Regex) -> list[frozenset[int]]:
        """Raw terms for each set of literals the regex's matches contain one of."""
        return [frozenset(self.term_id(text, exact=True, raw=True) for text in clause)
                for clause in required_clauses(condition.pattern)]

    def regex_parts(self, condition: Regex) -> list[frozenset[int]]:
        parts = [self.expand(condition.anchors)] if condition.anchors else []
        return [*parts, *self.gates(condition)]

    def needs(self, condition: Condition) -> list[Quorum]:
        """What must be seen for ``condition`` to hold: for each quorum ``(n, sets)``, at least
        ``n`` of the term sets have a hit (``n`` is 1 and there is one set for a plain part)."""
        if isinstance(condition, Term | ListRef):
            return [(1, (self.expand((condition,)),))]
        if isinstance(condition, Regex):
            return [(1, (part,)) for part in self.regex_parts(condition)]
        if isinstance(condition, AllOf):
            return [need for item in condition.items for need in self.needs(item)]
        if isinstance(condition, AnyOf):
            return [(1, (part,)) for part in
                    self.either([self.necessary(item) for item in condition.items])]
        # at_least n: items that can hold without any term lower the count still needed; two
        # items with the same trigger set count twice (the sets are a sequence, not a set)
        found = [self.triggers(item) for item in condition.items]
        known = tuple(f for f in found if f is not None)
        n = condition.n - (len(found) - len(known))
        if n <= 0:
            return []
        return [(1, (known[0],))] if len(known) == 1 else [(n, known)]

    def necessary(self, condition: Condition) -> list[frozenset[int]]:
        """Term sets that must each have a hit for ``condition`` to hold (a quorum gives the
        union of the sets of which one must hit: of any ``len - n + 1`` of them)."""
        parts: list[frozenset[int]] = []
        for n, sets in self.needs(condition):
            if n == 1 and len(sets) == 1:
                parts.append(sets[0])
            else:
                parts.append(frozenset().union(*sorted(sets, key=self.cost)[:len(sets) - n + 1]))
        return parts

    def either(self, alternatives: list[list[frozenset[int]]]) -> list[frozenset[int]]:
        """Term sets that must each have a hit when one of the alternatives holds (each given
        by the sets it needs): one set per way of picking a set from every alternative, their
        union; the rarest sets of each are kept when there would be too many."""
        if not alternatives or any(not sets for sets in alternatives):
            return []
        picks = [sorted(sets, key=self.cost) for sets in alternatives]
        while math.prod(map(len, picks)) > _MAX_PRODUCT:
            max(picks, key=len).pop()
        unions = {frozenset().union(*choice) for choice in itertools.product(*picks)}
        return sorted((u for u in unions if not any(other < u for other in unions)),
                      key=self.cost)

    def triggers(self, condition: Condition) -> frozenset[int] | None:
        """Terms of which at least one must occur for ``condition`` to hold (``None``: it can
        hold with no term at all). Only rules touched by one of these are evaluated."""
        if isinstance(condition, Term | ListRef):
            return self.expand((condition,))
        if isinstance(condition, Regex):
            parts = self.regex_parts(condition)
            return min(parts, key=self.cost) if parts else None
        found = [self.triggers(item) for item in condition.items]
        if isinstance(condition, AnyOf):
            if any(f is None for f in found):
                return None
            return frozenset().union(*(f for f in found if f is not None))
        known = sorted((f for f in found if f is not None), key=self.cost)
        if isinstance(condition, AllOf):
            return known[0] if known else None
        needed = len(condition.items) - condition.n + 1  # one of any `needed` items holds
        if len(known) < needed:
            return None
        return frozenset().union(*known[:needed])

    def node(self, condition: Condition) -> _Node:
        if isinstance(condition, Term | ListRef):
            return self.leaf((condition,))
        unless = self.node(condition.unless) if condition.unless is not None else None
        if isinstance(condition, Regex):
            anchors = self.leaf(condition.anchors) if condition.anchors else None
            gates = tuple(sorted(self.gates(condition), key=self.cost))  # rarest first
            return _Regex(regex.compile(condition.pattern), anchors, gates, unless)
        items = tuple(self.node(item) for item in condition.items)
        if isinstance(condition, AllOf):
            # Cheapest first: a term lookup can fail the whole 'all' before a regex runs.
            items = tuple(sorted(items, key=_expense))
        if isinstance(condition, AnyOf):
            if unless is None and all(isinstance(i, _Terms) for i in items):
                return self.intern(frozenset().union(
                    *(i.terms for i in items if isinstance(i, _Terms))))
            return _Any(items, unless)
        if isinstance(condition, AllOf):
            return _All(items, condition.within, unless)
        return _AtLeast(condition.n, items, condition.within, unless)


def _expense(node: _Node) -> int:
    """Rough cost of evaluating a node: term lookups, then nested conditions, then regexes."""
    if isinstance(node, _Terms):
        return 0
    if isinstance(node, _Regex):
        return 2
    return 1


def _categories(packs: Sequence[Pack]) -> dict[str, CategoryInfo]:
    found: dict[str, list[float | None]] = {}
    for pack in packs:
        if pack.category is None:
            continue
        mine = [pack.bias, pack.review, pack.block]
        if pack.category in found:
            found[pack.category] = [a if a is not None else b
                                    for a, b in zip(found[pack.category], mine, strict=True)]
        else:
            found[pack.category] = mine
    result: dict[str, CategoryInfo] = {}
    for name, (bias, review, block) in found.items():
        result[name] = CategoryInfo(
            name,
            DEFAULT_BIAS if bias is None else bias,
            DEFAULT_REVIEW if review is None else review,
            DEFAULT_BLOCK if block is None else block,
        )
    return result


def _version(packs: Sequence[Pack]) -> str:
    digest = hashlib.sha256()
    for pack in packs:
        digest.update(pack.name.encode())
        digest.update(b"\0")
        digest.update(pack.source.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    names = ",".join(f"{p.name}@{p.version}" for p in packs)
    return f"{names}#{digest.hexdigest()[:12]}"


def compile_packs(packs: Sequence[Pack]) -> Ruleset:
    """Check the packs as a set (raising PackError on the first problem) and compile them."""
    check_packs(packs, fail_fast=True)
    return Ruleset(packs)


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)

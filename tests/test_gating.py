"""The shortcuts that decide which rules are evaluated never change a verdict.

``score()`` evaluates only the rules :meth:`Ruleset.candidates` returns, and a regex runs only
when every literal set the prefilter derived from it has a hit. Here every message-scope rule
of the bundled packs is evaluated on every message with no gating at all (regexes run
unconditionally, every occurrence is computed), and the rules that fire, with the spans of
their first occurrence, must be exactly what ``score()`` reports (``score()`` asks each rule
for its first occurrence only).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

import fraudrules
from benchmarks.traffic import generate
from fraudrules import compiler, normalize
from fraudrules.compiler import (
    MAX_OCCURRENCES,
    Occurrence,
    Ruleset,
    ScanState,
    _All,
    _Any,
    _AtLeast,
    _closest,
    _combine,
    _Node,
    _Regex,
    _Terms,
)
from fraudrules.prefilter import required_clauses

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "messages.jsonl"


def _texts() -> list[str]:
    texts = [m.text for m in generate(3000, seed=11)]
    for path in sorted((ROOT / "tests" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    if CORPUS.exists():
        for line in CORPUS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


TEXTS = _texts()


@pytest.fixture(scope="module")
def classifier() -> fraudrules.Classifier:
    return fraudrules.load()


def _ungated(node: _Node, state: ScanState) -> list[Occurrence]:
    """The condition tree evaluated the plain way: regexes always run."""
    if isinstance(node, _Terms):
        return node.evaluate(state)
    found: list[Occurrence]
    if isinstance(node, _Regex):  # the author's anchors are part of the rule; gates are not
        if node.anchors is not None and not node.anchors.evaluate(state):
            return []
        found = []
        for match in node.pattern.finditer(state.text):
            if match.end() > match.start():
                found.append((match.start(), match.end(), (match.span(),)))
                if len(found) >= MAX_OCCURRENCES:
                    break
    elif isinstance(node, _Any):
        found = sorted(o for item in node.items for o in _ungated(item, state))
        found = found[:MAX_OCCURRENCES]
    elif isinstance(node, _All):
        parts = [_ungated(item, state) for item in node.items]
        if not all(parts):
            found = []
        elif node.within is None:
            found = [_combine([p[0] for p in parts])]
        else:
            found = _closest(parts, len(parts), node.within)
    elif isinstance(node, _AtLeast):
        parts = [p for p in (_ungated(item, state) for item in node.items) if p]
        if len(parts) < node.n:
            found = []
        elif node.within is None:
            found = [_combine([p[0] for p in parts[: node.n]])]
        else:
            found = _closest(parts, node.n, node.within)
    else:  # pragma: no cover - a new node type must be added here
        raise AssertionError(type(node))
    if found and node.unless is not None and _ungated(node.unless, state):
        return []
    return found


Fired = tuple[str, int, int, tuple[tuple[int, int], ...]]


def _fired_ungated(ruleset: Ruleset, text: str) -> list[Fired]:
    """Each firing rule with the original spans of its first occurrence (as a Match has)."""
    normalized = normalize(text)
    state = ruleset.state(normalized.text, ruleset.scan(normalized), 10.0)
    fired = []
    for compiled in ruleset.rules:
        if compiled.rule.scope != "message":
            continue
        found = _ungated(compiled.node, state)
        if found:
            start, end, parts = found[0]
            fired.append((compiled.rule.id, *normalized.span(start, end),
                          tuple(normalized.span(s, e) for s, e in parts)))
    return fired


def _fired(classifier: fraudrules.Classifier, text: str) -> list[Fired]:
    return [(m.rule_id, m.start, m.end, m.parts) for m in classifier.score(text).matches]


def test_score_fires_exactly_the_rules_an_ungated_evaluation_fires(
        classifier: fraudrules.Classifier) -> None:
    ruleset = classifier.ruleset
    differences = []
    fired_somewhere = 0
    for full in TEXTS:
        text = full[: classifier.max_chars]
        expected = _fired_ungated(ruleset, text)
        got = _fired(classifier, text)
        fired_somewhere += bool(expected)
        if got != expected:
            differences.append((text, expected, got))
    assert not differences[:5]
    assert fired_somewhere > len(TEXTS) // 20  # the texts exercise the rules


def test_a_limit_keeps_the_first_occurrences_of_the_full_evaluation(
        classifier: fraudrules.Classifier) -> None:
    ruleset = classifier.ruleset
    compared = 0
    for text in TEXTS[:2000]:
        normalized = normalize(text)
        hits = ruleset.scan(normalized)
        for index in ruleset.touched(hits.keys()):
            node = ruleset.rules[index].node
            full = node.evaluate(ruleset.state(normalized.text, hits, 10.0))
            for limit in (1, 2):
                state = ruleset.state(normalized.text, hits, 10.0)
                assert node.evaluate(state, limit) == full[:limit], (text, index, limit)
            compared += len(full) > 2
    assert compared > 50  # rules with several occurrences were compared


def test_parts_as_sets_choose_what_parts_as_masks_choose(
        classifier: fraudrules.Classifier, monkeypatch: pytest.MonkeyPatch) -> None:
    # a ruleset with more than _MASK_PARTS parts keeps its hit parts in sets
    monkeypatch.setattr(compiler, "_MASK_PARTS", 0)
    sets = fraudrules.load().ruleset
    masks = classifier.ruleset
    assert masks._masks
    assert not sets._masks
    for text in TEXTS[:3000]:
        normalized = normalize(text)
        found = masks.find(normalized.text)
        assert sets.candidates(found) == masks.candidates(found), text
        terms = masks.hits(normalized, found).keys()
        assert sets.touched(terms) == masks.touched(terms), text


def test_candidates_include_every_rule_the_term_hits_touch(
        classifier: fraudrules.Classifier) -> None:
    ruleset = classifier.ruleset
    for text in TEXTS[:3000]:
        normalized = normalize(text)
        found = ruleset.find(normalized.text)
        touched = ruleset.touched(ruleset.hits(normalized, found).keys())
        assert set(touched) <= set(ruleset.candidates(found)), text


def _bundled_regexes(classifier: fraudrules.Classifier) -> list[str]:
    patterns: set[str] = set()

    def walk(node: _Node | None) -> None:
        if node is None:
            return
        if isinstance(node, _Regex):
            patterns.add(node.pattern.pattern)
        for item in getattr(node, "items", ()):
            walk(item)
        walk(node.unless)

    for compiled in classifier.ruleset.rules:
        walk(compiled.node)
    return sorted(patterns)


def test_every_bundled_regex_match_holds_a_string_of_each_clause(
        classifier: fraudrules.Classifier) -> None:
    normalized = [normalize(text).text for text in TEXTS]
    checked = 0
    for pattern in _bundled_regexes(classifier):
        clauses = required_clauses(pattern)
        compiled = regex.compile(pattern)
        for text in normalized:
            for match in compiled.finditer(text):
                if match.end() > match.start():
                    checked += 1
                    for clause in clauses:
                        assert any(s in match.group() for s in clause), (pattern, match)
    assert checked > 500


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(
    ["出租", "微信", "号", "个", "包", "雷", "赔", "1.5倍", "30", "元", "一天", "红包", "群",
     "抽水", "5%", "老师", "带单", "收益", "vx", "扫雷", " ", "，", "出", "收", "卖", "十"]),
    max_size=12))
def test_gating_never_changes_what_fires_on_scam_like_text(
        classifier: fraudrules.Classifier, pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _fired(classifier, text) == _fired_ungated(classifier.ruleset, text)

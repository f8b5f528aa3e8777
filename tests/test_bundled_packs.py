"""The bundled packs: their own examples pass, and survive obfuscation (mutation tests)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources

import pytest

import fraudrules
from fraudrules import Classifier
from fraudrules.checks import check_examples, lint, score_example
from fraudrules.engine import bundled_pack_paths
from fraudrules.packs import Example, Rule


@cache
def bundled() -> Classifier:
    return fraudrules.load()


def test_bundled_packs_lint_without_errors_or_warnings() -> None:
    # Warnings matter here: a regex without anchors runs on every message of every user.
    assert [str(p) for p in lint(bundled_pack_paths())] == []


def test_bundled_packs_cover_the_three_scams() -> None:
    assert set(bundled().categories) == {"red_envelope_gambling", "investment_scam",
                                         "account_trading"}


def test_every_category_has_conversation_rules() -> None:
    scopes = {(c.rule.category, c.rule.scope) for c in bundled().ruleset.rules}
    for category in bundled().categories:
        assert (category, "conversation") in scopes, category


def test_every_bundled_rule_has_a_match_example() -> None:
    rules = [c.rule for c in bundled().ruleset.rules]
    assert len(rules) >= 60
    assert [r.id for r in rules if not r.match_examples] == []


def test_every_bundled_example_passes() -> None:
    results = check_examples(bundled())
    failures = [f"{r.rule_id}: {r.text!r} (fired: {', '.join(r.fired_rules)})"
                for r in results if not r.passed]
    assert failures == []
    assert len(results) > 200


# --- mutation tests ----------------------------------------------------------------------------


@cache
def simplified_to_traditional() -> dict[str, str]:
    """Invert the shipped traditional → simplified table, keeping only exact round trips."""
    text = resources.files("fraudrules.data").joinpath("ts_characters.txt").read_text("utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        traditional, _, simplified = line.partition("\t")
        simplified = simplified.split(" ")[0]
        if len(traditional) == 1 and len(simplified) == 1 and traditional != simplified:
            table.setdefault(simplified, traditional)
    return table


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalpha()


def separated(separator: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        out = []
        for index, char in enumerate(text):
            out.append(char)
            following = text[index + 1] if index + 1 < len(text) else ""
            # Not inside Latin words: a Latin term must not match in the middle of a word.
            if following and not (_is_latin(char) and _is_latin(following)):
                out.append(separator)
        return "".join(out)

    return mutate


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def traditional(text: str) -> str:
    table = simplified_to_traditional()
    return "".join(table.get(c, c) for c in text)


CIRCLED = {str(d): chr(0x2460 + d - 1) for d in range(1, 10)} | {"0": "⓪"}


def circled(text: str) -> str:
    return "".join(CIRCLED.get(c, c) for c in text)


MUTATIONS: dict[str, Callable[[str], str]] = {
    "spaces": separated(" "),
    "asterisks": separated("*"),
    "zero-width": separated("\u200b"),
    "fullwidth": fullwidth,
    "traditional": traditional,
    "circled-digits": circled,
}


def _examples(expected: bool) -> list[tuple[Rule, Example]]:
    pairs = []
    for compiled in bundled().ruleset.rules:
        rule = compiled.rule
        examples = rule.match_examples if expected else rule.no_match_examples
        pairs.extend((rule, example) for example in examples)
    return pairs


def _mutated(example: Example, mutate: Callable[[str], str]) -> Example:
    """Obfuscate a text example, or every message of a conversation example."""
    if isinstance(example, str):
        return mutate(example)
    return tuple((sender, mutate(text)) for sender, text in example)


def _fired(rule: Rule, example: Example) -> bool:
    verdict, _ = score_example(bundled(), example, rule.scope)
    return rule.id in {m.rule_id for m in verdict.matches}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_obfuscated_match_examples_still_fire_their_rule(mutation: str) -> None:
    mutate = MUTATIONS[mutation]
    missed = [f"{rule.id}: {_mutated(example, mutate)!r}" for rule, example in _examples(True)
              if not _fired(rule, _mutated(example, mutate))]
    assert missed == []


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_obfuscated_no_match_examples_still_do_not_fire(mutation: str) -> None:
    mutate = MUTATIONS[mutation]
    fired = [f"{rule.id}: {_mutated(example, mutate)!r}" for rule, example in _examples(False)
             if _fired(rule, _mutated(example, mutate))]
    assert fired == []


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_mutations_change_the_text_but_not_its_normalized_view(mutation: str) -> None:
    sample = "出租微信号30天vx"
    mutated = MUTATIONS[mutation](sample)
    assert mutated != sample
    assert fraudrules.normalize(mutated).text == fraudrules.normalize(sample).text

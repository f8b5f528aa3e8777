"""Checks for rule authors: ``lint`` (every problem in a set of packs) and ``check_examples``
(every rule's ``match`` / ``no_match`` examples run against the loaded ruleset)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .compiler import Ruleset
from .engine import Classifier, expand_paths
from .errors import PackError
from .packs import Example, Pack, check_packs, parse_pack, read_pack_file
from .verdict import Verdict

__all__ = ["ExampleResult", "check_examples", "lint", "score_example"]


def lint(paths: Iterable[str | Path], *, extra: Iterable[str | Path] = ()) -> list[PackError]:
    """Every error and warning in the packs at ``paths`` (files or folders), in file order.

    Packs in ``extra`` (for example the bundled ones) are read for their lists and rule ids but
    not reported on. Errors have ``severity == "error"``; the rest are warnings.
    """
    problems: list[PackError] = []
    packs: list[Pack] = []
    try:
        files = expand_paths(paths)
        extra_files = expand_paths(extra)
    except PackError as exc:
        return [exc]
    reported = {str(p) for p in files}
    for path in [*extra_files, *files]:
        try:
            text = read_pack_file(path)
        except PackError as exc:
            problems.append(exc)
            continue
        pack, found = parse_pack(text, str(path), fail_fast=False)
        if str(path) in reported:
            problems.extend(found)
        if pack is not None:
            packs.append(pack)
    for problem in check_packs(packs, fail_fast=False):
        if problem.location is None or problem.location.path in reported:
            problems.append(problem)
    return problems


@dataclass(frozen=True, slots=True)
class ExampleResult:
    """One example of one rule: did the rule fire as the example says it should?

    ``text`` is the example's text; for a conversation example, its messages joined by
    `` / ``."""

    rule_id: str
    text: str
    expected: bool  # True for a ``match`` example
    fired: bool
    fired_rules: tuple[str, ...]
    location: str

    @property
    def passed(self) -> bool:
        return self.fired == self.expected


def check_examples(classifier: Classifier, *, only: Iterable[str] | None = None
                   ) -> list[ExampleResult]:
    """Score every example of every rule (or of the packs named in ``only``) with
    ``classifier`` and report whether the rule fired."""
    ruleset: Ruleset = classifier.ruleset
    wanted = set(only) if only is not None else None
    results: list[ExampleResult] = []
    for compiled in ruleset.rules:
        rule = compiled.rule
        if wanted is not None and rule.pack not in wanted:
            continue
        for expected, examples in ((True, rule.match_examples),
                                   (False, rule.no_match_examples)):
            for example in examples:
                verdict, text = score_example(classifier, example, rule.scope)
                fired_rules = tuple(dict.fromkeys(m.rule_id for m in verdict.matches))
                results.append(ExampleResult(rule.id, text, expected, rule.id in fired_rules,
                                             fired_rules, str(rule.location)))
    return results


def score_example(classifier: Classifier, example: Example, scope: str) -> tuple[Verdict, str]:
    """Score one rule example; return the verdict and the example as one text.

    A text example of a message rule is scored alone; conversation examples (and text
    examples of conversation rules) are added to a fresh conversation, and the verdict after
    the last message is used."""
    if isinstance(example, str):
        if scope == "message":
            return classifier.score(example), example
        example = ((None, example),)
    chat = classifier.conversation()
    verdict = classifier.score("")
    for sender, text in example:
        verdict = chat.add(text, sender=sender)
    return verdict, " / ".join(text for _, text in example)

"""Which rules cost the most on ordinary traffic: how often each is evaluated and the time spent.

    python -m benchmarks.rule_costs [--messages 20000] [--top 25]

A rule is evaluated when the automaton's output holds a hit for each term set it needs (see
``Ruleset.candidates``); rules whose needed sets are all common characters and that run large
regexes are the usual culprits. Times are wall-clock, so run on an idle machine; the counts are
exact.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import fraudrules
from benchmarks.traffic import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    classifier = fraudrules.load()
    ruleset = classifier.ruleset
    texts = [m.text for m in generate(args.messages)]
    evaluated: Counter[int] = Counter()
    fired: Counter[int] = Counter()
    spent: Counter[int] = Counter()
    for text in texts:
        normalized = fraudrules.normalize(text[: classifier.max_chars])
        found = ruleset.find(normalized.text)
        candidates = ruleset.candidates(found)
        if not candidates:
            continue
        state = ruleset.state(normalized.text, ruleset.hits(normalized, found),
                              classifier.regex_timeout)
        for index in candidates:
            started = time.perf_counter_ns()
            occurrences = ruleset.rules[index].node.evaluate(state, 1)  # as score() asks
            spent[index] += time.perf_counter_ns() - started
            evaluated[index] += 1
            fired[index] += bool(occurrences)
    total = sum(spent.values())
    print(f"{len(texts)} messages, {sum(evaluated.values()) / len(texts):.2f} rule evaluations "
          f"per message, {total / len(texts) / 1000:.1f} µs of rule evaluation per message")
    print(f"{'rule':<10} {'evaluated':>9} {'fired':>6} {'µs/msg':>7}  description")
    for index, cost in spent.most_common(args.top):
        rule = ruleset.rules[index].rule
        print(f"{rule.id:<10} {evaluated[index] / len(texts):>8.1%} {fired[index]:>6} "
              f"{cost / len(texts) / 1000:>7.2f}  {rule.description[:60]}")


if __name__ == "__main__":
    main()

"""A synthetic ruleset: N rules over M distinct random CJK terms, written as YAML packs.

Terms are 2-4 characters drawn from the characters of the chat traffic (weighted by how often
they occur there), so they hit ordinary messages about as often as real vocabulary does. Rules
cycle through ``any``, ``all``, ``all`` + ``within`` and ``at_least``.

>>> import tempfile, fraudrules
>>> with tempfile.TemporaryDirectory() as folder:
...     paths = write_packs(folder, rules=40, terms=80, seed=1)
...     len(fraudrules.load(paths, packs=[]).ruleset.rules)
40
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

from fraudrules import normalize

from .traffic import generate

__all__ = ["write_packs"]

PACKS = 4


def _alphabet(seed: int) -> tuple[list[str], list[int]]:
    counts = Counter(c for m in generate(3000, seed=seed) for c in m.text
                     if "\u4e00" <= c <= "\u9fff")
    extra = [chr(c) for c in range(0x4E00, 0x9FA6, 7)]  # rarer characters, so terms stay distinct
    chars = [*counts, *extra]
    # between uniform (random terms rarely occur) and frequency (everything hits): sqrt
    weights = [*(round(n**0.5) for n in counts.values()), *[1] * len(extra)]
    return chars, weights


def _terms(count: int, rng: random.Random, seed: int) -> list[str]:
    chars, weights = _alphabet(seed)
    found: dict[str, str] = {}  # folded -> as written
    while len(found) < count:
        size = rng.choice((2, 2, 3, 3, 3, 4, 4))
        term = "".join(rng.choices(chars, weights, k=size))
        folded = normalize(term).text
        if len(folded) >= 2 and folded not in found:
            found[folded] = term
    return list(found.values())


def _rule(index: int, kind: int, take: list[str], rng: random.Random) -> dict[str, object]:
    rule: dict[str, object] = {"id": f"SYN-{index:05d}", "description": f"synthetic rule {index}",
                               "weight": round(rng.uniform(-0.5, 3.0), 2)}
    if kind == 0:
        rule["any"] = take[:2]
        example = take[0]
    elif kind == 1:
        rule["all"] = take[:2]
        example = "".join(take[:2])
    elif kind == 2:
        rule["all"] = take[:2]
        rule["within"] = rng.choice((4, 8, 12))
        example = "".join(take[:2])
    else:
        rule["at_least"] = {"n": 2, "of": take[:3]}
        example = "".join(take[:2])
    rule["examples"] = {"match": [example]}
    return rule


def write_packs(folder: str | Path, *, rules: int = 10_000, terms: int = 20_000,
                seed: int = 2026) -> list[Path]:
    """Write ``PACKS`` pack files with ``rules`` rules over ``terms`` distinct terms in total;
    return their paths."""
    rng = random.Random(seed)
    vocabulary = _terms(terms, rng, seed)
    rng.shuffle(vocabulary)
    position = 0
    packs: list[list[dict[str, object]]] = [[] for _ in range(PACKS)]
    for index in range(rules):
        kind = index % 4
        need = 3 if kind == 3 else 2
        take: list[str] = []
        while len(take) < need:
            if position < len(vocabulary):
                candidate = vocabulary[position]
                position += 1
            else:  # every term is used; later rules share terms, as real packs do
                candidate = rng.choice(vocabulary)
            if candidate not in take:
                take.append(candidate)
        packs[index % PACKS].append(_rule(index, kind, take, rng))
    # terms left over (when rules need fewer) go into one catch-all rule per pack
    leftover = vocabulary[position:]
    paths: list[Path] = []
    for number, pack_rules in enumerate(packs):
        if leftover:
            share = leftover[number::PACKS]
            if share:
                pack_rules.append({"id": f"SYN-REST-{number}", "description": "remaining terms",
                                   "weight": 0.1, "any": share,
                                   "examples": {"match": [share[0]]}})
        lines = [f"pack: synthetic_{number}", "version: '1.0'",
                 f"category: synthetic_{number}", "description: synthetic benchmark pack",
                 "rules:"]
        lines.extend(f"  - {json.dumps(rule, ensure_ascii=False)}" for rule in pack_rules)
        path = Path(folder) / f"synthetic_{number}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths

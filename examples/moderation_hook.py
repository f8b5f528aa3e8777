"""A moderation hook: read messages as JSON Lines, route each to an allow / review / block queue
with the reasons, and write the queues as JSON Lines files.

Run: python examples/moderation_hook.py examples/messages.jsonl --out queues/
     (reads stdin when no file is given)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

import fraudrules


def route(classifier: fraudrules.Classifier, record: dict[str, object]) -> tuple[str, dict]:
    text = record.get("text")
    if not isinstance(text, str):
        return "review", {**record, "reasons": ["message has no text field"]}
    verdict = classifier.score(text)
    reasons = [f"{m.rule_id} {m.description}: {m.text!r}" for m in verdict.matches
               if m.contribution > 0]
    return verdict.action, {**record, "category": verdict.category,
                            "score": round(verdict.score, 3), "reasons": reasons}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", help="JSON Lines with a 'text' field (default stdin)")
    parser.add_argument("--out", default="queues", help="folder for allow/review/block.jsonl")
    args = parser.parse_args()

    classifier = fraudrules.load()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    counts = {"allow": 0, "review": 0, "block": 0}
    with contextlib.ExitStack() as stack:
        queues = {name: stack.enter_context(open(out / f"{name}.jsonl", "w", encoding="utf-8"))
                  for name in counts}
        stream = (stack.enter_context(open(args.file, encoding="utf-8")) if args.file
                  else sys.stdin)
        for line in stream:
            if not line.strip():
                continue
            action, item = route(classifier, json.loads(line))
            queues[action].write(json.dumps(item, ensure_ascii=False) + "\n")
            counts[action] += 1
            if action != "allow":
                print(f"{action:6} {item.get('id')}: {'; '.join(item['reasons'])}")
    print(" ".join(f"{name}={n}" for name, n in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

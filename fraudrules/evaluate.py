"""Measure a classifier on a labelled corpus (JSON Lines): what rule authors tune against.

A message counts as *flagged* when its action is ``review`` or ``block``; a flagged message is
predicted to be its verdict's category, an unflagged one is predicted ``clean``. The report
holds precision / recall / F1 per category and overall (scam vs clean), the confusion matrix,
the false-positive rate on clean messages at ``review`` and at ``block``, recall split by the
``evasion`` flag, the share of flagged scams given the right category, the false positives and
false negatives with the rules that fired, and a per-rule hit table in the manner of
SpamAssassin's hit-frequencies.

Not imported by the scoring path.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import Classifier
from .errors import FraudRulesError

__all__ = ["Report", "evaluate", "evaluate_file", "format_report"]


@dataclass(frozen=True, slots=True)
class Record:
    text: str
    label: str
    evasion: bool | None
    id: str


@dataclass(frozen=True, slots=True)
class Outcome:
    record: Record
    action: str
    category: str | None
    score: float
    rules: tuple[str, ...]

    @property
    def predicted(self) -> str | None:
        """The predicted label, ``None`` meaning clean."""
        return self.category if self.action != "allow" else None


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


@dataclass
class Report:
    clean_label: str
    outcomes: list[Outcome]
    categories: list[str]
    rule_categories: dict[str, str] = field(default_factory=dict)
    benign_rules: frozenset[str] = frozenset()  # negative weight: meant to hit clean messages

    # --- derived figures --------------------------------------------------------------------

    def _scam(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.record.label != self.clean_label]

    def _clean(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.record.label == self.clean_label]

    def per_category(self) -> dict[str, dict[str, float | int | None]]:
        result: dict[str, dict[str, float | int | None]] = {}
        for category in self.categories:
            tp = sum(1 for o in self.outcomes
                     if o.predicted == category and o.record.label == category)
            predicted = sum(1 for o in self.outcomes if o.predicted == category)
            actual = sum(1 for o in self.outcomes if o.record.label == category)
            precision = _ratio(tp, predicted)
            recall = _ratio(tp, actual)
            f1 = (2 * precision * recall / (precision + recall)
                  if precision and recall else None)
            result[category] = {"support": actual, "predicted": predicted, "true_positive": tp,
                                "precision": precision, "recall": recall, "f1": f1}
        return result

    def overall(self) -> dict[str, float | int | None]:
        scam = self._scam()
        clean = self._clean()
        tp = sum(1 for o in scam if o.predicted is not None)
        fp = sum(1 for o in clean if o.predicted is not None)
        precision = _ratio(tp, tp + fp)
        recall = _ratio(tp, len(scam))
        f1 = (2 * precision * recall / (precision + recall)
              if precision and recall else None)
        right = sum(1 for o in scam if o.predicted == o.record.label)
        return {
            "messages": len(self.outcomes),
            "scam": len(scam),
            "clean": len(clean),
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "recall_plain": _ratio(sum(1 for o in scam if o.predicted and not o.record.evasion),
                                   sum(1 for o in scam if not o.record.evasion)),
            "recall_evasive": _ratio(sum(1 for o in scam if o.predicted and o.record.evasion),
                                     sum(1 for o in scam if o.record.evasion)),
            "evasive": sum(1 for o in scam if o.record.evasion),
            "category_accuracy": _ratio(right, tp),
            "clean_flagged_review": _ratio(fp, len(clean)),
            "clean_flagged_block": _ratio(sum(1 for o in clean if o.action == "block"),
                                          len(clean)),
        }

    def recall_by_evasion(self) -> dict[str, dict[str, float | None]]:
        result: dict[str, dict[str, float | None]] = {}
        for category in self.categories:
            rows = [o for o in self.outcomes if o.record.label == category]
            result[category] = {
                "plain": _ratio(sum(1 for o in rows if o.predicted and not o.record.evasion),
                                sum(1 for o in rows if not o.record.evasion)),
                "evasive": _ratio(sum(1 for o in rows if o.predicted and o.record.evasion),
                                  sum(1 for o in rows if o.record.evasion)),
            }
        return result

    def confusion(self) -> dict[str, dict[str, int]]:
        labels = [*self.categories, self.clean_label]
        matrix = {actual: dict.fromkeys(labels, 0) for actual in labels}
        for o in self.outcomes:
            actual = o.record.label
            predicted = o.predicted or self.clean_label
            matrix.setdefault(actual, dict.fromkeys(labels, 0))
            matrix[actual][predicted] = matrix[actual].get(predicted, 0) + 1
        return matrix

    def false_positives(self) -> list[Outcome]:
        """Clean messages flagged, and scams flagged as the wrong category."""
        return [o for o in self.outcomes
                if o.predicted is not None and o.predicted != o.record.label]

    def false_negatives(self) -> list[Outcome]:
        return [o for o in self._scam() if o.predicted is None]

    def rule_table(self) -> list[dict[str, Any]]:
        hits: dict[str, Counter[str]] = defaultdict(Counter)
        for o in self.outcomes:
            for rule_id in o.rules:
                hits[rule_id][o.record.label] += 1
        rows = []
        for rule_id in sorted(set(self.rule_categories) | set(hits)):
            counter = hits.get(rule_id, Counter())
            total = sum(counter.values())
            own = self.rule_categories.get(rule_id)
            benign = rule_id in self.benign_rules
            target = self.clean_label if benign else own or ""
            rows.append({"rule_id": rule_id, "category": own, "benign": benign, "hits": total,
                         "by_label": dict(counter),
                         "precision": _ratio(counter.get(target, 0), total)})
        return rows

    def to_dict(self) -> dict[str, Any]:
        def outcome(o: Outcome) -> dict[str, Any]:
            return {"id": o.record.id, "text": o.record.text, "label": o.record.label,
                    "evasion": o.record.evasion, "action": o.action, "category": o.category,
                    "score": o.score, "rules": list(o.rules)}

        return {
            "overall": self.overall(),
            "per_category": self.per_category(),
            "recall_by_evasion": self.recall_by_evasion(),
            "confusion": self.confusion(),
            "false_positives": [outcome(o) for o in self.false_positives()],
            "false_negatives": [outcome(o) for o in self.false_negatives()],
            "rules": self.rule_table(),
        }


def evaluate(classifier: Classifier, records: Iterable[Mapping[str, Any]], *,
             field: str = "text", label: str = "label",
             clean_label: str = "clean") -> Report:
    """Score labelled records (mappings with a text and a label field) and build a Report."""
    outcomes: list[Outcome] = []
    for number, raw in enumerate(records, start=1):
        text = raw.get(field)
        gold = raw.get(label)
        if not isinstance(text, str) or not isinstance(gold, str):
            raise FraudRulesError(f"record {number}: needs string fields '{field}' and "
                                  f"'{label}'")
        evasion = raw.get("evasion")
        record = Record(text, gold, evasion if isinstance(evasion, bool) else None,
                        str(raw.get("id", number)))
        verdict = classifier.score(text)
        outcomes.append(Outcome(record, verdict.action, verdict.category, verdict.score,
                                tuple(m.rule_id for m in verdict.matches)))
    labels = {o.record.label for o in outcomes} - {clean_label}
    categories = sorted(set(classifier.categories) | labels)
    rules = [c.rule for c in classifier.ruleset.rules]
    return Report(clean_label, outcomes, categories, {r.id: r.category for r in rules},
                  frozenset(r.id for r in rules if r.weight < 0))


def evaluate_file(classifier: Classifier, path: str | Path, **options: str) -> Report:
    """Read a JSON Lines corpus and :func:`evaluate` it."""
    records = []
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FraudRulesError(f"{path}:{number}: not JSON: {exc.msg}") from exc
            if not isinstance(record, dict):
                raise FraudRulesError(f"{path}:{number}: expected a JSON object")
            records.append(record)
    return evaluate(classifier, records, **options)


def _pct(value: float | int | None) -> str:
    return "   -  " if value is None else f"{100 * value:5.1f}%"


def format_report(report: Report, *, max_errors: int = 30) -> str:
    """The report as text, with the headline figures last (where a terminal's tail shows)."""
    out: list[str] = []
    rules = [r for r in report.rule_table() if r["hits"]]
    labels = [*report.categories, report.clean_label]
    out.append("Per-rule hits (label counts; precision = share of hits on the rule's category,"
               f" or on '{report.clean_label}' for benign rules marked -)")
    out.append(f"  {'rule':<11} {'hits':>5} {'prec':>7}  by label")
    for row in sorted(rules, key=lambda r: (-r["hits"], r["rule_id"])):
        by_label = " ".join(f"{k}={v}" for k, v in sorted(row["by_label"].items()))
        name = row["rule_id"] + (" -" if row["benign"] else "")
        out.append(f"  {name:<11} {row['hits']:>5} {_pct(row['precision']):>7}  {by_label}")
    silent = [r["rule_id"] for r in report.rule_table() if not r["hits"]]
    if silent:
        out.append(f"  never fired ({len(silent)}): {' '.join(silent)}")

    for title, rows in (("False positives", report.false_positives()),
                        ("False negatives", report.false_negatives())):
        out.append(f"\n{title} ({len(rows)}):")
        for o in rows[:max_errors]:
            text = o.record.text.replace("\n", " ")
            out.append(f"  [{o.record.id}] {o.record.label} → {o.predicted or 'clean'} "
                       f"({o.action} {o.score:.2f}) {text[:70]}")
            out.append(f"      rules: {', '.join(o.rules) or '-'}")
        if len(rows) > max_errors:
            out.append(f"  … {len(rows) - max_errors} more (--errors N or --json)")

    out.append("\nConfusion matrix (rows: label, columns: prediction)")
    width = max(len(x) for x in labels) + 1
    out.append(" " * width + "".join(f"{x[:12]:>13}" for x in labels))
    for actual, row in report.confusion().items():
        out.append(f"{actual:<{width}}" + "".join(f"{row.get(x, 0):>13}" for x in labels))

    out.append("\nPer category           support  precision  recall    F1   plain  evasive")
    evasion = report.recall_by_evasion()
    for category, m in report.per_category().items():
        out.append(f"  {category:<22} {m['support']:>5}    {_pct(m['precision'])}  "
                   f"{_pct(m['recall'])} {_pct(m['f1'])} {_pct(evasion[category]['plain'])} "
                   f"{_pct(evasion[category]['evasive'])}")
    t = report.overall()
    out.append(f"\nOverall ({t['messages']} messages: {t['scam']} scam, {t['clean']} clean)")
    out.append(f"  precision {_pct(t['precision'])}  recall {_pct(t['recall'])}  "
               f"F1 {_pct(t['f1'])}")
    out.append(f"  recall plain {_pct(t['recall_plain'])}  recall evasive "
               f"{_pct(t['recall_evasive'])} ({t['evasive']} evasive)")
    out.append(f"  right category among flagged scams {_pct(t['category_accuracy'])}")
    out.append(f"  clean flagged at review {_pct(t['clean_flagged_review'])}  "
               f"at block {_pct(t['clean_flagged_block'])}\n")
    return "\n".join(out)

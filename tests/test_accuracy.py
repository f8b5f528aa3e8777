"""The bundled packs against the accuracy targets, on the development corpus (when present) and on
the benign regression set shipped in tests/data. Figures are recomputed here, not copied."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

import fraudrules
from fraudrules.evaluate import Report, evaluate_file

from .conftest import ROOT, SHARED_CORPUS


@cache
def classifier() -> fraudrules.Classifier:
    return fraudrules.load()


@cache
def report(path: Path) -> Report:
    return evaluate_file(classifier(), path)


def corpus() -> Path:
    path = SHARED_CORPUS / "messages.jsonl"
    if not path.exists():
        pytest.skip("shared development corpus not present")
    return path


def test_development_corpus_recall() -> None:
    figures = report(corpus()).overall()
    assert figures["recall_plain"] is not None
    assert figures["recall_plain"] >= 0.95
    assert figures["recall_evasive"] is not None
    assert figures["recall_evasive"] >= 0.90


def test_development_corpus_false_positives() -> None:
    figures = report(corpus()).overall()
    assert figures["clean_flagged_review"] is not None
    assert figures["clean_flagged_review"] <= 0.02
    assert figures["clean_flagged_block"] is not None
    assert figures["clean_flagged_block"] <= 0.005


def test_development_corpus_category_accuracy() -> None:
    figures = report(corpus()).overall()
    assert figures["category_accuracy"] is not None
    assert figures["category_accuracy"] >= 0.95


def test_benign_regression_set_is_almost_never_flagged() -> None:
    benign = report(ROOT / "tests" / "data" / "benign.jsonl")
    figures = benign.overall()
    assert figures["clean"] >= 400
    assert figures["clean_flagged_review"] is not None
    assert figures["clean_flagged_review"] < 0.005, [
        (o.record.text, o.rules) for o in benign.false_positives()]


def test_development_conversations() -> None:
    path = SHARED_CORPUS / "conversations.jsonl"
    if not path.exists():
        pytest.skip("shared development corpus not present")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    scams = [r for r in records if r["label"] != "clean"]
    clean = [r for r in records if r["label"] == "clean"]
    right = [r["id"] for r in scams
             if (v := classifier().score_conversation(r["messages"])).flagged
             and v.category == r["label"]]
    flagged = [r["id"] for r in clean if classifier().score_conversation(r["messages"]).flagged]
    assert len(right) >= 0.9 * len(scams), sorted({r["id"] for r in scams} - set(right))
    assert len(flagged) <= 0.1 * len(clean), flagged

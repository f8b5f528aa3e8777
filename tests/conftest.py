from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from fraudrules import Classifier
from fraudrules.engine import load_sources

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"


def pack_yaml(body: str, *, name: str = "test_pack", category: str = "test_scam") -> str:
    """A pack header plus ``body`` (dedented YAML placed after it)."""
    header = (f"pack: {name}\nversion: '1.0'\ncategory: {category}\n"
              f"description: 测试用规则包\n")
    return header + textwrap.dedent(body)


@pytest.fixture
def build() -> Callable[..., Classifier]:
    """Build a classifier from YAML texts only (no bundled packs)."""

    def make(*texts: str, **options: object) -> Classifier:
        sources = [(f"pack{i}.yaml", text) for i, text in enumerate(texts)]
        return load_sources(sources, **options)  # type: ignore[arg-type]

    return make

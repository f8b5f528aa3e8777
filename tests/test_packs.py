from __future__ import annotations

import re
from pathlib import Path

import pytest

from fraudrules import PackError
from fraudrules.checks import lint
from fraudrules.engine import load_sources
from fraudrules.packs import parse_pack

from .conftest import pack_yaml

GOOD_RULE = """\
rules:
  - id: T-001
    description: 出租微信
    all: [出租, 微信]
    within: 4
    weight: 3
    examples:
      match: [出租微信号]
"""


def load_error(text: str) -> PackError:
    with pytest.raises(PackError) as info:
        load_sources([("bad.yaml", text)])
    return info.value


def test_good_pack_parses_with_rule_location() -> None:
    pack, problems = parse_pack(pack_yaml(GOOD_RULE), "good.yaml")
    assert problems == []
    assert pack is not None
    rule = pack.rules[0]
    assert (rule.id, rule.weight, rule.category) == ("T-001", 3.0, "test_scam")
    assert (rule.location.path, rule.location.line, rule.location.column) == ("good.yaml", 6, 5)


@pytest.mark.parametrize(
    ("body", "line", "column", "rule_id", "message"),
    [
        pytest.param("rules: [\n", 6, 1, None, "YAML syntax error", id="yaml-syntax"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                any: [出租]
                weight: 1
                weight: 2
                examples: {match: [出租]}
            """, 10, 5, "T-001", "duplicate key 'weight'", id="duplicate-key"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                all: [出租, 微信]
                withn: 3
                weight: 1
                examples: {match: [出租微信]}
            """, 9, 5, "T-001", "unknown key 'withn' in a rule; did you mean 'within'?",
            id="unknown-key-did-you-mean"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                anyy: [出租]
                weight: 1
                examples: {match: [出租]}
            """, 8, 5, "T-001", "did you mean 'any'?", id="unknown-condition-kind"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                any: [出租]
                weight: high
                examples: {match: [出租]}
            """, 9, 13, "T-001", "'weight' must be a number, got str 'high'", id="wrong-type"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                any: []
                weight: 1
                examples: {match: [出租]}
            """, 8, 10, "T-001", "'any' must not be empty", id="empty-list"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                any: [出租]
                weight: .inf
                examples: {match: [出租]}
            """, 9, 13, "T-001", "'weight' must be a finite number", id="infinite-weight"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                any: [出租]
                weight: .nan
                examples: {match: [出租]}
            """, 9, 13, "T-001", "finite number", id="nan-weight"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                regex: '(\\d+'
                anchors: [出租]
                weight: 1
                examples: {match: [出租]}
            """, 8, 12, "T-001", "invalid regex", id="invalid-regex"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                any: ['，。！']
                weight: 1
                examples: {match: [出租]}
            """, 8, 11, "T-001", "empty after normalization", id="term-normalizes-to-nothing"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                any: [出租]
                weight: 1
            """, 6, 5, "T-001", "missing 'examples'", id="missing-examples"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                any: [出租]
                weight: 1
                examples: {no_match: [出租]}
            """, 10, 15, "T-001", "at least one 'match'", id="no-match-example"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                any: [出租]
                within: 3
                weight: 1
                examples: {match: [出租]}
            """, 9, 13, "T-001", "'within' applies to 'all' and 'at_least'",
            id="within-on-any"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                at_least: {n: 3, of: [出租, 微信]}
                weight: 1
                examples: {match: [出租]}
            """, 8, 19, "T-001", "'at_least.n' is 3 but 'of' has only 2", id="at-least-too-many"),
        pytest.param(
            """\
            rules:
              - id: T-001
                description: 甲
                any: [出租]
                weight: !!python/object:os.system 1
                examples: {match: [出租]}
            """, 9, 13, "T-001", "YAML tag", id="python-tag-refused"),
        pytest.param("extra: 1\n", 5, 1, None, "unknown key 'extra' in a pack", id="unknown-pack-key"),
    ],
)
def test_load_error_names_file_line_column_and_rule(
    body: str, line: int, column: int, rule_id: str | None, message: str
) -> None:
    import textwrap

    error = load_error(pack_yaml("") + textwrap.dedent(body))
    assert error.location is not None
    assert error.location.path == "bad.yaml"
    assert (error.location.line, error.location.column) == (line, column), str(error)
    assert error.rule_id == rule_id
    assert message in str(error)
    assert str(error).startswith(f"bad.yaml:{line}:{column}: ")


def test_undefined_list_is_located_and_suggests_a_name() -> None:
    text = pack_yaml("""\
        lists:
          wechat: [微信, vx]
        rules:
          - id: T-001
            description: 甲
            all: [出租, $wechta]
            weight: 1
            examples: {match: [出租微信]}
        """)
    error = load_error(text)
    assert error.rule_id == "T-001"
    assert error.location is not None
    assert error.location.line == 10
    assert "undefined list '$wechta'; did you mean 'wechat'?" in str(error)


def test_list_reference_cycle_is_refused() -> None:
    error = load_error(pack_yaml("""\
        lists:
          a: [甲, $b]
          b: [乙, $a]
        """))
    assert "cycle" in str(error)


def test_duplicate_rule_ids_across_packs_are_refused() -> None:
    first = pack_yaml(GOOD_RULE, name="first")
    second = pack_yaml(GOOD_RULE, name="second")
    with pytest.raises(PackError, match=r"duplicate rule id 'T-001' \(also at pack0.yaml:6:5\)"):
        load_sources([("pack0.yaml", first), ("pack1.yaml", second)])


def test_duplicate_list_names_across_packs_are_refused() -> None:
    first = pack_yaml("lists:\n  wechat: [微信]\n", name="first")
    second = pack_yaml("lists:\n  wechat: [vx]\n", name="second")
    with pytest.raises(PackError, match=r"list 'wechat' is already defined at a\.yaml:6"):
        load_sources([("a.yaml", first), ("b.yaml", second)])


def test_lists_are_shared_across_packs() -> None:
    shared = "pack: shared\nversion: '1'\ndescription: 词表\nlists:\n  wechat: [微信, vx]\n"
    rules = pack_yaml(GOOD_RULE.replace("[出租, 微信]", "[出租, $wechat]"))
    classifier = load_sources([("shared.yaml", shared), ("rules.yaml", rules)])
    assert classifier.score("出租vx").category == "test_scam"


def test_lint_reports_every_problem_while_load_stops_at_the_first(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(pack_yaml("""\
        rules:
          - id: T-001
            description: 甲
            any: [出租]
            weight: high
            examples: {match: [出租]}
          - id: T-002
            description: 乙
            alll: [出租]
            weight: 1
            examples: {match: [出租]}
          - id: T-003
            description: 丙
            regex: '\\d+天'
            weight: 1
            examples: {match: [30天]}
        """), encoding="utf-8")
    problems = lint([path])
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    assert sorted({e.rule_id for e in errors}) == ["T-001", "T-002"]
    assert "unknown key 'alll' in a rule; did you mean 'all'?" in str(errors[1])
    assert all(re.match(rf"{re.escape(str(path))}:\d+:\d+: rule T-00\d: ", str(e)) for e in errors)
    assert [w.rule_id for w in warnings] == ["T-003"]
    assert "runs on every message" in str(warnings[0])
    with pytest.raises(PackError) as info:
        load_sources([(str(path), path.read_text(encoding="utf-8"))])
    assert info.value.rule_id == "T-001"


def test_lint_warns_about_regexes_that_backtrack() -> None:
    pack, problems = parse_pack(pack_yaml("""\
        rules:
          - id: T-001
            description: 甲
            regex: '(a+)+b'
            anchors: [出租]
            weight: 1
            examples: {match: [出租aab]}
        """), "x.yaml", fail_fast=False)
    assert pack is not None
    assert any("backtrack" in str(p) for p in problems)


def test_pack_error_pickles_with_its_location() -> None:
    import pickle

    error = load_error(pack_yaml("rules: [\n"))
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error)
    assert again.location == error.location


def test_version_keeps_its_text_even_when_yaml_would_read_a_number() -> None:
    pack, _ = parse_pack("pack: p\nversion: 2026.10\ndescription: 甲\n", "p.yaml")
    assert pack is not None
    assert pack.version == "2026.10"

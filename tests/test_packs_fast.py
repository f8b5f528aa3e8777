"""The shortcuts of pack parsing give what the general paths give.

``parse_pack`` composes YAML with a cheaper tag resolver that also counts nodes
(``packs._PackLoader``), skips the node survey when no node has a tag of its own and no alias
can exist, and walks the nodes with shortcuts for the common case (mappings of plain string
keys, non-empty strings, numbers seen before). These tests hold each shortcut against the
general path it stands in for, and pin the problems reported for inputs that leave the
shortcuts, as the parser reported them before the shortcuts were added.
"""

from __future__ import annotations

import pickle
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from benchmarks import synthetic
from fraudrules import packs
from fraudrules.engine import bundled_pack_paths
from fraudrules.errors import Location, PackError
from fraudrules.packs import AllOf, AnyOf, Limits, Term, parse_pack

from .conftest import pack_yaml

# --- the loader -------------------------------------------------------------------------------


def compose(loader: Any, text: str) -> tuple[Node | None, Any]:
    instance = loader(text)
    try:
        return instance.get_single_node(), instance
    finally:
        instance.dispose()


def shape(node: Node | None) -> object:
    """Everything the walker can read of a node tree; a node met again shows as ('alias', k)."""
    seen: dict[int, int] = {}

    def visit(current: Node) -> object:
        if id(current) in seen:
            return ("alias", seen[id(current)])
        seen[id(current)] = len(seen)
        start, end = current.start_mark, current.end_mark
        marks = (start.index, start.line, start.column, end.index, end.line, end.column)
        if isinstance(current, ScalarNode):
            return ("scalar", current.tag, current.value, current.style, marks)
        if isinstance(current, SequenceNode):
            return ("seq", current.tag, current.flow_style, marks,
                    [visit(item) for item in current.value])
        assert isinstance(current, MappingNode)
        return ("map", current.tag, current.flow_style, marks,
                [(visit(k), visit(v)) for k, v in current.value])

    return None if node is None else visit(node)


def assert_same_nodes(text: str, loader: Any = packs._PackLoader,
                      reference: Any = packs._LOADER) -> None:
    def read(cls: Any) -> object:
        try:
            return shape(compose(cls, text)[0])
        except yaml.YAMLError as exc:
            return (type(exc), str(exc))

    assert read(loader) == read(reference)


# Plain scalars that YAML 1.1 reads as something other than a string, and near misses.
TRICKY_SCALARS = [
    "", "~", "null", "Null", "NULL", "nULL", "yes", "Yes", "YES", "yEs", "no", "No", "on", "On",
    "OFF", "off", "true", "True", "FALSE", "y", "n", "0", "-0", "+12", "0x1F", "0X1F", "0o17",
    "017", "0b101", "1_000", "1:30", "190:20:30", "-1:30", "1.5", "-.5", "+.5e+3", "1e3", "1.0e3",
    "6.8523015e+5", "685.230_15e+03", "190:20:30.15", ".inf", "-.Inf", "+.INF", ".nan", ".NaN",
    ".NAN", ".", "._", "2026-11-28", "2026-11-28T10:00:00Z", "2026-1-2 3:04:05.1 +8", "<<", "=",
    "-", "+", "0.", "1.", "1..2", "x1", "出租", "１２", "١٢", "$wechat", "=出租", "! x",
]


def tricky_documents() -> list[Any]:
    block = "".join(f"k{i}: {value}\n" for i, value in enumerate(TRICKY_SCALARS) if value)
    flow = "[" + ", ".join(v for v in TRICKY_SCALARS if v and "," not in v) + "]\n"
    quoted = "".join(f"- '{value}'\n- \"{value}\"\n" for value in TRICKY_SCALARS)
    tagged = ("- !!str 1.5\n- !!int '7'\n- ! 1.5\n- ! [a]\n- !!map {a: 1}\n- !local x\n"
              "- !!python/tuple [1]\n- &a 1.5\n- *a\n- &b [yes, *a]\n- *b\n- ? [k]\n  : v\n"
              "- key:\n- {a: , b: ~}\n- |\n  1.5\n- >-\n  yes\n")
    return [pytest.param(block, id="block"), pytest.param(flow, id="flow"),
            pytest.param(quoted, id="quoted"), pytest.param(tagged, id="tagged"),
            *(pytest.param(f"{value}\n", id=f"scalar-{i}")
              for i, value in enumerate(TRICKY_SCALARS))]


def real_packs() -> list[Any]:
    return [pytest.param(path.read_text(encoding="utf-8"), id=path.name)
            for path in bundled_pack_paths()]


def synthetic_pack(tmp_path: Path) -> str:
    paths = synthetic.write_packs(tmp_path, rules=200, terms=400, seed=5)
    return paths[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("text", real_packs() + tricky_documents())
def test_loader_gives_the_nodes_pyyaml_gives(text: str) -> None:
    assert_same_nodes(text)


def test_loader_gives_the_nodes_pyyaml_gives_for_a_synthetic_pack(tmp_path: Path) -> None:
    assert_same_nodes(synthetic_pack(tmp_path))


@pytest.mark.parametrize("text", tricky_documents())
def test_pure_python_loader_gives_the_nodes_pyyaml_gives(text: str) -> None:
    assert_same_nodes(text, packs._pack_loader(yaml.SafeLoader), yaml.SafeLoader)


plain_values = (st.none() | st.booleans() | st.integers() | st.floats()
                | st.sampled_from(TRICKY_SCALARS) | st.text(max_size=8))
documents = st.recursive(
    plain_values,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(TRICKY_SCALARS) | st.text(max_size=4), children,
                      max_size=4),
    max_leaves=25,
)
TOKENS = ["[", "]", "{", "}", ": ", "- ", ", ", "\n", "  ", "&a ", "*a", "!!str ", "! ", "!x ",
          "'", '"', "|\n", "? ", "---\n", "#", *TRICKY_SCALARS]
yaml_texts = (documents.map(lambda d: yaml.safe_dump(d, allow_unicode=True))
              | documents.map(lambda d: yaml.safe_dump(d, default_flow_style=True))
              | st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))


@settings(max_examples=300, deadline=None)
@given(yaml_texts)
def test_loader_gives_the_nodes_pyyaml_gives_for_any_yaml(text: str) -> None:
    assert_same_nodes(text)


@pytest.mark.parametrize("loader_class", [packs._PackLoader, packs._pack_loader(yaml.SafeLoader)],
                         ids=["libyaml", "pure-python"])
@settings(max_examples=300, deadline=None)
@given(text=yaml_texts)
def test_loader_counts_the_nodes_the_survey_counts(loader_class: Any, text: str) -> None:
    try:
        node, loader = compose(loader_class, text)
    except yaml.YAMLError:
        return
    if node is None:
        return
    count, tagged = packs._survey(node, 10**9)
    composed = loader.composed()
    assert loader.resolved <= composed
    if loader.resolved == composed:  # no node has a tag of its own
        assert tagged is None
        if "&" not in text or "*" not in text:  # no alias
            assert count == composed


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param("", id="plain"),
        pytest.param("    description: '加我! &微信 *vx'\n", id="tag-and-alias-marks-in-text"),
        pytest.param("    description: &d 甲\n", id="anchor-without-alias"),
        pytest.param("    description: !!str 甲\n", id="explicit-tag"),
        pytest.param("    description: ! 甲\n", id="non-specific-tag"),
    ],
)
@pytest.mark.parametrize("alias", [False, True], ids=["no-alias", "alias"])
def test_node_limit_is_the_same_whichever_way_nodes_are_counted(extra: str,
                                                                 alias: bool) -> None:
    text = pack_yaml("lists:\n  words: &w [出租, 微信]\n" if alias else "") + (
        "rules:\n  - id: T-1\n" + (extra or "    description: 甲\n")
        + "    any: [vx" + (", *w" if alias else "") + "]\n"
        + "    weight: 1\n    examples: {match: [vx]}\n")
    node, _ = compose(packs._LOADER, text)
    assert node is not None
    count, _ = packs._survey(node, 10**9)
    assert parse_pack(text, "n.yaml", limits=Limits(max_nodes=count))[0] is not None
    with pytest.raises(PackError, match=rf"^n\.yaml:1:1: pack has more than {count - 1} YAML "):
        parse_pack(text, "n.yaml", limits=Limits(max_nodes=count - 1))


def test_pyyaml_resolver_is_used_when_it_has_been_extended(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert packs._loader() is packs._PackLoader
    extended = {**packs._PackLoader.yaml_implicit_resolvers, None: []}
    monkeypatch.setattr(packs._PackLoader, "yaml_implicit_resolvers", extended)
    assert packs._loader() is packs._LOADER
    monkeypatch.undo()
    monkeypatch.setattr(packs._PackLoader, "yaml_path_resolvers", {(): None})
    assert packs._loader() is packs._LOADER


# --- the walker -------------------------------------------------------------------------------

PACK_HEADER = "pack: test_pack\nversion: '1.0'\ncategory: test_scam\ndescription: 测试用规则包\n"

# Inputs that leave the walker's shortcuts, with every problem ``fraudrules lint`` reported for
# them before the shortcuts were added ('ok' when the pack was read).
REPORTED: dict[str, tuple[str, list[str]]] = {
    "duplicate-and-unknown-rule-keys": ("""\
        rules:
          - id: T-1
            description: 甲
            any: [出租]
            any: [微信]
            withn: 3
            weight: 1
            examples: {match: [出租]}
        """, ["t.yaml:9:5: rule T-1: duplicate key 'any' in a rule (first at line 8)",
              "t.yaml:10:5: rule T-1: unknown key 'withn' in a rule; did you mean 'within'?"]),
    "second-id-key": ("""\
        rules:
          - description: 甲
            id: T-1
            id: T-2
            any: [出租]
            weight: 1
            examples: {match: [出租]}
        """, ["t.yaml:8:5: rule T-1: duplicate key 'id' in a rule (first at line 7)"]),
    "id-that-is-a-mapping": ("""\
        rules:
          - id: {a: 1}
            idd: 2
            description: 甲
            any: [出租]
            weight: 1
            examples: {match: [出租]}
        """, ["t.yaml:7:5: unknown key 'idd' in a rule; did you mean 'id'?",
              "t.yaml:6:9: 'id' must be a single value, got a mapping"]),
    "keys-that-are-not-strings": ("""\
        rules:
          - id: T-1
            1: x
            null: y
            ? [a]
            : z
            description: 甲
            any: [出租]
            weight: 1
            examples: {match: [出租]}
        """, ["t.yaml:7:5: rule T-1: unknown key '1' in a rule",
              "t.yaml:8:5: rule T-1: unknown key 'null' in a rule",
              "t.yaml:9:7: rule T-1: keys of a rule must be plain strings"]),
    "keys-tagged-as-strings": ("""\
        rules:
          - !!str id: T-1
            description: 甲
            !!str any: [出租]
            weight: 1
            examples: {match: [出租]}
        """, ["ok"]),
    "number-as-list-name": ("""\
        lists:
          1: [微信]
        """, ["t.yaml:6:6: list name '1' must be lowercase letters, digits and '_'"]),
    "empty-and-blank-strings": ("""\
        rules:
          - id: ' '
            description: 甲
            any: [出租]
            weight: 1
            examples: {match: [出租]}
          - id: T-2
            description: ''
            any: [出租]
            weight: 1
            examples: {match: [出租]}
          - id: T-3
            description: 丙
            any: [出租, ' ']
            weight: 1
            examples: {match: [出租]}
          - id: T-4
            description: 丁
            any: [出租]
            weight: 1
            examples: {match: ['  ']}
        """, ["t.yaml:6:9: rule  : 'id' must not be empty",
              "t.yaml:12:18: rule T-2: 'description' must not be empty",
              "t.yaml:18:15: rule T-3: an item of 'any' must not be empty",
              "t.yaml:25:24: rule T-4: an item of 'examples.match' must not be empty"]),
    "numbers-where-strings-belong": ("""\
        rules:
          - id: 123
            description: 甲
            any: [出租]
            weight: 1
            examples: {match: [出租]}
          - id: T-2
            description: 2.5
            any: [出租]
            weight: 1
            examples: {match: [出租]}
          - id: T-3
            description: 乙
            any: [出租, 3]
            weight: 1
            examples: {match: [出租]}
          - id: T-4
            description: 乙
            any: [出租]
            weight: 1
            examples: {match: [4, true, ~]}
        """, ["t.yaml:6:9: rule 123: rule id '123' must start with a letter and hold only "
              "letters, digits, '_', '-' and '.'",
              "t.yaml:12:18: rule T-2: 'description' must be a string, got float 2.5",
              "t.yaml:18:15: rule T-3: an item of 'any' must be a string, got int 3",
              "t.yaml:25:24: rule T-4: an item of 'examples.match' must be a string, got int 4"]),
    "terms-and-references": ("""\
        lists:
          good: [出租, $ok_ref, '=赌博群']
          bad: [$Bad, '=', '$', '。', 微信]
        rules:
          - id: T-1
            description: 甲
            any: [$good, '=出租', $9x]
            weight: 1
            examples: {match: [出租]}
        """, ["t.yaml:7:9: '$Bad' is not a valid list reference (use $name with a-z, 0-9, _)",
              "t.yaml:11:25: rule T-1: '$9x' is not a valid list reference (use $name with a-z, "
              "0-9, _)"]),
    "numbers-seen-before": ("""\
        bias: 1.5
        thresholds: {review: 0.25, block: 1.0}
        rules:
          - id: T-1
            description: 甲
            any: [出租]
            weight: .inf
            examples: {match: [出租]}
          - id: T-2
            description: 乙
            any: [出租]
            weight: .inf
            examples: {match: [出租]}
          - id: T-3
            description: 丙
            any: [出租]
            weight: 1.5
            examples: {match: [出租]}
          - id: T-4
            description: 丁
            any: [出租]
            weight: 1.5
            within: 1.5
            examples: {match: [出租]}
          - id: T-5
            description: 戊
            at_least: {n: 1.5, of: [出租]}
            weight: yes
            examples: {match: [出租]}
          - id: T-6
            description: 己
            all: [出租]
            within: 0x10
            weight: 0x10
            examples: {match: [出租]}
          - id: T-7
            description: 庚
            all: [出租]
            within: !!float 3
            weight: !!int 3
            examples: {match: [出租]}
          - id: T-8
            description: 辛
            all: [出租]
            within: !!int x
            weight: !!float y
            examples: {match: [出租]}
        """, ["t.yaml:11:13: rule T-1: 'weight' must be a finite number, got '.inf'",
              "t.yaml:16:13: rule T-2: 'weight' must be a finite number, got '.inf'",
              "t.yaml:27:13: rule T-4: 'within' applies to 'all' and 'at_least', not 'any'",
              "t.yaml:32:13: rule T-5: 'weight' must be a number, got bool True",
              "t.yaml:43:13: rule T-7: 'within' must be an integer, got float 3.0",
              "t.yaml:50:13: rule T-8: 'weight': cannot read 'y' as float: could not convert "
              "string to float: 'y'"]),
    "condition-kinds": ("""\
        rules:
          - id: T-1
            description: 甲
            weight: 1
            examples: {match: [出租]}
          - id: T-2
            description: 乙
            all: [出租]
            regex: 'a'
            any: [微信]
            weight: 1
            examples: {match: [出租]}
          - id: T-3
            description: 丙
            any: [{all: [a], at_least: {n: 1, of: [b]}}, {}, {unless: [c]}, {anchors: [d]}]
            weight: 1
            examples: {match: [出租]}
          - id: T-4
            description: 丁
            regex: '\\d+天'
            weight: 1
            examples: {match: [30天]}
        """, ["t.yaml:6:5: rule T-1: a rule needs one condition: any, all, at_least, regex",
              "t.yaml:12:10: rule T-2: a rule has several conditions (any, all, regex); nest "
              "them in 'all' or 'any'",
              "t.yaml:19:32: rule T-3: an item of 'any' has several conditions (all, "
              "at_least); nest them in 'all' or 'any'",
              "t.yaml:24:12: rule T-4: warning: regex without 'anchors' runs on every message"]),
    "scope-and-its-options": ("""\
        rules:
          - id: T-1
            description: 甲
            any: [出租]
            min_messages: 2
            weight: 1
            examples: {match: [出租]}
          - id: T-2
            description: 乙
            any: [出租]
            scope: conversation
            min_messages: 2
            min_senders: 0
            same_sender: yes
            weight: 1
            examples: {match: [出租]}
          - id: T-3
            description: 丙
            any: [出租]
            scope: conversaton
            weight: 1
            examples: {match: [出租]}
          - id: T-4
            description: 丁
            any: [出租]
            scope: conversation
            same_sender: 1
            weight: 1
            examples: {match: [出租]}
          - id: T-5
            description: 戊
            any: [出租]
            scope: conversation
            min_messages: 2
            min_senders: 2
            same_sender: false
            weight: 1
            examples: {match: [[{sender: a, text: 出租}, {sender: 7, text: 微}], [出租, ' ']]}
        """, ["t.yaml:9:19: rule T-1: 'min_messages' needs 'scope: conversation'",
              "t.yaml:17:18: rule T-2: 'min_senders' must be at least 1, got 0",
              "t.yaml:24:12: rule T-3: 'scope' must be 'message' or 'conversation', got "
              "'conversaton'; did you mean 'conversation'?",
              "t.yaml:31:18: rule T-4: 'same_sender' must be true or false, got 1",
              "t.yaml:42:76: rule T-5: a conversation message must not be empty"]),
    "examples-of-odd-shapes": ("""\
        rules:
          - id: T-1
            description: 甲
            any: [出租]
            weight: 1
            examples: {match: [出租], match: [微信], no_match: [], extra: 1}
          - id: T-2
            description: 乙
            any: [出租]
            weight: 1
            examples: [出租]
          - id: T-3
            description: 丙
            any: [出租]
            weight: 1
            examples: {match: 出租}
        """, ["t.yaml:10:29: rule T-1: duplicate key 'match' in 'examples' (first at line 10)",
              "t.yaml:10:56: rule T-1: unknown key 'extra' in 'examples'",
              "t.yaml:10:52: rule T-1: 'examples.no_match' must not be empty",
              "t.yaml:15:15: rule T-2: 'examples' must be a mapping, got a list",
              "t.yaml:20:23: rule T-3: 'examples.match' must be a list, got '出租'"]),
    "rules-that-are-not-mappings": ("""\
        rules:
          - 出租
          - [id, T-1]
        """, ["t.yaml:6:5: a rule must be a mapping, got '出租'",
              "t.yaml:7:5: a rule must be a mapping, got a list"]),
    "tag-and-alias-marks-in-text": ("""\
        rules:
          - id: T-1
            description: "加我!"
            any: ['!出租', '&微信', '*vx']
            weight: 1
            examples: {match: ['!出租!']}
        """, ["ok"]),
}


def reported(text: str, *, fail_fast: bool = False, **limits: int) -> list[str]:
    try:
        pack, problems = parse_pack(text, "t.yaml", fail_fast=fail_fast, limits=Limits(**limits))
    except PackError as exc:
        return [str(exc)]
    return [str(p) for p in problems] + (["ok"] if pack is not None else [])


@pytest.mark.parametrize(("body", "expected"), list(REPORTED.values()), ids=list(REPORTED))
def test_problems_off_the_shortcuts_are_reported_as_before(body: str,
                                                           expected: list[str]) -> None:
    text = PACK_HEADER + textwrap.dedent(body)
    assert reported(text) == expected
    errors = [e for e in expected if "warning: " not in e]
    assert reported(text, fail_fast=True)[:1] == errors[:1]


def test_scalar_items_deeper_than_max_depth_are_refused_as_before() -> None:
    text = PACK_HEADER + textwrap.dedent("""\
        rules:
          - id: T-1
            description: 甲
            all: [出租, [微信, [vx, [qq]]], {any: [a, {all: [b, [c]]}]}]
            unless: [[x, [y]]]
            weight: 1
            examples: {match: [出租]}
        """)
    assert reported(text, max_depth=4) == [
        "t.yaml:9:19: rule T-1: conditions nested deeper than 4 levels"]
    assert reported(text, max_depth=5) == ["ok"]


def test_pack_keys_off_the_shortcuts_are_reported_as_before() -> None:
    text = textwrap.dedent("""\
        pack: test_pack
        version: 1.0
        description: 甲
        bias: 1
        bias: 2
        lists: {a: [x], a: [y], B: [z], c: [], d: 出租}
        thresholds: {review: 0.9, block: 0.5, revew: 1}
        """)
    assert reported(text) == [
        "t.yaml:5:1: duplicate key 'bias' in a pack (first at line 4)",
        "t.yaml:7:39: unknown key 'revew' in 'thresholds'; did you mean 'review'?",
        "t.yaml:7:13: 'thresholds.review' (0.9) is above 'thresholds.block' (0.5)"]


mapping_documents = st.dictionaries(
    st.sampled_from(["id", "any", "all", "n", "of", "x", "1", "null", "yes", "~", ""]),
    st.sampled_from(["出租", "1", "[a]", "{b: 1}"]), max_size=5,
).map(lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}")
raw_mappings = st.lists(
    st.sampled_from(["id: a", "any: b", "!!str n: 1", "1: c", "null: d", "? [e]\n: f", "x: g",
                     "'of': h", "id: i"]), max_size=5).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(mapping_documents | raw_mappings)
def test_plain_keys_are_what_the_checked_mapping_gives(text: str) -> None:
    try:
        node = yaml.compose(text, Loader=packs._LOADER)
    except yaml.YAMLError:
        return
    if not isinstance(node, MappingNode):
        return
    allowed = packs._CONDITION_KEYS | {"id", "n", "of"}
    keys = packs._plain_keys(node, allowed)
    reporter = packs._Reporter("m.yaml", fail_fast=False)
    try:
        checked = packs._Walker(reporter, Limits()).checked_mapping(node, "a rule", allowed)
    except packs._Skip:  # a key that is not a single value
        assert keys is None
        return
    if keys is not None:
        assert keys == checked
        assert reporter.problems == []
    else:  # the checked mapping has something to report, or reads a key that is not a str
        assert reporter.problems or any(k.tag != packs._STR_TAG for k, _ in node.value)


def test_packs_are_read_the_same_through_pyyaml_own_loader(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    texts = [*(param.values[0] for param in real_packs()), synthetic_pack(tmp_path)]
    fast = [parse_pack(text, "p.yaml", fail_fast=False) for text in texts]
    monkeypatch.setattr(packs, "_loader", lambda: packs._LOADER)
    assert [parse_pack(text, "p.yaml", fail_fast=False) for text in texts] == fast


# --- building the parsed objects --------------------------------------------------------------


def test_builders_build_what_the_classes_build() -> None:
    location = packs._location("p.yaml", 3, 5)
    assert location == Location("p.yaml", 3, 5)
    assert type(location) is Location
    assert repr(location) == repr(Location("p.yaml", 3, 5))
    assert hash(location) == hash(Location("p.yaml", 3, 5))
    assert pickle.loads(pickle.dumps(location)) == location
    term = packs._term("出租", "出租", location, False)
    assert term == Term("出租", "出租", location, False)
    assert packs._any_of((term,), None, location) == AnyOf((term,), None, location)
    assert packs._all_of((term,), 4, None, location) == AllOf((term,), 4, None, location)
    with pytest.raises(AttributeError):  # still frozen
        location.line = 4  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class _Checked:
    a: int
    b: int
    c: int

    def __post_init__(self) -> None:
        if self.a < 0:
            raise ValueError("a")


@dataclass(frozen=True)
class _Unslotted:
    a: int
    b: int
    c: int


@pytest.mark.parametrize(
    ("cls", "names"),
    [
        pytest.param(_Checked, ("a", "b", "c"), id="post-init"),
        pytest.param(_Unslotted, ("a", "b", "c"), id="no-slots"),
        pytest.param(Location, ("path", "line"), id="other-fields"),
        pytest.param(packs.Rule, tuple(packs.Rule.__slots__), id="too-many-fields"),
    ],
)
def test_builder_is_the_class_itself_unless_it_can_stand_in(cls: type,
                                                            names: tuple[str, ...]) -> None:
    assert packs._builder(cls, *names) is cls

"""Read rule packs: YAML text → frozen :class:`Pack`, :class:`Rule` and condition objects.

The YAML is composed into nodes (PyYAML's safe loader, which builds no objects) and walked here
by hand, so every value keeps its line and column and every error names ``file:line:col`` and the
rule id. Duplicate keys, unknown keys, wrong types and tags that would build objects are errors.

Two modes share one walker: ``fail_fast=True`` raises the first :class:`PackError` (library
loading), ``fail_fast=False`` collects every problem (``fraudrules lint``).
"""

from __future__ import annotations

import difflib
import itertools
import math
import operator
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeAlias, TypeVar

import regex
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Location, PackError
from .normalize import normalize

__all__ = [
    "AllOf",
    "AnyOf",
    "AtLeast",
    "ChatMessage",
    "Condition",
    "Example",
    "Limits",
    "ListRef",
    "Pack",
    "Regex",
    "Rule",
    "Term",
    "check_packs",
    "parse_pack",
]

DEFAULT_BIAS = -3.0
DEFAULT_REVIEW = 0.5
DEFAULT_BLOCK = 0.9


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one pack file may hold; a pack beyond them is refused with a PackError."""

    max_bytes: int = 2_000_000
    max_nodes: int = 200_000
    max_depth: int = 40
    max_terms: int = 100_000
    max_rules: int = 20_000


# --- conditions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """A literal term (``text`` as written; ``folded`` as matched). An ``exact`` term (written
    with a leading ``=``) gets no pinyin or digit variants."""

    text: str
    folded: str
    location: Location
    exact: bool = False


@dataclass(frozen=True, slots=True)
class ListRef:
    """``$name``: every term of a named list."""

    name: str
    location: Location


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]
    unless: Condition | None
    location: Location


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Condition, ...]
    within: int | None
    unless: Condition | None
    location: Location


@dataclass(frozen=True, slots=True)
class AtLeast:
    n: int
    items: tuple[Condition, ...]
    within: int | None
    unless: Condition | None
    location: Location


@dataclass(frozen=True, slots=True)
class Regex:
    pattern: str
    anchors: tuple[Term | ListRef, ...]
    unless: Condition | None
    location: Location


Condition: TypeAlias = Term | ListRef | AnyOf | AllOf | AtLeast | Regex


ChatMessage: TypeAlias = tuple[str | None, str]  # (sender, text)
Example: TypeAlias = str | tuple[ChatMessage, ...]  # one message, or a whole conversation


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    weight: float
    condition: Condition
    match_examples: tuple[Example, ...]
    no_match_examples: tuple[Example, ...]
    location: Location
    category: str
    pack: str
    scope: str = "message"  # or "conversation": parts may come from different messages
    min_messages: int = 1  # conversation scope: the condition's evidence spans ≥ N messages
    min_senders: int = 1  # … sent by ≥ N different senders
    same_sender: bool = False  # … and min_messages counts one sender's messages


@dataclass(frozen=True, slots=True)
class Pack:
    name: str
    version: str
    description: str
    category: str | None
    bias: float | None
    review: float | None
    block: float | None
    lists: dict[str, tuple[Term | ListRef, ...]]
    list_locations: dict[str, Location]
    rules: tuple[Rule, ...]
    path: str
    source: str = field(repr=False)


# --- the walker -------------------------------------------------------------------------------

_T = TypeVar("_T")


def _builder(cls: type[_T], *names: str) -> Callable[..., _T]:
    """A stand-in for ``cls(*values)``, given every field in order, for the walker's hot paths.

    The generated ``__init__`` of a frozen dataclass stores each field with
    ``object.__setattr__``; storing through the slots directly takes half the time, and a large
    pack builds a hundred thousand objects. Returns ``cls`` itself unless it is a dataclass
    whose fields and slots are exactly ``names`` (three or four) with nothing else to do on
    construction (no ``__post_init__``, no ``InitVar``)::

        >>> _builder(Location, "path", "line", "column")("p.yaml", 3, 5) == Location("p.yaml", 3, 5)
        True
    """
    if (not is_dataclass(cls) or tuple(f.name for f in fields(cls)) != names
            or getattr(cls, "__slots__", None) != names or hasattr(cls, "__post_init__")
            or any(not f.init for f in fields(cls)) or len(names) not in (3, 4)):
        return cls
    new = object.__new__
    slots = [getattr(cls, name).__set__ for name in names]
    if len(slots) == 3:
        set_a, set_b, set_c = slots

        def build3(a: object, b: object, c: object) -> _T:
            obj = new(cls)
            set_a(obj, a)
            set_b(obj, b)
            set_c(obj, c)
            return obj

        return build3
    set_a, set_b, set_c, set_d = slots

    def build4(a: object, b: object, c: object, d: object) -> _T:
        obj = new(cls)
        set_a(obj, a)
        set_b(obj, b)
        set_c(obj, c)
        set_d(obj, d)
        return obj

    return build4


_location = _builder(Location, "path", "line", "column")
_term = _builder(Term, "text", "folded", "location", "exact")
_any_of = _builder(AnyOf, "items", "unless", "location")
_all_of = _builder(AllOf, "items", "within", "unless", "location")

_PACK_KEYS = ("pack", "version", "description", "category", "bias", "thresholds", "lists", "rules")
_RULE_META_KEYS = ("id", "description", "weight", "examples", "scope", "min_messages",
                   "min_senders", "same_sender")
_CONVERSATION_KEYS = ("min_messages", "min_senders", "same_sender")
_KINDS = ("any", "all", "at_least", "regex")
_MODIFIERS = ("within", "anchors", "unless")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_RULE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*\Z")
_STD_TAG = "tag:yaml.org,2002:"
_STR_TAG = _STD_TAG + "str"
_SEQ_TAG = _STD_TAG + "seq"
_MAP_TAG = _STD_TAG + "map"
_SCALAR_TAGS = {_STD_TAG + t for t in ("str", "int", "float", "bool", "null")}
_RULE_KEYS = frozenset(_RULE_META_KEYS + _KINDS + _MODIFIERS)
_CONDITION_KEYS = frozenset(_KINDS + _MODIFIERS)
_KIND_SET = frozenset(_KINDS)
_REQUIRED_RULE_KEYS = frozenset(("id", "description", "weight", "examples"))
_QUOTED = {kind: f"'{kind}'" for kind in _KINDS}
_MISSING = object()


class _Reporter:
    def __init__(self, path: str, fail_fast: bool) -> None:
        self.path = path
        self.fail_fast = fail_fast
        self.problems: list[PackError] = []

    def at(self, node: Node | None) -> Location:
        if node is None:
            return Location(self.path)
        mark = node.start_mark
        return Location(self.path, mark.line + 1, mark.column + 1)

    def error(self, message: str, node: Node | None, rule_id: str | None = None) -> None:
        problem = PackError(message, self.at(node), rule_id)
        if self.fail_fast:
            raise problem
        self.problems.append(problem)

    def warn(self, message: str, node: Node | None, rule_id: str | None = None) -> None:
        if not self.fail_fast:
            self.problems.append(PackError(message, self.at(node), rule_id, severity="warning"))


class _Skip(Exception):
    """Raised inside the walker to abandon one rule or value after reporting it."""


def suggest(word: str, options: Iterable[str]) -> str:
    """'; did you mean 'x'?' for the closest option, or ''."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Walker:
    def __init__(self, reporter: _Reporter, limits: Limits) -> None:
        self.r = reporter
        self.limits = limits
        self.rule_id: str | None = None
        self.terms = 0
        self.max_terms = limits.max_terms
        self.max_depth = limits.max_depth
        self.path = reporter.path
        self.folded: dict[str, str] = {}  # an aliased term is folded once, not once per use
        # non-string scalars by (tag, text): a pack repeats its weights and counts many times
        self.scalars: dict[tuple[str, str], object] = {}
        self.numbers: dict[tuple[str, str], float] = {}  # … and those read as numbers

    def fail(self, message: str, node: Node | None) -> NoReturn:
        self.r.error(message, node, self.rule_id)
        raise _Skip

    # scalars and shapes

    def mapping(self, node: Node, what: str, allowed: Collection[str]) -> dict[str, Node]:
        if isinstance(node, MappingNode):
            keys = _plain_keys(node, allowed)
            if keys is not None:
                return keys
        return self.checked_mapping(node, what, allowed)

    def checked_mapping(self, node: Node, what: str, allowed: Collection[str]) -> dict[str, Node]:
        """:meth:`mapping` for any mapping: reports odd, duplicate and unknown keys."""
        if not isinstance(node, MappingNode):
            self.fail(f"{what} must be a mapping, got {_kind(node)}", node)
        result: dict[str, Node] = {}
        key_nodes: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                self.fail(f"keys of {what} must be plain strings", key_node)
            key = str(key_node.value)
            if key in result:
                first = key_nodes[key].start_mark
                self.r.error(
                    f"duplicate key '{key}' in {what} (first at line {first.line + 1})",
                    key_node,
                    self.rule_id,
                )
                continue
            if key not in allowed:
                self.r.error(f"unknown key '{key}' in {what}{suggest(key, allowed)}",
                             key_node, self.rule_id)
                continue
            result[key] = value_node
            key_nodes[key] = key_node
        return result

    def scalar(self, node: Node, what: str) -> object:
        if not isinstance(node, ScalarNode):
            self.fail(f"{what} must be a single value, got {_kind(node)}", node)
        tag = node.tag
        if tag == _STR_TAG:
            return str(node.value)
        if tag not in _SCALAR_TAGS:
            self.fail(f"YAML tag '{tag}' is not allowed in {what}; packs are plain data", node)
        key = (tag, node.value)
        value = self.scalars.get(key, _MISSING)
        if value is _MISSING:
            constructor = yaml.constructor.SafeConstructor()
            try:
                value = constructor.construct_object(node)
            except (yaml.YAMLError, ValueError, OverflowError, KeyError) as exc:
                self.fail(f"{what}: cannot read {str(node.value)[:40]!r} as "
                          f"{tag[len(_STD_TAG):]}: {exc}", node)
            self.scalars[key] = value
        return value

    def string(self, node: Node, what: str, *, raw: bool = False) -> str:
        if isinstance(node, ScalarNode) and (node.tag == _STR_TAG
                                             or (raw and node.tag in _SCALAR_TAGS)):
            text = str(node.value)
            if text.strip():
                return text
            self.fail(f"{what} must not be empty", node)
        if raw and isinstance(node, ScalarNode) and node.tag in _SCALAR_TAGS:
            value: object = str(node.value)
        else:
            value = self.scalar(node, what)
        if not isinstance(value, str):
            self.fail(f"{what} must be a string, got {type(value).__name__} {value!r}", node)
        if not value.strip():
            self.fail(f"{what} must not be empty", node)
        return value

    def number(self, node: Node, what: str) -> float:
        if isinstance(node, ScalarNode):
            known = self.numbers.get((node.tag, node.value))
            if known is not None:
                return known
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"{what} must be a number, got {type(value).__name__} {value!r}", node)
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            number = math.inf
        if not math.isfinite(number):
            self.fail(f"{what} must be a finite number, got {str(node.value)[:20]!r}", node)
        self.numbers[(node.tag, node.value)] = number
        return number

    def integer(self, node: Node, what: str, minimum: int) -> int:
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{what} must be an integer, got {type(value).__name__} {value!r}", node)
        if value < minimum:
            self.fail(f"{what} must be at least {minimum}, got {value}", node)
        return value

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.fail(f"{what} must be a list, got {_kind(node)}", node)
        items: list[Node] = node.value
        if not items:
            self.fail(f"{what} must not be empty", node)
        return items

    # terms and conditions

    def term(self, node: Node, what: str) -> Term | ListRef:
        if node.__class__ is ScalarNode and node.tag == _STR_TAG and node.value.strip():
            text: str = node.value  # what string() returns, sooner
        else:
            text = self.string(node, what)
        self.terms += 1
        if self.terms > self.max_terms:
            self.fail(f"more than {self.max_terms} terms in one pack", node)
        mark = node.start_mark
        location = _location(self.path, mark.line + 1, mark.column + 1)
        if text[0] == "$":
            name = text[1:]
            if not _NAME.match(name):
                self.fail(f"'{text}' is not a valid list reference (use $name with a-z, 0-9, _)",
                          node)
            return ListRef(name, location)
        exact = text[0] == "="
        folded = self.folded.get(text)
        if folded is None:
            folded = self.folded[text] = normalize(text[1:] if exact else text).text
        if not folded:
            self.fail(f"term '{text}' is empty after normalization (only separators, "
                      "punctuation or symbols)", node)
        return _term(text, folded, location, exact)

    def terms_of(self, node: Node, what: str) -> tuple[Term | ListRef, ...]:
        if isinstance(node, ScalarNode):
            return (self.term(node, what),)
        item_what = f"an item of {what}"
        return tuple([self.term(item, item_what) for item in self.sequence(node, what)])

    def condition(self, node: Node, what: str, depth: int) -> Condition:
        if depth > self.max_depth:
            self.fail(f"conditions nested deeper than {self.max_depth} levels", node)
        if isinstance(node, ScalarNode):
            return self.term(node, what)
        if isinstance(node, SequenceNode):
            mark = node.start_mark
            return _any_of(self.conditions(node, what, depth + 1), None,
                           _location(self.path, mark.line + 1, mark.column + 1))
        keys = self.mapping(node, what, _CONDITION_KEYS)
        return self.condition_body(node, keys, what, depth)

    def conditions(self, node: Node, what: str, depth: int) -> tuple[Condition, ...]:
        """The items of the list ``node`` (called ``what``), each a condition at ``depth``."""
        items = self.sequence(node, what)
        item_what = f"an item of {what}"
        condition = self.condition
        if depth > self.max_depth:
            return tuple([condition(item, item_what, depth) for item in items])
        term = self.term  # what condition() does with a single value within max_depth
        return tuple([term(item, item_what) if item.__class__ is ScalarNode
                      else condition(item, item_what, depth) for item in items])

    def condition_body(self, node: Node, keys: dict[str, Node], what: str,
                       depth: int) -> Condition:
        found = keys.keys() & _KIND_SET
        if len(found) == 1:
            (kind,) = found
        else:
            kinds = [k for k in _KINDS if k in keys]
            if not kinds:
                self.fail(f"{what} needs one condition: {', '.join(_KINDS)}", node)
            self.fail(f"{what} has several conditions ({', '.join(kinds)}); nest them in "
                      "'all' or 'any'", keys[kinds[1]])
        mark = keys[kind].start_mark
        location = _location(self.path, mark.line + 1, mark.column + 1)
        unless = (self.condition(keys["unless"], "'unless'", depth + 1)
                  if "unless" in keys else None)
        within: int | None = None
        if "within" in keys:
            if kind not in ("all", "at_least"):
                self.fail(f"'within' applies to 'all' and 'at_least', not '{kind}'",
                          keys["within"])
            within = self.integer(keys["within"], "'within'", 0)
        if "anchors" in keys and kind != "regex":
            self.fail(f"'anchors' applies to 'regex', not '{kind}'", keys["anchors"])
        if kind == "regex":
            pattern = self.string(keys["regex"], "'regex'")
            try:
                regex.compile(pattern)
            except regex.error as exc:
                self.fail(f"invalid regex {pattern!r}: {exc}", keys["regex"])
            if _BACKTRACKS.search(pattern):
                self.r.warn(f"regex {pattern!r} nests quantifiers or repeats an unbounded "
                            "wildcard and may backtrack badly", keys["regex"], self.rule_id)
            if "anchors" in keys:
                anchors = self.terms_of(keys["anchors"], "'anchors'")
            else:
                anchors = ()
                self.r.warn("regex without 'anchors' runs on every message", keys["regex"],
                            self.rule_id)
            return Regex(pattern, anchors, unless, location)
        if kind == "at_least":
            body = self.mapping(keys["at_least"], "'at_least'", ("n", "of"))
            if "n" not in body or "of" not in body:
                self.fail("'at_least' needs 'n' and 'of'", keys["at_least"])
            n = self.integer(body["n"], "'at_least.n'", 1)
            items = self.conditions(body["of"], "'at_least.of'", depth + 1)
            if n > len(items):
                self.fail(f"'at_least.n' is {n} but 'of' has only {len(items)} items",
                          body["n"])
            return AtLeast(n, items, within, unless, location)
        items = self.conditions(keys[kind], _QUOTED[kind], depth + 1)
        if kind == "all":
            return _all_of(items, within, unless, location)
        return _any_of(items, unless, location)

    def rule(self, node: Node, category: str, pack: str) -> Rule:
        self.rule_id = None
        keys = _plain_keys(node, _RULE_KEYS) if isinstance(node, MappingNode) else None
        if keys is not None:  # keys are unique plain strings: the first 'id' key is keys["id"]
            id_node = keys.get("id")
            if isinstance(id_node, ScalarNode):
                self.rule_id = str(id_node.value)
        else:
            if isinstance(node, MappingNode):  # name the rule in errors about its keys
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode) and key_node.value == "id":
                        if isinstance(value_node, ScalarNode):
                            self.rule_id = str(value_node.value)
                        break
            keys = self.checked_mapping(node, "a rule", _RULE_KEYS)
        if not keys.keys() >= _REQUIRED_RULE_KEYS:
            for required in ("id", "description", "weight", "examples"):
                if required not in keys:
                    self.fail(f"rule is missing '{required}'", node)
        rule_id = self.string(keys["id"], "'id'", raw=True)
        if not _RULE_ID.match(rule_id):
            self.fail(f"rule id '{rule_id}' must start with a letter and hold only letters, "
                      "digits, '_', '-' and '.'", keys["id"])
        description = self.string(keys["description"], "'description'")
        weight = self.number(keys["weight"], "'weight'")
        cond_keys = {k: v for k, v in keys.items() if k in _CONDITION_KEYS}
        condition = self.condition_body(node, cond_keys, "a rule", 1)
        scope = "message"
        min_messages = min_senders = 1
        same_sender = False
        if len(keys) > len(_REQUIRED_RULE_KEYS) + len(cond_keys):  # scope or its options
            scope, min_messages, min_senders, same_sender = self.rule_scope(keys)
        examples = self.mapping(keys["examples"], "'examples'", ("match", "no_match"))
        if "match" not in examples:
            self.fail("'examples' needs at least one 'match' example", keys["examples"])
        match = self.examples(examples["match"], "'examples.match'")
        no_match = (self.examples(examples["no_match"], "'examples.no_match'")
                    if "no_match" in examples else ())
        mark = node.start_mark
        return Rule(rule_id, description, weight, condition, match, no_match,
                    _location(self.path, mark.line + 1, mark.column + 1), category, pack, scope,
                    min_messages, min_senders, same_sender)

    def rule_scope(self, keys: dict[str, Node]) -> tuple[str, int, int, bool]:
        """A rule's ``scope``, ``min_messages``, ``min_senders`` and ``same_sender``."""
        scope = "message"
        if "scope" in keys:
            scope = self.string(keys["scope"], "'scope'")
            if scope not in ("message", "conversation"):
                self.fail(f"'scope' must be 'message' or 'conversation', got '{scope}'"
                          f"{suggest(scope, ('message', 'conversation'))}", keys["scope"])
        for key in _CONVERSATION_KEYS:
            if key in keys and scope != "conversation":
                self.fail(f"'{key}' needs 'scope: conversation'", keys[key])
        min_messages = (self.integer(keys["min_messages"], "'min_messages'", 1)
                        if "min_messages" in keys else 1)
        min_senders = (self.integer(keys["min_senders"], "'min_senders'", 1)
                       if "min_senders" in keys else 1)
        same_sender = False
        if "same_sender" in keys:
            flag = self.scalar(keys["same_sender"], "'same_sender'")
            if not isinstance(flag, bool):
                self.fail(f"'same_sender' must be true or false, got {flag!r}",
                          keys["same_sender"])
            same_sender = flag
        return scope, min_messages, min_senders, same_sender

    def examples(self, node: Node, what: str) -> tuple[Example, ...]:
        """Examples are texts, or conversations: lists of texts or {sender, text} mappings."""
        found: list[Example] = []
        item_what = f"an item of {what}"
        for item in self.sequence(node, what):
            if not isinstance(item, SequenceNode):
                if item.__class__ is ScalarNode and item.tag == _STR_TAG and item.value.strip():
                    found.append(item.value)  # what string() returns, sooner
                else:
                    found.append(self.string(item, item_what))
                continue
            chat: list[ChatMessage] = []
            for message in self.sequence(item, f"a conversation in {what}"):
                if isinstance(message, MappingNode):
                    fields = self.mapping(message, "a conversation message", ("sender", "text"))
                    if "text" not in fields:
                        self.fail("a conversation message needs 'text'", message)
                    sender = (self.string(fields["sender"], "'sender'", raw=True)
                              if "sender" in fields else None)
                    chat.append((sender, self.string(fields["text"], "'text'")))
                else:
                    chat.append((None, self.string(message, "a conversation message")))
            found.append(tuple(chat))
        return tuple(found)


# libyaml's loader when PyYAML was built with it (several times faster, same nodes and marks).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _pack_loader(base: Any) -> Any:
    """``base`` (a PyYAML safe loader class) with a cheaper tag resolver and a node count."""

    class PackLoader(base):  # type: ignore[misc]
        """Tags every node as PyYAML's resolver does, sooner. That resolver tries its regexes
        on every plain scalar (``1.5`` → float, ``yes`` → bool); here a scalar that is quoted,
        or whose first character starts no implicit tag (``出租``), is a string at once, and
        each other plain value is resolved once per document. Only for a resolver without
        path resolvers and without implicit resolvers that apply to any first character
        (:func:`_loader`): PyYAML registers none."""

        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.resolved = 0  # nodes without a tag, or with the non-specific tag '!'
            self.plain_tags: dict[str, str] = {}
            self.tag_starts: dict[str, object] = self.yaml_implicit_resolvers
            # The composer calls descend_resolver(parent, index) before each node it composes
            # and ascend_resolver() after it (not for an alias); PyYAML's resolver needs them
            # only for path resolvers. Here the second counts the nodes. Both are builtins: no
            # Python frame for each node (a large pack has some 200,000).
            self.descend_resolver = operator.is_
            self.ascents = itertools.count()
            self.ascend_resolver = self.ascents.__next__

        def composed(self) -> int:
            """How many nodes were composed (an alias composes none). Read it once, at the end."""
            return next(self.ascents)

        def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
            self.resolved += 1
            if kind is ScalarNode:
                if implicit[0] and (not value or value[0] in self.tag_starts):
                    tag = self.plain_tags.get(value)
                    if tag is None:
                        tag = self.plain_tags[value] = super().resolve(kind, value, implicit)
                    return tag
                return _STR_TAG
            return _MAP_TAG if kind is MappingNode else _SEQ_TAG

    return PackLoader


_PackLoader = _pack_loader(_LOADER)


def _loader() -> Any:
    """:data:`_PackLoader`, or PyYAML's own loader if someone gave it path resolvers or
    implicit resolvers for any first character (then only PyYAML's resolver knows the tags)."""
    if _PackLoader.yaml_path_resolvers or None in _PackLoader.yaml_implicit_resolvers:
        return _LOADER
    return _PackLoader


_BACKTRACKS = re.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)[+*{]|\.[*+].*\.[*+]")


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"'{node.value}'"


def _plain_keys(node: MappingNode, allowed: Collection[str]) -> dict[str, Node] | None:
    """Key → value node of a mapping whose keys are all plain strings, allowed and unique (the
    common case, with nothing to report); ``None`` for any other mapping."""
    result: dict[str, Node] = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not ScalarNode or key_node.tag != _STR_TAG:
            return None
        key = key_node.value
        if key in result or key not in allowed:
            return None
        result[key] = value_node
    return result


_COLLECTION_TAGS = {SequenceNode: _STD_TAG + "seq", MappingNode: _STD_TAG + "map"}


def _survey(node: Node, limit: int) -> tuple[int, Node | None]:
    """Count nodes as a walk would visit them (aliases count every time), up to ``limit``+1,
    and find the first list or mapping with a tag that would build an object."""
    count = 0
    stack: list[Node] = [node]
    pop, extend = stack.pop, stack.extend
    while stack and count <= limit:
        current = pop()
        count += 1
        if current.__class__ is ScalarNode:
            continue
        if isinstance(current, SequenceNode | MappingNode):
            if current.tag != _COLLECTION_TAGS[type(current)]:
                return count, current
            if isinstance(current, SequenceNode):
                extend(current.value)
            else:  # key, value, key, value…
                extend(itertools.chain.from_iterable(current.value))
    return count, None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _compose(text: str, reporter: _Reporter, limits: Limits) -> Node | None:
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        reporter.error(f"pack is larger than {limits.max_bytes} bytes", None)
        return None
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:  # only a str handed to parse_pack can hold one (files are UTF-8)
        where = surrogate.start()
        line_start = text.rfind("\n", 0, where) + 1
        found = PackError(f"lone surrogate U+{ord(surrogate.group()):04X} is not text",
                          Location(reporter.path, text.count("\n", 0, where) + 1,
                                   where - line_start + 1))
        if reporter.fail_fast:
            raise found
        reporter.problems.append(found)
        return None
    try:
        loader = _loader()(text)
        try:
            node: Node | None = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = (Location(reporter.path, mark.line + 1, mark.column + 1) if mark
                    else Location(reporter.path))
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        error = PackError(f"YAML syntax error: {problem}", location)
        if reporter.fail_fast:
            raise error from exc
        reporter.problems.append(error)
        return None
    except yaml.YAMLError as exc:
        reporter.error(f"YAML error: {exc}", None)
        return None
    except RecursionError:  # the pure-Python composer recurses once per nesting level
        reporter.error("YAML nested too deeply to read", None)
        return None
    if node is None:
        return None
    if (isinstance(loader, _PackLoader) and loader.resolved == loader.composed()
            and ("&" not in text or "*" not in text)):
        # No node had a tag of its own, so every list and mapping has the plain one; no alias
        # (that takes an anchor '&' and a '*'), so each node was composed, and counted, once.
        count, tagged = loader.resolved, None
    else:
        count, tagged = _survey(node, limits.max_nodes)
    if tagged is not None:
        reporter.error(f"YAML tag '{tagged.tag}' is not allowed; packs are plain data", tagged)
        return None
    if count > limits.max_nodes:
        reporter.error(f"pack has more than {limits.max_nodes} YAML nodes (counting aliases "
                       "each time they are used)", node)
        return None
    return node


def parse_pack(text: str, path: str = "<string>", *, fail_fast: bool = True,
               limits: Limits | None = None) -> tuple[Pack | None, list[PackError]]:
    """Parse one pack's YAML text.

    Returns ``(pack, problems)``. With ``fail_fast`` the first error is raised as
    :class:`PackError`; otherwise errors and warnings are collected and ``pack`` is ``None``
    when any error was found.
    """
    limits = limits or Limits()
    reporter = _Reporter(path, fail_fast)
    node = _compose(text, reporter, limits)
    if node is None:
        if not reporter.problems:
            reporter.error("pack is empty", None)
        return None, reporter.problems
    walker = _Walker(reporter, limits)
    try:
        pack = _walk_pack(walker, node, path, text)
    except _Skip:
        pack = None
    if any(p.severity == "error" for p in reporter.problems):
        pack = None
    return pack, reporter.problems


def _walk_pack(w: _Walker, node: Node, path: str, text: str) -> Pack | None:
    keys = w.mapping(node, "a pack", _PACK_KEYS)
    for required in ("pack", "version", "description"):
        if required not in keys:
            w.fail(f"pack is missing '{required}'", node)
    name = w.string(keys["pack"], "'pack'")
    if not _NAME.match(name):
        w.fail(f"pack name '{name}' must be lowercase letters, digits and '_'", keys["pack"])
    version = w.string(keys["version"], "'version'", raw=True)
    description = w.string(keys["description"], "'description'")
    category = w.string(keys["category"], "'category'") if "category" in keys else None
    if category is not None and not _NAME.match(category):
        w.fail(f"category '{category}' must be lowercase letters, digits and '_'",
               keys["category"])
    bias = w.number(keys["bias"], "'bias'") if "bias" in keys else None
    review = block = None
    if "thresholds" in keys:
        limits = w.mapping(keys["thresholds"], "'thresholds'", ("review", "block"))
        if "review" in limits:
            review = _probability(w, limits["review"], "'thresholds.review'")
        if "block" in limits:
            block = _probability(w, limits["block"], "'thresholds.block'")
        if review is not None and block is not None and review > block:
            w.fail(f"'thresholds.review' ({review}) is above 'thresholds.block' ({block})",
                   keys["thresholds"])

    lists: dict[str, tuple[Term | ListRef, ...]] = {}
    list_locations: dict[str, Location] = {}
    if "lists" in keys:
        list_keys = w.mapping(keys["lists"], "'lists'", _AnyKey())
        for list_name, list_node in list_keys.items():
            if not _NAME.match(list_name):
                w.r.error(f"list name '{list_name}' must be lowercase letters, digits and '_'",
                          list_node)
                continue
            try:
                lists[list_name] = w.terms_of(list_node, f"list '{list_name}'")
            except _Skip:
                continue
            list_locations[list_name] = w.r.at(list_node)

    rules: list[Rule] = []
    if "rules" in keys:
        rule_nodes = w.sequence(keys["rules"], "'rules'")
        if category is None:
            w.fail("a pack with rules needs a 'category'", keys["rules"])
        if len(rule_nodes) > w.limits.max_rules:
            w.fail(f"more than {w.limits.max_rules} rules in one pack", keys["rules"])
        seen: dict[str, Location] = {}
        for rule_node in rule_nodes:
            try:
                rule = w.rule(rule_node, category, name)
            except _Skip:
                continue
            if rule.id in seen:
                w.r.error(f"duplicate rule id '{rule.id}' (first at {seen[rule.id]})",
                          rule_node, rule.id)
                continue
            seen[rule.id] = rule.location
            rules.append(rule)
    return Pack(name, version, description, category, bias, review, block, lists,
                list_locations, tuple(rules), path, text)


class _AnyKey(tuple[str, ...]):
    """An 'allowed keys' value that allows every key (list names are the user's)."""

    def __contains__(self, key: object) -> bool:
        return True


def _probability(w: _Walker, node: Node, what: str) -> float:
    value = w.number(node, what)
    if not 0.0 <= value <= 1.0:
        w.fail(f"{what} must be between 0 and 1, got {value}", node)
    return value


# --- checks across packs ----------------------------------------------------------------------


def check_packs(packs: Sequence[Pack], *, fail_fast: bool = True) -> list[PackError]:
    """Check what only the whole set of packs can tell: duplicate names and rule ids, undefined
    or cyclic ``$list`` references, and categories whose packs disagree on bias or thresholds."""
    problems: list[PackError] = []

    def report(message: str, location: Location | None, rule_id: str | None = None) -> None:
        problem = PackError(message, location, rule_id)
        if fail_fast:
            raise problem
        problems.append(problem)

    pack_names: dict[str, str] = {}
    list_home: dict[str, Location] = {}
    rule_home: dict[str, Location] = {}
    for pack in packs:
        if pack.name in pack_names:
            report(f"pack name '{pack.name}' is also used by {pack_names[pack.name]}",
                   Location(pack.path))
        pack_names.setdefault(pack.name, pack.path)
        for name, location in pack.list_locations.items():
            if name in list_home:
                report(f"list '{name}' is already defined at {list_home[name]}", location)
            list_home.setdefault(name, location)
        for rule in pack.rules:
            if rule.id in rule_home:
                report(f"duplicate rule id '{rule.id}' (also at {rule_home[rule.id]})",
                       rule.location, rule.id)
            rule_home.setdefault(rule.id, rule.location)

    all_lists: dict[str, tuple[Term | ListRef, ...]] = {}
    for pack in packs:
        for name, items in pack.lists.items():
            all_lists.setdefault(name, items)

    def check_ref(ref: ListRef, rule_id: str | None) -> None:
        if ref.name not in all_lists:
            report(f"undefined list '${ref.name}'{suggest(ref.name, all_lists)}",
                   ref.location, rule_id)

    for items in all_lists.values():
        for item in items:
            if isinstance(item, ListRef):
                check_ref(item, None)
    for pack in packs:
        for rule in pack.rules:
            for ref in _list_refs(rule.condition):
                check_ref(ref, rule.id)

    # cycles among lists
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for item in all_lists.get(name, ()):
            if isinstance(item, ListRef) and item.name in all_lists:
                if state.get(item.name) == 1:
                    cycle = " → ".join(f"${n}" for n in [*trail, name, item.name])
                    report(f"list reference cycle: {cycle}", item.location)
                elif item.name not in state:
                    visit(item.name, [*trail, name])
        state[name] = 2

    for name in all_lists:
        if name not in state:
            visit(name, [])

    first_set: dict[tuple[str, str], tuple[float, str]] = {}
    for pack in packs:
        if pack.category is None:
            continue
        for label, value in (("bias", pack.bias), ("review", pack.review),
                             ("block", pack.block)):
            if value is None:
                continue
            key = (pack.category, label)
            if key in first_set and first_set[key][0] != value:
                other, owner = first_set[key]
                report(f"category '{pack.category}': {label} {value} disagrees with {other} "
                       f"in pack '{owner}'", Location(pack.path))
            first_set.setdefault(key, (value, pack.name))
    return problems


def _list_refs(condition: Condition) -> Iterable[ListRef]:
    if isinstance(condition, ListRef):
        yield condition
    elif isinstance(condition, Term):
        return
    elif isinstance(condition, Regex):
        for anchor in condition.anchors:
            yield from _list_refs(anchor)
        if condition.unless is not None:
            yield from _list_refs(condition.unless)
    else:
        for item in condition.items:
            yield from _list_refs(item)
        if condition.unless is not None:
            yield from _list_refs(condition.unless)


def read_pack_file(path: Path) -> str:
    """Read a pack file as UTF-8, turning I/O and decoding failures into PackError."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PackError(f"not UTF-8 text: {exc.reason} at byte {exc.start}",
                        Location(str(path))) from exc
    except OSError as exc:
        raise PackError(f"cannot read pack: {exc.strerror}", Location(str(path))) from exc

"""The scoring engine: :func:`load` builds a :class:`Classifier`; ``score`` walks one message.

normalize → scan (one automaton) → evaluate the rules the hits touched → combine → Verdict.
A Classifier is immutable after construction, so one instance serves any number of threads;
reloading means building a new one and swapping the reference.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

from .compiler import Ruleset, compile_packs, sigmoid
from .conversation import ChatInput, Conversation
from .errors import Location, PackError
from .normalize import NormalizedText, normalize
from .packs import Limits, Pack, parse_pack, read_pack_file, suggest
from .verdict import Action, Match, Verdict

__all__ = ["Classifier", "bundled_pack_paths", "load", "load_sources"]

DEFAULT_MAX_CHARS = 10_000
DEFAULT_REGEX_TIMEOUT = 0.05  # seconds, per regex per message

Source = tuple[str, str]  # (path, YAML text)


def _bundled_dir() -> Path:
    installed = resources.files("fraudrules").joinpath("rules")
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "rules"


def bundled_pack_paths() -> list[Path]:
    """The pack files shipped with fraudrules, in load order."""
    folder = _bundled_dir()
    if not folder.is_dir():
        raise PackError("bundled rule packs not found", Location(str(folder)))
    return _pack_files(folder)


def _pack_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files stay files; folders give their ``*.yaml`` / ``*.yml`` files, sorted."""
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(_pack_files(path))
        elif path.exists():
            found.append(path)
        else:
            raise PackError("no such file or folder", Location(str(path)))
    return found


def _read_sources(paths: Iterable[Path]) -> list[Source]:
    return [(str(path), read_pack_file(path)) for path in paths]


def _bundled_sources(packs: Sequence[str] | None) -> list[Source]:
    sources = _read_sources(bundled_pack_paths())
    if packs is None:
        return sources
    if not packs:
        return []
    # A broken pack that is not selected must not stop the load: parse leniently here; the
    # selected ones are parsed strictly by load_sources.
    parsed = [(source, parse_pack(source[1], source[0], fail_fast=False)[0])
              for source in sources]
    names = {p.name for _, p in parsed if p is not None}
    for name in packs:
        if name not in names:
            raise PackError(f"no bundled pack named '{name}' (bundled: "
                            f"{', '.join(sorted(names))}){suggest(name, sorted(names))}")
    return [source for source, pack in parsed
            if pack is not None and (pack.name in packs or not pack.rules)]


def load(
    paths: Iterable[str | Path] | None = None,
    *,
    packs: Sequence[str] | None = None,
    thresholds: Mapping[str, float] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
    limits: Limits | None = None,
) -> Classifier:
    """Build a classifier from the bundled packs plus any pack files or folders in ``paths``.

    ``packs`` selects bundled packs by name (pack files without rules, such as the shared term
    lists, always come along); ``packs=[]`` loads no bundled pack. ``thresholds`` overrides
    every category's ``review`` / ``block`` thresholds. Raises :class:`PackError` at the first
    problem; nothing is half-loaded.

    >>> import fraudrules
    >>> classifier = fraudrules.load(packs=["account_trading"])
    >>> classifier.score("出租微信号，日结").category
    'account_trading'
    """
    sources = _bundled_sources(packs)
    if paths is not None:
        sources += _read_sources(expand_paths(paths))
    return load_sources(sources, thresholds=thresholds, max_chars=max_chars,
                        regex_timeout=regex_timeout, limits=limits)


def load_sources(
    sources: Sequence[Source],
    *,
    thresholds: Mapping[str, float] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
    limits: Limits | None = None,
) -> Classifier:
    """Build a classifier from ``(path, yaml_text)`` pairs (the path is used in errors)."""
    parsed: list[Pack] = []
    with _collector_paused():
        for path, text in sources:
            pack, _ = parse_pack(text, path, fail_fast=True, limits=limits)
            assert pack is not None  # fail_fast raises instead
            parsed.append(pack)
        ruleset = compile_packs(parsed)
    return Classifier(ruleset, thresholds=thresholds, max_chars=max_chars,
                      regex_timeout=regex_timeout, sources=tuple(sources))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a ruleset is built.

    Loading creates hundreds of thousands of long-lived objects (YAML nodes, terms, condition
    trees) and no reference cycles worth collecting; every collection the allocations trigger
    walks all of them again, which costs more than half the load time of a large pack. The
    collector's previous state is restored afterwards, also on error.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Classifier:
    """Scores messages with a compiled ruleset. Immutable and thread-safe; picklable.

    Build one with :func:`fraudrules.load`.
    """

    __slots__ = ("_clean", "_options", "_ruleset", "_sources", "_thresholds", "max_chars",
                 "regex_timeout")

    def __init__(
        self,
        ruleset: Ruleset,
        *,
        thresholds: Mapping[str, float] | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
        sources: tuple[Source, ...] = (),
    ) -> None:
        if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
            raise ValueError(f"max_chars must be a positive integer, got {max_chars!r}")
        if not regex_timeout > 0:
            raise ValueError(f"regex_timeout must be positive, got {regex_timeout!r}")
        self._ruleset = ruleset
        self.max_chars = max_chars
        self.regex_timeout = float(regex_timeout)
        self._sources = sources
        self._options = {"thresholds": dict(thresholds) if thresholds else None,
                         "max_chars": max_chars, "regex_timeout": regex_timeout}
        self._thresholds = _thresholds(ruleset, thresholds)
        biases = {name: info.bias for name, info in ruleset.categories.items()}
        base = {name: sigmoid(bias) for name, bias in biases.items()}
        self._clean = tuple(
            Verdict(max(base.values(), default=0.0), None, "allow", base, (), truncated,
                    ruleset.version, biases)
            for truncated in (False, True)
        )

    # --- properties -------------------------------------------------------------------------

    @property
    def version(self) -> str:
        """Pack names and versions plus a hash of their content."""
        return self._ruleset.version

    @property
    def ruleset(self) -> Ruleset:
        return self._ruleset

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self._ruleset.categories)

    def thresholds(self, category: str) -> tuple[float, float]:
        """``(review, block)`` for a category."""
        return self._thresholds[category]

    # --- scoring ----------------------------------------------------------------------------

    def score(self, text: str) -> Verdict:
        """Score one message. Never raises for a ``str``; ``TypeError`` for anything else.

        >>> import fraudrules
        >>> v = fraudrules.load().score("扫雷群，包尾中雷赔1.5倍，抽水5%")
        >>> v.category, v.action
        ('red_envelope_gambling', 'block')
        """
        normalized, found, candidates, truncated = self._scan(text)
        if not candidates:  # most messages: nothing can fire, no per-hit work at all
            return self._clean[truncated]
        hits = self._ruleset.hits(normalized, found)
        fired, errors = self._fire(normalized, hits, candidates)
        if fired:
            return self._combine(fired, truncated, errors)
        if errors:
            clean = self._clean[truncated]
            return Verdict(clean.score, None, "allow", clean.categories, (), truncated,
                           clean.ruleset_version, clean.biases, errors)
        return self._clean[truncated]

    def _scan(self, text: str) -> tuple[NormalizedText, list[tuple[int, int, int]], list[int],
                                        bool]:
        """Normalize (a prefix of) one message, scan it, and pick the candidate rules."""
        if not isinstance(text, str):
            raise TypeError(f"fraudrules expects str, got {type(text).__name__}")
        truncated = len(text) > self.max_chars
        if truncated:
            text = text[: self.max_chars]
        normalized = normalize(text)
        found = self._ruleset.find(normalized.text)
        return normalized, found, self._ruleset.candidates(found), truncated

    def _fire(self, normalized: NormalizedText, hits: dict[int, list[tuple[int, int]]],
              candidates: list[int]) -> tuple[list[Match], tuple[str, ...]]:
        """Evaluate the candidate message-scope rules (:meth:`Ruleset.candidates`); their
        matches and regex errors."""
        ruleset = self._ruleset
        state = ruleset.state(normalized.text, hits, self.regex_timeout)
        rules = ruleset.rules
        text = normalized.original
        fired: list[Match] = []
        for index in candidates:
            compiled = rules[index]
            occurrences = compiled.node.evaluate(state, 1)  # the first is what is reported
            if not occurrences:
                continue
            start, end, parts = occurrences[0]
            first, last = normalized.span(start, end)
            rule = compiled.rule
            fired.append(Match(
                rule.id, rule.category, rule.weight, first, last, text[first:last],
                rule.description, tuple(normalized.span(s, e) for s, e in parts),
            ))
        return fired, tuple(state.errors)

    def analyse(self, text: str) -> tuple[NormalizedText, dict[int, list[tuple[int, int]]],
                                          list[Match], tuple[str, ...], bool]:
        """The pieces of one message's scoring, for conversation scoring: its normalized
        view, term hits, fired message-scope rules, regex errors and truncation."""
        normalized, found, candidates, truncated = self._scan(text)
        hits = self._ruleset.hits(normalized, found)
        if not candidates:
            return normalized, hits, [], (), truncated
        fired, errors = self._fire(normalized, hits, candidates)
        return normalized, hits, fired, errors, truncated

    def _combine(self, fired: Sequence[Match], truncated: bool,
                 errors: tuple[str, ...]) -> Verdict:
        clean = self._clean[0]
        biases = clean.biases
        logits: dict[str, float] = {}
        for match in fired:
            category = match.category
            logits[category] = logits.get(category, biases[category]) + match.contribution
        categories = dict(clean.categories)  # the other categories keep their base score
        for name, logit in logits.items():
            categories[name] = sigmoid(logit)
        # Only positive evidence names a category: a benign-context rule firing alone
        # (negative weight) lowers a score but does not point at a scam.
        accused = {m.category for m in fired if m.contribution > 0}
        if not accused:
            return Verdict(max(categories.values()), None, "allow", categories, tuple(fired),
                           truncated, clean.ruleset_version, clean.biases, errors)
        category = max(accused, key=lambda c: (categories[c], c))
        score = categories[category]
        review, block = self._thresholds[category]
        action: Action = "block" if score >= block else "review" if score >= review else "allow"
        return Verdict(score, category, action, categories, tuple(fired), truncated,
                       clean.ruleset_version, clean.biases, errors)

    def conversation(self, **window: float) -> Conversation:
        """A new :class:`Conversation` scored with this classifier.

        Window options: ``max_messages`` (30), ``max_age`` (1800 s), ``half_life`` (600 s),
        ``half_life_messages`` (10).
        """
        return Conversation(self, **window)  # type: ignore[arg-type]

    def score_conversation(self, messages: Iterable[ChatInput], **window: float) -> Verdict:
        """Score a finished chat: ``str`` messages, or mappings with ``text`` and optional
        ``sender`` and ``timestamp`` (seconds or ``datetime``). The same verdict as adding the
        messages one by one to :meth:`conversation` and reading its ``verdict``.

        >>> import fraudrules
        >>> fraudrules.load().score_conversation(
        ...     ["老师今天带单，跟上的都赚了", "入金找我，名额有限"]).category
        'investment_scam'
        """
        return self.conversation(**window).extend(messages)

    def score_many(self, texts: Iterable[str], *, workers: int = 1,
                   chunksize: int = 2000) -> Iterator[Verdict]:
        """Score an iterable of messages, yielding verdicts in the same order.

        With ``workers > 1`` the messages are scored in that many processes (each gets a copy
        of this classifier once); the input is consumed lazily in chunks.

        >>> import fraudrules
        >>> [v.flagged for v in fraudrules.load().score_many(["你好", "出租微信号，日结"])]
        [False, True]
        """
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if workers == 1:
            return map(self.score, texts)
        return self._score_parallel(texts, workers, chunksize)

    def _score_parallel(self, texts: Iterable[str], workers: int,
                        chunksize: int) -> Iterator[Verdict]:
        iterator = iter(texts)
        chunks = iter(lambda: list(islice(iterator, chunksize)), [])
        context = multiprocessing.get_context("fork" if _has_fork() else "spawn")
        clean = self._clean
        with context.Pool(workers, initializer=_init_worker, initargs=(self,)) as pool:
            for verdicts in pool.imap(_score_chunk, chunks):
                for verdict in verdicts:
                    yield clean[verdict] if isinstance(verdict, bool) else verdict

    # --- pickling ---------------------------------------------------------------------------

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._sources, self._options))

    def __repr__(self) -> str:
        return f"<Classifier {self.version} rules={len(self._ruleset.rules)}>"


def _has_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _rebuild(sources: tuple[Source, ...], options: dict[str, Any]) -> Classifier:
    return load_sources(sources, **options)


_worker: Classifier | None = None


def _init_worker(classifier: Classifier) -> None:
    global _worker  # noqa: PLW0603 - one classifier per worker process, set once
    _worker = classifier


def _score_chunk(texts: list[str]) -> list[Verdict | bool]:
    """Verdicts for a chunk; a clean verdict travels back as its ``truncated`` flag only (most
    messages are clean, and pickling full verdicts would cost more than scoring them)."""
    assert _worker is not None
    clean = _worker._clean
    result: list[Verdict | bool] = []
    for text in texts:
        verdict = _worker.score(text)
        result.append(verdict.truncated if verdict is clean[verdict.truncated] else verdict)
    return result


def _thresholds(ruleset: Ruleset,
                override: Mapping[str, float] | None) -> dict[str, tuple[float, float]]:
    if override:
        unknown = set(override) - {"review", "block"}
        if unknown:
            raise ValueError(f"thresholds takes 'review' and 'block', not {sorted(unknown)}")
        for key, value in override.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"threshold {key} must be between 0 and 1, got {value}")
    result: dict[str, tuple[float, float]] = {}
    for name, info in ruleset.categories.items():
        review = override.get("review", info.review) if override else info.review
        block = override.get("block", info.block) if override else info.block
        if review > block:
            raise ValueError(f"review threshold {review} is above block threshold {block}")
        result[name] = (review, block)
    return result

"""Serve a :class:`Classifier` that can be reloaded while other threads score.

A :class:`RuleHost` remembers where its packs live and how to load them, and keeps the current
classifier in one attribute. ``reload()`` builds a complete new classifier off to the side and
then swaps the reference with a plain assignment; a classifier is immutable, so a thread that is
scoring keeps using whichever one it read, and every verdict comes from exactly one ruleset.
Scoring takes no lock. A lock serializes reloads only, so two reloads never race.

A reload that fails (bad YAML, a broken rule, or failing examples with ``check_examples=True``)
changes nothing that is served: the old classifier stays, the failure is counted and kept in
``last_error``, and :class:`PackError` is raised.

>>> from fraudrules.host import RuleHost
>>> host = RuleHost(packs=["account_trading"])
>>> host.score("出租微信号，日结").category
'account_trading'
>>> host.reload() == host.version
True
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from .checks import check_examples
from .engine import DEFAULT_MAX_CHARS, DEFAULT_REGEX_TIMEOUT, Classifier, expand_paths, load
from .errors import PackError
from .packs import Limits
from .verdict import Verdict

__all__ = ["RuleHost"]

_log = logging.getLogger("fraudrules")

# (path, st_mtime_ns, st_size, st_ino) of every watched file; a path that cannot be listed or
# read appears with an error text instead, so that its return is noticed too.
_Signature = tuple[tuple[str, int, int, int] | tuple[str, str], ...]


class RuleHost:
    """Holds pack paths and load options, and serves the current :class:`Classifier`.

    The options are those of :func:`fraudrules.load`. With ``check_examples=True`` every
    reload also runs each rule's ``examples`` and refuses a ruleset where one fails.

    The first load happens in the constructor and raises :class:`PackError` when it fails
    (there is nothing older to keep serving). After that:

    * ``score`` / ``score_many`` use the current classifier; no lock is taken;
    * ``reload()`` returns the new version string, or raises :class:`PackError` and keeps
      the old classifier;
    * ``reloads``, ``failed_reloads`` and ``last_error`` count what happened;
    * ``watch(interval)`` polls the pack files from a daemon thread and reloads when one
      changes; ``stop()`` ends it. ``with host.watch(): ...`` does both.

    >>> host = RuleHost(packs=[])
    >>> host.score("你好").action, host.reloads, host.failed_reloads
    ('allow', 0, 0)
    """

    def __init__(
        self,
        paths: Iterable[str | Path] | None = None,
        *,
        packs: Sequence[str] | None = None,
        thresholds: Mapping[str, float] | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
        limits: Limits | None = None,
        check_examples: bool = False,
    ) -> None:
        self._paths: tuple[Path, ...] = tuple(Path(p) for p in paths) if paths is not None else ()
        self._packs = tuple(packs) if packs is not None else None
        self._thresholds = dict(thresholds) if thresholds is not None else None
        self._max_chars = max_chars
        self._regex_timeout = regex_timeout
        self._limits = limits
        self._check_examples = check_examples
        self._reload_lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._stopping = threading.Event()
        self.reloads = 0
        self.failed_reloads = 0
        self.last_error: PackError | None = None
        self._signature = self._current_signature()
        self._classifier = self._build()

    # --- what is served ---------------------------------------------------------------------

    @property
    def classifier(self) -> Classifier:
        """The classifier serving right now (read it once and keep it for a consistent batch)."""
        return self._classifier

    @property
    def version(self) -> str:
        """The ``ruleset_version`` of the classifier serving right now."""
        return self._classifier.version

    @property
    def paths(self) -> tuple[Path, ...]:
        """The pack files and folders this host loads (besides the bundled packs)."""
        return self._paths

    def score(self, text: str) -> Verdict:
        """Score one message with the current classifier (see :meth:`Classifier.score`).

        >>> RuleHost(packs=["account_trading"]).score("长期高价回收微信号，秒结").action
        'block'
        """
        return self._classifier.score(text)

    def score_many(self, texts: Iterable[str], *, workers: int = 1,
                   chunksize: int = 2000) -> Iterator[Verdict]:
        """Score many messages with ONE classifier: the one serving when this was called.

        A reload during the batch does not mix versions inside it.

        >>> [v.action for v in RuleHost(packs=[]).score_many(["你好", "在吗"])]
        ['allow', 'allow']
        """
        return self._classifier.score_many(texts, workers=workers, chunksize=chunksize)

    # --- reloading --------------------------------------------------------------------------

    def reload(self) -> str:
        """Load the packs again and serve the result; return its version.

        On failure the old classifier keeps serving, ``failed_reloads`` goes up, the error is
        kept in ``last_error`` and raised as :class:`PackError`. An unexpected exception from
        the loader is wrapped in a :class:`PackError` (the original is its ``__cause__``) so
        that callers and the watcher handle every failure the same way.
        """
        with self._reload_lock:
            signature = self._current_signature()
            try:
                classifier = self._build()
            except PackError as exc:
                self._signature = signature
                self.failed_reloads += 1
                self.last_error = exc
                _log.warning("fraudrules: reload failed, still serving %s: %s",
                             self._classifier.version, exc)
                raise
            except Exception as exc:  # a loader bug must not end serving: report it as a
                # failed reload (the original stays the __cause__) and keep the old classifier
                error = PackError(f"reload failed with an unexpected "
                                  f"{type(exc).__name__}: {exc}")
                self._signature = signature
                self.failed_reloads += 1
                self.last_error = error
                _log.warning("fraudrules: reload failed, still serving %s: %s",
                             self._classifier.version, error)
                raise error from exc
            self._classifier = classifier  # the swap: one reference assignment
            self._signature = signature
            self.reloads += 1
            self.last_error = None
            _log.info("fraudrules: reloaded, now serving %s", classifier.version)
            return classifier.version

    def try_reload(self) -> tuple[bool, PackError | None]:
        """Like :meth:`reload`, but return ``(True, None)`` or ``(False, error)``.

        >>> RuleHost(packs=[]).try_reload()
        (True, None)
        """
        try:
            self.reload()
        except PackError as exc:
            return False, exc
        return True, None

    def poll(self) -> bool:
        """Reload if a pack file changed since the last load (one step of the watcher).

        Returns True when a reload was attempted; a failed attempt is counted and logged, not
        raised. The same broken content is not retried until the files change again.
        """
        if self._current_signature() == self._signature:
            return False
        self.try_reload()
        return True

    def _build(self) -> Classifier:
        classifier = load(self._paths, packs=self._packs, thresholds=self._thresholds,
                          max_chars=self._max_chars, regex_timeout=self._regex_timeout,
                          limits=self._limits)
        if self._check_examples:
            failures = [r for r in check_examples(classifier) if not r.passed]
            if failures:
                first = failures[0]
                should = "fire" if first.expected else "not fire"
                raise PackError(
                    f"{len(failures)} rule example(s) failed; the first: {first.text!r} should "
                    f"{should} (fired: {', '.join(first.fired_rules) or 'nothing'}) at "
                    f"{first.location}", rule_id=first.rule_id)
        return classifier

    def _current_signature(self) -> _Signature:
        try:
            files = expand_paths(self._paths)
        except PackError as exc:
            return (("<paths>", str(exc)),)
        found: list[tuple[str, int, int, int] | tuple[str, str]] = []
        for path in files:
            try:
                stat = os.stat(path)
            except OSError as exc:
                found.append((str(path), exc.__class__.__name__))
            else:
                found.append((str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino))
        return tuple(found)

    # --- watching ---------------------------------------------------------------------------

    def watch(self, interval: float = 1.0) -> RuleHost:
        """Start a daemon thread that calls :meth:`poll` every ``interval`` seconds.

        Returns the host, so ``with host.watch(0.5): ...`` stops the thread on exit.
        Raises ``RuntimeError`` when a watcher is already running.
        """
        if not interval > 0:
            raise ValueError(f"interval must be positive, got {interval!r}")
        with self._reload_lock:
            if self._watcher is not None and self._watcher.is_alive():
                raise RuntimeError("this RuleHost is already watching its packs")
            self._stopping.clear()
            self._watcher = threading.Thread(target=self._watch, args=(interval,),
                                             name="fraudrules-watcher", daemon=True)
            self._watcher.start()
        return self

    @property
    def watching(self) -> bool:
        """True while the watcher thread runs."""
        return self._watcher is not None and self._watcher.is_alive()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop the watcher thread (if any) and wait up to ``timeout`` seconds for it."""
        self._stopping.set()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout)
        self._watcher = None

    def _watch(self, interval: float) -> None:
        while not self._stopping.wait(interval):
            try:
                self.poll()
            except Exception:  # the watcher must outlive any one bad poll
                _log.exception("fraudrules: pack watcher poll failed")

    def __enter__(self) -> RuleHost:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return (f"<RuleHost {self.version} reloads={self.reloads} "
                f"failed_reloads={self.failed_reloads}>")

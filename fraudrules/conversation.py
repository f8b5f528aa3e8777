"""Evidence that builds up across the messages of one chat.

A :class:`Conversation` keeps a bounded window of recent messages (by count and by age). Each
message is scored on its own once; the verdict returned by :meth:`Conversation.add` then adds

* the message-scope rules that fired in earlier messages of the window, each counted once per
  rule (its latest firing), with its weight decayed by the message's age: halved every
  ``half_life_messages`` messages and every ``half_life`` seconds when timestamps are given;
* the conversation-scope rules (``scope: conversation`` in a pack), evaluated over the whole
  window as if its messages were one text, so their parts may come from different messages,
  with the sender conditions ``min_messages``, ``min_senders`` and ``same_sender``.

Matching is not re-implemented here: messages are normalized and scanned by the classifier's
ruleset, and conversation rules are evaluated by the same condition trees.

A Conversation holds mutable state: use one per chat, and do not share one between threads
without a lock. Different conversations (of the same Classifier) can be used from different
threads at once.

>>> import fraudrules
>>> chat = fraudrules.load().conversation()
>>> chat.add("跟着老师做了一周", sender="阿琳").action
'allow'
>>> verdict = chat.add("想上车的找助理入金", sender="阿琳")
>>> verdict.action, sorted({m.message for m in verdict.matches})
('block', [0, 1])
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .normalize import NormalizedText
from .packs import Rule
from .verdict import Match, Verdict

if TYPE_CHECKING:
    from .engine import Classifier

__all__ = ["ChatInput", "Conversation"]

ChatInput = str | Mapping[str, Any]

DEFAULT_MAX_MESSAGES = 30
DEFAULT_MAX_AGE = 1800.0  # seconds
DEFAULT_HALF_LIFE = 600.0  # seconds
DEFAULT_HALF_LIFE_MESSAGES = 10.0


@dataclass(frozen=True, slots=True)
class _Entry:
    index: int
    sender: str | None
    timestamp: float | None
    normalized: NormalizedText
    hits: dict[int, list[tuple[int, int]]]
    matches: tuple[Match, ...]


def _seconds(timestamp: object) -> float | None:
    if timestamp is None:
        return None
    if isinstance(timestamp, datetime):
        return timestamp.timestamp()
    if isinstance(timestamp, int | float) and not isinstance(timestamp, bool):
        value = float(timestamp)
        if math.isfinite(value):
            return value
    raise TypeError(f"timestamp must be a number of seconds or a datetime, got "
                    f"{type(timestamp).__name__} {timestamp!r}")


class Conversation:
    """One chat's recent messages and the evidence they carry. Create it with
    :meth:`Classifier.conversation`; not thread-safe (one per chat, or guard it with a lock)."""

    def __init__(
        self,
        classifier: Classifier,
        *,
        max_messages: int = DEFAULT_MAX_MESSAGES,
        max_age: float = DEFAULT_MAX_AGE,
        half_life: float = DEFAULT_HALF_LIFE,
        half_life_messages: float = DEFAULT_HALF_LIFE_MESSAGES,
    ) -> None:
        if max_messages < 1:
            raise ValueError(f"max_messages must be at least 1, got {max_messages}")
        for name, value in (("max_age", max_age), ("half_life", half_life),
                            ("half_life_messages", half_life_messages)):
            if not value > 0:
                raise ValueError(f"{name} must be positive, got {value!r}")
        self._classifier = classifier
        self._max_messages = max_messages
        self._max_age = float(max_age)
        self._half_life = float(half_life)
        self._half_life_messages = float(half_life_messages)
        self._window: deque[_Entry] = deque()
        self._count = 0
        self._peak: Verdict | None = None

    @property
    def messages_seen(self) -> int:
        """How many messages were added (the next message's index)."""
        return self._count

    @property
    def verdict(self) -> Verdict:
        """The conversation as a whole: the most severe verdict any message reached in its
        context (the latest among equals). Before any message, the classifier's clean verdict.
        """
        if self._peak is None:
            return self._classifier.score("")
        return self._peak

    def add(self, text: str, *, sender: str | None = None,
            timestamp: float | datetime | None = None) -> Verdict:
        """Add the next message and return its verdict in the context of the recent ones."""
        if sender is not None and not isinstance(sender, str):
            raise TypeError(f"sender must be a str, got {type(sender).__name__}")
        seconds = _seconds(timestamp)
        normalized, hits, fired, errors, truncated = self._classifier.analyse(text)
        index = self._count
        self._count += 1
        own = tuple(
            Match(m.rule_id, m.category, m.contribution, m.start, m.end, m.text,
                  m.description, m.parts, index, (index,) * len(m.parts))
            for m in fired
        )
        self._window.append(_Entry(index, sender, seconds, normalized, hits, own))
        self._evict(seconds)
        matches, more_errors = self._evidence(index, seconds)
        verdict = self._classifier._combine(matches, truncated, errors + more_errors)
        if self._peak is None or _severity(verdict) >= _severity(self._peak):
            self._peak = verdict
        return verdict

    def extend(self, messages: Iterable[ChatInput]) -> Verdict:
        """Add several messages (``str`` or mappings with ``text`` and optional ``sender`` and
        ``timestamp``); return the conversation's verdict."""
        for number, message in enumerate(messages):
            if isinstance(message, str):
                self.add(message)
            elif isinstance(message, Mapping):
                text = message.get("text")
                if not isinstance(text, str):
                    raise TypeError(f"message {number}: 'text' must be a str, got "
                                    f"{type(text).__name__}")
                self.add(text, sender=message.get("sender"),
                         timestamp=message.get("timestamp"))
            else:
                raise TypeError(f"message {number}: expected str or mapping, got "
                                f"{type(message).__name__}")
        return self.verdict

    # --- internals --------------------------------------------------------------------------

    def _evict(self, now: float | None) -> None:
        window = self._window
        while len(window) > self._max_messages:
            window.popleft()
        if now is not None:
            while window and window[0].timestamp is not None and \
                    now - window[0].timestamp > self._max_age:
                window.popleft()

    def _decay(self, entry: _Entry, index: int, now: float | None) -> float:
        factor: float = 0.5 ** ((index - entry.index) / self._half_life_messages)
        if now is not None and entry.timestamp is not None and now > entry.timestamp:
            factor *= 0.5 ** ((now - entry.timestamp) / self._half_life)
        return factor

    def _evidence(self, index: int, now: float | None) -> tuple[list[Match], tuple[str, ...]]:
        latest: dict[str, Match] = {}
        for entry in self._window:  # oldest first, so later firings replace earlier ones
            factor = self._decay(entry, index, now)
            for match in entry.matches:
                if factor == 1.0:
                    latest[match.rule_id] = match
                else:
                    latest[match.rule_id] = Match(
                        match.rule_id, match.category, match.contribution * factor,
                        match.start, match.end, match.text, match.description, match.parts,
                        match.message, match.part_messages)
        matches = list(latest.values())
        errors: tuple[str, ...] = ()
        ruleset = self._classifier.ruleset
        if ruleset.has_conversation_rules:
            found, errors = self._conversation_rules()
            matches.extend(found)
        matches.sort(key=lambda m: (m.message or 0, m.start, m.rule_id))
        return matches, errors

    def _conversation_rules(self) -> tuple[list[Match], tuple[str, ...]]:
        ruleset = self._classifier.ruleset
        entries = list(self._window)
        offsets: list[int] = []
        merged: dict[int, list[tuple[int, int]]] = {}
        position = 0
        for entry in entries:
            offsets.append(position)
            for term, spans in entry.hits.items():
                merged.setdefault(term, []).extend((s + position, e + position)
                                                   for s, e in spans)
            position += len(entry.normalized.text)
        touched = ruleset.touched_conversation(merged)
        if not touched:
            return [], ()
        joined = "".join(entry.normalized.text for entry in entries)
        state = ruleset.state(joined, merged, self._classifier.regex_timeout)
        found: list[Match] = []
        for rule_index in touched:
            compiled = ruleset.rules[rule_index]
            rule = compiled.rule
            occurrences = compiled.node.evaluate(state)
            if not occurrences:
                continue
            # The evidence spans every message where a part of the rule was seen, not only
            # the messages of the combination reported (a second sender's later "转了" counts).
            starts = [s for occurrence in occurrences for s, _ in occurrence[2]]
            for item in getattr(compiled.node, "items", ()):
                starts.extend(s for occurrence in item.evaluate(state) for s, _ in occurrence[2])
            where = sorted({bisect.bisect_right(offsets, s) - 1 for s in starts})
            senders: dict[str | None, int] = {}
            for position_index in where:
                sender = entries[position_index].sender
                senders[sender] = senders.get(sender, 0) + 1
            count = max(senders.values()) if rule.same_sender else len(where)
            if count < rule.min_messages or len(senders) < rule.min_senders:
                continue
            found.append(self._match(rule, occurrences[0][2], entries, offsets))
        return found, tuple(state.errors)

    @staticmethod
    def _match(rule: Rule, parts: Sequence[tuple[int, int]], entries: Sequence[_Entry],
               offsets: Sequence[int]) -> Match:
        spans: list[tuple[int, int]] = []
        positions: list[int] = []
        for start, end in parts:
            position = bisect.bisect_right(offsets, start) - 1
            entry = entries[position]
            local_start = start - offsets[position]
            local_end = min(end - offsets[position], len(entry.normalized.text))
            spans.append(entry.normalized.span(local_start, local_end))
            positions.append(position)
        first = entries[positions[0]]
        own = [span for span, p in zip(spans, positions, strict=True) if p == positions[0]]
        start, end = min(s for s, _ in own), max(e for _, e in own)
        return Match(rule.id, rule.category, rule.weight, start, end,
                     first.normalized.original[start:end], rule.description, tuple(spans),
                     first.index, tuple(entries[p].index for p in positions))


_ACTION_RANK = {"allow": 0, "review": 1, "block": 2}


def _severity(verdict: Verdict) -> tuple[int, float]:
    return _ACTION_RANK[verdict.action], verdict.score

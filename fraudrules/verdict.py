"""The result of scoring: :class:`Verdict` and the :class:`Match` objects that explain it.

Both are frozen dataclasses; ``to_dict()`` gives plain JSON-serializable data. The explanation
adds up: for each category, ``sigmoid(biases[c] + Σ contribution of its matches) ==
categories[c]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Action", "Match", "Verdict"]

Action = Literal["allow", "review", "block"]


@dataclass(frozen=True, slots=True)
class Match:
    """One fired rule.

    ``start``/``end`` index the ORIGINAL text and cover all the evidence (``text`` is
    ``original[start:end]``); ``parts`` are the spans of each term or regex match within it.

    In a conversation verdict, ``message`` is the index (from the start of the conversation)
    of the message that ``start``, ``end`` and ``text`` refer to, and ``part_messages`` gives
    the message of each part: a conversation-scope rule can draw its parts from several
    messages. ``contribution`` is then the rule's weight after decay for the message's age.
    """

    rule_id: str
    category: str
    contribution: float
    start: int
    end: int
    text: str
    description: str
    parts: tuple[tuple[int, int], ...] = ()
    message: int | None = None
    part_messages: tuple[int, ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        # positional arguments: several times faster to pickle than a frozen dataclass's
        # default state (score_many sends verdicts between processes)
        return (Match, (self.rule_id, self.category, self.contribution, self.start, self.end,
                        self.text, self.description, self.parts, self.message,
                        self.part_messages))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule_id": self.rule_id,
            "category": self.category,
            "contribution": self.contribution,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "description": self.description,
            "parts": [list(p) for p in self.parts],
        }
        if self.message is not None:
            data["message"] = self.message
            data["part_messages"] = list(self.part_messages)
        return data


@dataclass(frozen=True, slots=True)
class Verdict:
    """How suspicious a message is, what to do with it and why.

    ``score`` is the reported category's score (0..1), ``category`` the most likely scam
    category among those where a rule with a positive weight fired (``None`` when none did;
    ``score`` is then the highest category score), ``action`` follows that category's
    thresholds. ``categories`` holds every category's score and ``biases`` the
    starting log-odds of each. ``errors`` lists rules that could not run (a regex timeout).
    """

    score: float
    category: str | None
    action: Action
    categories: dict[str, float]
    matches: tuple[Match, ...]
    truncated: bool
    ruleset_version: str
    biases: dict[str, float]
    errors: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return (Verdict, (self.score, self.category, self.action, self.categories, self.matches,
                          self.truncated, self.ruleset_version, self.biases, self.errors))

    @property
    def flagged(self) -> bool:
        """True when the action is ``review`` or ``block``."""
        return self.action != "allow"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``json.dumps``."""
        return {
            "score": self.score,
            "category": self.category,
            "action": self.action,
            "categories": dict(self.categories),
            "matches": [m.to_dict() for m in self.matches],
            "truncated": self.truncated,
            "ruleset_version": self.ruleset_version,
            "biases": dict(self.biases),
            "errors": list(self.errors),
        }

"""The exceptions fraudrules raises.

Tree::

    FraudRulesError          root: catch this to catch anything fraudrules raises on purpose
    └── PackError            a rule pack could not be read or compiled; carries where and which rule

``TypeError`` is raised as usual when ``score`` gets something that is not a ``str``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FraudRulesError", "Location", "PackError"]


class FraudRulesError(Exception):
    """Root of every exception fraudrules raises on purpose."""


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a pack file: ``path`` and 1-based ``line`` and ``column`` (0 when unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}"
        return self.path


class PackError(FraudRulesError):
    """A rule pack is invalid.

    ``str(error)`` reads ``path:line:col: rule ID: message``; the parts are also attributes:
    ``location`` (a :class:`Location` or ``None``), ``rule_id`` (or ``None``) and ``message``.
    """

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        rule_id: str | None = None,
        *,
        severity: str = "error",
    ) -> None:
        self.message = message
        self.location = location
        self.rule_id = rule_id
        self.severity = severity
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.rule_id:
            parts.append(f"rule {self.rule_id}")
        severity = "" if self.severity == "error" else f"{self.severity}: "
        parts.append(severity + self.message)
        return ": ".join(parts)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_pack_error, (self.message, self.location, self.rule_id, self.severity))


def _rebuild_pack_error(
    message: str, location: Location | None, rule_id: str | None, severity: str
) -> PackError:
    return PackError(message, location, rule_id, severity=severity)

"""funnelsim's exceptions. The compiled part raises them from the library's errors."""
from __future__ import annotations

from typing import NamedTuple, Optional, Sequence


class Issue(NamedTuple):
    """One problem in a scenario: where (a JSON Pointer, "" for the whole document), what was
    expected there and what was found."""

    pointer: str
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: expected {self.expected}, found {self.found}"


class ScenarioError(ValueError):
    """A bad scenario. ``pointer``, ``expected`` and ``found`` describe the first problem,
    ``issues`` lists every one (a file may have several); ``context`` says which input it was
    when a job had several (a sweep point), else None."""

    def __init__(self, issues: Sequence[Issue], context: Optional[str] = None) -> None:
        self.issues = [Issue(*issue) for issue in issues]
        self.context = context
        first = self.issues[0] if self.issues else Issue("", "", "")
        self.pointer, self.expected, self.found = first
        lines = "\n".join(str(issue) for issue in self.issues)
        super().__init__(f"{context}: {lines}" if context else lines)


class UsageError(ValueError):
    """A bad argument that is not a scenario (a sweep parameter, an objective, a metric name).
    ``subject`` names the argument and the item in it, e.g. "params /scoring/mql_threshold"."""

    def __init__(self, message: str, subject: Optional[str] = None) -> None:
        self.subject = subject
        self.message = message
        super().__init__(f"{subject}: {message}" if subject else message)


class ResultWriteError(OSError):
    """Writing results failed (a full disk, a refused rename); the folder is left as it was."""

"""A finding: one thing wrong with one place in one file, as a value (never an exception)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """`prompts/acme/greeting.yaml:7:5: error: ... [code]`; line and column count from 1."""

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_text(self) -> str:
        """One line; a message of several lines (a stale translation's diff) keeps its first
        line there and the rest below it, so the hint and code stay on the finding's line."""
        hint = f" ({self.hint})" if self.hint else ""
        head, newline, rest = self.message.partition("\n")
        return (f"{self.path}:{self.line}:{self.column}: {self.severity.value}: "
                f"{head}{hint} [{self.code}]{newline}{rest}")

    def as_dict(self) -> dict[str, str | int]:
        return {"path": self.path, "line": self.line, "column": self.column,
                "severity": self.severity.value, "code": self.code, "message": self.message,
                "hint": self.hint}


def error(path: str, line: int, column: int, code: str, message: str, hint: str = "") -> Finding:
    return Finding(path, max(line, 1), max(column, 1), Severity.ERROR, code, message, hint)


def warning(path: str, line: int, column: int, code: str, message: str, hint: str = "") -> Finding:
    return Finding(path, max(line, 1), max(column, 1), Severity.WARNING, code, message, hint)


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """`did you mean 'x'?` for the closest of `choices`, or "" when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else ""

"""The result of one validation run: every finding, and the prompts that passed."""

from __future__ import annotations

from dataclasses import dataclass, field

from promptsync.model import PromptDoc, PromptId
from promptsync.validate.finding import Finding


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    prompts: dict[PromptId, PromptDoc] = field(default_factory=dict)
    files_checked: int = 0
    base: str | None = None  # what versions were checked against, e.g. "origin/main (1a2b3c4)"

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sort(self) -> None:
        self.findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))

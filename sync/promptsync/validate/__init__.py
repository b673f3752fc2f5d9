"""Validation of a prompt repository: per-file checks (cached by blob id) and cross-file checks.

    files = sources.from_directory(root)            # or GitRepository(path).files(sha)
    report = Validator().validate(files, base=None)  # base: {PromptId: BaseVersion} at --base REF
    report.ok, report.findings, report.prompts

Checking never raises for bad input: every problem becomes a Finding.
"""

from promptsync.tree import SourceFile
from promptsync.validate.finding import Finding, Severity
from promptsync.validate.report import Report
from promptsync.validate.validator import Validator

__all__ = ["Finding", "Report", "Severity", "SourceFile", "Validator"]

"""Reporters turn a Report into text, GitHub annotations or JSON; looked up by name."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TextIO

from promptsync.validate.finding import Finding
from promptsync.validate.report import Report


def _summary(report: Report) -> str:
    base = f"; versions checked against {report.base}" if report.base else ""
    errors, warnings = len(report.errors), len(report.warnings)
    bad_files = len({f.path for f in report.errors})
    if not errors and not warnings:
        return f"all good: {report.files_checked} prompt files checked{base}"
    return (f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
            f"({bad_files} file{'s' * (bad_files != 1)} with errors, "
            f"{report.files_checked} checked){base}")


def text(report: Report, out: TextIO) -> None:
    for finding in report.findings:
        print(finding.as_text(), file=out)
    print(_summary(report), file=out)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _annotation(finding: Finding) -> str:
    level = "error" if finding.is_error else "warning"
    message = finding.message + (f" ({finding.hint})" if finding.hint else "")
    props = (f"file={_escape_property(finding.path)},line={finding.line},"
             f"col={finding.column},title={_escape_property(finding.code)}")
    return f"::{level} {props}::{_escape_data(message)}"


def github(report: Report, out: TextIO) -> None:
    """Workflow commands GitHub turns into annotations on the pull request's changed lines."""
    for finding in report.findings:
        print(_annotation(finding), file=out)
    print(_summary(report), file=out)


def json_(report: Report, out: TextIO) -> None:
    payload = {"ok": report.ok, "files_checked": report.files_checked, "base": report.base,
               "errors": len(report.errors), "warnings": len(report.warnings),
               "findings": [f.as_dict() for f in report.findings]}
    json.dump(payload, out, indent=2, ensure_ascii=False)
    out.write("\n")


REPORTERS: dict[str, Callable[[Report, TextIO], None]] = {
    "text": text, "github": github, "json": json_}

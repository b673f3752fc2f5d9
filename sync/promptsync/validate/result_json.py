"""A per-file result as JSON and back: the validation cache's entries (never pickle: the cache
sits in a folder other tools write to)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from promptsync.model import PromptDoc, PromptId, Sample, VariableSpec
from promptsync.validate.file_check import FileResult
from promptsync.validate.finding import Finding, Severity


def _finding(d: dict[str, Any]) -> Finding:
    return Finding(d["path"], d["line"], d["column"], Severity(d["severity"]), d["code"],
                   d["message"], d["hint"])


def _prompt_to_json(p: PromptDoc) -> dict[str, Any]:
    data = asdict(p)
    data["id"] = str(p.id)
    return data


def _prompt_from_json(d: dict[str, Any]) -> PromptDoc:
    return PromptDoc(
        id=PromptId.parse(d["id"]), version=d["version"], template=d["template"],
        description=d["description"],
        variables=tuple(VariableSpec(**v) for v in d["variables"]),
        samples=tuple(Sample(s["name"], s["context"]) for s in d["samples"]),
        template_line=d["template_line"], version_line=d["version_line"], blob=d["blob"],
        translated_from=d.get("translated_from"),
        translated_from_line=d.get("translated_from_line", 1), locale_line=d.get("locale_line", 1))


def to_json(result: FileResult) -> dict[str, Any]:
    return {"path": result.path, "findings": [f.as_dict() for f in result.findings],
            "prompt": _prompt_to_json(result.prompt) if result.prompt else None}


def from_json(d: dict[str, Any]) -> FileResult:
    prompt = _prompt_from_json(d["prompt"]) if d["prompt"] else None
    return FileResult(d["path"], tuple(_finding(f) for f in d["findings"]), prompt)

"""A per-file result as JSON and back: the validation cache's entries (never pickle: the cache
sits in a folder other tools write to).

An entry is two JSON texts joined by a tab: the head (path, findings, the prompt's id) and the
prompt. The head is decoded when the entry is used, the prompt only when someone looks at it
(see report.Prompts): most cached prompts of a run are never looked at.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from promptsync.model import PromptDoc, PromptId, Sample, VariableSpec, VariantSpec
from promptsync.validate.file_check import FileResult
from promptsync.validate.finding import Finding, Severity


@dataclass(frozen=True)
class StoredResult:
    """A result read from the cache: `load_prompt` decodes its prompt (there is one when
    `prompt_id` is not None)."""

    path: str
    findings: tuple[Finding, ...]
    prompt_id: PromptId | None
    raw_prompt: bytes

    def load_prompt(self) -> PromptDoc:
        return _prompt_from_json(json.loads(self.raw_prompt))

    def decoded(self) -> FileResult:
        prompt = self.load_prompt() if self.prompt_id is not None else None
        return FileResult(self.path, self.findings, prompt)


def encode(result: FileResult) -> bytes:
    prompt = result.prompt
    head = {"path": result.path, "findings": [f.as_dict() for f in result.findings],
            "prompt": str(prompt.id) if prompt else None}
    body = _prompt_to_json(prompt) if prompt else None
    return b"%s\t%s" % (json.dumps(head, ensure_ascii=False).encode(),
                        json.dumps(body, ensure_ascii=False).encode())


def decode(raw: bytes) -> StoredResult:
    """The entry `encode` wrote; ValueError, KeyError or TypeError when it is not one."""
    head_raw, tab, prompt_raw = raw.partition(b"\t")
    if not tab:
        raise ValueError("not a result entry")
    head = json.loads(head_raw)
    prompt_id = PromptId.parse(head["prompt"]) if head["prompt"] is not None else None
    return StoredResult(head["path"], tuple(_finding(f) for f in head["findings"]), prompt_id,
                        prompt_raw)


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
        translated_from_line=d.get("translated_from_line", 1), locale_line=d.get("locale_line", 1),
        variants=tuple(VariantSpec(**v) for v in d.get("variants", ())),
        variants_line=d.get("variants_line", 1))

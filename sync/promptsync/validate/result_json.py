"""A per-file result as JSON and back: the validation cache's entries (never pickle: the cache
sits in a folder other tools write to).

An entry holds the path, the findings and the prompt apart: the path and findings are decoded
when the entry is used, the prompt only when someone looks at it (see report.Prompts): most
cached prompts of a run are never looked at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any

from promptsync.model import PromptDoc, PromptId, Sample, VariableSpec, VariantSpec
from promptsync.validate.finding import Finding, Severity
from promptsync.validate.report import FileResult


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
    """The path, `P` when there is a prompt (else `-`), the findings and the prompt, as JSON
    texts joined by tabs (JSON escapes a tab inside a text)."""
    prompt = result.prompt
    return b"\t".join([_json(result.path), b"P" if prompt else b"-",
                       _json([f.as_dict() for f in result.findings]),
                       _json(_prompt_to_json(prompt) if prompt else None)])


def decode(raw: bytes) -> StoredResult:
    """The entry `encode` wrote; ValueError, KeyError or TypeError when it is not one."""
    path_raw, flag, findings_raw, prompt_raw = raw.split(b"\t", 3)
    path = json_text(path_raw)
    # Most files have no findings: no JSON to decode for them.
    findings = () if findings_raw == b"[]" else tuple(_finding(f)
                                                      for f in json.loads(findings_raw))
    # A prompt's id is its path's (file_check); the index has already computed it.
    prompt_id = PromptId.from_path(path) if flag == b"P" else None
    if flag == b"P" and prompt_id is None:
        raise ValueError(f"a prompt at {path!r}, which names none")
    return StoredResult(path, findings, prompt_id, prompt_raw)


def json_text(raw: bytes) -> str:
    """A JSON text that holds a string (a path, a cache key); json.loads only for one with
    escapes: 10,000 json.loads calls were a third of a cached run's lookups."""
    if raw[:1] == b'"' and raw[-1:] == b'"' and len(raw) > 1 and b"\\" not in raw:
        return raw[1:-1].decode()
    text = json.loads(raw)
    if not isinstance(text, str):
        raise TypeError("not a JSON string")
    return text


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _finding(d: dict[str, Any]) -> Finding:
    return Finding(d["path"], d["line"], d["column"], Severity(d["severity"]), d["code"],
                   d["message"], d["hint"])


def _prompt_to_json(p: PromptDoc) -> dict[str, Any]:
    # dataclasses.asdict deep-copies every value: a tenth of a cold run's time went there.
    data = _fields(p)
    data["id"] = str(p.id)
    data["variables"] = [_fields(v) for v in p.variables]
    data["samples"] = [{"name": s.name, "context": dict(s.context)} for s in p.samples]
    data["variants"] = [_fields(v) for v in p.variants]
    return data


def _fields(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record)}


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

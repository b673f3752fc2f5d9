"""Per-file results kept between runs, keyed by (blob id, path, rules digest).

A file's findings depend only on its bytes, its path and the rules, so a pre-commit hook or a
CI job with a restored cache re-checks only what changed. Stored as JSON (never pickle: the
cache sits in a folder other tools write to) inside `.git/`, where git ignores it.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from promptsync.model import PromptDoc, PromptId, Sample, VariableSpec
from promptsync.validate.file_check import FileResult
from promptsync.validate.finding import Finding, Severity

log = logging.getLogger(__name__)
FORMAT = 1


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
        template_line=d["template_line"], version_line=d["version_line"], blob=d["blob"])


def to_json(result: FileResult) -> dict[str, Any]:
    return {"path": result.path, "findings": [f.as_dict() for f in result.findings],
            "prompt": _prompt_to_json(result.prompt) if result.prompt else None}


def from_json(d: dict[str, Any]) -> FileResult:
    prompt = _prompt_from_json(d["prompt"]) if d["prompt"] else None
    return FileResult(d["path"], tuple(_finding(f) for f in d["findings"]), prompt)


class ResultCache:
    """A JSON file of results; entries not used by the last run are dropped when it is saved."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._old: dict[str, Any] = {}
        self._new: dict[str, Any] = {}
        self._dirty = False
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if loaded.get("format") == FORMAT:
                self._old = loaded["entries"]
        except (OSError, ValueError, KeyError, AttributeError):
            pass  # a missing or damaged cache only costs time

    @classmethod
    def for_repository(cls, root: Path) -> ResultCache | None:
        git_dir = root / ".git"
        return cls(git_dir / "promptsync" / "validate-cache.json") if git_dir.is_dir() else None

    def get(self, key: str) -> FileResult | None:
        raw = self._new.get(key) or self._old.get(key)
        if raw is None:
            return None
        try:
            result = from_json(raw)
        except (KeyError, TypeError, ValueError):
            return None
        self._new[key] = raw
        return result

    def put(self, key: str, result: FileResult) -> None:
        self._new[key] = to_json(result)
        self._dirty = True

    def save(self) -> None:
        if not self._dirty and self._new.keys() == self._old.keys():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".cache-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"format": FORMAT, "entries": self._new}, out, ensure_ascii=False)
            os.replace(tmp, self.path)
        except OSError as exc:
            log.info("could not save the validation cache %s: %s", self.path, exc)

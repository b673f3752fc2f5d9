"""Per-file results kept between runs, keyed by (blob id, path, rules digest).

A file's findings depend only on its bytes, its path and the rules, so a pre-commit hook or a
CI job with a restored cache re-checks only what changed. Stored as JSON (never pickle: the
cache sits in a folder other tools write to) inside `.git/`, where git ignores it.

A run adds what it checked to what the file held (a pre-commit run checks a few files and
must not forget the rest); an entry no run has used for MAX_AGE_DAYS goes, and past
MAX_ENTRIES the least recently used go first, so the file stays bounded.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from promptsync.model import PromptDoc, PromptId, Sample, VariableSpec
from promptsync.validate.file_check import FileResult
from promptsync.validate.finding import Finding, Severity

log = logging.getLogger(__name__)
FORMAT = 2
MAX_AGE_DAYS = 30
MAX_ENTRIES = 50_000


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
    """A JSON file of results: `{key: {"r": result, "d": day last used}}`."""

    def __init__(self, path: Path, today: int | None = None) -> None:
        self.path = path
        self.today = today if today is not None else int(time.time() // 86_400)
        self._entries: dict[str, dict[str, Any]] = {}
        self._changed = False  # something to write: a new result, a day moved, an entry gone
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if loaded.get("format") == FORMAT and isinstance(loaded.get("entries"), dict):
                self._entries = loaded["entries"]
        except (OSError, ValueError, KeyError, AttributeError):
            pass  # a missing or damaged cache only costs time

    @classmethod
    def for_repository(cls, root: Path) -> ResultCache | None:
        git_dir = root / ".git"
        return cls(git_dir / "promptsync" / "validate-cache.json") if git_dir.is_dir() else None

    def get(self, key: str) -> FileResult | None:
        entry = self._entries.get(key)
        if not isinstance(entry, dict):
            return None
        try:
            result = from_json(entry["r"])
        except (KeyError, TypeError, ValueError):
            return None
        if entry.get("d") != self.today:
            entry["d"] = self.today
            self._changed = True
        return result

    def put(self, key: str, result: FileResult) -> None:
        self._entries[key] = {"r": to_json(result), "d": self.today}
        self._changed = True

    def save(self) -> None:
        """Write every entry (this run's and the earlier ones), pruned, if anything changed."""
        kept = self._pruned()
        if not self._changed and len(kept) == len(self._entries):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".cache-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"format": FORMAT, "entries": kept}, out, ensure_ascii=False)
            os.replace(tmp, self.path)
        except OSError as exc:
            log.info("could not save the validation cache %s: %s", self.path, exc)

    def _pruned(self) -> dict[str, dict[str, Any]]:
        oldest = self.today - MAX_AGE_DAYS
        fresh = {k: e for k, e in self._entries.items()
                 if isinstance(e, dict) and isinstance(e.get("d"), int) and e["d"] >= oldest}
        if len(fresh) <= MAX_ENTRIES:
            return fresh
        recent = sorted(fresh, key=lambda k: fresh[k]["d"], reverse=True)[:MAX_ENTRIES]
        return {k: fresh[k] for k in recent}

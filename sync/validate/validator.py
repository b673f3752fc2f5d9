"""Validator: the whole-tree entry point (placeholder; being implemented on main)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sync.model import PromptId
from sync.validate.report import Report
from sync.validate.source import SourceFile


class Validator:
    """Checks a tree of files; keeps per-file results by (blob id, rules digest)."""

    def validate(self, files: Sequence[SourceFile],
                 base: Mapping[PromptId, int] | None = None) -> Report:
        raise NotImplementedError

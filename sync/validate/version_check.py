"""The `--base REF` rule (placeholder until the editors' workflow lands)."""

from __future__ import annotations

from collections.abc import Mapping

from sync.gitio.repo import GitRepository
from sync.model import PromptDoc, PromptId
from sync.validate.finding import Finding


def check_versions(current: Mapping[PromptId, PromptDoc],
                   base: Mapping[PromptId, int]) -> list[Finding]:
    return []


def base_versions(repo: GitRepository, ref: str) -> dict[PromptId, int]:
    return {}

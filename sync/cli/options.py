"""Where the editors' commands find the repository (the settings rule: --repo, then
PROMPTSYNC_REPO, then the current folder), and the prompt an ID names."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from promptsync import settings
from promptsync.errors import UsageError
from promptsync.gitio.plumbing import check_repository
from promptsync.model import PromptId


def repo_dir(explicit: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """The repository of --repo / PROMPTSYNC_REPO / the current folder; it must be git's."""
    return check_repository(settings.resolve_folder(explicit, environ))


def prompt_id(text: str) -> PromptId:
    try:
        return PromptId.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None

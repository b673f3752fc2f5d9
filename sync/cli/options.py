"""Where the editors' commands find the repository: --repo, then PROMPTSYNC_REPO, then cwd."""

from __future__ import annotations

import os
from pathlib import Path

from promptsync.errors import UsageError
from promptsync.gitio.repo import check_repository
from promptsync.model import PromptId


def repo_dir(explicit: str | None) -> Path:
    root = Path(explicit or os.environ.get("PROMPTSYNC_REPO") or ".")
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory (hint: pass --repo DIR or set "
                         "PROMPTSYNC_REPO)")
    return check_repository(root.resolve())


def prompt_id(text: str) -> PromptId:
    try:
        return PromptId.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None

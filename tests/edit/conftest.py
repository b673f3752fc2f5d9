"""Edits through the service on real git repositories (the snapshot of the project's prompts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptsync.edit.request import Editor, EditRequest, Fields
from promptsync.edit.service import EditService
from promptsync.model import PromptId
from tests.support.gitrepo import GitRepo

GREETING = PromptId.parse("default/greeting")
DANA = Editor("dana", "dana@promptsync.invalid", "0123456789ab")
NEW_TEXT = "Hello from {{ brand_name }}!\n"


@pytest.fixture
def prompt_repo(snapshot_repo: GitRepo) -> GitRepo:
    return snapshot_repo


@pytest.fixture
def service(prompt_repo: GitRepo) -> EditService:
    return EditService(Path(prompt_repo.path))


def update(version: int = 1, template: str = NEW_TEXT, *, prompt: PromptId = GREETING,
           write_to: str = "main", message: str = "Shorter greeting", **fields: object
           ) -> EditRequest:
    return EditRequest(prompt, "update", version, DANA, message,
                       Fields(template, **fields),  # type: ignore[arg-type]
                       write_to=write_to)  # type: ignore[arg-type]

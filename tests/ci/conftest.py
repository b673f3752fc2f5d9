"""These tests expect exact texts of the snapshot of the project's prompts, not the live ones."""

from __future__ import annotations

import pytest

from tests.support.gitrepo import GitRepo


@pytest.fixture
def prompt_repo(snapshot_repo: GitRepo) -> GitRepo:
    return snapshot_repo

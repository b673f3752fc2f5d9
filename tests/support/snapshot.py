"""The editors' tests run on a snapshot of the project's prompts (tests/support/snapshot), so their
exact expected texts do not change when an editor improves a real prompt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitrepo import GitRepo

DATA = Path(__file__).parent / "snapshot"


@pytest.fixture
def snapshot_repo(tmp_path: Path) -> GitRepo:
    """A git repository on main holding the snapshot's prompts/ and schema/."""
    return GitRepo.of_prompts(tmp_path / "repo", DATA)

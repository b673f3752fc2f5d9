"""A running daemon publishes exactly what `promptsync validate` accepts: for any sequence of
commits (prompts, translations, brand files), the daemon's verdict on each commit lists the
errors `validate` lists for the same tree."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from promptsync.cli.main import main
from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.model import PromptType
from promptsync.validate import Validator
from tests.core.trees import Edit, brand, edits, prompt, starting_tree
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.timeout(600)


def validate_errors(repo: GitRepo) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["validate", "--repo", str(repo.path), "--base", "HEAD"])
    return sorted(line for line in out.getvalue().splitlines() if ": error: " in line)


def daemon_errors(daemon: Syncer) -> list[str]:
    outcome = daemon.cycle()
    assert outcome.status in ("applied", "unchanged", "rejected"), outcome.log_line()
    return sorted(outcome.reason.splitlines()) if outcome.status == "rejected" else []


class Following:
    """A repository and a daemon following its main branch into SQLite, cycle after cycle (the
    gate keeps what passed between cycles, as a running daemon does)."""

    def __init__(self, root: Path, tree: dict[str, bytes]) -> None:
        self.repo = GitRepo.init(root / "repo", with_project_prompts=False)
        self.commit(tree, "start")
        self.engine = create_engine(f"sqlite:///{root / 'db.sqlite'}")
        self.daemon = Syncer(GitSource(str(self.repo.path)), "main", self.engine, None,
                             validator=Validator(workers=1))

    def commit(self, changes: dict[str, bytes | None], message: str) -> None:
        for path, data in changes.items():
            if data is None:
                if (self.repo.path / path).exists():
                    self.repo.remove(path)
            else:
                self.repo.write(path, data)
        self.repo.commit(message, allow_empty=True)

    def close(self) -> None:
        self.engine.dispose()


def test_a_brand_that_stops_serving_a_locale_is_rejected_by_the_daemon_too(
        tmp_path: Path) -> None:
    tree = starting_tree()
    tree["prompts/acme/brand.yaml"] = brand(("de",))
    follow = Following(tmp_path, tree)
    try:
        assert daemon_errors(follow.daemon) == []
        follow.commit({"prompts/acme/brand.yaml": brand(("fr",))}, "acme drops German")
        errors = daemon_errors(follow.daemon)
        assert errors == validate_errors(follow.repo)
        assert len(errors) == 1 and "[locale-not-served]" in errors[0]
        assert "prompts/acme/greeting.de.yaml" in errors[0]
    finally:
        follow.close()


def test_a_translation_ahead_of_its_base_is_rejected_by_the_daemon_too(tmp_path: Path) -> None:
    follow = Following(tmp_path, starting_tree())
    try:
        assert daemon_errors(follow.daemon) == []
        follow.commit({"prompts/acme/greeting.de.yaml": prompt(
            PromptType.GREETING, 2, "Hallo", locale="de",
            translated_from=5)}, "ahead")
        errors = daemon_errors(follow.daemon)
        assert errors == validate_errors(follow.repo)
        assert len(errors) == 1 and "[translated-from-ahead]" in errors[0]
    finally:
        follow.close()


def _agrees_on_every_commit(root: Path, sequence: list[Edit]) -> None:
    follow = Following(root, starting_tree())
    try:
        assert daemon_errors(follow.daemon) == validate_errors(follow.repo) == []
        for edit in sequence:
            follow.commit(edit.changes, edit.label)
            assert daemon_errors(follow.daemon) == validate_errors(follow.repo), edit.label
    finally:
        follow.close()
        shutil.rmtree(root, ignore_errors=True)


# Each example is a repository and up to six daemon cycles beside six whole `validate` runs
# (about 4 s on a loaded 2-core machine): the default run tries 4 sequences, the slow pass 11
# more (the 15 of CI as before, split so the default run stays within its budget).
@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(edits(), min_size=2, max_size=5))
def test_for_any_sequence_of_commits_the_daemon_agrees_with_validate(
        tmp_path_factory: pytest.TempPathFactory, sequence: list[Edit]) -> None:
    _agrees_on_every_commit(tmp_path_factory.mktemp("follow"), sequence)


@pytest.mark.slow
@settings(max_examples=11, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(edits(), min_size=2, max_size=5))
def test_for_many_more_sequences_of_commits_the_daemon_agrees_with_validate(
        tmp_path_factory: pytest.TempPathFactory, sequence: list[Edit]) -> None:
    _agrees_on_every_commit(tmp_path_factory.mktemp("follow"), sequence)

"""Issue 19: the daemon holds what a cycle needs, not every file's result. Its validator keeps
at most `gate.CYCLE_RESULTS` results however large the repository (at 100,000 prompts it kept
50,000, ~4 KB each), and a cycle that needs a result it let go checks that file again from its
blob and gives exactly CI's verdict."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from promptsync.daemon import gate
from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.model import PromptType
from promptsync.validate import Report, Validator
from tests.core.trees import brand, prompt, starting_tree
from tests.daemon.test_gate_equals_validate import validate_errors
from tests.support.gitrepo import GitRepo

HELD = 8  # results the daemon keeps in this test; the tree has several times as many files


def larger_tree() -> dict[str, bytes]:
    tree = starting_tree()
    for n in range(12):
        tree[f"prompts/brand-{n:02d}/greeting.yaml"] = prompt(PromptType.GREETING, 1, f"Hi {n}")
    return tree


def test_the_daemon_keeps_few_results_and_a_cycle_after_eviction_gives_cis_verdict(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "CYCLE_RESULTS", HELD)
    repo = GitRepo.init(tmp_path / "repo", with_project_prompts=False)
    for path, data in larger_tree().items():
        repo.write(path, data)
    repo.commit("start")
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        daemon = Syncer(GitSource(str(repo.path)), "main", engine, None)  # the daemon's own
        validator = daemon.gate.validator
        assert isinstance(validator, Validator)
        assert daemon.cycle().status == "applied"
        assert validator.held[0] == HELD  # of the 24 files checked

        # acme's translation was checked among the first files and let go since: this cycle
        # needs its result again (its base's variable is no longer the translation's).
        repo.write("prompts/acme/greeting.yaml",
                   prompt(PromptType.GREETING, 2, "Hi", variable="user_name"))
        repo.commit("acme's greeting takes another variable")
        outcome = daemon.cycle()
        assert outcome.status == "rejected", outcome.log_line()
        errors = sorted(outcome.reason.splitlines())
        assert errors and errors == validate_errors(repo)
        assert any("prompts/acme/greeting.de.yaml" in e for e in errors)

        repo.write("prompts/acme/brand.yaml", brand(("de",)))
        repo.write("prompts/acme/greeting.yaml", prompt(PromptType.GREETING, 2, "Hello"))
        repo.commit("acme's greeting fixed")
        assert daemon.cycle().status == "applied"
        assert validate_errors(repo) == []
        assert validator.held[0] <= HELD
    finally:
        engine.dispose()


class _Watching(Validator):
    """The real validator, noting whether the cyclic collector ran while it checked."""

    collecting: list[bool]

    def validate(self, *args: Any, **kwargs: Any) -> Report:
        self.collecting.append(gc.isenabled())
        return super().validate(*args, **kwargs)


def test_a_cycle_holds_the_collector_back_and_gives_it_back_after(tmp_path: Path) -> None:
    """A first load keeps every result, document and row: the collector looked at all of them
    again every few hundred objects (0.9 s of 2.7 s of the daemon's CPU at 10,000 prompts). It
    waits while a cycle runs, and runs again after one, a failed one too."""
    repo = GitRepo.init(tmp_path / "repo", with_project_prompts=False)
    for path, data in larger_tree().items():
        repo.write(path, data)
    repo.commit("start")
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    validator = _Watching(workers=1)
    validator.collecting = []
    try:
        daemon = Syncer(GitSource(str(repo.path)), "main", engine, None, validator=validator)
        assert gc.isenabled()
        assert daemon.cycle().status == "applied"
        assert validator.collecting == [False] and gc.isenabled()
        repo.write("prompts/acme/greeting.yaml", b"type: [")  # rejected: still given back
        repo.commit("broken")
        assert daemon.cycle().status == "rejected"
        assert validator.collecting == [False, False] and gc.isenabled()
    finally:
        engine.dispose()

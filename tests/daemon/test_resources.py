"""GitPython keeps `git cat-file` children and file handles per Repo: the daemon closes its
repository every cycle. 500 real syncs must hold a flat number of children and descriptors."""

from __future__ import annotations

import psutil
import pytest

from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.store.engine import make_engine
from tests.daemon.helpers import GREETING, state
from tests.support.gitrepo import GitRepo

CYCLES = 500
WARMUP = 20


def _usage() -> tuple[int, int]:
    me = psutil.Process()
    return len(me.children(recursive=True)), me.num_fds()


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_500_syncs_hold_children_and_descriptors_flat(prompt_repo: GitRepo,
                                                      sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    syncer = Syncer(GitSource(str(prompt_repo.path)), "main", engine, None)
    text = prompt_repo.read(GREETING)
    baseline: tuple[int, int] | None = None
    try:
        for i in range(CYCLES):
            # a real change every cycle: write a new version, commit, sync it
            prompt_repo.write(GREETING, text.replace("version: 1", f"version: {i + 2}"))
            prompt_repo.commit(f"Greeting v{i + 2}")
            assert syncer.cycle().status == "applied"
            if i == WARMUP:
                baseline = _usage()
        assert state(sqlite_url)[1] == CYCLES
        assert baseline is not None
        children, fds = _usage()
        assert children <= baseline[0], f"children grew: {baseline[0]} -> {children}"
        assert fds <= baseline[1] + 2, f"descriptors grew: {baseline[1]} -> {fds}"
    finally:
        engine.dispose()

"""A daemon stopped while its validation runs in the process pool leaves no process behind.

The first load of a large tree is checked by the validator's process pool (a forkserver and
one worker per CPU). SIGTERM there once waited for the whole pool at exit (minutes at 100,000
prompts). A SIGKILLed daemon must not leave the server or its workers running either (reported
once; on this machine they already ended with it, so that test guards it). The tree here is
PARALLEL_THRESHOLD prompts whose sample renders until the 1 s render budget ends, so the pool
has minutes of work when the signal comes.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time

import psutil
import pytest

from promptsync.validate.pool import usable_cpus
from promptsync.validate.validator import PARALLEL_THRESHOLD
from tests.daemon.helpers import state, sync_once
from tests.daemon.process import DaemonProcess
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(usable_cpus() < 2, reason="the process pool needs 2 CPUs")]
SLOW_SAMPLE = (PROJECT_ROOT / "tests/examples/invalid/sample-timeout-nested-loops"
               / "prompts/acme/greeting.yaml")
LIMIT = 20.0  # a hang guard, not a speed limit: unfixed, the pool ran on for minutes
STARTED = "in the process pool"  # the validator's log line as the pool starts


def _add_slow_prompts(repo: GitRepo) -> str:
    for number in range(PARALLEL_THRESHOLD):
        target = repo.path / "prompts" / f"slow{number:03d}" / "greeting.yaml"
        target.parent.mkdir(parents=True)
        shutil.copyfile(SLOW_SAMPLE, target)
    return repo.commit("Many prompts whose samples render slowly")


def _pool(proc: DaemonProcess) -> list[psutil.Process]:
    """The daemon's descendants once the pool's workers (its grandchildren) are all up."""
    daemon = psutil.Process(proc.pid)
    found: list[psutil.Process] = []

    def workers_up() -> bool:
        found[:] = daemon.children(recursive=True)
        return sum(p.ppid() != proc.pid for p in found) >= usable_cpus()

    proc.until(workers_up, timeout=60)
    return found


def _gone(process: psutil.Process) -> bool:
    try:  # an orphan whose exit nobody collected yet (a zombie) is gone too
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those of `processes` still running after LIMIT seconds."""
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        left = [p for p in processes if not _gone(p)]
        if not left:
            return []
        time.sleep(0.05)
    return [p for p in processes if not _gone(p)]


def _kill_all(processes: list[psutil.Process]) -> None:
    for process in processes:
        if not _gone(process):
            process.kill()


def _checking(pool: list[psutil.Process], daemon: int) -> bool:
    """Whether every worker of the pool is past its start and checking files (it has run a
    second): a worker the signal finds still starting sees its parent gone and exits, which
    hid a worker that, once started, outlived a SIGKILLed daemon."""
    workers = [p for p in pool if p.ppid() != daemon and p.name() != "git"]
    return all(sum(p.cpu_times()[:2]) > 1.0 for p in workers)


def _stop(proc: DaemonProcess, signum: int) -> tuple[int | None, list[psutil.Process]]:
    """Signal the daemon once its pool works; its exit code (None: still running after LIMIT)
    and the pool's processes still running LIMIT seconds later. Whatever is left is killed
    here: it holds the daemon's stderr, which DaemonProcess reads to its end."""
    proc.wait_for(STARTED, timeout=60)
    pool = _pool(proc)
    proc.until(lambda: _checking(pool, proc.pid), timeout=60)
    try:
        proc.send(signum)
        try:
            code: int | None = proc.proc.wait(LIMIT)
        except subprocess.TimeoutExpired:
            code = None
        return code, _wait_gone(pool)
    finally:
        _kill_all(pool)


def test_sigterm_during_a_pooled_first_load_stops_the_pool(prompt_repo: GitRepo,
                                                           sqlite_url: str) -> None:
    assert sync_once(prompt_repo, sqlite_url) == 0
    old = state(sqlite_url)
    _add_slow_prompts(prompt_repo)
    with DaemonProcess(prompt_repo, sqlite_url, None, "--interval", "60") as proc:
        code, left = _stop(proc, signal.SIGTERM)
    assert code == 0, f"exit {code} after SIGTERM:\n{proc.stderr()}"
    assert left == [], f"still running after the daemon: {left}"
    assert "signal 15: stopping" in proc.stderr()
    assert "still running" not in proc.stderr()  # the cycle ended, not abandoned
    assert "Traceback" not in proc.stderr()
    assert state(sqlite_url) == old  # nothing of the stopped load was written


def test_the_pool_dies_with_a_sigkilled_daemon(prompt_repo: GitRepo, sqlite_url: str) -> None:
    assert sync_once(prompt_repo, sqlite_url) == 0
    old = state(sqlite_url)
    _add_slow_prompts(prompt_repo)
    with DaemonProcess(prompt_repo, sqlite_url, None, "--interval", "60") as proc:
        code, left = _stop(proc, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert left == [], f"still running after the daemon: {left}"
    assert state(sqlite_url) == old

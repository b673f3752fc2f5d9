"""The validator's process pool: sized from the CPUs the process may use, never forked from a
threaded process, and leaving no worker behind when its parent is SIGKILLed (13.9)."""

from __future__ import annotations

import cProfile
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

import psutil
import pytest

from promptsync.tree import from_directory
from promptsync.validate import Validator, pool
from promptsync.validate.rules import load_rules
from tests.support.gitrepo import PROJECT_ROOT

T = TypeVar("T")
# A validation long enough to be killed half-way: many files, two workers.
WORKER = """
import sys, threading
from pathlib import Path
from promptsync.tree import from_directory
from promptsync.validate import Validator
if sys.argv[2] == "threaded":  # the daemon's shape: other threads are running
    threading.Thread(target=threading.Event().wait, daemon=True).start()
Validator(workers=2).validate(from_directory(Path(sys.argv[1])))
"""


def _many_prompts(root: Path, count: int) -> Path:
    (root / "schema").mkdir(parents=True)
    for name in ("prompt.schema.json", "variables.yaml"):
        (root / "schema" / name).write_bytes((PROJECT_ROOT / "schema" / name).read_bytes())
    greeting = (PROJECT_ROOT / "prompts/default/greeting.yaml").read_text()
    for i in range(count):
        folder = root / "prompts" / f"brand-{i:05d}"
        folder.mkdir(parents=True)
        (folder / "greeting.yaml").write_text(greeting.replace("Hi", f"Hi ({i})"))
    return root


def _wait_for(probe: Callable[[], T | None], limit: float) -> T:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {limit} s: {probe.__doc__}")


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.timeout(240)
@pytest.mark.parametrize("shape", ["single", "threaded"])
def test_a_sigkilled_validation_leaves_no_pool_worker_behind(tmp_path: Path, shape: str) -> None:
    root = _many_prompts(tmp_path / "repo", 3000)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen([sys.executable, "-c", WORKER, str(root), shape], env=env)
    descendants: list[psutil.Process] = []
    try:
        parent = psutil.Process(child.pid)

        def workers() -> list[psutil.Process] | None:
            """the pool's two workers to start (under a forkserver: its children)"""
            found = [p for p in parent.children(recursive=True) if _alive(p)]
            direct = {p.pid for p in parent.children()}
            pool_workers = [p for p in found if (p.ppid() == child.pid) == (shape == "single")
                            and (shape == "single" or p.ppid() in direct)]
            return found if len(pool_workers) >= 2 and child.poll() is None else None

        descendants = _wait_for(workers, 120)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)

        def gone() -> bool:
            """every worker to end"""
            return not any(_alive(p) for p in descendants)

        _wait_for(gone, 30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        for survivor in descendants:
            if _alive(survivor):
                survivor.kill()


def test_the_pool_is_sized_from_the_cpus_this_process_may_use() -> None:
    assert Validator().workers == len(os.sched_getaffinity(0)) == pool.usable_cpus()


def test_a_threaded_process_never_forks_its_workers() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert pool.context().get_start_method() == "forkserver"
    finally:
        stop.set()
        thread.join(10)


def _unprofiled() -> bool:
    return sys.getprofile() is None


def test_a_worker_forked_from_a_profiled_process_runs_without_the_profiler() -> None:
    """A forked worker inherits the parent's cProfile: it recorded what nobody reads and made
    every check 2-3x slower (bench/profile_cycle.py --load timed the daemon's pool so)."""
    rules, _ = load_rules([f for f in from_directory(PROJECT_ROOT)
                           if f.path.startswith("schema/")])
    assert rules is not None
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                 initializer=pool.init_worker,
                                 initargs=(os.getpid(), rules)) as executor:
            unprofiled = executor.submit(_unprofiled).result(60)
    finally:
        profiler.disable()
    assert unprofiled


# The daemon's shape: the forkserver started ahead (with the validator's modules), then threads.
PRESTARTED = """
import sys, threading
from pathlib import Path
import psutil
from promptsync.tree import from_directory
from promptsync.validate import Validator, pool
pool.start_server()
servers = [p.pid for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline())]
threading.Thread(target=threading.Event().wait, daemon=True).start()
files = from_directory(Path(sys.argv[1]))
pooled, alone = Validator(workers=2).validate(files), Validator(workers=1).validate(files)
still = [p.pid for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline())]
print(len(servers), servers == still, pooled.findings == alone.findings,
      dict(pooled.prompts) == dict(alone.prompts), len(pooled.prompts))
"""


@pytest.mark.timeout(240)
def test_a_forkserver_started_ahead_serves_the_pool_with_the_same_verdict(
        tmp_path: Path) -> None:
    """The daemon starts the forkserver when it starts (its imports then overlap the first
    load's git and database work); the pool of the first load uses that one server, and a
    check in it gives what a check in one process gives."""
    pool_files = 500  # past PARALLEL_THRESHOLD: the pool checks them
    root = _many_prompts(tmp_path / "repo", pool_files)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-c", PRESTARTED, str(root)], env=env,
                          capture_output=True, text=True, timeout=200, check=True)
    assert done.stdout.split() == ["1", "True", "True", "True", str(pool_files)]

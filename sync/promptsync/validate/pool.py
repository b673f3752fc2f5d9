"""The validator's process pool: sized from the CPUs this process may use, started without
`fork` in a threaded process, and made of workers that die with their parent.

`fork` in a process with threads (the daemon: watcher, metrics, pool threads) copies locks
some other thread held, so a threaded process gets a `forkserver`; a single-threaded CLI run
keeps `fork`, which starts workers at no cost. Each worker asks the kernel for SIGKILL when
its parent dies (PR_SET_PDEATHSIG): a SIGKILLed validation leaves no worker behind. Under a
forkserver the parent is the server, which itself exits when the process it serves is gone
(once the workers let go of the pipe that tells it so, see `_release_forkserver`).
A stopping daemon ends its pool with `abandon`: Python's exit would otherwise wait for every
job already queued.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptsync.tree import SourceFile
from promptsync.validate.report import FileResult
from promptsync.validate.rules import Rules, load_rules

# multiprocessing and ctypes are imported when a pool starts: a run of cached files (a
# pre-commit hook's) starts none.
if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.context import BaseContext

_PR_SET_PDEATHSIG = 1
_rules: Rules | None = None
# What a forkserver imports once, before it forks a worker: a worker it forked without them
# imported the checks' modules itself (0.15-0.3 s of a core each, at each whole-tree check).
# A name that does not import is skipped by the server.
_PRELOAD = ["__main__", __name__, "promptsync.validate.file_check", "jsonschema", "jsonschema_rs"]


def usable_cpus() -> int:
    """The CPUs this process may run on (a container's or taskset's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def context() -> BaseContext:
    import multiprocessing

    return multiprocessing.get_context("fork") if _single_threaded() else _forkserver()


def _forkserver() -> BaseContext:
    import multiprocessing

    found = multiprocessing.get_context("forkserver")
    found.set_forkserver_preload(_PRELOAD)  # read when the server starts, not after
    return found


def start_server() -> None:
    """Start the forkserver now, for a process that will be threaded when it validates (the
    daemon, at its start): its imports then run beside the first load's git and database work
    instead of before the first worker can start."""
    from multiprocessing import forkserver

    _forkserver()
    forkserver.ensure_running()


def _single_threaded() -> bool:
    if threading.active_count() > 1:
        return False
    tasks = Path("/proc/self/task")  # threads Python did not start count too
    return not tasks.is_dir() or len(list(tasks.iterdir())) == 1


RuleFiles = list[tuple[str, str, bytes]]  # (path, blob id, bytes) of each rule file


def rules_for(context: BaseContext, rules: Rules,
              rule_files: Sequence[SourceFile]) -> Rules | RuleFiles:
    """What a worker needs to have the rules: a forked worker inherits them as they are; any
    other is sent the rule files' bytes (the compiled validators do not pickle) and rebuilds."""
    if context.get_start_method() == "fork":
        return rules
    return [(f.path, f.blob, f.read()) for f in rule_files]


def init_worker(parent: int, rules: Rules | RuleFiles) -> None:
    global _rules
    _die_with_parent(parent)
    _release_forkserver()
    # A worker forked from a profiled process (cProfile) inherits the profiler: what it records
    # dies with the worker, and it made every check 2-3x slower.
    sys.setprofile(None)
    if isinstance(rules, Rules):
        _rules = rules
        return
    files = [SourceFile(path, blob, _reader(data)) for path, blob, data in rules]
    _rules, _ = load_rules(files)


def _reader(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _die_with_parent(parent: int) -> None:
    if sys.platform == "linux":
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    try:  # the parent may have died before the request above: then nobody will signal
        os.kill(parent, 0)
    except ProcessLookupError:
        os._exit(1)


def _release_forkserver() -> None:
    """Close this worker's copy of the pipe that keeps a forkserver alive. multiprocessing
    hands every process the server starts the write end its client holds (so that it could
    start processes of its own), and the server exits only when every copy is closed: a
    worker kept its server alive after the daemon was SIGKILLed, and the server, its parent,
    kept it alive in turn (its death signal never came). A worker starts no processes."""
    from multiprocessing import forkserver

    server: Any = forkserver._forkserver  # private: Python has no public way to say this
    if server._forkserver_alive_fd is not None:
        os.close(server._forkserver_alive_fd)
        server._forkserver_alive_fd = None


def abandon(executor: ProcessPoolExecutor) -> None:
    """Cancel the jobs `executor` has not started and end its workers now (their jobs fail
    with BrokenProcessPool). Python 3.14 has `terminate_workers()`; before it, the worker
    processes are only reachable through `_processes`."""
    workers = list((executor._processes or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()


def check_job(job: tuple[str, bytes, str]) -> FileResult:
    from promptsync.validate.file_check import check_file

    assert _rules is not None, "the rules of a pool worker did not load"
    return check_file(job[0], job[1], _rules, job[2])

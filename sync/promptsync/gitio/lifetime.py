"""git children that die with their parent.

A process killed with SIGKILL cannot end its children. GitPython's `git cat-file --batch`
children usually end anyway, when their stdin reaches end of file; but a process forked while
the pipe was open (a process-pool worker) keeps it open, and a `git fetch` stuck on the network
reads nothing from its parent at all. So each git child asks Linux for SIGTERM when its parent
dies (PR_SET_PDEATHSIG); SIGTERM rather than SIGKILL lets git remove its lock files.

Linux ties that signal to the *thread* that started the child: a GitRepository is used by one
thread and closed before that thread ends (GitPython's persistent `cat-file` is not thread-safe
either). Elsewhere than Linux this does nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


# Looked up once, here: the function runs in the child between fork and exec, where it should
# do as little as it can.
_PRCTL = _load_prctl()


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` that makes the child receive SIGTERM when this process dies."""
    if _PRCTL is None:
        return None
    prctl, parent, sigterm = _PRCTL, os.getpid(), int(signal.SIGTERM)

    def arm() -> None:
        prctl(PR_SET_PDEATHSIG, sigterm)
        if os.getppid() != parent:  # the parent died before the line above: nobody to wait for
            os._exit(1)

    return arm

"""Give the system back what a check of the whole tree freed.

A first load of 100,000 prompts holds every file, result and row for a moment; once freed,
most of it stays in the process all the same: glibc keeps a freed block among live ones (most
texts are larger than Python's small-object allocator takes) for the process's next
allocation, and a daemon that then checks one prompt at a time never asks for it again.
`malloc_trim(0)` hands the free pages back; elsewhere (another C library) only the caches are
emptied.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable

from promptsync import model


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


_TRIM = _malloc_trim()


def give_back_freed() -> bool:
    """After a check of the whole tree: drop what it left in the path caches, collect its
    cycles, and return the process's free heap pages to the system; False where the last
    cannot be done."""
    model.forget_paths()
    gc.collect()
    if _TRIM is None:
        return False
    _TRIM(0)
    return True

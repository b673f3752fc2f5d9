"""The blob ids of working-tree files hashed before, by what `lstat` said of them then.

git's index does the same: a file whose device, inode, size, modification and change times
are what they were when it was hashed holds the same bytes, so a cached `validate` of 10,000
files stats them instead of reading and hashing every one. The change time (ctime) is set by
the kernel on every write and cannot be set back by a user, unlike the modification time.

Times have a granularity (2 s on FAT, 1 s on some network file systems): a file written twice
within one tick keeps its times. So a file is remembered only when its last change is
SETTLE_NS older than the moment it was looked at (git calls the others "racily clean"), and
such a file is hashed again on the next run, which remembers it then.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping

SETTLE_NS = 3 * 10**9
# What lstat says of a file, then its blob id.
Entry = tuple[int, int, int, int, int, str]


class KnownBlobs:
    """Blob ids by repository path and lstat; `changed` once something was learned."""

    def __init__(self, entries: Mapping[str, Entry] | None = None,
                 clock: Callable[[], int] = time.time_ns) -> None:
        self.entries: dict[str, Entry] = dict(entries or {})
        self.changed = False
        self._clock = clock

    def get(self, path: str, st: os.stat_result) -> str | None:
        """The blob id of the file at `path` when `st` is what it was when it was hashed."""
        entry = self.entries.get(path)
        if entry is None or entry[:5] != _signature(st):
            return None
        return entry[5]

    def put(self, path: str, st: os.stat_result, blob: str) -> None:
        """Remember `blob` for the file `st` describes (stat before reading), if it settled."""
        if max(st.st_mtime_ns, st.st_ctime_ns) > self._clock() - SETTLE_NS:
            # Changed too recently to tell a later write within the same tick apart.
            self.changed |= self.entries.pop(path, None) is not None
            return
        entry = (*_signature(st), blob)
        if self.entries.get(path) != entry:
            self.entries.pop(path, None)  # to the end: the newest are kept when there are many
            self.entries[path] = entry
            self.changed = True


def _signature(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns

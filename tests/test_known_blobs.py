"""A working-tree file whose lstat is unchanged keeps its blob id without being read; any
write, even one that keeps the size and sets the modification time back, is read again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from promptsync import tree
from promptsync.known_blobs import SETTLE_NS, KnownBlobs
from promptsync.tree import blob_id, file_reader
from promptsync.validate.result_cache import ResultCache

PATH = "prompts/acme/greeting.yaml"


def later() -> int:
    """A clock past the settling time of every file a test writes."""
    return time.time_ns() + 10 * SETTLE_NS


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "prompts" / "acme").mkdir(parents=True)
    (tmp_path / PATH).write_bytes(b"version: 1\n")
    return tmp_path


def hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the bytes tree hashes from now on."""
    hashed: list[int] = []

    def counting(data: bytes) -> str:
        hashed.append(len(data))
        return blob_id(data)

    monkeypatch.setattr(tree, "blob_id", counting)
    return hashed


def test_a_file_known_by_its_lstat_is_not_read_again(root: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    known = KnownBlobs(clock=later)
    first = file_reader(root, known)(PATH)
    hashed = hashes(monkeypatch)
    second = file_reader(root, known)(PATH)
    assert (second.blob, hashed) == (first.blob, [])
    assert second.read() == b"version: 1\n"  # read when asked for, and checked
    assert first.blob == blob_id(b"version: 1\n")


def test_a_rewrite_that_keeps_the_size_and_the_modification_time_is_read_again(
        root: Path) -> None:
    known = KnownBlobs(clock=later)
    file_reader(root, known)(PATH)
    before = (root / PATH).stat()
    (root / PATH).write_bytes(b"version: 2\n")
    os.utime(root / PATH, ns=(before.st_atime_ns, before.st_mtime_ns))  # the change time moves
    assert file_reader(root, known)(PATH).blob == blob_id(b"version: 2\n")


def test_a_file_changed_within_the_settling_time_is_not_remembered(root: Path) -> None:
    # Within one tick of the file system's clock a second write keeps the times of the first.
    known = KnownBlobs()
    file_reader(root, known)(PATH)
    assert (known.entries, known.changed) == ({}, False)


def test_bytes_written_between_the_lstat_and_the_read_are_refused(root: Path) -> None:
    known = KnownBlobs(clock=later)
    file_reader(root, known)(PATH)
    found = file_reader(root, known)(PATH)
    (root / PATH).write_bytes(b"version: 3\n")
    with pytest.raises(OSError, match="changed while it was checked"):
        found.read()  # never checked and cached under the blob id of the bytes before


def test_the_result_cache_keeps_the_known_blobs_between_runs(root: Path) -> None:
    path = root / "validate-cache.json"
    first = ResultCache(path)
    first.known_blobs = KnownBlobs(clock=later)
    file_reader(root, first.known_blobs)(PATH)
    first.save()
    entries = ResultCache(path).known_blobs.entries
    assert entries == first.known_blobs.entries
    assert entries[PATH][-1] == blob_id(b"version: 1\n")

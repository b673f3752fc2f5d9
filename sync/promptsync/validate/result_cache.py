"""Per-file results kept between runs, keyed by (blob id, path, rules digest).

A file's findings depend only on its bytes, its path, the rules and the validator's own code,
so a pre-commit hook or a CI job with a restored cache re-checks only what changed. The file
lives inside `.git/`, where git ignores it.

A run adds what it checked to what the file held (a pre-commit run checks a few files and
must not forget the rest); an entry no run has used for MAX_AGE_DAYS goes, and past
MAX_ENTRIES the least recently used go first, so the file stays bounded.

Trust: a cached "no findings" skips the checks, so the file is bound to the validator that
wrote it (a digest of its source: an upgrade starts afresh) and sealed with an HMAC-SHA256
under a random per-repository key kept beside it (0600). A hand edit, a damaged
file, or a file copied from another clone or written by another version is discarded and
only costs time. This guards against accidents, not against someone who can write `.git/`:
they can read the key, and could as well replace the hooks or the validator itself.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import logging
import mmap
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from promptsync.known_blobs import Entry, KnownBlobs
from promptsync.validate.report import FileResult
from promptsync.validate.result_json import StoredResult, decode, encode, json_text

log = logging.getLogger(__name__)
FORMAT = 7  # 7: line 3, the rules that load without findings
MAX_AGE_DAYS = 30
MAX_ENTRIES = 50_000
MAX_RULES = 64  # rules verdicts kept: one per version of schema/ a clone has checked
_KEY_BYTES = 32
Raw = bytes | memoryview  # an entry's result as written: a slice of the file read, or new
_PACKAGE = Path(__file__).resolve().parents[1]
# The code whose output the cache holds: the checks, the sandbox that renders samples, and
# the records they fill, and the locale tags and brand files a file check reads.
_VALIDATOR_SOURCES = ("validate/*.py", "sandbox/*.py", "rendering/*.py", "model.py", "tree.py",
                      "locale.py", "brands.py", "record.py")


@functools.cache
def validator_digest() -> str:
    """A digest of the validator's source: a cache written by other code is not read."""
    digest = hashlib.sha256()
    for pattern in _VALIDATOR_SOURCES:
        for source in sorted(_PACKAGE.glob(pattern)):
            digest.update(source.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            digest.update(source.read_bytes())
    return digest.hexdigest()


class ResultCache:
    """Line 1: `{"format", "validator", "mac"}`; line 2: the known blob ids of the working
    tree's files (`{path: [device, inode, size, mtime_ns, ctime_ns, blob]}`, see known_blobs);
    line 3: the digests of the rules known to load without findings (`{digest: day last
    used}`, see rules.rules_digest): a run whose files are all cached then reads no schema (the
    meta-schema check alone cost ~30 ms); then one line per entry: the key (as JSON), the day
    it was last used, the result (see result_json: its head, then its prompt, as JSON),
    separated by tabs.

    An entry's JSON is decoded only when a run asks for it: a run that checks one file of ten
    thousand decodes one, and the lines of the others are written back as they were read.
    """

    def __init__(self, path: Path, today: int | None = None) -> None:
        self.path = path
        self.key_path = path.with_suffix(".key")
        self.today = today if today is not None else int(time.time() // 86_400)
        self._entries: dict[str, tuple[int, Raw]] = {}  # key: (day last used, the result)
        self._rules: dict[str, int] = {}  # digest of rules that load cleanly: day last used
        self._changed = False  # something to write: a new result, a day moved, an entry gone
        self.known_blobs = KnownBlobs()
        # A missing or damaged cache only costs time.
        with contextlib.suppress(OSError, ValueError, KeyError, AttributeError, TypeError):
            self._entries, self.known_blobs, self._rules = self._load()

    @classmethod
    def for_repository(cls, root: Path) -> ResultCache | None:
        git_dir = own_git_dir(root)
        return cls(git_dir / "promptsync" / "validate-cache.json") if git_dir else None

    def _load(self) -> tuple[dict[str, tuple[int, Raw]], KnownBlobs, dict[str, int]]:
        # Offsets into the file mapped, not copies of it: the file holds 24 MB at 10,000 files,
        # and reading it into memory cost as much as the HMAC over it (14 ms). The mapping
        # stays valid when a later run replaces the file (save() writes a new one and renames
        # it over the old: never in place).
        with open(self.path, "rb") as f:
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # ValueError when empty
        view = memoryview(data)
        start = _index(data, b"\n", 0, len(data)) + 1
        seal = json.loads(data[:start])
        if seal.get("format") != FORMAT or seal.get("validator") != validator_digest():
            return {}, KnownBlobs(), {}  # another version of the validator wrote it
        if not hmac.compare_digest(str(seal.get("mac")), self._mac(view[start:], create=False)):
            log.info("the validation cache %s was changed outside promptsync; checking every "
                     "file afresh", self.path)
            return {}, KnownBlobs(), {}
        end = _line_end(data, start)
        known = _known_blobs(json.loads(data[start:end]))
        start, end = end + 1, _line_end(data, end + 1)
        rules = {str(digest): int(day) for digest, day in json.loads(data[start:end]).items()}
        entries: dict[str, tuple[int, Raw]] = {}
        while end < len(data):
            start, end = end + 1, _line_end(data, end + 1)
            key_end = _index(data, b"\t", start, end)
            day_end = _index(data, b"\t", key_end + 1, end)
            entries[json_text(data[start:key_end])] = (int(data[key_end + 1:day_end]),
                                                     view[day_end + 1:end])
        return entries, known, rules

    def _mac(self, body: Raw, *, create: bool) -> str:
        key = self._key(create)
        if key is None:
            return ""
        mac = hmac.new(key, f"{FORMAT}\n{validator_digest()}\n".encode(), "sha256")
        mac.update(body)
        return mac.hexdigest()

    def _key(self, create: bool) -> bytes | None:
        """This repository's key; made (readable by its owner only) when `create` and none is
        there yet."""
        try:
            key = self.key_path.read_bytes()
            if len(key) == _KEY_BYTES:
                return key
        except FileNotFoundError:
            pass
        if not create:
            return None
        fd, tmp = tempfile.mkstemp(dir=self.key_path.parent, prefix=".key-")  # mode 0600
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(_KEY_BYTES))
        os.replace(tmp, self.key_path)
        return self.key_path.read_bytes()  # whichever of two racing writers won

    def get(self, key: str) -> StoredResult | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        try:
            result = decode(bytes(entry[1]))
        except (KeyError, TypeError, ValueError):
            return None
        if entry[0] != self.today:
            self._entries[key] = (self.today, entry[1])
            self._changed = True
        return result

    def put(self, key: str, result: FileResult) -> None:
        self._entries[key] = (self.today, encode(result))
        self._changed = True

    def rules_load(self, digest: str) -> bool:
        """Whether the rules of `digest` (see rules.rules_digest) loaded without findings."""
        day = self._rules.get(digest)
        if day is not None and day != self.today:
            self._rules[digest] = self.today
            self._changed = True
        return day is not None

    def remember_rules_load(self, digest: str) -> None:
        if self._rules.get(digest) != self.today:
            self._rules[digest] = self.today
            self._changed = True

    def save(self) -> None:
        """Write every entry (this run's and the earlier ones), pruned, if anything changed."""
        kept = self._pruned()
        if not (self._changed or self.known_blobs.changed) and len(kept) == len(self._entries):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            body = b"\n".join([json.dumps(self._known_kept()).encode(),
                               json.dumps(self._rules_kept()).encode(),
                               *(b"%s\t%d\t%s" % (json.dumps(key).encode(), day, raw)
                                 for key, (day, raw) in kept.items())])
            seal = {"format": FORMAT, "validator": validator_digest(),
                    "mac": self._mac(body, create=True)}
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".cache-")
            with os.fdopen(fd, "wb") as out:
                out.write(json.dumps(seal).encode() + b"\n" + body)
            os.replace(tmp, self.path)
        except OSError as exc:
            log.info("could not save the validation cache %s: %s", self.path, exc)

    def _rules_kept(self) -> dict[str, int]:
        """The verdicts used within MAX_AGE_DAYS, the MAX_RULES most recently used."""
        fresh = sorted(((day, digest) for digest, day in self._rules.items()
                        if day >= self.today - MAX_AGE_DAYS), reverse=True)[:MAX_RULES]
        return {digest: day for day, digest in fresh}

    def _known_kept(self) -> dict[str, Entry]:
        """The newest MAX_ENTRIES known blob ids (a path learned again moves to the end)."""
        entries = self.known_blobs.entries
        return dict(list(entries.items())[-MAX_ENTRIES:]) if len(entries) > MAX_ENTRIES \
            else entries

    def _pruned(self) -> dict[str, tuple[int, Raw]]:
        """The entries to keep: used within MAX_AGE_DAYS, at most MAX_ENTRIES of them."""
        oldest = self.today - MAX_AGE_DAYS
        fresh = {k: e for k, e in self._entries.items() if e[0] >= oldest}
        if len(fresh) <= MAX_ENTRIES:
            return fresh
        return dict(sorted(fresh.items(), key=lambda item: item[1][0], reverse=True)
                    [:MAX_ENTRIES])


def own_git_dir(root: Path) -> Path | None:
    """The git directory of the working tree at `root`: `.git` itself, or for a linked worktree
    (and a submodule) the folder its `.git` file names, which is that tree's own (its index,
    its HEAD): the lstat record of the files kept with the results is this tree's, not the
    main checkout's. Read from the file, not asked of git, to spare a pre-commit run a process."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        line = dot_git.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, UnicodeDecodeError, IndexError):
        return None
    if not line.startswith("gitdir:"):
        return None
    named = root / line[len("gitdir:"):].strip()  # an absolute path replaces root
    return named if named.is_dir() else None


def _index(data: mmap.mmap, sub: bytes, start: int, end: int) -> int:
    found = data.find(sub, start, end)
    if found < 0:
        raise ValueError("a damaged cache line")
    return found


def _line_end(data: bytes | mmap.mmap, start: int) -> int:
    end = data.find(b"\n", start)
    return len(data) if end < 0 else end


def _known_blobs(table: dict[str, list[Any]]) -> KnownBlobs:
    return KnownBlobs({path: (int(dev), int(ino), int(size), int(mtime), int(ctime), str(blob))
                       for path, (dev, ino, size, mtime, ctime, blob) in table.items()})

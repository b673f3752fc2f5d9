"""The API keys file: each key's name, scope and brands, and only the SHA-256 of its secret.

A key is `ps_` + 32 random bytes (URL-safe base64), shown once by `promptsync keys add`. The
file (PROMPTSYNC_KEYS_FILE, default `promptsync-keys.json` in the current folder, beside the
default database) is JSON, written whole to a temporary file (mode 0600) and renamed over the
old one, so a reader never sees half a file; a lock file serialises two `keys add` at once. The
server re-reads it when it changes, so a key added or removed takes effect without a restart.
This module imports no web framework: the `keys` command uses it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from promptsync import settings
from promptsync.errors import UsageError
from promptsync.model import BRAND_RE

log = logging.getLogger(__name__)
KEYS_FILE_ENV = "PROMPTSYNC_KEYS_FILE"
DEFAULT_KEYS_FILE = "promptsync-keys.json"
PREFIX = "ps_"
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}")
HASH_PREFIX_CHARS = 12


class Scope(IntEnum):
    """What a key may do; each scope includes the ones below it (write > preview > read)."""

    READ = 1
    PREVIEW = 2
    WRITE = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Scope:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown scope {text!r} (one of read, preview, write)") from None


def digest(secret: str) -> str:
    """The hex SHA-256 of a key as sent: what the file keeps."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class KeyRecord:
    """One key as the file holds it; `brands` None means every brand."""

    name: str
    sha256: str
    scope: Scope
    brands: tuple[str, ...] | None
    email: str = ""
    created: str = ""

    @property
    def hash_prefix(self) -> str:
        return self.sha256[:HASH_PREFIX_CHARS]

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "scope": self.scope.label,
                "brands": None if self.brands is None else list(self.brands),
                "email": self.email, "created": self.created}

    @classmethod
    def from_json(cls, raw: Any) -> KeyRecord:
        brands = raw.get("brands")
        return cls(str(raw["name"]), str(raw["sha256"]), Scope.parse(str(raw["scope"])),
                   None if brands is None else tuple(str(b) for b in brands),
                   str(raw.get("email") or ""), str(raw.get("created") or ""))


def resolve_keys_file(explicit: str | None = None) -> Path:
    """--keys-file, then PROMPTSYNC_KEYS_FILE, then promptsync-keys.json here."""
    return Path(settings.resolve(explicit, KEYS_FILE_ENV, DEFAULT_KEYS_FILE) or DEFAULT_KEYS_FILE)


class KeysFileError(UsageError):
    """The keys file exists but cannot be read as one: the server fails closed on it."""


class KeyStore:
    """The keys of one file; thread-safe; re-read when the file's size or mtime changes.

    A file that cannot be read raises KeysFileError on every look-up until it changes, logged
    once per change of the file (not once per request)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._records: tuple[KeyRecord, ...] = ()
        self._broken: KeysFileError | None = None

    # -- reading (the server, on every request) ---------------------------------------------

    def records(self) -> tuple[KeyRecord, ...]:
        stamp = self._stat()
        if stamp != self._stamp:
            with self._lock:
                self._load(stamp)
        if self._broken is not None:
            raise self._broken
        return self._records

    def _load(self, stamp: tuple[int, int, int] | None) -> None:
        try:
            self._records, self._broken = (self._read() if stamp is not None else ()), None
        except KeysFileError as exc:
            self._records, self._broken = (), exc
            log.error("%s; every request that needs a key is refused (503) until it is fixed",
                      exc)
        self._stamp = stamp

    def any(self) -> bool:
        return bool(self.records())

    def find(self, secret: str) -> KeyRecord | None:
        """The key whose hash is the secret's; every stored hash is compared in constant time,
        so the time taken says nothing about how close a guess came."""
        wanted = digest(secret)
        found = None
        for record in self.records():
            if hmac.compare_digest(record.sha256, wanted):
                found = record
        return found

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:  # a stamp of its own: _read meets the error and says it once
            return -1, -1, exc.errno or 0
        return st.st_mtime_ns, st.st_size, st.st_ino

    def _read(self) -> tuple[KeyRecord, ...]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return tuple(KeyRecord.from_json(item) for item in raw["keys"])
        except FileNotFoundError:
            return ()
        except OSError as exc:
            raise KeysFileError(f"cannot read the keys file {self.path}: "
                                f"{exc.strerror or exc}") from None
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise KeysFileError(f"the keys file {self.path} is not one promptsync wrote "
                                f"({type(exc).__name__}: {exc}); fix or remove it") from None

    # -- changing (the `keys` command) ------------------------------------------------------

    def add(self, name: str, scope: Scope, brands: Sequence[str] | None,
            email: str = "") -> str:
        """Store a new key; return its secret, which is never stored."""
        _check_name(name)
        checked = None if brands is None else tuple(sorted({_check_brand(b) for b in brands}))
        secret = new_secret()
        with self._changing() as records:
            if any(r.name == name for r in records):
                raise UsageError(f"a key named {name!r} exists; remove it first "
                                 f"(promptsync keys remove {name!r}) or pick another name")
            records.append(KeyRecord(name, digest(secret), scope, checked, email,
                                     datetime.now(UTC).isoformat(timespec="seconds")))
        return secret

    def remove(self, name: str) -> bool:
        with self._changing() as records:
            kept = [r for r in records if r.name != name]
            removed = len(kept) != len(records)
            records[:] = kept
        return removed

    @contextlib.contextmanager
    def _changing(self) -> Iterator[list[KeyRecord]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600), "rb") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            records = list(self._read())
            yield records
            self._write(records)

    def _write(self, records: Sequence[KeyRecord]) -> None:
        text = json.dumps({"keys": [r.as_json() for r in records]}, indent=2) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp makes it 0600
                out.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _check_name(name: str) -> None:
    if not NAME_RE.fullmatch(name):
        raise UsageError(f"key name {name!r}: use letters, digits, space, '.', '_', '@' or '-' "
                         "(at most 64 characters), e.g. ada or acme-editors")


def _check_brand(brand: str) -> str:
    if not BRAND_RE.fullmatch(brand):
        raise UsageError(f"--brand {brand!r} is not a brand (lower-case letters, digits and '-')")
    return brand

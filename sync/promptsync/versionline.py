"""The `version:` line of a prompt file, read and rewritten as bytes.

History and rollback look at thousands of blobs, including broken ones; they need the version
and a version-free fingerprint of the content without parsing YAML, and rollback must change
that one line and leave every other byte as the editor wrote it.
"""

from __future__ import annotations

import hashlib
import re

# A top-level key (no indentation), an integer value, an optional comment.
VERSION_RE = re.compile(rb"^version[ \t]*:[ \t]*(\d+)[ \t]*(#[^\r\n]*)?(?=\r?$)", re.MULTILINE)


def read_version(data: bytes) -> int | None:
    """The integer on the file's `version:` line, or None when there is none."""
    match = VERSION_RE.search(data)
    return int(match.group(1)) if match else None


def version_line(data: bytes) -> int:
    """The 1-based line number of the `version:` line, or 1 when there is none."""
    match = VERSION_RE.search(data)
    return data.count(b"\n", 0, match.start()) + 1 if match else 1


def set_version(data: bytes, version: int) -> bytes:
    """`data` with its version set to `version`, keeping any comment on that line.

    A file without a `version:` line gets one after its `type:` line (or first), so the
    result always carries the version the caller asked for.
    """
    match = VERSION_RE.search(data)
    if match:
        return data[: match.start(1)] + str(version).encode() + data[match.end(1):]
    line = f"version: {version}\n".encode()
    type_line = re.search(rb"^type[ \t]*:[^\n]*\n", data, re.MULTILINE)
    at = type_line.end() if type_line else 0
    return data[:at] + line + data[at:]


def content_key(data: bytes) -> str:
    """A fingerprint of the content with the version left out, so a restored text matches the
    text it restores even though its version was bumped."""
    return hashlib.sha1(VERSION_RE.sub(b"version:", data), usedforsecurity=False).hexdigest()

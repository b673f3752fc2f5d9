"""What a commit message says about itself: the trailers promptsync writes, read one way.

    Restore default/greeting as of 1a2b3c4      <- the subject and body: the editor's words

    Rolled-back-to: 1a2b3c4d...                 <- the final trailer block: the server's
    Admin-Key: sha256:0123456789ab
    Action: rollback

Only the final paragraph of a message is its trailer block (as `git interpret-trailers` reads
it), and only when every line of it is a trailer. A rollback is a commit whose trailer block
names the commit it restores (`promptsync rollback`, the API) or that git's own `git revert`
made ("This reverts commit <sha>."). The history, the audit and the daemon's `prompt_versions`
all ask `rolled_back_to`; a message an API caller writes may carry none of these lines
(`forged_line`), so a key that may write cannot make an edit look like a rollback or another
key's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ROLLED_BACK_TO = "Rolled-back-to"
ADMIN_KEY = "Admin-Key"
ACTION = "Action"
SERVER_KEYS = (ROLLED_BACK_TO, ADMIN_KEY, ACTION)
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*?)\s*$")
_SHA = re.compile(r"[0-9a-f]{7,64}")
_KEY_HASH = re.compile(r"sha256:[0-9a-f]{6,64}")
# git revert's own body line; its first line is a subject like any other.
_REVERT = re.compile(r"^This reverts commit ([0-9a-f]{7,64})\.?\s*$", re.MULTILINE)
_SERVER_LINE = re.compile(r"^\s*(?:" + "|".join(SERVER_KEYS) + r")\s*:", re.IGNORECASE)


def trailer_block(message: str) -> dict[str, str]:
    """The final paragraph's trailers, by key (the last of a repeated key); {} when the final
    paragraph is the subject or holds a line that is not a trailer."""
    paragraphs = [p for p in re.split(r"\n\s*\n", message.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return {}
    found: dict[str, str] = {}
    for line in paragraphs[-1].splitlines():
        match = _TRAILER.match(line)
        if match is None:
            return {}
        found[match[1]] = match[2]
    return found


def rolled_back_to(message: str) -> str | None:
    """The commit a rollback restores (or a revert undoes); None: not a rollback."""
    named = trailer_block(message).get(ROLLED_BACK_TO, "")
    if _SHA.fullmatch(named):
        return named
    reverted = _REVERT.search(message)
    return reverted[1] if reverted else None


def admin_key(message: str) -> str | None:
    """`sha256:<prefix>` of the API key that made the commit, from its trailer block."""
    found = trailer_block(message).get(ADMIN_KEY, "")
    return found if _KEY_HASH.fullmatch(found) else None


def with_trailers(text: str, trailers: Iterable[tuple[str, str]]) -> str:
    """`text`, then a blank line and the trailers: the message's final block."""
    return f"{text.rstrip()}\n\n" + "".join(f"{key}: {value}\n" for key, value in trailers)


def forged_line(text: str) -> str | None:
    """The first line of a caller's message that would read as one the server writes (one of
    its trailers, or git revert's line); None when there is none."""
    for line in text.splitlines():
        if _SERVER_LINE.match(line) or _REVERT.match(line):
            return line.strip()
    return None

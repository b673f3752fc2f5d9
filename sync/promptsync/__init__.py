"""promptsync: chatbot prompts as files in git, synced to SQL and Redis, read safely at run time.

The chat runtime imports `PromptReader` and `PromptType` from here; nothing else is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from promptsync.model import PromptId, PromptType

__all__ = ["PromptId", "PromptReader", "PromptType", "installed_version"]

if TYPE_CHECKING:
    from promptsync.reader import PromptReader


def installed_version(missing: str = "unknown") -> str:
    """The installed package's version (what the CLI, the daemon's verdicts and the readers'
    fleet reports say); `missing` when run from a source tree that was never installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("promptsync")
    except PackageNotFoundError:
        return missing


def __getattr__(name: str) -> Any:
    # The reader pulls in redis and SQLAlchemy; the validator and CLI should not pay for that.
    if name == "PromptReader":
        from promptsync.reader import PromptReader

        return PromptReader
    raise AttributeError(name)

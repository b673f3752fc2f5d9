"""promptsync: chatbot prompts as files in git, synced to SQL and Redis, read safely at run time.

The chat runtime imports `PromptReader` and `PromptType` from here; nothing else is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from promptsync.model import PromptId, PromptType

__all__ = ["PromptId", "PromptReader", "PromptType"]

if TYPE_CHECKING:
    from promptsync.reader import PromptReader


def __getattr__(name: str) -> Any:
    # The reader pulls in redis and SQLAlchemy; the validator and CLI should not pay for that.
    if name == "PromptReader":
        from promptsync.reader import PromptReader

        return PromptReader
    raise AttributeError(name)

"""One base error for everything a user can cause; the CLI turns it into one clear line."""

from __future__ import annotations


class PromptSyncError(Exception):
    """A failure the user can act on: bad argument, missing repository, unreachable server."""

    exit_code = 2


class UsageError(PromptSyncError):
    """The command line or a setting is wrong."""


class GitError(PromptSyncError):
    """A git operation failed; the message carries the command, its stderr and a hint."""


class UnreachableError(PromptSyncError):
    """A server (database, Redis, remote git) could not be reached."""

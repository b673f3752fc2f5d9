"""The runtime reader (placeholder until its issue lands)."""

from __future__ import annotations


class PromptReader:
    pass

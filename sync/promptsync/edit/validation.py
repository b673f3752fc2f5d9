"""The new file checked by the core as CI and the daemon check it, before anything is written.

`Workspace.check_edit` gives the findings on the edited file and on the files it affects (its
translations go stale; deleting a base text leaves them without one), with the version rule
against the branch head. An edit is refused for an error among those: the daemon would refuse
the commit it makes. What is wrong elsewhere on the branch does not block it.
"""

from __future__ import annotations

from promptsync.core.workspace import Checker, Workspace
from promptsync.gitio.repo import GitRepository
from promptsync.model import PromptId
from promptsync.validate import Finding


def check_change(repo: GitRepository, validator: Checker, head: str, prompt: PromptId,
                 data: bytes | None) -> list[Finding]:
    """The findings once `prompt`'s file holds `data` (None: deleted) on top of `head`."""
    workspace = Workspace.of_files(head, repo.files(head), validator)
    return workspace.check_edit(prompt.path, data).findings

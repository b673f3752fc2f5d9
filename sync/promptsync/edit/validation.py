"""The new file checked by the same Validator as CI and the daemon, before anything is written.

The edited file is checked with the rule files and the prompts it relates to (its base text,
default's, its translations: the checks that span a prompt and its translations need them),
against its current version (the version rule: exactly one more). Only findings on the edited
file count: an edit is not refused for what is wrong elsewhere on the branch. A delete is
checked with the whole tree, for what only the whole tree shows (default must keep every type).
"""

from __future__ import annotations

from promptsync.gitio.repo import GitRepository
from promptsync.model import DEFAULT_BRAND, PROMPTS_DIR, PromptId
from promptsync.tree import SourceFile, Tree, blob_id
from promptsync.validate import Finding, Validator
from promptsync.validate.version_check import BaseVersion
from promptsync.versionline import read_version


def check_change(repo: GitRepository, validator: Validator, head: str, prompt: PromptId,
                 data: bytes | None, current: tuple[str, bytes] | None) -> list[Finding]:
    """The findings on `prompt`'s file once it holds `data` (None: deleted) on top of `head`."""
    files = [f for f in repo.files(head) if f.path != prompt.path]
    if data is None:
        report = validator.validate(files)
    else:
        edited = SourceFile(prompt.path, blob_id(data), lambda: data)
        tree = Tree(head, (*files, edited))
        report = validator.validate(tree.subset(_related(prompt, tree)),
                                    _base(prompt, current), whole_tree=False)
    return [f for f in report.findings if f.path == prompt.path]


def _related(prompt: PromptId, tree: Tree) -> set[str]:
    base = prompt.base
    wanted = {prompt.path, base.path, PromptId(DEFAULT_BRAND, prompt.type).path}
    siblings = f"{PROMPTS_DIR}/{base.brand}/{base.type.slug}."
    wanted |= {f.path for f in tree.files if f.path.startswith(siblings)}
    return wanted


def _base(prompt: PromptId, current: tuple[str, bytes] | None) -> dict[PromptId, BaseVersion]:
    if current is None:
        return {}
    version = read_version(current[1])
    if version is None:
        return {}
    return {prompt: BaseVersion(version, blob_id(current[1]))}

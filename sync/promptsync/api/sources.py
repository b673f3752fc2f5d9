"""A prompt's file as an editor starts from it, and the runtime variables an editor may insert.

The editors' page needs what GET /v1/prompts does not carry: the file's samples and
description, the version on the followed branch (what a PUT must name), the text of an earlier
version (to diff two versions of the history), and the variables `schema/variables.yaml`
offers for a type. All of it is read from git: the branch head through the previews'
BranchFiles (one snapshot per commit), an earlier commit through a GitRepository of its own.
No HTTP here; a failure is a Problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from promptsync.api.problems import Problem
from promptsync.api.snapshot import BranchFiles
from promptsync.gitio.repo import GitRepository
from promptsync.lru import LRU
from promptsync.model import PromptId, PromptType
from promptsync.validate.base_history import GitBaseHistory
from promptsync.validate.rules import VARIABLES_PATH, VariableRule, load_rules
from promptsync.validate.yamldoc import read_yaml

COMMIT_RE = re.compile(r"[0-9a-f]{4,40}")


@dataclass(frozen=True)
class Source:
    """One prompt file's parts. `own`: the brand's own file (else the brand inherits it, and a
    save creates the brand's file: version 0)."""

    path: str
    commit: str
    own: bool
    version: int
    template: str
    description: str = ""
    variables: Mapping[str, Any] = field(default_factory=dict)
    samples: list[Any] = field(default_factory=list)
    variants: list[Any] = field(default_factory=list)
    translated_from: int | None = None  # a translation: the base version it was made from
    base_version: int | None = None  # a translation: its base text's version at this commit
    base_template: str | None = None  # a translation: its base text's template at this commit
    # A stale translation: the base text's template at `translated_from` (what it translates),
    # None when the history does not hold that version.
    base_template_then: str | None = None


class PromptSources:
    """Files of the followed branch's head, or of any commit of the repository; thread-safe."""

    def __init__(self, files: BranchFiles) -> None:
        self.files = files
        self._rules: LRU[str, Mapping[str, VariableRule]] = LRU(8)

    def at_head(self, prompt: PromptId) -> Source:
        """The file that answers `prompt` (brand, type, locale) at the branch head, in the
        runtime's order (`Workspace.answer`): the brand's own, else what it inherits or falls
        back to; a translation nobody has made yet starts from the text that answers now."""
        snap = self.files.snapshot()
        found = snap.workspace.answer(prompt).answer
        data = None if found is None else snap.read(found.path)
        if found is None or data is None:
            raise Problem(404, "No such prompt", f"neither {prompt.brand} nor default has a "
                          f"{prompt.type.slug} file at {snap.commit[:7]}",
                          type="unknown-prompt")
        source = parse(found.path, snap.commit, data, own=found == prompt)
        base = snap.workspace.base_of(prompt)
        base_data = None if base is None else snap.read(base.path)
        if base is None or base_data is None:
            return source
        now = parse(base.path, snap.commit, base_data, own=True)
        made, then = source.translated_from, None
        if made is not None and made < now.version:
            # What `validate`'s stale-translation warning shows: the base text it was made from.
            with GitBaseHistory(self.files.repo_path, snap.commit) as history:
                then = history.template_at(base.path, made)
        return replace(source, base_version=now.version, base_template=now.template,
                       base_template_then=then)

    def at_commit(self, prompt: PromptId, commit: str) -> Source:
        if not COMMIT_RE.fullmatch(commit):
            raise Problem(400, "Bad commit", f"{commit[:80]!r} is not a commit id (4 to 40 "
                          "lower-case hex digits)", type="bad-commit")
        with GitRepository(self.files.repo_path) as repo:
            sha = repo.find(commit)
            listed = [] if sha is None else repo.files(sha, (prompt.path,))
            data = repo.read_blob(listed[0].blob) if listed else None
        if sha is None or data is None:
            raise Problem(404, "No such version", f"{prompt.path} is not in a commit "
                          f"{commit[:12]} of this repository", type="unknown-version")
        return parse(prompt.path, sha, data, own=True)

    def variables(self, prompt_type: PromptType | None) -> tuple[str, list[VariableRule]]:
        """The branch head's commit, and the variables `schema/variables.yaml` lists there
        (those the type may use, when a type is given)."""
        snap = self.files.snapshot()
        rules = self._rules.get(snap.commit)
        if rules is None:
            found, _ = load_rules(list(snap.files.values()))
            if found is None:
                raise Problem(503, "Rules unreadable", f"{VARIABLES_PATH} or the schema at "
                              f"{snap.commit[:7]} does not load; `promptsync validate` says "
                              "why", type="unavailable")
            rules = found.variables
            self._rules.put(snap.commit, rules)
        chosen = [r for r in rules.values() if prompt_type is None or prompt_type in r.types]
        return snap.commit, chosen


def parse(path: str, commit: str, data: bytes, *, own: bool) -> Source:
    """The parts of a prompt file, read by the validator's YAML reader (no aliases, no bombs);
    a part of the wrong shape is left empty, so a broken file still opens in the editor."""
    try:
        doc, _ = read_yaml(path, data.decode("utf-8"))
    except UnicodeDecodeError:
        doc = None
    value = None if doc is None else doc.value
    if not isinstance(value, dict):
        raise Problem(422, "Unreadable prompt file", f"{path} at {commit[:7]} is not a YAML "
                      "mapping; `promptsync validate` says why", type="invalid-prompt")
    return Source(path, commit, own, version=_of(value, "version", int, 0) if own else 0,
                  template=_of(value, "template", str, ""),
                  description=_of(value, "description", str, ""),
                  variables=_of(value, "variables", dict, {}),
                  samples=_of(value, "samples", list, []),
                  variants=_of(value, "variants", list, []),
                  translated_from=_of(value, "translated_from", int, None) if own else None)


def _of(value: Mapping[str, Any], key: str, kind: type, empty: Any) -> Any:
    found = value.get(key)
    if isinstance(found, bool) and kind is not bool:
        return empty
    return found if isinstance(found, kind) else empty

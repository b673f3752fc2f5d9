"""Incremental equals whole: the core's verdict on the files a change affects is the one a
whole-tree run gives on them, for any sequence of edits of prompts, translations and brand
files (STYLE.md 25)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptsync.core.workspace import Workspace
from promptsync.tree import SourceFile, blob_id
from promptsync.validate import Validator
from tests.core.trees import Edit, edits, starting_tree

VALIDATOR = Validator(workers=1)


def workspace(tree: dict[str, bytes]) -> Workspace:
    return Workspace.of_files("tree", [SourceFile(p, blob_id(d), (lambda d=d: d))
                                       for p, d in tree.items()], VALIDATOR)


def places(findings) -> list[tuple[str, int, int, str, str]]:
    return sorted((f.path, f.line, f.column, f.code, f.message) for f in findings)


@pytest.mark.timeout(300)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edits(), min_size=1, max_size=6))
def test_what_a_check_of_the_change_says_plus_what_was_known_is_the_whole_tree(
        sequence: list[Edit]) -> None:
    # What a follower of a branch knows: the whole tree's findings once, then after each
    # change those outside its scope kept and those inside it checked again. If the scope
    # misses a file whose findings moved, the two drift apart.
    tree = starting_tree()
    known = places(workspace(tree).check().findings)
    for edit in sequence:
        for path, data in edit.changes.items():
            if data is None:
                tree.pop(path, None)
            else:
                tree[path] = data
        ws = workspace(tree)
        scope = ws.index.affected(edit.changes)
        assert scope is not None
        incremental = ws.check(list(edit.changes))
        known = sorted([f for f in known if f[0] not in scope] + places(incremental.findings))
        whole = ws.check()
        assert known == places(whole.findings), edit.label
        assert set(incremental.prompts) == {i for i in whole.prompts if i.path in scope}

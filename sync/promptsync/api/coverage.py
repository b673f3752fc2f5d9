"""The languages matrix of the followed branch's head, for the API: `promptsync coverage` over
the commit the previews read (one validation per commit, kept while the branch stays there).

No HTTP here. The matrix is promptsync.coverage's, built from the same validated prompts and
brand files as the command, so the page and the command never disagree.
"""

from __future__ import annotations

import threading

from promptsync import brands
from promptsync.api.snapshot import BranchFiles, Snapshot
from promptsync.coverage.matrix import Matrix, build
from promptsync.lru import LRU
from promptsync.model import PromptDoc, PromptId


class BranchCoverage:
    """`matrix(locale, brand)`: the coverage of the branch head; thread-safe."""

    def __init__(self, files: BranchFiles) -> None:
        self.files = files
        self._lock = threading.Lock()
        self._validated: LRU[str, tuple[dict[PromptId, PromptDoc], dict[str, brands.BrandInfo],
                                        int]] = LRU(2)

    def matrix(self, locale: str | None, brand: str | None) -> tuple[str, Matrix]:
        snap = self.files.snapshot()
        prompts, declared, skipped = self._validate(snap)
        return snap.commit, build(snap.commit, prompts, declared,
                                  brands=[brand] if brand else None,
                                  locales=[locale] if locale else None, skipped=skipped)

    def _validate(self, snap: Snapshot) -> tuple[dict[PromptId, PromptDoc],
                                                 dict[str, brands.BrandInfo], int]:
        with self._lock:  # one validation of a commit, however many ask at once
            found = self._validated.get(snap.commit)
            if found is None:
                report = snap.workspace.check()
                declared = snap.workspace.brand_infos()
                # Files that do not validate are left out, as the daemon would refuse them.
                skipped = len({f.path for f in report.errors} & set(snap.files))
                found = (dict(report.prompts), declared, skipped)
                self._validated.put(snap.commit, found)
            return found

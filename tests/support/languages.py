"""Repositories with translations and brand files, and the daemon that syncs them."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy import Engine

from promptsync.cache.invalidate import Invalidator
from promptsync.core.workspace import Checker
from promptsync.daemon.outcome import Outcome
from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.model import PromptId, PromptType
from promptsync.validate import Report, SourceFile, Validator
from promptsync.validate.codes import DEFAULT_MISSING_TYPE, TRANSLATION_WITHOUT_BASE
from promptsync.validate.translations import BaseHistory
from promptsync.validate.validator import OnPrompt
from promptsync.validate.version_check import BaseVersion
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

# What a database may hold although the validator forbids it (a restore, a hand edit): a type
# brand default lacks, a translation without its base text. The resolution test needs both.
GAPS = (DEFAULT_MISSING_TYPE, TRANSLATION_WITHOUT_BASE)


class _AllowingGaps:
    """The validator without its checks that every text a translation or brand needs exists."""

    def __init__(self, inner: Checker) -> None:
        self.inner = inner

    def validate(self, files: Sequence[SourceFile],
                 base: Mapping[PromptId, BaseVersion] | None = None, *,
                 whole_tree: bool = True, history: BaseHistory | None = None,
                 on_prompt: OnPrompt | None = None) -> Report:
        report = self.inner.validate(files, base, whole_tree=whole_tree, history=history,
                                     on_prompt=on_prompt)
        report.findings = [f for f in report.findings if f.code not in GAPS]
        return report


def validator(allow_gaps: bool = False) -> Checker:
    real = Validator(workers=1)
    return _AllowingGaps(real) if allow_gaps else real


def prompt_file(type_: PromptType, template: str, version: int = 1, locale: str = "",
                translated_from: int = 1) -> str:
    """A prompt file without variables (a translation when `locale` is given)."""
    lines = [f"type: {type_.value}"]
    if locale:
        lines += [f"locale: {locale}", f"translated_from: {translated_from}"]
    lines += [f"version: {version}", "template: |", f"  {template}", ""]
    return "\n".join(lines)


def brand_file(language: str, locales: Sequence[str] = ()) -> str:
    return f"language: {language}\nlocales: [{', '.join(locales)}]\n"


def bare_repo(path: Path) -> GitRepo:
    """schema/ and brand default's six base texts of the project, nothing else, committed."""
    repo = GitRepo.init(path, with_project_prompts=False)
    shutil.copytree(PROJECT_ROOT / "schema", path / "schema")
    for t in PromptType:
        repo.write(f"prompts/default/{t.slug}.yaml",
                   (PROJECT_ROOT / f"prompts/default/{t.slug}.yaml").read_text("utf-8"))
    repo.commit("brand default's base texts")
    return repo


def syncer(repo: GitRepo, engine: Engine, redis_url: str | None, *,
           allow_gaps: bool = False) -> Syncer:
    invalidator = Invalidator(redis_url) if redis_url else None
    return Syncer(GitSource(str(repo.path)), "main", engine, invalidator,
                  validator=validator(allow_gaps))


def sync(daemon: Syncer) -> Outcome:
    outcome = daemon.cycle()
    assert outcome.status in ("applied", "unchanged", "current"), outcome.log_line()
    return outcome

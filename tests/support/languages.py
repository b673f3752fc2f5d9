"""Repositories with translations and brand files, and the daemon that syncs them.

The validator learns translation files and brand.yaml in its own branch of issue 10. Until it
has, `validator()` hands the daemon the real validator behind a thin adapter that shows it each
file as the validator of today reads it (no `locale:`/`translated_from:` lines, no brand.yaml);
once it knows them (`PromptDoc.translated_from` exists), the real validator alone.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy import Engine

from promptsync.brands import brand_of_file
from promptsync.cache.invalidate import Invalidator
from promptsync.daemon.gate import ValidatorLike
from promptsync.daemon.outcome import Outcome
from promptsync.daemon.source import GitSource
from promptsync.daemon.syncer import Syncer
from promptsync.model import PromptDoc, PromptId, PromptType
from promptsync.validate import Report, SourceFile, Validator
from promptsync.validate.codes import DEFAULT_MISSING_TYPE, TRANSLATION_WITHOUT_BASE
from promptsync.validate.version_check import BaseVersion
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

KNOWS_TRANSLATIONS = "translated_from" in {f.name for f in dataclasses.fields(PromptDoc)}
_NEW_KEYS = (b"locale:", b"translated_from:")


class _TodaysValidator:
    def __init__(self) -> None:
        self.inner = Validator(workers=1)

    def validate(self, files: Sequence[SourceFile],
                 base: Mapping[PromptId, BaseVersion] | None = None, *,
                 whole_tree: bool = True) -> Report:
        shown = [_without_new_keys(f) for f in files if brand_of_file(f.path) is None]
        return self.inner.validate(shown, base, whole_tree=whole_tree)


def _without_new_keys(f: SourceFile) -> SourceFile:
    if PromptId.from_path(f.path) is None or "." not in Path(f.path).stem:
        return f
    data = b"".join(line for line in f.read().splitlines(keepends=True)
                    if not line.startswith(_NEW_KEYS))
    return SourceFile(f.path, f"{f.blob}-today", lambda: data)


class _DefaultMayLackTypes:
    """The validator without its checks that brand default holds every type and so gives every
    translation a base text, for a test that needs a database where it does not (the built-in
    text's turn to answer)."""

    def __init__(self, inner: ValidatorLike) -> None:
        self.inner = inner

    def validate(self, files: Sequence[SourceFile],
                 base: Mapping[PromptId, BaseVersion] | None = None, *,
                 whole_tree: bool = True) -> Report:
        report = self.inner.validate(files, base, whole_tree=whole_tree)
        report.findings = [f for f in report.findings
                           if f.code not in (DEFAULT_MISSING_TYPE, TRANSLATION_WITHOUT_BASE)]
        return report


def validator(default_may_lack_types: bool = False) -> ValidatorLike:
    real: ValidatorLike = Validator(workers=1) if KNOWS_TRANSLATIONS else _TodaysValidator()
    return _DefaultMayLackTypes(real) if default_may_lack_types else real


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
           default_may_lack_types: bool = False) -> Syncer:
    invalidator = Invalidator(redis_url) if redis_url else None
    return Syncer(GitSource(str(repo.path)), "main", engine, invalidator,
                  validator=validator(default_may_lack_types))


def sync(daemon: Syncer) -> Outcome:
    outcome = daemon.cycle()
    assert outcome.status in ("applied", "unchanged", "current"), outcome.log_line()
    return outcome

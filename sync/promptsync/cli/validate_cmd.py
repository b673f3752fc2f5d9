"""`promptsync validate`: check prompt files; exit 0 clean, 1 errors, 2 could not run."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptsync import settings
from promptsync.cli.options import add_format, add_repo
from promptsync.core.workspace import Workspace
from promptsync.errors import UsageError
from promptsync.tree import from_directory
from promptsync.validate import Report, Validator, codes
from promptsync.validate.base_history import GitBaseHistory
from promptsync.validate.base_ref import version_base
from promptsync.validate.finding import did_you_mean
from promptsync.validate.reporters import REPORTERS
from promptsync.validate.result_cache import ResultCache
from promptsync.validate.rules import BRAND_SCHEMA_PATH, SCHEMA_PATH, VARIABLES_PATH


@dataclass(frozen=True)
class ValidateSettings:
    root: Path
    paths: tuple[str, ...]  # absolute; empty: the whole repository
    base: str | None
    format: str
    strict: bool
    cache: bool
    allow: frozenset[str] = frozenset()  # codes that stay warnings under --strict


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("validate",
                              description="Check prompt files against schema/prompt.schema.json, "
                              "schema/variables.yaml and the template rules.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders to check (default: the whole repository)")
    add_repo(p)
    p.add_argument("--base", metavar="REF",
                   help="check each edited prompt's version against REF (default: the published "
                   "branch when there is one: @{upstream}, origin/main or main)")
    add_format(p, REPORTERS)
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--allow", metavar="CODE", action="append", default=[],
                   help="with --strict, findings with this code stay warnings (repeatable), "
                   "e.g. --allow stale-translation")
    p.add_argument("--no-cache", action="store_true",
                   help="check every file afresh (results are otherwise kept in .git/promptsync)")


def build_settings(args: argparse.Namespace,
                   environ: Mapping[str, str] | None = None) -> ValidateSettings:
    root = settings.resolve_folder(args.repo, environ)
    paths = tuple(str(Path(p).absolute()) for p in args.paths)
    if _names_a_rule_file(root, paths):
        paths = ()  # new rules can break any prompt (pre-commit passes only what is staged)
    return ValidateSettings(root=root, paths=paths, base=args.base, format=args.format,
                            strict=args.strict, cache=not args.no_cache,
                            allow=frozenset(_known_code(c) for c in args.allow))


def run(args: argparse.Namespace) -> int:
    return validate(build_settings(args))


def validate(s: ValidateSettings) -> int:
    """Check the files, print the findings; 0 clean, 1 errors (or warnings when strict).

    With PATHs (pre-commit names only what is staged), the core checks those files and every
    file whose findings they can move (a base text's translations go stale), reading only what
    those checks need; the findings on them are the ones a whole-tree run gives."""
    named = _named(s.root, s.paths) if s.paths else None
    store = ResultCache.for_repository(s.root) if s.cache else None
    workspace = Workspace.of_directory(s.root, Validator(store=store),
                                       store.known_blobs if store is not None else None)
    if not workspace.index.rule_files() & {SCHEMA_PATH, VARIABLES_PATH}:
        raise UsageError(f"{s.root} has no schema/ folder "
                         "(hint: is --repo the prompt repository?)")
    base = version_base(s.root, s.base, paths=workspace.reads(named))
    with GitBaseHistory(s.root) as history:
        report = workspace.check(named, base=base.versions if base else None, history=history)
    report.base = base.label if base else None
    if store is not None:
        store.save()
    REPORTERS[s.format](report, sys.stdout)
    return _exit_code(report, s.strict, s.allow)


def _named(root: Path, paths: tuple[str, ...]) -> list[str]:
    """The tracked files PATHs name (a folder names what is under it)."""
    wanted = [Path(os.path.abspath(p)) for p in paths]
    found = from_directory(root, list(paths))
    return [f.path for f in found
            if any(root / f.path == w or w in (root / f.path).parents for w in wanted)]


def _known_code(code: str) -> str:
    """A code --allow names: one the validator reports (a typo would allow nothing, silently)."""
    known = {v for k, v in vars(codes).items() if k.isupper() and isinstance(v, str)}
    if code in known or (code.startswith(codes.SCHEMA_PREFIX) and code != codes.SCHEMA_PREFIX):
        return code
    hint = did_you_mean(code, known)
    raise UsageError(f"--allow {code}: no finding has that code" + (f" ({hint})" if hint else ""))


def _names_a_rule_file(root: Path, paths: tuple[str, ...]) -> bool:
    rule_files = {root / SCHEMA_PATH, root / VARIABLES_PATH, root / BRAND_SCHEMA_PATH}
    return any(Path(os.path.realpath(p)) in rule_files for p in paths)


def _exit_code(report: Report, strict: bool, allow: frozenset[str] = frozenset()) -> int:
    if report.errors or (strict and any(w.code not in allow for w in report.warnings)):
        return 1
    return 0

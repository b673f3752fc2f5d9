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
from promptsync.errors import UsageError
from promptsync.tree import from_directory
from promptsync.validate import Report, Validator
from promptsync.validate.base_ref import version_base
from promptsync.validate.reporters import REPORTERS
from promptsync.validate.result_cache import ResultCache
from promptsync.validate.rules import SCHEMA_PATH, VARIABLES_PATH


@dataclass(frozen=True)
class ValidateSettings:
    root: Path
    paths: tuple[str, ...]  # absolute; empty: the whole repository
    base: str | None
    format: str
    strict: bool
    cache: bool


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
    p.add_argument("--no-cache", action="store_true",
                   help="check every file afresh (results are otherwise kept in .git/promptsync)")


def build_settings(args: argparse.Namespace,
                   environ: Mapping[str, str] | None = None) -> ValidateSettings:
    root = settings.resolve_folder(args.repo, environ)
    paths = tuple(str(Path(p).absolute()) for p in args.paths)
    if _names_a_rule_file(root, paths):
        paths = ()  # new rules can break any prompt (pre-commit passes only what is staged)
    return ValidateSettings(root=root, paths=paths, base=args.base, format=args.format,
                            strict=args.strict, cache=not args.no_cache)


def run(args: argparse.Namespace) -> int:
    return validate(build_settings(args))


def validate(s: ValidateSettings) -> int:
    """Check the files, print the findings; 0 clean, 1 errors (or warnings when strict)."""
    files = from_directory(s.root, list(s.paths))
    if not any(f.path.startswith("schema/") for f in files):
        raise UsageError(f"{s.root} has no schema/ folder "
                         "(hint: is --repo the prompt repository?)")
    base = version_base(s.root, s.base)
    store = ResultCache.for_repository(s.root) if s.cache else None
    report = Validator(store=store).validate(files, base.versions if base else None,
                                             whole_tree=not s.paths)
    report.base = base.label if base else None
    if store is not None:
        store.save()
    REPORTERS[s.format](report, sys.stdout)
    return _exit_code(report, s.strict)


def _names_a_rule_file(root: Path, paths: tuple[str, ...]) -> bool:
    rule_files = {root / SCHEMA_PATH, root / VARIABLES_PATH}
    return any(Path(os.path.realpath(p)) in rule_files for p in paths)


def _exit_code(report: Report, strict: bool) -> int:
    if report.errors or (strict and report.warnings):
        return 1
    return 0

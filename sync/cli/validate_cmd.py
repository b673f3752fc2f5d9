"""`promptsync validate`: check prompt files; exit 0 clean, 1 errors, 2 could not run."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from promptsync.errors import UsageError
from promptsync.tree import from_directory
from promptsync.validate import Report, Validator
from promptsync.validate.base_ref import version_base
from promptsync.validate.reporters import REPORTERS
from promptsync.validate.result_cache import ResultCache
from promptsync.validate.rules import SCHEMA_PATH, VARIABLES_PATH


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("validate",
                              description="Check prompt files against schema/prompt.schema.json, "
                              "schema/variables.yaml and the template rules.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders to check (default: the whole repository)")
    p.add_argument("--repo", help="the prompt repository (default: $PROMPTSYNC_REPO or .)")
    p.add_argument("--base", metavar="REF",
                   help="check each edited prompt's version against REF (default: the published "
                   "branch when there is one: @{upstream}, origin/main or main)")
    p.add_argument("--format", choices=sorted(REPORTERS), default="text")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--no-cache", action="store_true",
                   help="check every file afresh (results are otherwise kept in .git/promptsync)")


def repo_root(explicit: str | None) -> Path:
    root = Path(explicit or os.environ.get("PROMPTSYNC_REPO") or ".")
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory (hint: pass --repo DIR)")
    return root.resolve()


def run(args: argparse.Namespace) -> int:
    root = repo_root(args.repo)
    paths = [str(Path(p).absolute()) for p in args.paths]
    if _names_a_rule_file(root, paths):
        paths = []  # new rules can break any prompt (pre-commit passes only what is staged)
    files = from_directory(root, paths)
    if not any(f.path.startswith("schema/") for f in files):
        raise UsageError(f"{root} has no schema/ folder (hint: is --repo the prompt repository?)")
    base = version_base(root, args.base)
    store = None if args.no_cache else ResultCache.for_repository(root)
    report = Validator(store=store).validate(files, base.versions if base else None,
                                             whole_tree=not paths)
    report.base = base.label if base else None
    if store is not None:
        store.save()
    REPORTERS[args.format](report, sys.stdout)
    return _exit_code(report, args.strict)


def _names_a_rule_file(root: Path, paths: list[str]) -> bool:
    rule_files = {root / SCHEMA_PATH, root / VARIABLES_PATH}
    return any(Path(os.path.realpath(p)) in rule_files for p in paths)


def _exit_code(report: Report, strict: bool) -> int:
    if report.errors or (strict and report.warnings):
        return 1
    return 0

"""`promptsync coverage`: the brand x type x locale matrix of a tree; exit 1 with --strict when
a locale a brand declares is answered in another language."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptsync import brands
from promptsync.cli.options import add_format, add_ref, add_repo, repo_dir
from promptsync.coverage.matrix import Matrix, build
from promptsync.coverage.reporters import REPORTERS
from promptsync.errors import UsageError
from promptsync.gitio.repo import GitRepository
from promptsync.locale import LocaleError, normalize
from promptsync.model import BRAND_RE
from promptsync.tree import Tree, working_tree
from promptsync.validate import Validator


@dataclass(frozen=True)
class CoverageSettings:
    root: Path
    ref: str | None  # None: the working tree
    brand: str | None
    locale: str | None
    format: str
    strict: bool


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("coverage",
                              description="Which text each brand serves for each prompt type "
                              "and locale: its own translation, default's (inherited), a stale "
                              "one, or a base text in another language (a language fallback).")
    add_repo(p)
    add_ref(p)
    p.add_argument("--brand", help="only this brand")
    p.add_argument("--locale", help="only this locale (default: every locale a brand declares)")
    add_format(p, REPORTERS)
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when a locale a brand declares falls back to another language")


def build_settings(args: argparse.Namespace,
                   environ: Mapping[str, str] | None = None) -> CoverageSettings:
    if args.brand is not None and not BRAND_RE.fullmatch(args.brand):
        raise UsageError(f"--brand {args.brand!r} is not a brand (lower-case letters, digits, -)")
    try:
        locale = normalize(args.locale) if args.locale is not None else None
    except LocaleError as exc:
        raise UsageError(f"--locale: {exc}") from None
    return CoverageSettings(root=repo_dir(args.repo, environ), ref=args.ref, brand=args.brand,
                            locale=locale, format=args.format, strict=args.strict)


def run(args: argparse.Namespace) -> int:
    return coverage(build_settings(args))


def coverage(s: CoverageSettings) -> int:
    matrix = read_matrix(s)
    REPORTERS[s.format](matrix, sys.stdout)
    return 1 if s.strict and matrix.gaps else 0


def read_matrix(s: CoverageSettings) -> Matrix:
    with GitRepository(s.root) as repo:
        tree = repo.tree(s.ref) if s.ref else working_tree(repo.path)
        report = Validator().validate(tree.files)
        declared = brands.read_all(_brand_files(tree))
    if s.brand is not None and not any(p.brand == s.brand for p in report.prompts) \
            and s.brand not in declared:
        raise UsageError(f"there is no brand {s.brand!r} in {tree.label}")
    # Files that do not validate are left out, as the daemon would refuse them.
    skipped = len({f.path for f in report.errors} & {f.path for f in tree.files})
    return build(tree.label, report.prompts, declared,
                 brands=[s.brand] if s.brand else None,
                 locales=[s.locale] if s.locale else None, skipped=skipped)


def _brand_files(tree: Tree) -> list[tuple[str, bytes]]:
    return [(f.path, f.read()) for f in tree.files
            if brands.brand_of_file(f.path) is not None and not (f.is_symlink or f.is_gitlink)]

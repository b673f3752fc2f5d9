"""`promptsync preview`: render one prompt, or every prompt changed since a base revision.

    promptsync preview ID [--sample NAME | --context FILE.json] [--var KEY=VALUE ...] [--ref REV]
    promptsync preview --changed --base REF [--format text|markdown]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from promptsync.cli.options import prompt_id, repo_dir
from promptsync.errors import UsageError
from promptsync.gitio.repo import GitRepository
from promptsync.model import PromptDoc, PromptId
from promptsync.preview import markdown as preview_markdown
from promptsync.preview import text as preview_text
from promptsync.preview.changes import changed_prompts
from promptsync.preview.context import build_context
from promptsync.preview.render import render
from promptsync.tree import Tree, working_tree
from promptsync.validate import Validator
from promptsync.validate.result_cache import ResultCache

FORMATS = {"text": preview_text.write, "markdown": preview_markdown.write}


class _Invalid(UsageError):
    """The prompt's file does not validate: bad input (exit 1), not a bad command line."""

    exit_code = 1


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("preview",
                              description="Render one prompt with a sample, a JSON context or "
                              "--var values; or, with --changed --base REF, every prompt changed "
                              "since REF, before and after, as text or a pull-request comment.")
    p.add_argument("id", nargs="?", metavar="ID", help="the prompt, e.g. acme/greeting")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--sample", metavar="NAME", help="render with this sample's context")
    source.add_argument("--context", metavar="FILE.json", help="render with this JSON object")
    p.add_argument("--var", action="append", default=[], metavar="KEY=VALUE",
                   help="set one variable (repeatable; overrides the sample or file)")
    p.add_argument("--repo", help="the prompt repository (default: $PROMPTSYNC_REPO or .)")
    p.add_argument("--ref", metavar="REV",
                   help="read the prompts at this revision (default: the working tree)")
    p.add_argument("--changed", action="store_true",
                   help="preview every prompt changed since --base")
    p.add_argument("--base", metavar="REF", help="with --changed: the revision to compare with")
    p.add_argument("--format", choices=sorted(FORMATS), default="text",
                   help="with --changed: text for a terminal, markdown for a pull request")


def run(args: argparse.Namespace) -> int:
    if args.changed:
        return _run_changed(args)
    if args.id is None:
        raise UsageError("name a prompt (e.g. preview acme/greeting) or use --changed --base REF")
    if args.base:
        raise UsageError("--base goes with --changed")
    return _run_one(args)


def _tree(args: argparse.Namespace, repo: GitRepository,
          only: Sequence[str] | None = None) -> Tree:
    return repo.tree(args.ref) if args.ref else working_tree(repo.path, only)


def _load(args: argparse.Namespace, wanted: PromptId) -> PromptDoc:
    # A commit's files read their bytes through the open repository: check them inside `with`.
    with GitRepository(repo_dir(args.repo)) as repo:
        tree = _tree(args, repo, [wanted.path])
        if not any(f.path == wanted.path for f in tree.files):
            raise UsageError(f"there is no prompt {wanted} in {tree.label} "
                             f"(no file {wanted.path})")
        # The prompt's own checks need only its file and the rules.
        report = Validator().validate(tree.subset({wanted.path}), whole_tree=False)
    doc = report.prompts.get(wanted)
    if doc is None:
        for finding in report.errors:
            if finding.path in (wanted.path, "schema/prompt.schema.json",
                                "schema/variables.yaml"):
                print(finding.as_text(), file=sys.stderr)
        raise _Invalid(f"{wanted.path} does not pass validation; fix the errors above first")
    return doc


def _run_one(args: argparse.Namespace) -> int:
    wanted = prompt_id(args.id)
    doc = _load(args, wanted)
    context = build_context(doc, sample=args.sample, context_file=args.context,
                            assignments=args.var)
    result = render(doc, context)
    if result.text is None:
        print(f"promptsync preview: {wanted} does not render: {result.error}", file=sys.stderr)
        return 1
    sys.stdout.write(result.text if result.text.endswith("\n") else result.text + "\n")
    return 0


def _run_changed(args: argparse.Namespace) -> int:
    if not args.base:
        raise UsageError("--changed needs --base REF, e.g. --base origin/main")
    if args.id or args.sample or args.context or args.var:
        raise UsageError("--changed previews every changed prompt; drop ID, --sample, "
                         "--context and --var")
    with GitRepository(repo_dir(args.repo)) as repo:
        base = repo.tree(args.base)
        head = _tree(args, repo)
        # In CI the validate step has just checked the working tree and kept each file's result
        # in .git/promptsync: read them. Not saved: saving keeps only the entries this run used,
        # and a preview checks only the changed prompts.
        store = None if args.ref else ResultCache.for_repository(repo.path)
        changes = changed_prompts(base, head, Validator(store=store))
    FORMATS[args.format](changes, sys.stdout, base_label=f"`{base.label}`"
                         if args.format == "markdown" else base.label)
    return 0

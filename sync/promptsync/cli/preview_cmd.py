"""`promptsync preview`: render one prompt, or every prompt changed since a base revision.

    promptsync preview ID [--sample NAME | --context FILE.json] [--var KEY=VALUE ...] [--ref REV]
                          [--variant NAME]
    promptsync preview --changed --base REF [--format text|markdown]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from promptsync.cli.options import add_format, add_ref, add_repo, prompt_id, repo_dir
from promptsync.core.workspace import Workspace
from promptsync.errors import UsageError
from promptsync.gitio.repo import GitRepository
from promptsync.locale import LocaleError, normalize
from promptsync.model import PromptDoc, PromptId, UnknownVariant
from promptsync.preview import markdown as preview_markdown
from promptsync.preview import text as preview_text
from promptsync.preview.changes import changed_prompts
from promptsync.preview.context import build_context
from promptsync.preview.reach import reach
from promptsync.preview.render import coerced_text, render
from promptsync.tree import working_tree
from promptsync.validate import Validator
from promptsync.validate.result_cache import ResultCache

FORMATS = {"text": preview_text.write, "markdown": preview_markdown.write}


class _Invalid(UsageError):
    """The prompt's file does not validate: bad input (exit 1), not a bad command line."""

    exit_code = 1


@dataclass(frozen=True)
class PreviewSettings:
    root: Path
    ref: str | None  # None: the working tree
    prompt: PromptId | None  # None with --changed
    sample: str | None
    context: str | None
    assignments: tuple[str, ...]
    base: str | None  # with --changed
    format: str
    locale: str | None = None  # render what the runtime serves a customer asking in it
    variant: str | None = None  # one of the file's variants (None: its own template)

    def vars_given(self) -> set[str]:
        return {a.partition("=")[0] for a in self.assignments}


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
    add_repo(p)
    add_ref(p)
    p.add_argument("--locale", metavar="TAG",
                   help="render what the runtime serves for ID to a customer asking in this "
                   "locale (e.g. fr-CA), saying which brand and locale answered")
    p.add_argument("--variant", metavar="NAME",
                   help="render this variant's text (see the file's variants:) instead of "
                   "the template, which is the variant 'control'")
    p.add_argument("--changed", action="store_true",
                   help="preview every prompt changed since --base")
    p.add_argument("--base", metavar="REF", help="with --changed: the revision to compare with")
    add_format(p, FORMATS)  # with --changed: markdown for a pull request's comment


def build_settings(args: argparse.Namespace,
                   environ: Mapping[str, str] | None = None) -> PreviewSettings:
    _check_combination(args)
    return PreviewSettings(
        root=repo_dir(args.repo, environ), ref=args.ref,
        prompt=None if args.changed else prompt_id(args.id), sample=args.sample,
        context=args.context, assignments=tuple(args.var), base=args.base, format=args.format,
        locale=_locale(args), variant=args.variant)


def _locale(args: argparse.Namespace) -> str | None:
    if args.locale is None:
        return None
    if args.changed:
        raise UsageError("--locale goes with ID: --changed previews every changed file")
    try:
        tag = normalize(args.locale)
    except LocaleError as exc:
        raise UsageError(f"--locale: {exc}") from None
    if prompt_id(args.id).locale:
        raise UsageError(f"name the prompt without its locale with --locale (e.g. "
                         f"{prompt_id(args.id).base}), or drop --locale")
    return tag


def _check_combination(args: argparse.Namespace) -> None:
    if args.changed:
        if not args.base:
            raise UsageError("--changed needs --base REF, e.g. --base origin/main")
        if args.id or args.sample or args.context or args.var or args.variant:
            raise UsageError("--changed previews every changed prompt and each of its "
                             "variants; drop ID, --sample, --context, --var and --variant")
        return
    if args.id is None:
        raise UsageError("name a prompt (e.g. preview acme/greeting) or use --changed --base REF")
    if args.base:
        raise UsageError("--base goes with --changed")


def run(args: argparse.Namespace) -> int:
    s = build_settings(args)
    return preview_one(s, s.prompt) if s.prompt is not None else preview_changed(s)


def _workspace(s: PreviewSettings, repo: GitRepository) -> Workspace:
    return Workspace.of_tree(repo.tree(s.ref)) if s.ref else Workspace.of_directory(repo.path)


def _load(s: PreviewSettings, wanted: PromptId) -> PromptDoc:
    """The prompt `wanted` (or, with --locale, the one that answers for it), validated as CI
    validates it; a translation without samples of its own borrows its base text's."""
    # A commit's files read their bytes through the open repository: check them inside `with`.
    with GitRepository(s.root) as repo:
        workspace = _workspace(s, repo)
        found = workspace.answer(wanted, s.locale if s.locale is not None else wanted.locale)
        if found.answer is None or (s.locale is None and not found.own):
            raise UsageError(f"there is no prompt {wanted} in {workspace.label} "
                             f"(no file {wanted.path})" if s.locale is None else
                             f"nothing in {workspace.label} answers {wanted} in {s.locale}: the "
                             "runtime would serve its built-in text")
        target = found.answer
        report = workspace.check_file(target.path)
        doc = report.prompts.get(target)
        base = None
        if doc is not None and found.base is not None and not doc.samples:
            base = workspace.check_file(found.base.path).prompts.get(found.base)
    if s.locale is not None:
        print(found.describe(), file=sys.stderr, flush=True)
    if doc is None:
        for finding in report.errors:
            print(finding.as_text(), file=sys.stderr)
        raise _Invalid(f"{target.path} does not pass validation; fix the errors above first")
    return replace(doc, samples=base.samples) if base is not None else doc


def preview_one(s: PreviewSettings, wanted: PromptId) -> int:
    """Render one prompt; 0 rendered, 1 it does not validate or render."""
    doc = _load(s, wanted)
    context = build_context(doc, sample=s.sample, context_file=s.context,
                            assignments=s.assignments)
    try:
        result = render(doc, context, s.variant)
    except UnknownVariant as exc:
        raise UsageError(f"--variant: {exc}") from None
    dropped = [n for n in result.coerced if n.dropped and n.name in s.vars_given()]
    if dropped:
        raise UsageError(f"--var {dropped[0].name}={dropped[0].given}: {coerced_text(dropped[0])}")
    if result.missing is not None:  # what the command line left out: a usage error
        raise UsageError(f"{doc.id} needs {result.missing}: pass --var {result.missing}=VALUE "
                         f"or {_sample_hint(doc)}")
    if result.text is None:
        print(f"promptsync preview: {wanted} does not render: {result.error}", file=sys.stderr)
        return 1
    sys.stdout.write(result.text if result.text.endswith("\n") else result.text + "\n")
    return 0


def _sample_hint(doc: PromptDoc) -> str:
    samples = ", ".join(repr(x.name) for x in doc.samples)
    return f"--sample NAME (its samples: {samples})" if samples else "--context FILE.json"


def preview_changed(s: PreviewSettings) -> int:
    """Every prompt changed since the base, before and after."""
    assert s.base is not None  # build_settings requires it with --changed
    with GitRepository(s.root) as repo:
        base = repo.tree(s.base)
        head = repo.tree(s.ref) if s.ref else working_tree(repo.path)
        # In CI the validate step has just checked the working tree and kept each file's result
        # in .git/promptsync: read them. Not saved: saving keeps only the entries this run used,
        # and a preview checks only the changed prompts.
        store = None if s.ref else ResultCache.for_repository(repo.path)
        changes = changed_prompts(base, head, Validator(store=store))
        reached = reach(base, head, [c.id for c in changes])
    FORMATS[s.format](changes, sys.stdout, base_label=f"`{base.label}`"
                      if s.format == "markdown" else base.label, reached=reached)
    return 0

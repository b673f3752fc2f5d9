"""`promptsync history [ID]`: who changed which prompt when, read from git (the audit log)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from promptsync import settings
from promptsync.cli.options import add_format, add_live_db, add_repo, prompt_id, repo_dir
from promptsync.errors import UsageError
from promptsync.gitio.repo import GitRepository
from promptsync.history import golive
from promptsync.history.log import read_history, with_live_times
from promptsync.history.view import FORMATS, HistoryFilter, parse_when
from promptsync.locale import normalize
from promptsync.model import BRAND_RE, PromptType


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("history",
                              description="Every change of a prompt: commit, author, date, "
                              "action (create, update, delete, rename, rollback) and versions.")
    p.add_argument("id", nargs="?", metavar="ID", help="only this prompt, e.g. acme/greeting")
    add_repo(p)
    p.add_argument("--brand", help="only prompts of this brand")
    p.add_argument("--type", help="only prompts of this type, e.g. greeting")
    p.add_argument("--locale", metavar="TAG",
                   help="only translations into this locale, e.g. fr (the id shows each one's)")
    p.add_argument("--author", help="only changes whose author name or e-mail contains this")
    p.add_argument("--since", metavar="DATE", help="only changes on or after DATE (2026-11-24)")
    p.add_argument("--until", metavar="DATE", help="only changes on or before DATE")
    add_live_db(p)
    add_format(p, FORMATS)


def build_filter(args: argparse.Namespace) -> HistoryFilter:
    if args.brand is not None and not BRAND_RE.fullmatch(args.brand):
        raise UsageError(f"--brand {args.brand!r} is not a brand (lower-case letters, digits, -)")
    try:
        return HistoryFilter(
            prompt=prompt_id(args.id) if args.id else None, brand=args.brand,
            type=PromptType.parse(args.type) if args.type else None, author=args.author,
            since=parse_when(args.since) if args.since else None,
            until=parse_when(args.until, end_of_day=True) if args.until else None,
            locale=normalize(args.locale) if args.locale is not None else None)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    query = build_filter(args)
    with GitRepository(repo_dir(args.repo)) as repo:
        changes = query.apply(read_history(repo))
        # No default database: the live times are shown when asked for.
        db_url = settings.resolve(args.db, settings.DB_URL_ENV, None)
        if db_url:
            runs = golive.applied_runs(db_url)
            changes = with_live_times(changes, golive.live_times(repo, runs))
    FORMATS[args.format](changes, sys.stdout, with_live=bool(db_url))
    return 0

"""`promptsync rollback ID --to REV`: a new branch with one commit restoring a prompt's content
at REV, version bumped, on top of the published branch, ready for a pull request (a rollback is
reviewed like any change)."""

from __future__ import annotations

import argparse
from typing import Any

from promptsync.cli.options import add_repo, prompt_id, repo_dir
from promptsync.gitio import short
from promptsync.gitio.published import Base, publishing_base
from promptsync.gitio.repo import GitRepository
from promptsync.rollback import make_rollback
from promptsync.settings import resolve_ref


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("rollback",
                              description="Create a branch from the published branch with one "
                              "commit that restores the prompt as it was at REV, with its version "
                              "bumped. Your checked-out branch and files are not touched.")
    p.add_argument("id", metavar="ID", help="the prompt, e.g. acme/greeting")
    p.add_argument("--to", required=True, metavar="REV",
                   help="the commit whose content to restore (see `promptsync history ID`)")
    p.add_argument("--base", metavar="REF",
                   help="the commit to build on (default: the published branch, "
                   "$PROMPTSYNC_REF or main: the local one unless origin's is newer)")
    p.add_argument("--branch", metavar="NAME",
                   help="the new branch (default: rollback/<brand>-<type>[.<locale>]-<rev>)")
    add_repo(p)


def run(args: argparse.Namespace) -> int:
    prompt = prompt_id(args.id)
    with GitRepository(repo_dir(args.repo)) as repo:
        base = Base(args.base, "as --base asked") if args.base else \
            publishing_base(repo, resolve_ref(None))
        done = make_rollback(repo, prompt, args.to, base=base.ref, branch=args.branch)
    print(f"Created branch {done.branch} (commit {short(done.commit)}) from {base.ref} "
          f"({short(done.parent)}): {prompt} as it was at {short(done.restored_from)}, "
          f"as version {done.version}.")
    print(f"It starts from {base.ref}: {base.why}.")
    print("Next: push it and open a pull request, e.g.")
    print(f"  git push -u origin {done.branch}")
    print(f"  gh pr create --head {done.branch} --fill")
    return 0

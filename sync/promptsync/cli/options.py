"""The options several commands share, each defined once: the same flag has the same metavar,
help and default in every sub-command (tests/test_cli_commands.py walks every parser to hold
this), and the values resolve through `promptsync.settings`."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from pathlib import Path

from promptsync import settings
from promptsync.errors import UsageError
from promptsync.model import PromptId

VERBOSE_HELP = "more log output (-vv: debug)"
TRACEBACK_HELP = "show the traceback of an unexpected error (a bug)"


def add_logging(parser: argparse.ArgumentParser, *, after_command: bool = False) -> None:
    """-v and --traceback, before the sub-command or after it (`promptsync sync -v`). After it
    they count into their own names, which `main` adds to the ones given before."""
    suffix = "_after" if after_command else ""
    parser.add_argument("-v", "--verbose", action="count", default=0, dest=f"verbose{suffix}",
                        help=VERBOSE_HELP)
    parser.add_argument("--traceback", action="store_true", dest=f"traceback{suffix}",
                        help=TRACEBACK_HELP)


def add_repo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repo", metavar="DIR", help="the prompt repository "
                        f"(env {settings.REPO_ENV}, default: the current folder)")


def add_repo_or_url(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """The --repo of sync and serve, which also takes a git URL to mirror."""
    default = "required" if required else "default: the current folder"
    parser.add_argument("--repo", metavar="PATH_OR_URL", help="the prompt repository: a folder "
                        f"or a git server's URL (env {settings.REPO_ENV}, {default})")


def add_cache_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", type=Path, help="where private mirrors of git URLs are "
                        "kept (default: ~/.cache/promptsync/mirrors)")


def add_ref(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ref", metavar="REV",
                        help="read the prompts at this revision (default: the working tree)")


def add_followed_ref(parser: argparse.ArgumentParser) -> None:
    """The daemon's --ref (sync, serve): the published branch it follows, not a revision read."""
    parser.add_argument("--ref", metavar="BRANCH", help="the published branch to follow (env "
                        f"{settings.REF_ENV}, default {settings.DEFAULT_REF})")


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help=f"database URL (env {settings.DB_URL_ENV}, "
                        f"default: {settings.DEFAULT_DB_URL})")


def add_live_db(parser: argparse.ArgumentParser) -> None:
    """history's --db: the same database, but read only when named (no default)."""
    parser.add_argument("--db", metavar="URL", help="also show when each change went live, from "
                        f"this database (env {settings.DB_URL_ENV}, default: none)")


def add_redis(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redis", metavar="URL", help=f"Redis URL (env {settings.REDIS_URL_ENV}, "
                        "default: none, no cache tier)")


NOTIFY_URLS_ENV = "PROMPTSYNC_NOTIFY_URLS"
NOTIFY_FORMAT_ENV = "PROMPTSYNC_NOTIFY_FORMAT"
NOTIFY_SECRET_ENV = "PROMPTSYNC_NOTIFY_SECRET"
NOTIFY_FORMATS = ("auto", "json", "slack")


def add_notify(parser: argparse.ArgumentParser) -> None:
    """The daemon's notifications (sync, and serve for its daemon)."""
    parser.add_argument("--notify", metavar="URL", action="append", help="POST every event "
                        "(published, rejected, failed, fleet-stale) to this URL, signed with "
                        f"{NOTIFY_SECRET_ENV}; repeatable (env {NOTIFY_URLS_ENV}, separated by "
                        "commas or spaces)")
    parser.add_argument("--notify-format", choices=NOTIFY_FORMATS, help="the body: auto (the "
                        "default) sends Slack's message shape to hooks.slack.com and JSON "
                        f"elsewhere (env {NOTIFY_FORMAT_ENV})")


def notify_urls(explicit: list[str] | None,
                environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """--notify URL ..., else PROMPTSYNC_NOTIFY_URLS split on commas and spaces."""
    if explicit:
        return tuple(explicit)
    text = settings.resolve(None, NOTIFY_URLS_ENV, "", environ) or ""
    return tuple(u for u in text.replace(",", " ").split() if u)


def notify_format(explicit: str | None, environ: Mapping[str, str] | None = None) -> str:
    fmt = settings.resolve(explicit, NOTIFY_FORMAT_ENV, "auto", environ) or "auto"
    if fmt not in NOTIFY_FORMATS:
        raise UsageError(f"{NOTIFY_FORMAT_ENV}={fmt!r} is not one of {', '.join(NOTIFY_FORMATS)}")
    return fmt


def add_format(parser: argparse.ArgumentParser, choices: Iterable[str],
               default: str = "text") -> None:
    others = sorted(set(choices) - {default})
    parser.add_argument("--format", choices=[default, *others], default=default,
                        help="output format (default: %(default)s)")


def repo_dir(explicit: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """The repository of --repo / PROMPTSYNC_REPO / the current folder; it must be git's."""
    # Imported here, not above: every command imports this module, and `validate` (the
    # pre-commit hook's command) must not pay for GitPython's import (~90 ms) to parse its flags.
    from promptsync.gitio.repo import check_repository

    return check_repository(settings.resolve_folder(explicit, environ))


def prompt_id(text: str) -> PromptId:
    try:
        return PromptId.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None

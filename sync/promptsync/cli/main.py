"""`promptsync`: parse, dispatch to one sub-command module, turn errors into exit codes.

Exit codes: 0 fine, 1 the input is bad (findings, rejected commit), 2 the command could not run
(bad argument, no repository, unreachable server, no command), 3 a bug (traceback only with
--traceback), 130 interrupted, 141 the reader of the output went away (a closed pipe).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from promptsync.cli.options import add_logging
from promptsync.credentials import redact
from promptsync.errors import PromptSyncError

# `promptsync` alone prints the help and fails, as `git` alone does: a script that calls it
# without a command did not get what it asked for, so it must not look like success. git's
# code is 1, its code for any failure; here 1 means "the input is bad", 2 "could not run".
NO_COMMAND = 2

# Each command's module is imported only when that command runs (the daemon's and history's
# imports cost half a second a `validate` in a pre-commit hook should not pay).
COMMANDS = {
    "validate": "check prompt files (schema, templates, samples)",
    "preview": "render a prompt, or every changed prompt",
    "history": "list the changes of the prompts, from git",
    "coverage": "show which text each brand serves for each type and locale",
    "rollback": "restore a prompt's earlier content on a new branch",
    "sync": "follow the published branch into the database and Redis",
    "status": "show what the database holds and the last syncs",
    "serve": "run the HTTP API (and the sync daemon) on one port",
    "fleet": "show what every reader process serves, and which lag behind",
    "notifications": "list the notifications not yet delivered, and those given up",
    "keys": "add, list and remove the API's keys",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


class _Version(argparse._VersionAction):
    """argparse's --version, asking for the version only when --version is given: the
    package metadata lookup costs ~40 ms that every other command (the pre-commit hook's
    `validate`) would pay for nothing."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        from promptsync.version import package_version

        self.version = f"%(prog)s {package_version()}"
        super().__call__(parser, namespace, values, option_string)


def _command(name: str) -> ModuleType:
    return importlib.import_module(f"promptsync.cli.{name}_cmd")


class _Summaries:
    """The sub-parser registry, handing each command its one-line summary from COMMANDS and
    the options every command takes after its name (-v, --traceback)."""

    def __init__(self, subparsers: Any) -> None:
        self._subparsers = subparsers
        self._common = argparse.ArgumentParser(add_help=False)
        add_logging(self._common, after_command=True)

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self._subparsers.add_parser(
            name, help=COMMANDS[name], parents=[self._common], **kwargs)
        return parser


def _chosen(argv: Sequence[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The full parser of the command named in `argv` (all of them when argv is None); the
    other commands get a summary line only."""
    chosen = _chosen(argv) if argv is not None else None
    parser = _Parser(prog="promptsync", description="Chatbot prompts as files in git: validate, "
                     "preview, audit and roll back them, and sync the published branch "
                     "into the database and Redis.")
    parser.add_argument("--version", action=_Version)
    add_logging(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    summaries = _Summaries(subparsers)
    for name in COMMANDS:
        if argv is None or name == chosen:
            _command(name).add_parser(summaries)
        else:
            summaries.add_parser(name)
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code. Never raises for user-caused errors."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse(argv)
    if args.command is None:
        build_parser([]).print_help()
        return NO_COMMAND
    _configure_logging(args.verbose)
    return _run(args)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The command line as one namespace: -v and --traceback count wherever they were given."""
    args = build_parser(argv).parse_args(argv)
    args.verbose += getattr(args, "verbose_after", 0)  # absent when no command was given
    args.traceback = args.traceback or getattr(args, "traceback_after", False)
    return args


def _run(args: argparse.Namespace) -> int:
    try:
        return int(_command(args.command).run(args))
    except PromptSyncError as exc:
        print(f"promptsync {args.command}: error: {redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("promptsync: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Whoever read the output stopped (`promptsync history | head`): nothing went wrong
        # here. Python would complain again when it flushes stdout at exit, so point it away.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what the shell reports for git in the same pipe
    except Exception as exc:
        if args.traceback:
            traceback.print_exc()
        print(f"promptsync {args.command}: unexpected error: {type(exc).__name__}: "
              f"{redact(str(exc))} (this is a bug; rerun with --traceback and report it)",
              file=sys.stderr)
        return 3


# Commands that are done once their output is out, leaving no thread, process or file open:
# they end without the interpreter's teardown, which frees every module and object one by one
# (10-17 ms: a tenth of a pre-commit hook's `validate`, which runs at every commit).
_QUICK_EXIT = frozenset({"validate"})


def console_main() -> None:
    argv = sys.argv[1:]
    code = main(argv)
    if _chosen(argv) in _QUICK_EXIT:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # (a closed pipe): the interpreter's own exit says what it says
            raise SystemExit(code) from None
        os._exit(code)
    raise SystemExit(code)

"""`promptsync`: parse, dispatch to one sub-command module, turn errors into exit codes.

Exit codes: 0 fine, 1 the input is bad (findings, rejected commit), 2 the command could not run
(bad argument, no repository, unreachable server), 3 a bug (traceback only with --traceback),
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from sync.errors import PromptSyncError

COMMANDS = ("validate", "preview", "history", "rollback", "sync", "status")
log = logging.getLogger("sync")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _command(name: str) -> ModuleType:
    return importlib.import_module(f"sync.cli.{name}_cmd")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="promptsync", description=__doc__.splitlines()[0])
    parser.add_argument("--traceback", action="store_true", help="show tracebacks of bugs")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                       parser_class=_Parser)
    for name in COMMANDS:
        _command(name).add_parser(subparsers)
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code. Never raises for user-caused errors."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    try:
        return int(_command(args.command).run(args))
    except PromptSyncError as exc:
        print(f"promptsync {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("promptsync: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.traceback:
            traceback.print_exc()
        print(f"promptsync {args.command}: unexpected error: {type(exc).__name__}: {exc} "
              "(this is a bug; rerun with --traceback and report it)", file=sys.stderr)
        return 3


def console_main() -> None:
    raise SystemExit(main())

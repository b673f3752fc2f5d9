"""The README's examples, run for real: find them, run their commands, compare the output.

An example is a fenced block whose first line starts with `$ promptsync`; each `$ ` line is a
command and the lines after it, up to the next `$ ` line, its output. A blockquote or block
may also be declared the output of a command with an HTML comment just before it:

    <!-- readme: output of `promptsync preview --changed --base main --format markdown` -->

and an example that another test runs says so, naming that test's file or folder:

    <!-- readme: tested by tests/history/ -->

Outputs are compared after `normalise`: commit ids, dates, times and durations vary from run to
run, and the temporary folder a test works in is not the reader's.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.gitrepo import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
MARKER = re.compile(r"<!-- readme: (?P<kind>output of|tested by) `?(?P<what>[^`]+?)`? -->")
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)")


@dataclass(frozen=True)
class Example:
    """One command of the README and the output the README shows for it."""

    line: int  # of the command (or the marker), 1-based, for messages
    command: str  # as typed after `$ `
    output: str
    tested_by: str | None = None  # another test's file or folder, when it runs this one


def examples(text: str | None = None) -> list[Example]:
    """Every example of the README, in order."""
    lines = (README.read_text(encoding="utf-8") if text is None else text).splitlines()
    found: list[Example] = []
    i = 0
    while i < len(lines):
        marker = MARKER.fullmatch(lines[i].strip())
        if marker and marker["kind"] == "output of":
            body, after = _body_after(lines, i + 1)
            found.append(Example(i + 1, marker["what"], "\n".join(body)))
            i = after
            continue
        fence = FENCE.match(lines[i])
        if fence:
            body, end = _fenced(lines, i)
            tested_by = _tested_by(lines, i)
            found += [Example(i + 2 + n, cmd, out, tested_by) for n, cmd, out in _commands(body)]
            i = end
        i += 1
    return found


def _tested_by(lines: list[str], fence_at: int) -> str | None:
    before = next((line for line in reversed(lines[:fence_at]) if line.strip()), "")
    marker = MARKER.fullmatch(before.strip())
    return marker["what"] if marker and marker["kind"] == "tested by" else None


def _fenced(lines: list[str], start: int) -> tuple[list[str], int]:
    """The lines inside the fence opened at `start` (indent removed) and the closing line."""
    opened = FENCE.match(lines[start])
    assert opened
    indent, fence = len(opened["indent"]), opened["fence"]
    for end in range(start + 1, len(lines)):
        if lines[end].strip() == fence:
            return [line[indent:] for line in lines[start + 1:end]], end
    raise AssertionError(f"README.md:{start + 1}: a block that never closes")


def _body_after(lines: list[str], start: int) -> tuple[list[str], int]:
    """The fenced block or blockquote after a marker, as its reader sees it."""
    while not lines[start].strip():
        start += 1
    if FENCE.match(lines[start]):
        body, end = _fenced(lines, start)
        return body, end + 1
    end = start
    while end < len(lines) and lines[end].startswith(">"):
        end += 1
    return [line[2:] if line.startswith("> ") else line[1:] for line in lines[start:end]], end


def _commands(body: list[str]) -> list[tuple[int, str, str]]:
    """(line offset, command, output) of each `$ promptsync` line of a block."""
    if not body or not body[0].startswith("$ promptsync"):
        return []
    starts = [n for n, line in enumerate(body) if line.startswith("$ ")] + [len(body)]
    return [(a, body[a][2:], "\n".join(body[a + 1:b]).strip("\n"))
            for a, b in itertools.pairwise(starts)]


def rewrite(text: str, outputs: list[tuple[Example, str]]) -> str:
    """`text` (the README) with each example's output replaced by the one given: how
    tests/readme/walkthrough.py --write regenerates the blocks it checks."""
    lines = text.splitlines()
    for shown, output in sorted(outputs, key=lambda pair: -pair[0].line):
        start = shown.line - 1
        marker = MARKER.fullmatch(lines[start].strip())
        new = output.strip("\n").splitlines()
        if marker and marker["kind"] == "output of":
            start += 1
            while not lines[start].strip():
                start += 1
            if lines[start].startswith(">"):
                end = start
                while end < len(lines) and lines[end].startswith(">"):
                    end += 1
                lines[start:end] = [f"> {line}" if line else ">" for line in new]
                continue
        end = start + 1
        while not lines[end].startswith(("$ ", "```")):
            end += 1
        blank = [""] if lines[end].startswith("$ ") else []
        lines[start + 1:end] = new + blank
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


# -- running ------------------------------------------------------------------------------------

SHA = re.compile(r"\b[0-9a-f]{7,40}\b")
DATE_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2})?)?")
DURATION = re.compile(r"\b\d+(\.\d+)? ?(ms|s)\b")


def normalise(text: str, folder: Path | None = None) -> str:
    """`text` with what varies between runs replaced by placeholders; trailing spaces and
    blank lines at either end dropped."""
    if folder is not None:
        text = text.replace(str(folder.resolve()), "<repo>").replace(str(folder), "<repo>")
    text = SHA.sub("<sha>", text)
    text = DATE_TIME.sub("<date>", text)
    text = DURATION.sub("<duration>", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def run(command: str, cwd: Path) -> str:
    """A README command run as its reader would run it, stdout and stderr as one stream."""
    argv = shlex.split(command)
    assert argv[0] == "promptsync", command
    proc = subprocess.run([sys.executable, "-m", "promptsync", *argv[1:]], cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    return proc.stdout


def example(command: str) -> Example:
    """The README's one example of `command`."""
    found = [e for e in examples() if e.command == command]
    assert len(found) == 1, f"README.md shows `{command}` {len(found)} times, not once"
    return found[0]


def check(command: str, cwd: Path) -> None:
    """Run the README's example of `command` in `cwd`; fail with both texts when the output
    is not the README's."""
    shown = example(command)
    got = normalise(run(command, cwd), cwd)
    assert got == normalise(shown.output), (
        f"README.md:{shown.line}: `{command}` prints something else now.\n"
        f"--- README\n{shown.output}\n--- real output\n{got}")

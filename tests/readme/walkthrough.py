"""The README's walkthrough, run for real in a fresh clone of this repository as shipped.

    python tests/readme/walkthrough.py           # prints every command with today's output
    python tests/readme/walkthrough.py --write   # and writes those outputs into README.md

Each step makes the edit the README describes (on a branch, as an editor works) and runs the
command it shows. The commands are the README's examples that no other test runs (those whose
block names no `tested by` test, or names tests/readme/test_walkthrough.py), in the README's
order; tests/readme/test_walkthrough.py holds the two lists and their outputs equal, after
`harness.normalise` (commit ids, dates, durations).
"""

from __future__ import annotations

import shlex
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.readme.fresh_clone import fresh_clone, git, promptsync  # noqa: E402
from tests.readme.harness import README, Example, examples, rewrite  # noqa: E402
from tests.support.gitrepo import project_files_checked  # noqa: E402

TESTED_HERE = "tests/readme/test_walkthrough.py"
GREETING = "prompts/default/greeting.yaml"
GREETING_DE = "prompts/default/greeting.de.yaml"
FAREWELL_DE = "prompts/northwind/farewell.de.yaml"
Step = tuple[str, str]  # (command as the README shows it, its output)


def shown() -> list[Example]:
    """The README's examples this walkthrough runs, in the README's order."""
    return [e for e in examples() if e.tested_by in (None, TESTED_HERE)]


def edit(clone: Path, path: str, *changes: tuple[str, str]) -> None:
    """Replace text in a file of the clone; each old text must be there (else the README's
    story no longer fits the prompts and says so)."""
    target = clone / path
    text = target.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, f"{old!r} is no longer in {path}: update the README's story"
        text = text.replace(old, new, 1)
    target.write_text(text, encoding="utf-8")


def run(clone: Path, command: str) -> Step:
    argv = shlex.split(command)
    assert argv[0] == "promptsync", command
    return command, promptsync(clone, *argv[1:]).stdout


def editors_guide(clone: Path) -> list[Step]:
    """"For prompt editors", sections 1 and 2: one edit of the default greeting, after the
    set-up command at the top (whose one warning the README explains there)."""
    first = promptsync(clone, "validate")
    assert first.returncode == 0, first.stdout
    warnings = [line for line in first.stdout.splitlines() if ": warning: " in line]
    assert len(warnings) == 1 and warnings[0].startswith(
        "prompts/northwind/farewell.fr.yaml:") and "[stale-translation]" in warnings[0], warnings
    assert first.stdout.rstrip().endswith(
        f"0 errors, 1 warning (0 files with errors, {project_files_checked()} checked)")
    for command in (("sync", "--repo", ".", "--once"), ("status",)):
        assert promptsync(clone, *command).returncode == 0, command
    git("switch", "-q", "-c", "friendlier-greeting", cwd=clone)
    edit(clone, GREETING, ("{{ brand_name }}!", "{{ brand }}!"),
         ("How can I help you today?", "What can I do for you today, {user_name}?"))
    steps = [run(clone, "promptsync validate")]
    edit(clone, GREETING, ("{{ brand }}!", "{{ brand_name }}!"),
         ("{user_name}?", "{{ user_name }}?"))
    steps.append(run(clone, "promptsync validate"))
    edit(clone, GREETING, ("\nversion: 1\n", "\nversion: 2\n"))
    steps += [run(clone, "promptsync validate"),
              run(clone, 'promptsync preview default/greeting --sample "returning customer"'),
              run(clone, "promptsync preview default/greeting --var brand_name=Globex "
                         "--var user_name=Dana"),
              run(clone, "promptsync preview --changed --base main --format markdown")]
    # The fix the README suggests after reading the comment: the new visitor is asked nicely.
    edit(clone, GREETING, ("today, {{ user_name }}?",
                           "today{% if user_name %}, {{ user_name }}{% endif %}?"))
    comment = run(clone, "promptsync preview --changed --base main --format markdown")[1]
    assert "\n+What can I do for you today?\n" in comment, comment
    return steps


def languages(clone: Path) -> list[Step]:
    """"Languages": a mistyped translated_from, the coverage, a preview in a locale and what
    an edit of a default translation reaches."""
    git("switch", "-q", "-c", "german-farewell", cwd=clone)
    good = (clone / FAREWELL_DE).read_text(encoding="utf-8")
    edit(clone, FAREWELL_DE, ("\nversion: 1\n", "\nversion: 2\n"),
         ("\ntranslated_from: 2\n", "\ntranslated_from: 3\n"))
    steps = [run(clone, "promptsync validate --strict --allow stale-translation")]
    (clone / FAREWELL_DE).write_text(good, encoding="utf-8")
    steps += [run(clone, "promptsync coverage"),
              run(clone, 'promptsync preview harbor-bank/greeting --locale de-CH '
                         '--sample "neuer Besuch"')]
    git("switch", "-q", "-c", "warmer-german-greeting", "main", cwd=clone)
    edit(clone, GREETING_DE, ("\nversion: 1\n", "\nversion: 2\n"),
         ("Wie kann ich Ihnen heute helfen?", "Womit kann ich Ihnen heute helfen?"))
    steps.append(run(clone, "promptsync preview --changed --base main"))
    return steps


SECTIONS: list[Callable[[Path], list[Step]]] = [editors_guide, languages]


def walkthrough(folder: Path) -> list[Step]:
    """Every section, each in its own fresh clone under `folder`."""
    steps: list[Step] = []
    for n, section in enumerate(SECTIONS):
        (folder / str(n)).mkdir()
        steps += section(fresh_clone(folder / str(n)))
    return steps


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="promptsync-walkthrough-") as tmp:
        steps = walkthrough(Path(tmp))
    for command, output in steps:
        print(f"$ {command}\n{output}", end="" if output.endswith("\n") else "\n")
    if "--write" in argv:
        places = shown()
        assert [e.command for e in places] == [c for c, _ in steps], "README lists other steps"
        README.write_text(rewrite(README.read_text(encoding="utf-8"),
                                  [(e, out) for e, (_, out) in zip(places, steps, strict=True)]),
                          encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])

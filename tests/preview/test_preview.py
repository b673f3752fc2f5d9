"""`promptsync preview ID`: one prompt rendered with a sample, a JSON file or --var values."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from promptsync import tree
from promptsync.cli.main import main
from promptsync.core import workspace as workspace_module
from promptsync.known_blobs import KnownBlobs
from promptsync.model import PromptDoc, PromptId, PromptType
from promptsync.preview.render import render, render_each
from promptsync.tree import SourceFile
from tests.support.editing import GREETING, blobs_read_after_close, cli
from tests.support.gitrepo import GitRepo

DIVIDING = """\
type: GREETING
version: 1
variables:
  brand_name:
    type: string
    required: true
  order_count:
    type: integer
    required: false
    default: 4
template: |
  {{ brand_name }}: {{ 100 // order_count }} points per order.
samples:
  - name: regular
    context: {brand_name: Acme, order_count: 5}
"""


def preview(capsys, repo: GitRepo, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["preview", *args, "--repo", str(repo.path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sample_renders_exactly(prompt_repo: GitRepo, capsys) -> None:
    assert preview(capsys, prompt_repo, "default/greeting", "--sample", "returning customer") == (
        0, "Hi José, welcome back to Acme!\nI'm Sam, your virtual assistant. How can I help you "
        "today?\n", "")


def test_vars_are_coerced_and_defaults_fill_the_rest(prompt_repo: GitRepo, capsys) -> None:
    code, out, _ = preview(capsys, prompt_repo, "default/greeting", "--var", "brand_name=Globex",
                           "--var", "is_returning=yes")
    assert code == 0
    assert out == "Hi there, welcome back to Globex!\nHow can I help you today?\n"
    # --var overrides a sample's value.
    _, out, _ = preview(capsys, prompt_repo, "default/greeting", "--sample", "new visitor",
                        "--var", "user_name=Dana")
    assert out.startswith("Hi Dana, welcome to Acme!")


def test_context_file(prompt_repo: GitRepo, tmp_path: Path, capsys) -> None:
    ctx = tmp_path / "ctx.json"
    ctx.write_text(json.dumps({"brand_name": "Initech", "agent_name": "Skye"}))
    code, out, _ = preview(capsys, prompt_repo, "default/greeting", "--context", str(ctx))
    assert (code, out.splitlines()[1]) == (0, "I'm Skye, your virtual assistant. How can I help "
                                              "you today?")


def test_ref_renders_an_earlier_revision(prompt_repo: GitRepo, capsys) -> None:
    first = prompt_repo.head()
    prompt_repo.bump(GREETING, "How can I help you today?", "What can I do for you?")
    prompt_repo.commit("Ask differently")
    prompt_repo.bump(GREETING, "What can I do for you?", "Uncommitted words?")
    args = ("default/greeting", "--sample", "new visitor")
    assert "Uncommitted words?" in preview(capsys, prompt_repo, *args)[1]
    assert "What can I do for you?" in preview(capsys, prompt_repo, *args, "--ref", "HEAD")[1]
    assert "How can I help you today?" in preview(capsys, prompt_repo, *args, "--ref",
                                                  first[:8])[1]


def test_ref_reads_the_blobs_before_closing_the_repository(prompt_repo: GitRepo, capsys,
                                                           monkeypatch) -> None:
    late = blobs_read_after_close(monkeypatch)
    code, out, _ = preview(capsys, prompt_repo, "default/greeting", "--sample", "new visitor",
                           "--ref", "HEAD")
    assert code == 0 and "How can I help you today?" in out
    assert late == []


def test_the_working_tree_reads_only_what_the_prompts_check_needs(prompt_repo: GitRepo, capsys,
                                                                  monkeypatch) -> None:
    # The folders are listed; a file is read only when the check of the previewed prompt needs
    # it (the core's related-files rule): its translations, default's base texts, the rules.
    read: list[str] = []
    file_reader = tree.file_reader

    def spy(root: Path, known: KnownBlobs | None = None) -> Callable[[str], SourceFile]:
        read_file = file_reader(root, known)

        def reading(path: str) -> SourceFile:
            read.append(path)
            return read_file(path)
        return reading

    monkeypatch.setattr(workspace_module, "file_reader", spy)
    code, out, _ = preview(capsys, prompt_repo, "default/greeting", "--sample", "new visitor")
    assert code == 0 and "How can I help you today?" in out
    assert GREETING in read
    assert "schema/prompt.schema.json" in read and "schema/variables.yaml" in read
    others = {p for p in read if p.startswith("prompts/") and "/greeting" not in p}
    assert others <= {f"prompts/default/{t.slug}.yaml" for t in PromptType} | {
        "prompts/default/brand.yaml", "prompts/northwind/brand.yaml"}, others

    read.clear()
    assert preview(capsys, prompt_repo, "acme/greeting")[2] == (
        "promptsync preview: error: there is no prompt acme/greeting in the working tree "
        "(no file prompts/acme/greeting.yaml)\n")
    assert read == []


@pytest.mark.parametrize("args, message", [
    (["acme"], "not <brand>/<type>"),
    (["acme/greeting"], "there is no prompt acme/greeting"),
    (["default/greeting", "--sample", "nobody"], "has no sample 'nobody' (its samples: "
                                                 "'new visitor', 'returning customer')"),
    (["default/greeting", "--context", "missing.json"], "--context missing.json"),
    (["default/greeting", "--context", "BAD"], "not valid JSON"),
    (["default/greeting", "--context", "LIST"], "expected a JSON object"),
    (["default/greeting", "--var", "brand_name"], "is not KEY=VALUE"),
    (["default/greeting", "--var", "colour=red"], "declares no variable 'colour'"),
    (["default/greeting", "--var", "brand_name=A", "--var", "is_returning=perhaps"],
     "is declared boolean"),
    (["default/greeting", "--var", "user_name=Dana"],
     "needs brand_name: pass --var brand_name=VALUE or --sample NAME"),
    (["default/greeting", "--ref", "no-such-branch"], "is not a commit"),
    (["default/greeting", "--sample", "x", "--context", "y"], "not allowed with argument"),
    ([], "name a prompt"),
    (["--changed"], "--changed needs --base REF"),
])
def test_bad_input_is_one_clear_line_and_exit_2(prompt_repo: GitRepo, args, message, capsys,
                                                monkeypatch) -> None:
    (prompt_repo.path / "BAD").write_text("{not json")
    (prompt_repo.path / "LIST").write_text("[1, 2]")
    monkeypatch.chdir(prompt_repo.path)
    try:
        code, out, err = preview(capsys, prompt_repo, *args)
    except SystemExit as exc:  # argparse's own usage errors
        code, captured = exc.code, capsys.readouterr()
        out, err = captured.out, captured.err
    assert code == 2, err
    assert message in err and "Traceback" not in err
    assert out == ""


def test_bad_input_through_the_real_entry_point(prompt_repo: GitRepo) -> None:
    proc = cli("preview", "default/greeting", "--var", "is_returning=perhaps", "--repo",
               str(prompt_repo.path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("promptsync preview: error: --var is_returning=perhaps: is_returning "
                           "is declared boolean, and 'perhaps' is not one: the runtime drops it "
                           "and the declared default applies\n")


def test_a_template_that_fails_to_render_is_exit_1(prompt_repo: GitRepo) -> None:
    prompt_repo.write("prompts/acme/greeting.yaml", DIVIDING)
    ok = cli("preview", "acme/greeting", "--sample", "regular", "--repo", str(prompt_repo.path))
    assert (ok.returncode, ok.stdout) == (0, "Acme: 20 points per order.\n")
    proc = cli("preview", "acme/greeting", "--var", "brand_name=Acme", "--var", "order_count=0",
               "--repo", str(prompt_repo.path))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip() == ("promptsync preview: acme/greeting does not render: "
                                   "ZeroDivisionError: integer division or modulo by zero")


def test_a_template_that_does_not_compile_fails_for_every_context() -> None:
    doc = PromptDoc(PromptId("acme", PromptType.GREETING), 1, "Hi {% if %}")
    first, second = render_each(doc, [{}, {"brand_name": "Acme"}])
    assert first == second == render(doc, {})
    assert first.text is None and (first.error or "").startswith(
        "template syntax error on template line 1: ")


def test_an_invalid_file_shows_its_errors_and_exits_1(prompt_repo: GitRepo) -> None:
    prompt_repo.write("prompts/acme/greeting.yaml", DIVIDING.replace("order_count }}",
                                                                     "order_cnt }}"))
    proc = cli("preview", "acme/greeting", "--repo", str(prompt_repo.path))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "prompts/acme/greeting.yaml:12:" in proc.stderr
    assert "[variable-undeclared]" in proc.stderr
    assert "does not pass validation" in proc.stderr


def test_with_nothing_given_the_first_sample_renders_as_the_api_preview_does(
        prompt_repo: GitRepo, capsys) -> None:
    code, out, _ = preview(capsys, prompt_repo, "default/greeting")
    assert code == 0 and out == preview(capsys, prompt_repo, "default/greeting", "--sample",
                                        "new visitor")[1]

"""The built-in prompts pass the project's own validator, as brand default, with no warnings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from promptsync.defaults import SAFE_TEXT, builtin, file_name, read_text
from promptsync.model import PromptType
from promptsync.tree import from_directory
from promptsync.validate import Validator
from tests.support.gitrepo import PROJECT_ROOT

DEFAULTS_DIR = PROJECT_ROOT / "sync" / "promptsync" / "defaults"


@pytest.fixture
def builtin_tree(tmp_path: Path) -> Path:
    """A repository whose brand default is exactly the built-in prompts."""
    shutil.copytree(PROJECT_ROOT / "schema", tmp_path / "schema")
    target = tmp_path / "prompts" / "default"
    target.mkdir(parents=True)
    for type_ in PromptType:
        (target / file_name(type_)).write_text(read_text(type_), encoding="utf-8")
    return tmp_path


def test_builtin_prompts_pass_the_validator(builtin_tree: Path) -> None:
    report = Validator().validate(from_directory(builtin_tree))
    assert [f"{f.path}:{f.line}: {f.message} [{f.code}]" for f in report.findings] == []
    assert report.ok
    assert {pid.type for pid in report.prompts} == set(PromptType)
    for pid, doc in report.prompts.items():
        assert doc.template == builtin(pid.type).template
        assert doc.version == builtin(pid.type).version


def test_one_file_per_type_and_nothing_else() -> None:
    shipped = {p.name for p in DEFAULTS_DIR.glob("*.yaml")}
    assert shipped == {file_name(t) for t in PromptType}
    assert set(SAFE_TEXT) == set(PromptType)


def test_builtin_records() -> None:
    for type_ in PromptType:
        prompt = builtin(type_)
        assert (prompt.type, prompt.source, prompt.brand, prompt.commit) == \
            (type_, "fallback", "default", "builtin")
        assert prompt.template.strip()

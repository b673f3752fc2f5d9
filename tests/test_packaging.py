"""The import name `promptsync` is mapped onto the sync/ folder; the mapping must list every
sub-package, or a wheel ships without it while the editable install hides the gap."""

from __future__ import annotations

import tomllib

from tests.support.gitrepo import PROJECT_ROOT


def _listed() -> set[str]:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"])


def test_every_folder_with_code_is_a_listed_package() -> None:
    folders = {
        ".".join(("promptsync", *init.parent.relative_to(PROJECT_ROOT / "sync").parts))
        for init in (PROJECT_ROOT / "sync").rglob("__init__.py")
    }
    assert folders == _listed()


def test_chat_services_import_promptsync() -> None:
    import promptsync
    from promptsync import PromptReader, PromptType

    assert PromptReader.__module__ == "promptsync.reader.reader"
    assert PromptType.GREETING.slug == "greeting"
    assert promptsync.__file__ is not None and promptsync.__file__.endswith("sync/__init__.py")

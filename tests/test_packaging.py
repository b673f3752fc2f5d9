"""sync/ is the source root of a src layout: every folder of sync/promptsync/ that holds code must
be a package setuptools finds, or a wheel ships without it while the editable install hides the
gap."""

from __future__ import annotations

import setuptools

from tests.support.gitrepo import PROJECT_ROOT

SOURCE_ROOT = PROJECT_ROOT / "sync"


def test_every_folder_with_code_is_a_package_setuptools_finds() -> None:
    folders = {
        ".".join(py.parent.relative_to(SOURCE_ROOT).parts)
        for py in (SOURCE_ROOT / "promptsync").rglob("*.py")
    }
    found = set(setuptools.find_packages(str(SOURCE_ROOT), include=["promptsync*"]))
    assert folders - found == set(), "add an __init__.py to these folders"


def test_chat_services_import_promptsync_from_the_source_root() -> None:
    import promptsync
    from promptsync import PromptReader, PromptType

    assert PromptReader.__module__ == "promptsync.reader.reader"
    assert PromptType.GREETING.slug == "greeting"
    assert promptsync.__file__ is not None
    assert promptsync.__file__.endswith("sync/promptsync/__init__.py")

"""Every front end answers "which text does brand B serve for type T in locale L" as the core
does: the reader, GET /v1/prompts, /source, the preview, `promptsync coverage` and
`promptsync preview --locale`, for every cell of the project's prompts."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from promptsync.cli.main import main
from promptsync.core.workspace import Workspace
from promptsync.model import PromptId, PromptType
from tests.api.server import Running

pytestmark = pytest.mark.timeout(300)
BRANDS = ("default", "northwind", "harbor-bank")
LOCALES = ("", "de", "de-CH", "fr", "fr-CA", "it")
Cell = tuple[str, PromptType, str]
Answer = tuple[str, str] | None  # (brand, locale) of the file that answers; None: built-in


def core_answers(repo: Path) -> dict[Cell, Answer]:
    workspace = Workspace.of_directory(repo)
    found: dict[Cell, Answer] = {}
    for brand in BRANDS:
        for t in PromptType:
            for locale in LOCALES:
                answer = workspace.answer(PromptId(brand, t), locale).answer
                found[(brand, t, locale)] = None if answer is None else (answer.brand,
                                                                         answer.locale)
    return found


def run_cli(*args: str) -> str:
    out = io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(list(args))
    return out.getvalue() + err.getvalue()


def test_every_front_end_answers_every_cell_as_the_core(api: Running) -> None:
    repo = Path(api.ctx.settings.repo)
    core = core_answers(repo)
    assert len({a for a in core.values()}) > 5  # the matrix has own, inherited and fallbacks
    coverage = json.loads(run_cli("coverage", "--repo", str(repo), "--format", "json",
                                  "--locale", "de-CH"))
    covered = {(c["brand"], PromptType(c["type"]), c["locale"]): c["answered_by"]
               for c in coverage["cells"]}
    for (brand, t, locale), expected in core.items():
        where = (brand, t.slug, locale)
        p = api.ctx.reader.get(brand, t, locale=locale or None)
        assert ((p.brand, p.locale) if not p.is_fallback else None) == expected, where
        params = {"locale": locale} if locale else {}
        got = api.client.get(f"/v1/prompts/{brand}/{t.slug}", params=params).json()
        assert (got["answered_by"], got["answered_locale"]) == expected, where
        path = PromptId(expected[0], t, expected[1]).path if expected else None
        source = api.client.get(f"/v1/prompts/{brand}/{t.slug}/source", params=params).json()
        assert source["path"] == path, where
        preview = api.client.post(f"/v1/prompts/{brand}/{t.slug}/preview", params=params,
                                  json={}).json()
        assert preview["path"] == path, where
        if locale:
            said = run_cli("preview", f"{brand}/{t.slug}", "--locale", locale,
                           "--repo", str(repo))
            answered = f"answered by {expected[0]}/{t.slug}" + (
                f".{expected[1]}" if expected[1] else "")
            assert answered in said, (where, said)
        if locale == "de-CH":
            cell = covered[(brand, t, locale)]
            assert (cell["brand"], cell["locale"]) == expected, where

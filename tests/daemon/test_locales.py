"""Translations through the daemon: a sync that adds, deletes or renames a locale moves the
database and Redis together, in one generation (real git, SQLite and PostgreSQL, real Redis)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml
from sqlalchemy import Engine

from promptsync.cache.protocol import GENERATION_KEY, prompt_key
from promptsync.daemon.syncer import Syncer
from promptsync.model import PromptId, PromptType
from promptsync.reader import PromptReader
from promptsync.store.state import live_prompts, read_state
from tests.daemon.helpers import query, sync_once
from tests.support.gitrepo import GitRepo
from tests.support.languages import bare_repo, brand_file, prompt_file, sync, syncer

pytestmark = pytest.mark.timeout(120)
G = PromptType.GREETING
BASE, DE, DE_CH = (PromptId("acme", G, tag) for tag in ("", "de", "de-CH"))



@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = bare_repo(tmp_path / "repo")
    repo.write("prompts/acme/brand.yaml", brand_file("en", ["de"]))
    repo.write(BASE.path, prompt_file(G, "Hello from Acme"))
    repo.commit("acme speaks English")
    return repo


@pytest.fixture
def daemon(repo: GitRepo, engine: Engine, redis_url: str) -> Iterator[Syncer]:
    daemon = syncer(repo, engine, redis_url)
    try:
        sync(daemon)
        yield daemon
    finally:
        assert daemon.invalidator is not None
        daemon.invalidator.close()


def _texts(engine: Engine) -> dict[PromptId, tuple[str, str]]:
    return {pid: (row.template.strip(), row.language)
            for pid, row in live_prompts(engine).items() if pid.brand == "acme"}


def _cached(redis_url: str, *locales: str) -> list[bool]:
    client = redis.Redis.from_url(redis_url)
    try:
        return [bool(client.exists(prompt_key("acme", G, tag))) for tag in locales]
    finally:
        client.close()


def _warm(db_url: str, redis_url: str, *locales: str) -> dict[str, tuple[str, str]]:
    """Read (brand acme, greeting) in each locale through a reader, which caches in Redis."""
    reader = PromptReader(db_url=db_url, redis_url=redis_url, memory=False)
    try:
        found = {tag: reader.get("acme", G, locale=tag or None) for tag in locales}
        return {tag: (p.locale, p.template.strip()) for tag, p in found.items()}
    finally:
        reader.close()


def _one_generation(daemon: Syncer, before: int, redis_url: str) -> None:
    after = read_state(daemon.engine).generation
    client = redis.Redis.from_url(redis_url)
    try:
        assert (after, int(client.get(GENERATION_KEY) or -1)) == (before + 1, before + 1)
    finally:
        client.close()


def test_a_sync_that_adds_a_locale(repo: GitRepo, daemon: Syncer, engine: Engine,
                                   db_url: str, redis_url: str) -> None:
    assert _warm(db_url, redis_url, "", "de-CH") == {"": ("", "Hello from Acme"),
                                                     "de-CH": ("", "Hello from Acme")}
    assert _cached(redis_url, "", "de-CH", "fr") == [True, True, False]
    before = read_state(engine).generation
    repo.write(DE.path, prompt_file(G, "Hallo von Acme", locale="de"))
    repo.commit("acme in German")
    outcome = sync(daemon)
    assert (outcome.created, outcome.updated, outcome.deleted) == (1, 0, 0)
    _one_generation(daemon, before, redis_url)
    assert _texts(engine) == {BASE: ("Hello from Acme", "en"), DE: ("Hallo von Acme", "de")}
    # The key asked in de-CH answered with the base text: the new translation must reach it.
    assert _cached(redis_url, "", "de-CH") == [True, False]
    assert _warm(db_url, redis_url, "", "de-CH") == {"": ("", "Hello from Acme"),
                                                     "de-CH": ("de", "Hallo von Acme")}


def test_a_sync_that_deletes_a_locale(repo: GitRepo, daemon: Syncer, engine: Engine,
                                      db_url: str, redis_url: str) -> None:
    repo.write(DE.path, prompt_file(G, "Hallo von Acme", locale="de"))
    repo.commit("acme in German")
    sync(daemon)
    assert _warm(db_url, redis_url, "de")["de"] == ("de", "Hallo von Acme")
    before = read_state(engine).generation
    repo.remove(DE.path)
    repo.commit("no more German")
    outcome = sync(daemon)
    assert (outcome.created, outcome.updated, outcome.deleted) == (0, 0, 1)
    _one_generation(daemon, before, redis_url)
    assert _texts(engine) == {BASE: ("Hello from Acme", "en")}
    assert _cached(redis_url, "de") == [False]
    assert _warm(db_url, redis_url, "de")["de"] == ("", "Hello from Acme")
    actions = query(db_url, "SELECT locale, action FROM prompt_versions WHERE brand = 'acme' "
                            "ORDER BY id")
    assert [(r["locale"], r["action"]) for r in actions] == [
        ("", "create"), ("de", "create"), ("de", "delete")]


def test_a_rename_from_de_to_de_ch_is_one_generation(repo: GitRepo, daemon: Syncer,
                                                      engine: Engine, db_url: str,
                                                      redis_url: str) -> None:
    repo.write(DE.path, prompt_file(G, "Grüezi von Acme", locale="de"))
    repo.commit("acme in German")
    sync(daemon)
    assert _warm(db_url, redis_url, "de", "de-CH") == {"de": ("de", "Grüezi von Acme"),
                                                       "de-CH": ("de", "Grüezi von Acme")}
    before = read_state(engine).generation
    repo.git("mv", DE.path, DE_CH.path)
    repo.write(DE_CH.path, prompt_file(G, "Grüezi von Acme", locale="de-CH"))
    repo.commit("that German was Swiss German")
    outcome = sync(daemon)
    assert (outcome.created, outcome.updated, outcome.deleted) == (1, 0, 1)
    _one_generation(daemon, before, redis_url)
    assert _texts(engine) == {BASE: ("Hello from Acme", "en"), DE_CH: ("Grüezi von Acme", "de")}
    assert _cached(redis_url, "de", "de-CH") == [False, False]
    assert _warm(db_url, redis_url, "de", "de-CH") == {"de": ("", "Hello from Acme"),
                                                       "de-CH": ("de-CH", "Grüezi von Acme")}


def test_a_brand_that_declares_another_language_relabels_its_texts(
        repo: GitRepo, daemon: Syncer, engine: Engine, redis_url: str) -> None:
    repo.write(DE.path, prompt_file(G, "Hallo von Acme", locale="de"))
    repo.commit("acme in German")
    sync(daemon)
    before = read_state(engine).generation
    repo.write("prompts/acme/brand.yaml", brand_file("fr", ["de"]))
    repo.commit("acme's base texts are French after all")
    outcome = sync(daemon)
    assert outcome.updated == 1
    _one_generation(daemon, before, redis_url)
    assert _texts(engine) == {BASE: ("Hello from Acme", "fr"), DE: ("Hallo von Acme", "de")}
    # Without its file the brand inherits default's declaration (none here: unknown).
    repo.remove("prompts/acme/brand.yaml")
    repo.commit("acme says nothing")
    sync(daemon)
    assert _texts(engine)[BASE] == ("Hello from Acme", "")


def test_a_first_load_reads_every_brand_file(repo: GitRepo, engine: Engine,
                                             redis_url: str) -> None:
    repo.write("prompts/default/brand.yaml", brand_file("en", ["de", "fr"]))
    repo.write("prompts/zeta/greeting.yaml", prompt_file(G, "Hi from Zeta"))
    repo.write("prompts/zeta/greeting.fr.yaml", prompt_file(G, "Salut de Zeta", locale="fr"))
    repo.commit("zeta")
    daemon = syncer(repo, engine, None)
    sync(daemon)
    languages = {(p.brand, p.locale): row.language
                 for p, row in live_prompts(engine).items() if p.type is G}
    assert languages == {("default", ""): "en", ("acme", ""): "en", ("zeta", ""): "en",
                         ("zeta", "fr"): "fr"}


def test_a_new_french_greeting_is_served_to_fr_ca_after_sync(prompt_repo: GitRepo, db_url: str,
                                                              redis_url: str) -> None:
    """The issue's acceptance path: add prompts/northwind/greeting.fr.yaml, sync with the real
    command, and the reader serves it to a Canadian French reader."""
    base = yaml.safe_load(prompt_repo.read("prompts/northwind/greeting.yaml"))
    prompt_repo.write("prompts/northwind/brand.yaml", brand_file("en", ["de", "fr"]))
    prompt_repo.write("prompts/northwind/greeting.fr.yaml", yaml.safe_dump({
        "type": "GREETING", "locale": "fr", "translated_from": base["version"], "version": 1,
        "variables": {"brand_name": base["variables"]["brand_name"]},
        "template": "Bonjour et bienvenue chez {{ brand_name }} !\n"},
        allow_unicode=True, sort_keys=False))
    prompt_repo.commit("Northwind greets in French")
    assert sync_once(prompt_repo, db_url, redis_url) == 0
    with PromptReader(db_url=db_url, redis_url=redis_url) as reader:
        text = reader.render("northwind", "greeting", {"brand_name": "Northwind Outfitters"},
                             locale="fr-CA")
        prompt = reader.get("northwind", G, locale="fr-CA")
    assert text == "Bonjour et bienvenue chez Northwind Outfitters !"
    assert (prompt.brand, prompt.locale, prompt.language) == ("northwind", "fr", "fr")

"""The resolution order, table-driven: for brand B asked in de-CH, every combination of
own/absent at each of its six steps (B de-CH, B de, default de-CH, default de, B base, default
base; the built-in text last), published by the real daemon from a real git repository and read
through each of the reader's tiers (database, memory, Redis). The validator forbids a
translation without its base text and a type brand default lacks; a restored or hand-edited
database may hold both, and the reader must still answer in order, so the test's gate lets them
through (tests.support.languages.GAPS)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from promptsync import PromptReader, PromptType
from promptsync.defaults import builtin
from promptsync.model import DEFAULT_BRAND, PromptId
from tests.reader.conftest import wait_subscribed
from tests.support.gitrepo import GitRepo
from tests.support.languages import bare_repo, brand_file, prompt_file, sync, syncer

pytestmark = pytest.mark.timeout(300)
G = PromptType.GREETING
ASKED = "de-CH"
STEPS = (("B", "de-CH"), ("B", "de"), (DEFAULT_BRAND, "de-CH"), (DEFAULT_BRAND, "de"),
         ("B", ""), (DEFAULT_BRAND, ""))
BRAND_STEPS = [i for i, (who, _) in enumerate(STEPS) if who == "B"]
DEFAULT_STEPS = [i for i, (who, _) in enumerate(STEPS) if who == DEFAULT_BRAND]
Answer = tuple[str, str, str]  # brand, locale, text
PATIENT = {"redis_timeout": 5.0, "db_timeout": 10.0}


def text(brand: str, locale: str) -> str:
    return f"{brand} {locale or 'base'}"


def present(combination: int, step: int) -> bool:
    return bool(combination >> step & 1)


def brand_of(combination: int) -> str:
    """One brand per combination of the brand's own three steps: b0 has none of them."""
    return "b" + "".join("1" if present(combination, i) else "0" for i in BRAND_STEPS)


def expected(combination: int) -> Answer:
    brand = brand_of(combination)
    for step, (who, locale) in enumerate(STEPS):
        if present(combination, step):
            answering = brand if who == "B" else DEFAULT_BRAND
            return answering, locale, text(answering, locale)
    fallback = builtin(G)
    return fallback.brand, "", fallback.template.strip()


def _write_default(repo: GitRepo, combination: int) -> None:
    for step in DEFAULT_STEPS:
        pid = PromptId(DEFAULT_BRAND, G, STEPS[step][1])
        if present(combination, step):
            repo.write(pid.path, prompt_file(G, text(DEFAULT_BRAND, pid.locale),
                                             locale=pid.locale))
        elif (repo.path / pid.path).exists():
            repo.remove(pid.path)


def _write_brands(repo: GitRepo) -> None:
    for combination in range(2 ** len(STEPS)):
        brand = brand_of(combination)
        for step in BRAND_STEPS:
            if present(combination, step):
                pid = PromptId(brand, G, STEPS[step][1])
                repo.write(pid.path, prompt_file(G, text(brand, pid.locale), locale=pid.locale))



def _answer(reader: PromptReader, combination: int) -> tuple[Answer, str]:
    p = reader.get(brand_of(combination), G, locale=ASKED)
    return (p.brand, p.locale, p.template.strip()), p.source


def _tiers(combination: int) -> tuple[str, str, str]:
    """The source of a first read, a second one, and one by a reader without memory."""
    if expected(combination)[0] != DEFAULT_BRAND or combination & 0b10011:
        return "db", "memory", "redis"
    if any(present(combination, s) for s in DEFAULT_STEPS):
        # A brand without any text is anybody's made-up name: cached under default's key.
        return "db", "memory", "db"
    return "fallback", "fallback", "fallback"


def test_every_combination_through_every_tier(tmp_path: Path, engine: Engine, db_url: str,
                                              redis_url: str) -> None:
    repo = bare_repo(tmp_path / "repo")
    repo.write("prompts/default/brand.yaml", brand_file("en", ["de"]))
    _write_brands(repo)
    daemon = syncer(repo, engine, redis_url, allow_gaps=True)
    seen: dict[int, list[tuple[Answer, str]]] = {}
    try:
        for default_part in range(2 ** len(DEFAULT_STEPS)):
            combinations = [c for c in range(2 ** len(STEPS))
                            if [present(c, s) for s in DEFAULT_STEPS] ==
                            [bool(default_part >> k & 1) for k in range(len(DEFAULT_STEPS))]]
            _write_default(repo, combinations[0])
            repo.commit(f"brand default's greetings: combination {default_part}")
            sync(daemon)
            # Generous timeouts: this is about the order, and on a loaded machine the default
            # 50 ms to Redis and 500 ms to the database send a read to the built-in text.
            with PromptReader(db_url=db_url, redis_url=redis_url, **PATIENT) as warm, \
                    PromptReader(db_url=db_url, redis_url=redis_url, memory=False,
                                 **PATIENT) as cold:
                wait_subscribed(warm)
                for c in combinations:
                    seen[c] = [_answer(warm, c), _answer(warm, c), _answer(cold, c)]
    finally:
        assert daemon.invalidator is not None
        daemon.invalidator.close()
    assert len(seen) == 64
    for c, reads in sorted(seen.items()):
        want = expected(c)
        assert [r[0] for r in reads] == [want] * 3, f"combination {c:06b}"
        assert tuple(r[1] for r in reads) == _tiers(c), f"combination {c:06b}"

"""History and the audit log say what each change did to a prompt's variants; a history
without variants reads as it did."""

from __future__ import annotations

import json

from promptsync.cli.main import main
from promptsync.core.variants import changes
from promptsync.record import Variant
from tests.support.gitrepo import GitRepo
from tests.support.variants import GREETING, greeting


def test_each_change_of_the_variants_is_told(prompt_repo: GitRepo, capsys) -> None:
    prompt_repo.write(GREETING, greeting(warm=30))
    prompt_repo.commit("Try a warmer greeting")
    prompt_repo.write(GREETING, greeting(version=2, warm=40, short=10))
    prompt_repo.commit("More warmth, and a short one")
    prompt_repo.write(GREETING, greeting(version=3, warm=40))
    prompt_repo.commit("Drop the short one")
    capsys.readouterr()
    assert main(["history", "acme/greeting", "--repo", str(prompt_repo.path), "--format",
                 "json"]) == 0
    told = [entry.get("variants") for entry in json.loads(capsys.readouterr().out)]
    assert told == [["-short"], ["warm 30% → 40%", "+short 10%"], ["+warm 30%"]]
    assert main(["history", "default/farewell", "--repo", str(prompt_repo.path), "--format",
                 "json"]) == 0
    assert all("variants" not in e for e in json.loads(capsys.readouterr().out))
    assert main(["history", "acme/greeting", "--repo", str(prompt_repo.path)]) == 0
    assert "More warmth, and a short one  [variants: warm 30% → 40%, +short 10%]" in \
        capsys.readouterr().out


def test_the_wording_names_additions_weights_texts_and_removals() -> None:
    before = [Variant("warm", 20, "Hey"), Variant("short", 10, "Hi")]
    after = [Variant("brief", 5, "Yo"), Variant("warm", 30, "Hey there")]
    assert changes(before, after) == ("+brief 5%", "warm 20% → 30%", "warm: text", "-short")
    assert changes(after, after) == ()

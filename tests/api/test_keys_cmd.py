"""`promptsync keys add|list|remove` through the real entry point."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from promptsync.api.keys import KeyStore, digest
from promptsync.cli.main import main


def test_add_prints_the_key_once_and_list_never_shows_it(
        keys_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = str(keys_file)
    assert main(["keys", "add", "ada", "--scope", "write", "--brand", "acme", "--brand",
                 "globex", "--keys-file", f]) == 0
    out, err = capsys.readouterr()
    secret = out.strip()
    assert secret.startswith("ps_") and "only time it is shown" in err
    assert "brand acme, globex" in err
    assert KeyStore(keys_file).find(secret) is not None
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    assert main(["keys", "list", "--keys-file", f, "--format", "json"]) == 0
    listed = capsys.readouterr().out
    assert secret not in listed and digest(secret) not in listed
    assert json.loads(listed)[0]["brands"] == ["acme", "globex"]
    assert main(["keys", "list", "--keys-file", f]) == 0
    assert capsys.readouterr().out.startswith("ada  write  acme, globex  sha256:")


def test_the_keys_file_comes_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PROMPTSYNC_KEYS_FILE", str(tmp_path / "k.json"))
    assert main(["keys", "add", "bo", "--scope", "read", "--all-brands"]) == 0
    assert (tmp_path / "k.json").is_file()
    assert KeyStore(tmp_path / "k.json").records()[0].brands is None


def test_remove_revokes_and_an_unknown_name_is_an_error(
        keys_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = str(keys_file)
    main(["keys", "add", "ada", "--scope", "read", "--all-brands", "--keys-file", f])
    assert main(["keys", "remove", "ada", "--keys-file", f]) == 0
    assert not KeyStore(keys_file).any()
    assert main(["keys", "remove", "ada", "--keys-file", f]) == 2
    assert "no key named 'ada'" in capsys.readouterr().err


def test_a_key_needs_a_brand_or_all_brands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["keys", "add", "ada", "--scope", "write"])
    assert exit_.value.code == 2
    assert "--brand --all-brands is required" in capsys.readouterr().err

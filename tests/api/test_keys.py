"""The keys file: only hashes stored, 0600, scopes nest, changes seen without a restart."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from promptsync.api.keys import KeyStore, Scope, digest
from promptsync.errors import UsageError


def test_a_new_key_is_returned_once_and_only_its_hash_is_stored(keys_file: Path) -> None:
    secret = KeyStore(keys_file).add("ada", Scope.WRITE, ["acme"], "ada@example.com")
    text = keys_file.read_text()
    assert secret.startswith("ps_") and len(secret) > 40
    assert secret not in text
    assert json.loads(text)["keys"][0] == {
        "name": "ada", "sha256": digest(secret), "scope": "write", "brands": ["acme"],
        "email": "ada@example.com", "created": json.loads(text)["keys"][0]["created"]}
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600


def test_a_key_is_found_by_its_secret_and_not_by_its_hash(keys_file: Path) -> None:
    store = KeyStore(keys_file)
    secret = store.add("ada", Scope.READ, None)
    found = store.find(secret)
    assert found is not None and found.name == "ada" and found.brands is None
    assert store.find(digest(secret)) is None
    assert store.find(secret + "x") is None


def test_a_server_sees_keys_added_and_removed_by_the_command(keys_file: Path) -> None:
    server_side = KeyStore(keys_file)
    assert not server_side.any()
    secret = KeyStore(keys_file).add("bo", Scope.PREVIEW, None)
    assert server_side.find(secret) is not None
    assert KeyStore(keys_file).remove("bo")
    assert server_side.find(secret) is None and not server_side.any()


def test_two_keys_of_one_name_and_bad_names_are_refused(keys_file: Path) -> None:
    store = KeyStore(keys_file)
    store.add("ada", Scope.READ, None)
    with pytest.raises(UsageError, match="a key named 'ada' exists"):
        store.add("ada", Scope.WRITE, None)
    with pytest.raises(UsageError, match="key name"):
        store.add("", Scope.READ, None)
    with pytest.raises(UsageError, match="is not a brand"):
        store.add("cy", Scope.READ, ["Acme!"])
    assert [r.name for r in store.records()] == ["ada"]


def test_scopes_nest() -> None:
    assert Scope.READ < Scope.PREVIEW < Scope.WRITE
    assert Scope.parse("Preview") is Scope.PREVIEW
    with pytest.raises(ValueError, match="one of read, preview, write"):
        Scope.parse("admin")


def test_a_keys_file_someone_broke_is_a_usage_error(keys_file: Path) -> None:
    keys_file.parent.mkdir(parents=True)
    keys_file.write_text("{not json")
    with pytest.raises(UsageError, match="is not one promptsync wrote"):
        KeyStore(keys_file).any()

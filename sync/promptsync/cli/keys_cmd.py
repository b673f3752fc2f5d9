"""`promptsync keys`: the API keys of `promptsync serve`.

    promptsync keys add NAME --scope read|preview|write (--brand B ... | --all-brands) [--email E]
    promptsync keys list [--format text|json]
    promptsync keys remove NAME

The file is PROMPTSYNC_KEYS_FILE (or --keys-file), default promptsync-keys.json in the current
folder. `add` prints the new key once; the file keeps only its SHA-256.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from promptsync.api.keys import KEYS_FILE_ENV, KeyRecord, KeyStore, Scope, resolve_keys_file
from promptsync.cli.options import add_format
from promptsync.errors import UsageError


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("keys", description=__doc__.splitlines()[0])
    actions = p.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create a key and print it once")
    add.add_argument("name", metavar="NAME", help="who holds it (the author of their edits)")
    add.add_argument("--scope", required=True, choices=["read", "preview", "write"],
                     help="read < preview < write; each includes the ones before it")
    brands = add.add_mutually_exclusive_group(required=True)
    brands.add_argument("--brand", action="append", metavar="B",
                        help="a brand this key may edit (repeatable)")
    brands.add_argument("--all-brands", action="store_true", help="the key may edit every brand")
    add.add_argument("--email", default="", help="the e-mail of their commits "
                     "(default: NAME@promptsync.invalid)")
    listing = actions.add_parser("list", help="the keys, without secrets")
    add_format(listing, ("text", "json"))
    remove = actions.add_parser("remove", help="revoke a key at once")
    remove.add_argument("name", metavar="NAME")
    for action in (add, listing, remove):
        action.add_argument("--keys-file", metavar="FILE", help=f"the keys file (env "
                            f"{KEYS_FILE_ENV}, default: promptsync-keys.json here)")


def run(args: argparse.Namespace) -> int:
    store = KeyStore(resolve_keys_file(args.keys_file))
    if args.keys_action == "add":
        return _add(store, args)
    if args.keys_action == "list":
        return _list(store, args.format)
    if not store.remove(args.name):
        raise UsageError(f"no key named {args.name!r} in {store.path}")
    print(f"removed key {args.name!r} from {store.path}")
    return 0


def _add(store: KeyStore, args: argparse.Namespace) -> int:
    secret = store.add(args.name, Scope.parse(args.scope),
                       None if args.all_brands else args.brand, args.email)
    print(secret)
    where = "every brand" if args.all_brands else "brand " + ", ".join(sorted(set(args.brand)))
    print(f"key {args.name!r} ({args.scope}, {where}) saved to {store.path}; this is the only "
          "time it is shown", file=sys.stderr)
    return 0


def _list(store: KeyStore, format: str) -> int:
    records = store.records()
    if format == "json":
        print(json.dumps([_public(r) for r in records], indent=2))
        return 0
    if not records:
        print(f"no keys in {store.path}")
    for r in records:
        brands = "all brands" if r.brands is None else ", ".join(r.brands)
        print(f"{r.name}  {r.scope.label}  {brands}  sha256:{r.hash_prefix}  {r.created}")
    return 0


def _public(record: KeyRecord) -> dict[str, Any]:
    shown = record.as_json()
    shown["sha256"] = record.hash_prefix  # enough to match an audit entry; not the full hash
    return shown

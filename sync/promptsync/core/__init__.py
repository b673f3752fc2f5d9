"""The one core every front end asks (the reader, the daemon's gate, the API, the page, the CLI):

- which file answers a (brand, type, locale): `resolution` (the order) and `Workspace.answer`;
- which files a check of a file must see, and whose findings a change can move: `related`;
- the verdict on a change, equal to a whole-tree run's: `Workspace.check`;
- how a prompt renders for a context: `promptsync.rendering`, one floor down, which the
  validator's sample renders use too.

Importing this package imports nothing: the reader takes `core.resolution` without the
validator that `core.workspace` brings.
"""

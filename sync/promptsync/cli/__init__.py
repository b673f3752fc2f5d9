"""The `promptsync` command: a thin dispatcher over one module per sub-command."""

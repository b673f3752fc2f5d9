"""The installed package's version, as `--version`, the API's OpenAPI document and the daemon's
verdict key name it."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    try:
        return version("promptsync")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"

"""notels: language server and CI checker for Obsidian notes with embedded Anki cards."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # `__version__` is looked up on first use: importlib.metadata costs ~25 ms to import, and the
    # worker processes that parse a vault at cold start never ask for it.
    if name != "__version__":
        raise AttributeError(f"module 'notels' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("notels")
    except PackageNotFoundError:  # running from a source tree without installation
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found

"""notels: language server and CI checker for Obsidian notes with embedded Anki cards."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("notels")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

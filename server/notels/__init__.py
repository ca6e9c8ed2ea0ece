"""notels: language server and CI checker for Obsidian notes with embedded Anki cards."""

# The one place the version is written (pyproject.toml reads it from here): looking it up in
# the installed package's metadata imported importlib.metadata, 60 ms of every server start.
__version__ = "0.1.0"

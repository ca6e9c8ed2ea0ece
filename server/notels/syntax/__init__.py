"""Text in, immutable Note out. Pure: no file system, no LSP, no globals."""

from notels.syntax.note import Note, parse_note

__all__ = ["Note", "parse_note"]

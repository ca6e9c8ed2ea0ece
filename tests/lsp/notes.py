"""Fixture notes for the server tests: Cyrillic and emoji on the lines that matter."""

from __future__ import annotations

# Line 1 holds the link: `Привет 😀 [[` is 12 UTF-16 units (the emoji counts 2), 20 UTF-8 bytes,
# 11 code points; `Нет такой` is 9 UTF-16 units, 17 UTF-8 bytes, 9 code points.
ALGEBRA = """\
# Алгебра
Привет 😀 [[Нет такой]]

# Anki
TARGET DECK: math::algebra
START
Basic
FRONT: Что такое группа? 😀
BACK: Множество с операцией
END
START
Basic
FRONT: Кольцо 😀
BACK: Две операции
ID: 1737306548883
END
START
Basic
FRONT: Без конца 😀
"""
LINK_LINE = 1
MISSING_ID_LINE = 5  # the START of the card without an ID
FIRST_END_LINE = 9
DUPLICATE_LINE = 14
UNCLOSED_LINE = 16

# A copy of the second card: the same ID, as when a note is duplicated to start a new one.
COPY = """\
Копия заметки про кольца 😀 [[Алгебра]]

TARGET DECK: math::algebra
START
Basic
FRONT: Кольцо
BACK: Две операции
ID: 1737306548883
END
"""
COPY_ID_LINE = 7

BROKEN = """\
---
aliases: [Сломанный 😀
created: 2025-01-19 23:46
---
Текст заметки со смыслом 😀.
"""

LINKS_TO_MISSING = """\
Смотри 🙂 [[Missing Note]] и [[Алгебра]].
"""

CLEAN = """\
Заметка без проблем 🙂, со ссылкой на [[Алгебра]].
"""

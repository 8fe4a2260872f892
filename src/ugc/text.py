"""Text input rules shared by every schema: no control characters, the same on every database.

PostgreSQL refuses a NUL byte in text (a 500 if it got that far) while SQLite stores it, and
other control characters make names and captions that nobody can read or type. Every text
field a request can send is checked here first, so both databases answer the same 422.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

from ugc.errors import InvalidInput

CONTROL_CHARACTERS_DETAIL = (
    "Text may not contain control characters (such as NUL); remove them and try again."
)
# Browsers send a textarea's line breaks as CR LF; tabs come from pasted text.
MULTILINE_ALLOWED = frozenset("\t\n\r")
# Cc: C0/C1 controls (NUL, ESC, DEL...); Cs: lone surrogates, which no database can encode.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})
# SQLSTATEs for text the database cannot store: character_not_in_repertoire (NUL) and
# untranslatable_character.
UNSTORABLE_SQLSTATES = frozenset({"22021", "22P05"})


def first_control_character(value: str, *, multiline: bool = False) -> str | None:
    """The first refused character of `value`, or None when it is clean."""
    allowed = MULTILINE_ALLOWED if multiline else frozenset()
    for char in value:
        if char not in allowed and unicodedata.category(char) in REFUSED_CATEGORIES:
            return char
    return None


def check_text(label: str, value: str, *, multiline: bool = False) -> str:
    """`value` unchanged, or InvalidInput naming the field and the character."""
    char = first_control_character(value, multiline=multiline)
    if char is not None:
        raise InvalidInput(
            f"The {label} contains a control character (U+{ord(char):04X}); "
            "remove it and try again."
        )
    return value


def _single_line(value: str) -> str:
    char = first_control_character(value)
    if char is not None:
        raise ValueError(f"contains a control character (U+{ord(char):04X})")
    return value


def _multiline(value: str) -> str:
    char = first_control_character(value, multiline=True)
    if char is not None:
        raise ValueError(f"contains a control character (U+{ord(char):04X})")
    return value


# Pydantic field types: names, emails and other one-line values; longer free text.
SingleLineText = Annotated[str, AfterValidator(_single_line)]
MultilineText = Annotated[str, AfterValidator(_multiline)]


def is_unstorable_text(exc: Exception) -> bool:
    """True when a database error says a text value could not be stored (PostgreSQL)."""
    original = getattr(exc, "orig", None)
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code in UNSTORABLE_SQLSTATES

"""The one normaliser for text people send: every API schema and every page form uses it.

A value is put in Unicode NFC, trimmed, and refused when it carries what a reader cannot see or
what was not meant as text: control characters (C0, DEL, C1; line breaks and tabs only in a
multi-line field), bidirectional embeddings, overrides and isolates (they make ``cod.exe`` show
as ``exe.doc``), a byte order mark, lone surrogates and non-characters, U+FFFD (left where bytes
were not valid UTF-8), and values that are empty once invisible characters (zero-width spaces and
joiners, fillers) are removed. Zero-width joiners and variation selectors inside a value stay:
emoji sequences and scripts such as Persian need them.

Each refusal names a stable ``rule``; :class:`Text` turns it into a Pydantic error, so the API
answers 422 with the field and the rule, and page forms show it beside the field. Lengths are
checked after normalising. This module knows no domain.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

LINE_BREAKS = frozenset("\n\r\u2028\u2029")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BYTE_ORDER_MARK = "\ufeff"
REPLACEMENT = "\ufffd"
# Blank but not whitespace or format characters: Hangul fillers, braille blank, combining
# grapheme joiner, Khmer inherent vowels, Mongolian variation selectors.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180b\u180c\u180d\u180f")
# Trimmed from both ends: spaces and line breaks (not the other controls, which are refused),
# and zero-width characters, which mean nothing at an edge.
# The space separators (category Zs).
SPACES = " \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
TRIMMED = SPACES + "\t\n\r\u2028\u2029\u200b\u200c\u200d\u2060"


class TextRefused(ValueError):
    """A value broke one of the text rules; ``rule`` is its stable name."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def _name(char: str) -> str:
    label = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({label})" if label else "")


def is_invisible(char: str) -> bool:
    """Whether ``char`` shows nothing by itself: whitespace, format characters, fillers and
    variation selectors."""
    category = unicodedata.category(char)
    if category in {"Zs", "Zl", "Zp", "Cf", "Cc"} or char in _BLANK:
        return True
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _refusal(char: str, *, multiline: bool) -> TextRefused | None:
    code = ord(char)
    if char in LINE_BREAKS or char == "\t":
        if multiline and char in "\n\t":
            return None
        if char == "\t":
            return TextRefused("control_character", "text may not contain tab characters here")
        return TextRefused("line_break", "this field is a single line; remove the line breaks")
    if code == 0:
        return TextRefused("nul_character", "text may not contain the NUL character")
    if code < 0x20 or 0x7F <= code <= 0x9F:
        message = f"text may not contain control characters: {_name(char)}"
        return TextRefused("control_character", message)
    if char in BIDI_CONTROLS:
        message = f"text may not contain bidirectional control characters: {_name(char)}"
        return TextRefused("bidi_control", message)
    if char == BYTE_ORDER_MARK:
        return TextRefused("byte_order_mark", "text may not contain a byte order mark (U+FEFF)")
    if char == REPLACEMENT:
        message = (
            "text holds U+FFFD, the mark left where bytes were not valid UTF-8; send valid UTF-8"
        )
        return TextRefused("invalid_encoding", message)
    if 0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
        return TextRefused("invalid_character", f"text may not contain {_name(char)}")
    return None


def clean(value: str, *, multiline: bool = False) -> str:
    """``value`` in NFC and trimmed, or :class:`TextRefused` naming the first rule it breaks.

    A multi-line value keeps line breaks (``\\r\\n``, ``\\r`` and U+2028/2029 become ``\\n``)
    and tabs; a single-line one refuses both."""
    if multiline:
        value = value.replace("\r\n", "\n").translate({0x0D: "\n", 0x2028: "\n", 0x2029: "\n"})
    trimmed = value.strip(TRIMMED)
    for char in trimmed:
        refusal = _refusal(char, multiline=multiline)
        if refusal is not None:
            raise refusal
    if all(is_invisible(char) for char in trimmed) and not value.isspace() and value:
        raise TextRefused(
            "invisible_only", "the text is empty once its invisible characters are removed"
        )
    return unicodedata.normalize("NFC", trimmed)


def scrub(value: str) -> str:
    """For text nobody can be asked to correct (a name from a Microsoft account): what
    :func:`clean` would refuse is dropped instead, and invisible-only text becomes empty."""
    kept = "".join(char for char in value if _refusal(char, multiline=False) is None)
    try:
        return clean(kept)
    except TextRefused:
        return ""


def clean_any(value: Any, *, multiline: bool = False) -> Any:
    """:func:`clean` for strings as a Pydantic error; anything else passes unchanged (the
    field's own type refuses it)."""
    if not isinstance(value, str):
        return value
    try:
        return clean(value, multiline=multiline)
    except TextRefused as refused:
        raise PydanticCustomError(refused.rule, refused.message) from None


def refuse_hidden(value: Any) -> Any:
    """Refuse control, bidirectional and invalid characters anywhere in ``value`` (strings in
    dicts and lists too), for values whose type is not :class:`Text`. Line breaks pass: the field
    types decide where a value is single-line."""
    if isinstance(value, str):
        for char in value:
            refusal = _refusal(char, multiline=True)
            if refusal is not None and refusal.rule != "line_break":
                raise PydanticCustomError(refusal.rule, refusal.message)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_hidden(key)
            refuse_hidden(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            refuse_hidden(item)
    return value


@dataclass(frozen=True)
class Text:
    """A text field: ``Annotated[str, Text(max_length=200)]``. The value is cleaned first, then
    its length, pattern and case are checked on the cleaned text."""

    max_length: int
    min_length: int = 0
    multiline: bool = False
    pattern: str | None = None
    to_upper: bool = False
    to_lower: bool = False

    def _constrained(self) -> core_schema.StringSchema:
        return core_schema.str_schema(
            min_length=self.min_length or None, max_length=self.max_length,
            pattern=self.pattern, to_upper=self.to_upper or None, to_lower=self.to_lower or None,
        )  # fmt: skip

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        multiline = self.multiline
        return core_schema.chain_schema(
            [
                handler(source),
                core_schema.no_info_plain_validator_function(
                    lambda value: clean_any(value, multiline=multiline)
                ),
                self._constrained(),
            ]
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(self._constrained())

"""The text normaliser every schema and form uses: what it keeps, what it refuses and why."""

from __future__ import annotations

import unicodedata
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from tenantry.text import Text, TextRefused, clean, is_invisible, scrub

KEPT = [
    ("  Zoë Åberg ", "Zoë Åberg"),
    ("e\u0301cole", "école"),  # decomposed input comes out composed (NFC)
    ("李小龍", "李小龍"),
    ("محمد بن سلمان", "محمد بن سلمان"),
    ("שלום\u200f", "שלום\u200f"),  # a right-to-left mark is not an override
    ("Sara 👩\u200d💻 ❤\ufe0f", "Sara 👩\u200d💻 ❤\ufe0f"),  # joiners inside emoji stay
    ("\u200b\u00a0Alice\u200b", "Alice"),
    ("   ", ""),
]

REFUSED = [
    ("Nul\x00Person", "nul_character"),
    ("Bell\x07", "control_character"),
    ("Delete\x7f", "control_character"),
    ("C1\x85control", "control_character"),
    ("tab\there", "control_character"),
    ("two\nlines", "line_break"),
    ("two\u2028lines", "line_break"),
    ("invoice\u202egpj.exe", "bidi_control"),
    ("isolate\u2066x\u2069", "bidi_control"),
    ("\ufeffBOM", "byte_order_mark"),
    ("bad \ufffd bytes", "invalid_encoding"),
    ("lone \ud800", "invalid_character"),
    ("\u200b", "invisible_only"),
    ("\u200d\u2060\u00ad", "invisible_only"),
    ("\u3164", "invisible_only"),  # Hangul filler
    ("\u2800\ufe0f", "invisible_only"),
]


@pytest.mark.parametrize(("raw", "expected"), KEPT)
def test_international_text_is_kept_composed_and_trimmed(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize(("raw", "rule"), REFUSED)
def test_hidden_and_control_characters_are_refused_by_rule(raw: str, rule: str) -> None:
    with pytest.raises(TextRefused) as refused:
        clean(raw)
    assert refused.value.rule == rule


def test_a_multi_line_field_keeps_line_breaks_and_tabs_but_nothing_else() -> None:
    assert clean(" first\r\nsecond\rthird\u2029\tfourth \n", multiline=True) == (
        "first\nsecond\nthird\n\tfourth"
    )
    with pytest.raises(TextRefused) as refused:
        clean("first\n\x1bsecond", multiline=True)
    assert refused.value.rule == "control_character"


def test_lengths_are_counted_on_the_normalised_text() -> None:
    reason = TypeAdapter(Annotated[str, Text(min_length=3, max_length=10, multiline=True)])
    assert reason.validate_python("      " + "e\u0301" * 10) == "é" * 10  # 26 code points sent
    with pytest.raises(ValidationError) as refused:
        reason.validate_python("   " + "x" * 11)
    assert refused.value.errors()[0]["type"] == "string_too_long"


@given(st.text())
def test_whatever_comes_in_is_refused_or_comes_out_clean(raw: str) -> None:
    try:
        result = clean(raw)
    except TextRefused:
        return
    assert result == unicodedata.normalize("NFC", result)
    assert result == result.strip()
    assert clean(result) == result  # cleaning twice changes nothing
    assert not any(unicodedata.category(c) in {"Cc", "Cs"} for c in result)
    assert not any(c in result for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert result == "" or not all(is_invisible(c) for c in result)


@given(st.text(st.characters(categories=["L", "M", "N", "P", "S"]), min_size=1))
def test_visible_text_is_never_refused(raw: str) -> None:
    if any(is_invisible(c) or c in "\ufffd\ufeff" for c in raw):
        return
    if any(0xFDD0 <= ord(c) <= 0xFDEF or (ord(c) & 0xFFFE) == 0xFFFE for c in raw):
        return
    assert clean(raw) == unicodedata.normalize("NFC", raw)


def test_a_name_nobody_can_correct_is_scrubbed_instead() -> None:
    assert scrub("Mallory\u202e \x07Evil\u200b") == "Mallory Evil"
    assert scrub("\u200b\u2060") == ""

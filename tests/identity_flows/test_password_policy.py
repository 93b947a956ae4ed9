"""The password policy: length over composition, common and context words refused."""

from __future__ import annotations

import pytest

from tenantry.errors import ValidationFailed
from tenantry.identity.passwords import policy as password_policy
from tenantry.identity.passwords.hashing import hash_password, verify_password


def rules(password: str, email: str | None = "erin.example@fabrikam.example") -> list[str]:
    return [e.rule for e in password_policy.problems(password, email=email)]


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",  # words, no digits or capitals needed
        "aaaaaaaaaaaa-but-long",
        "Пароль-из-кириллицы",  # any script
        "tea 🍵 at twelve o'clock",  # spaces and emoji
    ],
)
def test_long_passwords_of_any_characters_are_accepted(password: str) -> None:
    assert rules(password) == []
    assert password_policy.check(password) == password


def test_length_is_counted_between_12_and_128_characters() -> None:
    assert rules("elevenchars") == ["too_short"]
    assert rules("twelve chars") == []
    assert rules("x" * 128 + "") == []
    assert rules("x" * 129) == ["too_long"]


@pytest.mark.parametrize(
    "password", ["password1234", "Password1234!", "qwertyuiop123", "iloveyou2024!!"]
)
def test_common_passwords_are_refused_whatever_their_case_or_trailing_digits(
    password: str,
) -> None:
    assert rules(password) == ["common"]


def test_the_email_and_the_product_name_may_not_be_in_the_password() -> None:
    assert rules("my Erin.Example password") == ["contains_email"]
    assert rules("my tenantry password") == ["contains_product_name"]
    assert rules("my TENANTRY password", email=None) == ["contains_product_name"]


def test_the_error_names_the_field_and_the_rule() -> None:
    with pytest.raises(ValidationFailed) as caught:
        password_policy.check("short", field="new_password")
    [error] = caught.value.errors
    assert (error.field, error.rule) == ("new_password", "too_short")
    assert caught.value.status == 422


def fullwidth(text: str) -> str:
    """The text as a CJK keyboard types it: each ASCII letter as its fullwidth form."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in text)


def test_passwords_are_normalised_so_the_same_text_typed_differently_matches() -> None:
    typed = fullwidth("correct horse battery")
    assert typed != "correct horse battery"
    assert password_policy.normalize(typed) == "correct horse battery"
    assert verify_password(hash_password(typed), "correct horse battery")
    assert rules(fullwidth("password1234")) == ["common"]

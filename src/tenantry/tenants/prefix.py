"""The prefix of a new tenant's ``<prefix>.onmicrosoft.com`` domain: Microsoft's rules for it.

The rules followed (Microsoft 365 admin center and Partner Center's "create customer" form, as the
CSP platforms we replace apply them): after lower-casing, ASCII letters ``a-z`` and digits
``0-9`` only (no hyphens, dots, spaces or accented letters) and 1 to 27 characters. Whether the
prefix is free is asked of Partner Center (``HEAD /v1/domains/<prefix>.onmicrosoft.com``).
"""

from __future__ import annotations

import re

from tenantry.errors import FieldError

MAX_LENGTH = 27
SUFFIX = ".onmicrosoft.com"
_ALLOWED = re.compile(r"[a-z0-9]+")


def normalize(raw: str) -> str:
    """What was typed, trimmed and lower-cased, without a typed ``.onmicrosoft.com``."""
    value = raw.strip().lower()
    return value[: -len(SUFFIX)] if value.endswith(SUFFIX) else value


def domain_of(prefix: str) -> str:
    return f"{prefix}{SUFFIX}"


def prefix_error(raw: str, field: str = "domain_prefix") -> FieldError | None:
    """The rule ``raw`` breaks, or None when it is a valid prefix."""
    prefix = normalize(raw)
    if not prefix:
        return FieldError(field, "required", "enter the name before .onmicrosoft.com")
    if len(prefix) > MAX_LENGTH:
        return FieldError(
            field, "max_length",
            f"use at most {MAX_LENGTH} characters before .onmicrosoft.com ({len(prefix)} typed)",
        )  # fmt: skip
    if not (prefix.isascii() and _ALLOWED.fullmatch(prefix)):
        return FieldError(
            field, "letters_and_digits",
            "use only letters a-z and digits 0-9: no spaces, hyphens, dots or accented letters",
        )  # fmt: skip
    return None


def taken_error(prefix: str, field: str = "domain_prefix") -> FieldError:
    return FieldError(
        field,
        "domain_available",
        f"the domain {domain_of(prefix)} is already registered in Microsoft by another tenant; "
        "follow the authorization process (choose 'already using Microsoft 365') or choose "
        "another prefix",
    )

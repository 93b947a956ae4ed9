"""Reading HTML forms into the API's schemas, and errors back onto the fields.

Form fields are named by the API's dotted field paths (``address.postal_code``), so a
:class:`~tenantry.errors.FieldError` from the schema or the service lands beside the input that
caused it, and the page keeps what the person typed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, QueryParams

from tenantry.errors import FieldError, TenantryError, ValidationFailed
from tenantry.problems import field_errors_from_pydantic
from tenantry.security import secrets_equal
from tenantry.text import TRIMMED

M = TypeVar("M", bound=BaseModel)
FormValues = dict[str, str | list[str]]

CSRF_FIELD = "csrf_token"
DEFAULT_NEXT = "/organizations"

_FRIENDLY = {
    "required": "This field is required.",
    "not_null": "This field is required.",
    "string_pattern_mismatch": "This is not in the expected format.",
    "uuid_parsing": "This is not a valid ID.",
    "uuid_type": "This is not a valid ID.",
    "literal_error": "Choose one of the options.",
    "enum": "Choose one of the options.",
    "date_from_datetime_parsing": "Enter a date as YYYY-MM-DD.",
    "date_parsing": "Enter a date as YYYY-MM-DD.",
}


@dataclass
class FormState:
    """What a form shows: the values (as typed, or as stored), errors by field, one message."""

    values: FormValues
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None


def text(form: FormData | QueryParams, name: str) -> str:
    """The field as typed, trimmed of spaces (control characters stay, for the schema to refuse)."""
    value = form.get(name)
    return value.strip(TRIMMED) if isinstance(value, str) else ""


def values_of(
    form: FormData | QueryParams, names: Iterable[str], lists: Collection[str] = ()
) -> FormValues:
    """The named fields as typed (trimmed); ``lists`` are multi-valued (checkboxes)."""
    values: FormValues = {}
    for name in names:
        if name in lists:
            values[name] = [v.strip(TRIMMED) for v in form.getlist(name) if isinstance(v, str)]
        else:
            values[name] = text(form, name)
    return values


def payload(
    values: Mapping[str, str | list[str]],
    *,
    clear: Collection[str] = (),
    groups: Iterable[str] = (),
) -> dict[str, Any]:
    """Dotted names -> the nested request body. An empty field is left out (the schema's default
    applies, or it reports the field as required), except names in ``clear``, which become None:
    on an edit, emptying an optional field removes its value. ``groups`` are objects sent even
    when all their fields are empty, so each missing field is reported, not the whole group."""
    data: dict[str, Any] = {group: {} for group in groups}
    for name, value in values.items():
        if value == "" and name not in clear:
            continue
        target = data
        *parents, leaf = name.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = None if value == "" else value
    return data


def _friendly(error: FieldError, raw: Mapping[str, Any]) -> FieldError:
    rule = error.rule
    if rule == "string_too_short" and (raw.get("ctx") or {}).get("min_length") == 1:
        rule = "required"
    message = _FRIENDLY.get(rule, error.message[:1].upper() + error.message[1:])
    return FieldError(error.field, error.rule, message)


def validate(model: type[M], data: Mapping[str, Any]) -> M:
    """Parse a form payload with the API schema; its errors become one :class:`ValidationFailed`
    with the same field paths the API reports. Not strict: a form sends every value as text
    (``"true"``, ids); the text rules and patterns still apply."""
    try:
        return model.model_validate(data, strict=False)
    except ValidationError as exc:
        raw: list[dict[str, Any]] = [dict(e) for e in exc.errors()]
        errors = field_errors_from_pydantic(raw)
        raise ValidationFailed([_friendly(e, r) for e, r in zip(errors, raw, strict=True)]) from exc


def errors_by_field(errors: Iterable[FieldError]) -> dict[str, str]:
    """``{field path: message}`` for the template; ``segment_ids.0`` belongs to ``segment_ids``."""
    result: dict[str, str] = {}
    for error in errors:
        name = re.sub(r"\.\d+$", "", error.field)
        message = sentence(error.message)
        result[name] = f"{result[name]} {message}" if name in result else message
    return result


def sentence(detail: str) -> str:
    """An error's detail as a sentence on a page: capital first letter, full stop."""
    detail = detail.strip()
    detail = detail[:1].upper() + detail[1:]
    return detail if detail.endswith((".", "!", "?")) else detail + "."


def problem_of(exc: TenantryError) -> tuple[dict[str, str], str | None]:
    """A refused write as the form shows it: errors beside fields, or one message above."""
    if exc.errors:
        return errors_by_field(exc.errors), None
    return {}, sentence(exc.detail)


def tokens_match(expected: str | None, submitted: str | None) -> bool:
    return bool(expected and submitted) and secrets_equal(expected or "", submitted or "")


def safe_next(value: str | None, default: str = DEFAULT_NEXT) -> str:
    """Where to go after signing in: only a path on this site, never another host
    (``//evil.example``, ``/\\evil.example`` and ``https://...`` are refused)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ord(c) < 32 or c == "\\" for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value

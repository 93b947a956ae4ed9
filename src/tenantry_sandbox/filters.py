"""Partner Center's ``filter`` query: URL-encoded JSON ``{"Field", "Value", "Operator"}``.

One parser for every collection that takes a filter (customers, relationships). Keys are read in
any casing; the operator is compared folded (``starts_with`` = ``StartsWith``).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from tenantry_sandbox.binding import enum_key, fold
from tenantry_sandbox.errors import invalid_property


@dataclass(frozen=True)
class FieldFilter:
    field: str  # folded: "companyname", "domain", "name"...
    value: str


def parse_field_filter(
    raw: str, fields: Collection[str], operators: Collection[str] = ("startswith",)
) -> FieldFilter:
    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise TypeError("the filter is not a JSON object")
        members = {fold(str(key)): value for key, value in data.items()}
        field, value = str(members["field"]), str(members["value"])
        operator = enum_key(str(members.get("operator", "starts_with")))
    except (ValueError, KeyError, TypeError) as exc:
        raise invalid_property(
            "The filter must be JSON with Field, Value and Operator.", "filter"
        ) from exc
    if fold(field) not in fields:
        raise invalid_property(f"Filtering by {field} is not supported.", "filter")
    if operator not in operators:
        raise invalid_property(
            f"The operator {members.get('operator')} is not supported.", "filter"
        )
    return FieldFilter(fold(field), value)

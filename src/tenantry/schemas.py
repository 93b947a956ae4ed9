"""Shared schema bases: strict input (unknown fields rejected) and ORM-readable output."""

from __future__ import annotations

import uuid
from functools import cache, partial
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    Strict,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from tenantry.text import Text, clean_any, refuse_hidden

T = TypeVar("T")

# Every text field of a request is one of these (or another ``Text``): see tenantry.text.
ShortText = Annotated[str, Text(min_length=1, max_length=200)]
OptionalText = Annotated[str, Text(max_length=200)]
Reason = Annotated[str, Text(min_length=3, max_length=500, multiline=True)]
Description = Annotated[str, Text(max_length=500, multiline=True)]
Email = Annotated[
    EmailStr, BeforeValidator(partial(clean_any, multiline=False)), Field(max_length=254)
]
# Request bodies are validated strictly (no "5" for 5, no 0 for false), but JSON carries ids and
# enumerations as strings: these accept them (a strict UUID or enum field wants the object).
Id = Annotated[uuid.UUID, Strict(False)]


def refuse_nul(value: Any) -> Any:
    """PostgreSQL cannot store text holding NUL characters; refuse them on every database alike."""
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError("nul_character", "text may not contain the NUL character")
    if isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            refuse_nul(item)
    return value


class InputSchema(BaseModel):
    """A request body. Strict: a boolean is ``true``/``false``, a number is a JSON number, text
    is a string (see :data:`Id` for ids). Pages validate their forms (all text) with
    ``strict=False`` instead. Every string is checked for hidden characters, even in a field
    that is not a :class:`~tenantry.text.Text`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_hidden_characters(cls, value: Any) -> Any:
        return refuse_hidden(value)


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None = Field(default=None, description="Absent on the last page")


class _ClearableMarker:
    """Marks an :class:`UpdateSchema` field whose ``null`` means "remove the value"."""

    def __repr__(self) -> str:
        return "Clearable"


CLEARABLE = _ClearableMarker()
# An optional value that an update may clear by sending null (a VAT ID, a domain).
Clearable = Annotated[T | None, CLEARABLE]


@cache
def clearable_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(
        name for name, info in model.model_fields.items() if CLEARABLE in info.metadata
    )


def _no_null_in_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Publish what the validator enforces: only clearable fields list ``null`` in OpenAPI."""
    clearable = clearable_fields(model)
    for name, prop in schema.get("properties", {}).items():
        if name in clearable or "anyOf" not in prop:
            continue
        kept = [option for option in prop.pop("anyOf") if option != {"type": "null"}]
        prop.pop("default", None)
        if len(kept) == 1:
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept


class UpdateSchema(InputSchema):
    """A partial update (``XUpdate``): a field left out keeps its value. ``null`` removes a
    value only in fields declared :data:`Clearable`; in any other field (a name, a list, an
    object) null has no meaning and is refused with the rule ``not_null`` naming the field,
    instead of reaching a column that cannot hold it."""

    model_config = ConfigDict(json_schema_extra=_no_null_in_schema)

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_clearable(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in clearable_fields(cls):
            raise PydanticCustomError(
                "not_null", "may not be null; leave the field out to keep its value"
            )
        return value

"""Shared schema bases: strict input (unknown fields rejected) and ORM-readable output."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

T = TypeVar("T")

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


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
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        return refuse_nul(value)


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None = Field(default=None, description="Absent on the last page")

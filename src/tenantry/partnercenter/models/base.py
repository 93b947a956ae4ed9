"""Shared building blocks of the Partner Center resource models.

Models accept what Microsoft actually sends, not only what it documents:

- property names in any casing (documented requests are PascalCase, responses camelCase, a few
  responses PascalCase again);
- unknown properties are ignored;
- enumerations stay plain strings, because Microsoft spells the same value as ``Monthly``,
  ``monthly`` and ``one_time`` in different places; :class:`WireEnum` subclasses list the known
  values and compare tolerantly;
- timestamps with seven fractional digits, without an offset (taken as UTC), with stray spaces
  (``"2015-11-25T06: 41: 12Z"`` in the subscription samples), or empty (``""`` becomes ``None``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from functools import cache, lru_cache
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel, to_pascal

CONTINUATION_HEADER = "MS-ContinuationToken"


def lenient_datetime(value: Any) -> Any:
    """Parse the timestamp spellings Microsoft sends; unparseable text becomes ``None``."""
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not text:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return None
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


Timestamp = Annotated[datetime | None, BeforeValidator(lenient_datetime)]


@cache
def _key_lookup(model: type[BaseModel]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name, info in model.model_fields.items():
        alias = info.alias or name
        lookup[name.lower()] = alias
        lookup[alias.lower()] = alias
    return lookup


@lru_cache(maxsize=4096)
def _renames(model: type[BaseModel], keys: tuple[Any, ...]) -> dict[str, str] | None:
    """The names among ``keys`` to change to the model's, by the object's names as a whole:
    a list page repeats one set of names hundreds of times, so each set is looked at once
    (bounded: a service that varied its names endlessly would only lose the saving)."""
    lookup = _key_lookup(model)
    renames = {
        key: lookup[key.lower()]
        for key in keys
        if isinstance(key, str) and lookup.get(key.lower(), key) != key
    }
    return renames or None


class PartnerCenterModel(BaseModel):
    """camelCase on the wire, any casing accepted on input, unknown properties ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _match_names_ignoring_case(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        renames = _renames(cls, tuple(data))
        if renames is None:  # every name as documented, or unknown: the usual answer
            return data
        return {renames.get(key, key): value for key, value in data.items()}

    def to_wire(self) -> dict[str, Any]:
        """The JSON body to send: documented names, unset and null properties left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class PascalCaseModel(PartnerCenterModel):
    """For the resources Microsoft sends in PascalCase (webhook registration and events)."""

    model_config = ConfigDict(alias_generator=to_pascal, populate_by_name=True, extra="ignore")


class WireEnum(StrEnum):
    """Known values of a string property, matched ignoring case, ``_`` and ``-``."""

    @classmethod
    def parse(cls, value: str | None) -> Self | None:
        """The member ``value`` denotes, or ``None`` for a value this release does not know."""
        if not value:
            return None
        wanted = _fold(value)
        for member in cls:
            if _fold(member.value) == wanted:
                return member
        return None


def _fold(text: str) -> str:
    return text.replace("_", "").replace("-", "").strip().lower()


class LinkHeader(PartnerCenterModel):
    key: str
    value: str


class Link(PartnerCenterModel):
    """A hypermedia link; ``uri`` is relative to the API root and usually lacks ``/v1``."""

    uri: str
    method: str | None = None
    headers: list[LinkHeader] = Field(default_factory=list)


class Attributes(PartnerCenterModel):
    object_type: str | None = None
    etag: str | None = None


class KeyValuePair(PartnerCenterModel):
    key: str
    value: str | None = None


class Resource(PartnerCenterModel):
    """Fields every Partner Center resource may carry."""

    links: dict[str, Link] | None = None
    attributes: Attributes | None = None

    @property
    def etag(self) -> str | None:
        return self.attributes.etag if self.attributes else None


ItemT = TypeVar("ItemT")


class ResourceCollection(Resource, Generic[ItemT]):
    """``{"totalCount", "items", "links", "attributes"}``."""

    total_count: int | None = None
    items: list[ItemT] = Field(default_factory=list)


class SeekResourceCollection(ResourceCollection[ItemT], Generic[ItemT]):
    """A page of a seek-paged collection (customers, users, audit records, invoice lines)."""

    continuation_token: str | None = None

    def next_continuation_token(self) -> str | None:
        """The token for the next page, or ``None`` on the last page.

        The ``MS-ContinuationToken`` header of ``links.next`` wins; the top-level
        ``continuationToken`` is used when the page has no ``next`` link.
        """
        next_link = (self.links or {}).get("next")
        if next_link is not None:
            for header in next_link.headers:
                if header.key.lower() == CONTINUATION_HEADER.lower() and header.value:
                    return header.value
        return self.continuation_token or None

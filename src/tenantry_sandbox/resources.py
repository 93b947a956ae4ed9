"""Shapes every Partner Center resource shares: links, attributes and collections.

Responses are camelCase and leave out null members (the service serialises with null values
ignored; that is why a billing address without ``addressLine2`` shows no such key). The route class
below applies ``exclude_none`` to every route so no handler has to remember it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class ResponseModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


class LinkHeader(ResponseModel):
    key: str
    value: str


class Link(ResponseModel):
    uri: str
    method: str = "GET"
    headers: list[LinkHeader] = Field(default_factory=list)


class Links(ResponseModel):
    self_: Link | None = Field(default=None, alias="self")
    next: Link | None = None


class Attributes(ResponseModel):
    etag: str | None = None
    object_type: str


def self_links(uri: str) -> Links:
    return Links(self_=Link(uri=uri))


def attributes(object_type: str, etag: str | None = None) -> Attributes:
    return Attributes(object_type=object_type, etag=etag)


T = TypeVar("T")


class Collection(ResponseModel, Generic[T]):
    """``ResourceCollection``; seek-paged collections add ``continuationToken`` and ``links.next``."""

    continuation_token: str | None = None
    total_count: int
    items: list[T]
    links: Links | None = None
    attributes: Attributes | None = Field(default_factory=lambda: attributes("Collection"))


def collection(items: list[T], *, self_uri: str | None = None) -> Collection[T]:
    return Collection[T](
        total_count=len(items),
        items=items,
        links=self_links(self_uri) if self_uri else None,
    )


class PartnerCenterRoute(APIRoute):
    """Every Partner Center route leaves null members out of its response body."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["response_model_exclude_none"] = True
        kwargs["response_model_by_alias"] = True
        super().__init__(path, endpoint, **kwargs)

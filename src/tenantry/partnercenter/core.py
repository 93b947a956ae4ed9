"""Generic helpers every operation of the client is written with.

Each public method is one line of intent: which operation (the metrics label), which verb and
path, what comes back. URLs are built only here, from the configured roots, with every path
segment percent-encoded so an id can never reach another resource.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any, TypedDict, TypeVar, Unpack, cast
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from tenantry.partnercenter.auth import TokenProvider
from tenantry.partnercenter.config import GRAPH_SCOPE, PARTNER_CENTER_SCOPE, PartnerCenterConfig
from tenantry.partnercenter.credentials import AuthRequirement
from tenantry.partnercenter.errors import ErrorRules, UnexpectedResponse
from tenantry.partnercenter.models.base import (
    CONTINUATION_HEADER,
    PartnerCenterModel,
    ResourceCollection,
    SeekResourceCollection,
)
from tenantry.partnercenter.models.gdap import GraphCollection
from tenantry.partnercenter.pipeline import OutgoingRequest, QueryParams, RequestExecutor

T = TypeVar("T")

ANY = AuthRequirement.ANY
APP_USER = AuthRequirement.APP_USER


_adapters: dict[Any, TypeAdapter[Any]] = {}


def _adapter(target: Any) -> TypeAdapter[Any]:
    """Building a TypeAdapter is costly; one per target type is kept for the process."""
    adapter = _adapters.get(target)
    if adapter is None:
        adapter = _adapters[target] = TypeAdapter(target)
    return adapter


def encode_filter(field: str, value: str, operator: str = "starts_with") -> str:
    """The URL parameter ``filter``: compact JSON ``{"Field", "Value", "Operator"}``."""
    return json.dumps({"Field": field, "Value": value, "Operator": operator}, separators=(",", ":"))


class SendOptions(TypedDict, total=False):
    params: QueryParams | None
    body: PartnerCenterModel | Mapping[str, Any] | None
    headers: Mapping[str, str] | None
    auth: AuthRequirement
    graph: bool
    accept: frozenset[int]
    errors: ErrorRules | None
    request_id: str | None


class ClientCore:
    """State and generic request helpers shared by the operation groups."""

    _config: PartnerCenterConfig
    _executor: RequestExecutor
    _tokens: TokenProvider

    # -- URLs -------------------------------------------------------------------------------

    def _pc_url(self, *segments: str) -> str:
        """``{api_url}/v1/{segments}``."""
        return _join(f"{self._config.api_url}/v1", segments)

    def _webhook_url(self, *segments: str) -> str:
        """Webhook registration lives outside ``/v1``: ``{api_url}/webhooks/v1/registration``."""
        return _join(f"{self._config.api_url}/webhooks/v1/registration", segments)

    def _gdap_url(self, *segments: str) -> str:
        """``{graph_url}/v1.0/tenantRelationships/delegatedAdminRelationships/{segments}``."""
        root = f"{self._config.graph_url}/v1.0/tenantRelationships/delegatedAdminRelationships"
        return _join(root, segments)

    # -- requests ---------------------------------------------------------------------------

    async def _send(
        self, operation: str, method: str, url: str, **options: Unpack[SendOptions]
    ) -> httpx.Response:
        graph = options.get("graph", False)
        scope = GRAPH_SCOPE if graph else PARTNER_CENTER_SCOPE
        credential = self._tokens.credential_for(options.get("auth", ANY), scope)
        body = options.get("body")
        request = OutgoingRequest(
            operation=operation,
            method=method,
            url=url,
            params=options.get("params"),
            json=body.to_wire() if isinstance(body, PartnerCenterModel) else body,
            headers=options.get("headers") or {},
            credential=credential,
            # The configured rate is Partner Center's; Graph throttles on its own terms.
            rate_limited=not graph,
            accept=options.get("accept", frozenset()),
            errors=options.get("errors"),
            request_id=options.get("request_id"),
        )
        return await self._executor.execute(request, self._tokens)

    async def _call(
        self,
        into: type[T],
        operation: str,
        method: str,
        url: str,
        **options: Unpack[SendOptions],
    ) -> T:
        """Send and parse the JSON answer into ``into`` (a model, or e.g. ``list[str]``)."""
        response = await self._send(operation, method, url, **options)
        return _parse(into, response, operation)

    async def _items(
        self, item: type[T], operation: str, url: str, **options: Unpack[SendOptions]
    ) -> list[T]:
        """GET a ``ResourceCollection`` and return its items (collections with no paging)."""
        page = await self._call(_collection_of(item), operation, "GET", url, **options)
        return page.items

    async def _all_pages(
        self, item: type[T], operation: str, url: str, *, params: QueryParams
    ) -> list[T]:
        """Every item of a collection that may come in pages (the catalog's listings).

        Microsoft documents no paging for these, yet their links carry ``next``: a page with a
        continuation (``links.next``'s ``MS-ContinuationToken`` header, or a top-level
        ``continuationToken``) is followed by the same query plus ``seekOperation=Next`` and the
        token in the header. Keeping the query serves a service that needs it and one that
        reads everything from the token alike (docs/partner-center.md).
        """
        found: list[T] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            headers = {CONTINUATION_HEADER: token} if token else {}
            query = {**params, "seekOperation": "Next"} if token else params
            page = await self._call(
                _seek_collection_of(item), operation, "GET", url, params=query, headers=headers
            )
            found.extend(page.items)
            token = page.next_continuation_token()
            if not token or not page.items:
                return found
            if token in seen:
                raise UnexpectedResponse(
                    "the continuation token repeated; stopping to avoid an endless loop",
                    operation=operation,
                )
            seen.add(token)

    async def _seek_page(
        self,
        item: type[T],
        operation: str,
        url: str,
        *,
        params: QueryParams,
        continuation_token: str | None,
        auth: AuthRequirement = ANY,
    ) -> SeekResourceCollection[T]:
        """One page of a seek-paged collection.

        The first page carries the query (``size``, ``filter``...). Later pages carry only
        ``seekOperation=Next`` and the ``MS-ContinuationToken`` header, as the .NET SDK sends
        them.
        """
        headers: dict[str, str] = {}
        if continuation_token:
            params = {"seekOperation": "Next"}
            headers[CONTINUATION_HEADER] = continuation_token
        return await self._call(
            _seek_collection_of(item),
            operation,
            "GET",
            url,
            params=params,
            headers=headers,
            auth=auth,
        )

    async def _iter_seek(
        self,
        item: type[T],
        operation: str,
        url: str,
        *,
        params: QueryParams,
        auth: AuthRequirement = ANY,
    ) -> AsyncIterator[T]:
        """Every item of a seek-paged collection, fetching pages as the caller consumes."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = await self._seek_page(
                item, operation, url, params=params, continuation_token=token, auth=auth
            )
            for entry in page.items:
                yield entry
            token = page.next_continuation_token()
            if not token or not page.items:
                return
            if token in seen:
                raise UnexpectedResponse(
                    "the continuation token repeated; stopping to avoid an endless loop",
                    operation=operation,
                )
            seen.add(token)

    async def _iter_graph(
        self,
        item: type[T],
        operation: str,
        url: str,
        *,
        params: QueryParams | None = None,
    ) -> AsyncIterator[T]:
        """Every item of a Graph collection, following ``@odata.nextLink`` on the Graph host."""
        next_url: str | None = url
        while next_url is not None:
            page = await self._call(
                _graph_collection_of(item),
                operation,
                "GET",
                next_url,
                params=params,
                auth=APP_USER,
                graph=True,
            )
            for entry in page.value:
                yield entry
            params = None  # the next link already carries the query
            next_url = self._graph_next(page.next_link, operation)

    def _graph_next(self, link: str | None, operation: str) -> str | None:
        if not link:
            return None
        root = httpx.URL(self._config.graph_url)
        target = root.join(link)
        if (target.scheme, target.host, target.port) != (root.scheme, root.host, root.port):
            raise UnexpectedResponse(
                f"refusing to follow @odata.nextLink to another host: {target.host}",
                operation=operation,
            )
        return str(target)


def _join(root: str, segments: tuple[str, ...]) -> str:
    if not segments:
        return root
    return root + "/" + "/".join(quote(str(segment), safe="") for segment in segments)


def _parse(into: type[T], response: httpx.Response, operation: str) -> T:
    try:
        return cast(T, _adapter(into).validate_json(response.content))
    except ValidationError as exc:
        raise UnexpectedResponse(
            f"answer does not match the documented shape ({exc.error_count()} errors): "
            f"{exc.errors(include_url=False)[:3]}",
            status=response.status_code,
            operation=operation,
            request_id=response.request.headers.get("MS-RequestId"),
            correlation_id=response.request.headers.get("MS-CorrelationId"),
        ) from exc


def _collection_of(item: type[T]) -> type[ResourceCollection[T]]:
    return ResourceCollection[item]  # type: ignore[valid-type]


def _seek_collection_of(item: type[T]) -> type[SeekResourceCollection[T]]:
    return SeekResourceCollection[item]  # type: ignore[valid-type]


def _graph_collection_of(item: type[T]) -> type[GraphCollection[T]]:
    return GraphCollection[item]  # type: ignore[valid-type]

"""Every route's 405 answer (``OPTIONS`` included) lists in ``Allow`` every method routed on that
path, for the API and the pages alike, and only methods that are."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute


def _routes(routes: Iterable[BaseRoute]) -> Iterable[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # an included router, not flattened
        if included is not None:
            yield from _routes(included.routes)


def _methods_by_path(app: FastAPI) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for route in _routes(app.router.routes):
        assert route.methods is not None  # an APIRoute always has its methods
        found[route.path] |= route.methods
    return found


def _allow(response: httpx.Response) -> set[str]:
    return {m.strip() for m in response.headers.get("allow", "").split(",") if m.strip()}


async def test_options_names_every_method_of_every_route(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    by_path = _methods_by_path(app)
    assert len(by_path) > 40 and "/api/v1/organizations" in by_path and "/sign-in" in by_path
    wrong = {}
    for path, methods in sorted(by_path.items()):
        concrete = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        response = await client.options(concrete)
        assert response.status_code == 405, path
        if not methods <= _allow(response):
            wrong[path] = (sorted(methods), response.headers.get("allow"))
    assert wrong == {}


async def test_allow_lists_only_methods_that_are_routed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    for path in ("/api/v1/organizations", f"/api/v1/organizations/{uuid.uuid4()}", "/sign-in"):
        answer = await client.request("DELETE", path)
        assert answer.status_code == 405
        for method in _allow(answer) - {"HEAD"}:
            routed = await client.request(method, path)
            assert routed.status_code != 405, (method, path)

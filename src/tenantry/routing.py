"""Finding a request's route without trying every route of the app.

FastAPI (0.165) finds a route by asking each included router in turn, and each router asks
each of its routes; the router that matches is then asked again to handle the request. With the
app's 57 routers and about 250 routes, a page near the end (the storefront) cost more to find
than the bare framework costs to answer (bench/api_cost.py: about 0.7 ms of CPU for a route
behind all of them, against 0.08 ms in an app of one route).

:func:`guarded` puts each router behind a check of the one literal beginning all its paths
share (``/api/v1/``, ``/organizations/``, ``/store``): a path that does not begin with it cannot
match any of the router's routes, fully or partly, so the router answers "no match" at once.
Routes, their order, their methods (405) and the trailing-slash redirect are unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import APIRouter
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope


class _Guarded(APIRouter):
    """Holds one router and declines, without asking it, a path outside its paths' beginning."""

    def __init__(self, router: APIRouter) -> None:
        super().__init__()
        self.literal_prefix = common_literal_prefix(route.path for route in leaf_routes(router))
        self.include_router(router)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not get_route_path(scope).startswith(self.literal_prefix):
            return Match.NONE, {}
        return super().matches(scope)


def guarded(router: APIRouter) -> APIRouter:
    """``router``, to include in the app in its place; as it is when all its paths begin with
    "/" and nothing more (nothing to check)."""
    wrapper = _Guarded(router)
    return wrapper if len(wrapper.literal_prefix) > 1 else router


def common_literal_prefix(paths: Iterable[str]) -> str:
    """The longest beginning every path shares before its first parameter (``{...}``)."""
    literals = [path.split("{", 1)[0] for path in paths]
    if not literals:
        return "/"
    # Character by character (the beginning "/store" covers "/store/offers/..."): the first
    # and the last in sorted order differ first where any two do.
    first, last = min(literals), max(literals)
    shared = 0
    while shared < len(first) and first[shared] == last[shared]:
        shared += 1
    return first[:shared]


def leaf_routes(router: Any) -> Iterator[Any]:
    """Every route of ``router`` and of the routers included in it."""
    for route in router.routes:
        if hasattr(route, "original_router"):  # a router included in this one
            yield from leaf_routes(route.original_router)
        else:
            yield route

"""Every route's dependencies and endpoint are coroutines. FastAPI runs a plain function in a
worker thread, on every request that needs it: a thread hop that cost the storefront more than
some of its queries (and the settings were asked that way on 27 routes)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tenantry.app import create_app
from tenantry.settings import Settings


def routes(router: Any) -> Iterator[APIRoute]:
    for route in router.routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # a router included in another
            yield from routes(route.original_router)


def calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from calls(dependency)


def runs_on_the_event_loop(call: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)


def test_no_route_runs_a_dependency_or_endpoint_in_a_worker_thread() -> None:
    app: FastAPI = create_app(Settings(environment="test", database_url="sqlite+aiosqlite://"))

    in_threads = sorted(
        {
            f"{call.__module__}.{call.__qualname__} (for {route.path})"
            for route in routes(app.router)
            for call in [route.endpoint, *calls(route.dependant)]
            if not runs_on_the_event_loop(call)
        }
    )

    assert sum(1 for _ in routes(app.router)) > 200
    assert in_threads == []

"""What runs for each kind of outbox row, and which jobs run on a schedule.

Domain packages declare both in their ``tasks.py``::

    from tenantry import jobs

    @jobs.handler("tenants.provision")
    async def provision(session: AsyncSession, payload: dict[str, Any]) -> None:
        ...

    @jobs.periodic("sync.nightly", jobs.crontab(minute="0", hour="2"))
    async def nightly(session: AsyncSession) -> None:
        ...

Consumers call :func:`discover`, which imports every ``tenantry.<package>.tasks`` module, so a
handler exists wherever a worker runs without anyone keeping a list.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]
PeriodicJob = Callable[[AsyncSession], Awaitable[None]]
# Answers "is this minute one to run at?" (huey checks periodic jobs once a minute).
Schedule = Callable[[datetime], bool]

H = TypeVar("H", bound=Handler)
P = TypeVar("P", bound=PeriodicJob)

MAX_KIND_LENGTH = 64


@dataclass(frozen=True)
class Periodic:
    name: str
    schedule: Schedule
    run: PeriodicJob


_handlers: dict[str, Handler] = {}
_periodic: dict[str, Periodic] = {}


def handler(kind: str) -> Callable[[H], H]:
    """Register the async function that carries out outbox rows of ``kind``.

    A handler gets its own transaction and the row's payload. It may run more than once for the
    same row (a worker can die after the handler's side effects but before its commit), so it
    reloads what it needs by id, checks the current state and acts only when there is still
    something to do.
    """
    if not 1 <= len(kind) <= MAX_KIND_LENGTH:
        raise ValueError(f"a job kind is 1 to {MAX_KIND_LENGTH} characters: {kind!r}")

    def register(fn: H) -> H:
        existing = _handlers.get(kind)
        if existing is not None and existing is not fn:
            raise ValueError(f"a handler for job kind {kind!r} is already registered: {existing}")
        _handlers[kind] = fn
        return fn

    return register


def handler_for(kind: str) -> Handler | None:
    return _handlers.get(kind)


def kinds() -> list[str]:
    return sorted(_handlers)


def periodic(name: str, schedule: Schedule) -> Callable[[P], P]:
    """Register an async job run in its own transaction whenever ``schedule`` says so.

    Every consumer knows it; only the one started with periodic jobs enabled puts its runs on the
    queue (see docs/jobs.md), and whichever consumer takes a run off the queue runs it. A periodic
    job that fans out should write outbox rows, one per unit of work, rather than do it all
    in its own transaction.
    """

    def register(fn: P) -> P:
        existing = _periodic.get(name)
        if existing is not None and existing.run is not fn:
            raise ValueError(f"a periodic job named {name!r} is already registered")
        _periodic[name] = Periodic(name=name, schedule=schedule, run=fn)
        return fn

    return register


def periodic_jobs() -> list[Periodic]:
    return [_periodic[name] for name in sorted(_periodic)]


def discover(extra_modules: Iterable[str] = ()) -> None:
    """Import ``tasks`` of every package (and sub-package) under ``tenantry``, then
    ``extra_modules``."""
    import tenantry

    # Look for the files rather than ask the import system, which would import every package.
    for root in tenantry.__path__:
        for package in sorted(Path(root).iterdir()):
            if not (package / "__init__.py").is_file():
                continue
            if (package / "tasks.py").is_file():
                importlib.import_module(f"tenantry.{package.name}.tasks")
            # Sub-packages split by use case (``tenants/gdap/``) declare their own tasks.
            for sub in sorted(p for p in package.iterdir() if p.is_dir()):
                if (sub / "__init__.py").is_file() and (sub / "tasks.py").is_file():
                    importlib.import_module(f"tenantry.{package.name}.{sub.name}.tasks")
    for name in extra_modules:
        importlib.import_module(name)

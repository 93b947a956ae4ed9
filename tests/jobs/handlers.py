"""Job handlers the tests run (also imported by `tenantry worker --import tests.jobs.handlers`)."""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs


class Calls:
    """How many times a handler ran for each ``ref`` in a payload, across worker threads."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def hit(self, ref: str) -> None:
        with self._lock:
            self._counts[ref] += 1

    def __getitem__(self, ref: str) -> int:
        with self._lock:
            return self._counts[ref]


CALLS = Calls()


class PartnerCenterDown(Exception):
    pass


@jobs.handler("test.record")
async def record(session: AsyncSession, payload: dict[str, Any]) -> None:
    CALLS.hit(payload["ref"])


@jobs.handler("test.always_fails")
async def always_fails(session: AsyncSession, payload: dict[str, Any]) -> None:
    CALLS.hit(payload["ref"])
    raise PartnerCenterDown(f"Partner Center answered 503 for {payload['ref']}")


@jobs.handler("test.follow_up")
async def follow_up(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Writes more work in its own transaction, as a real handler fanning out would."""
    CALLS.hit(payload["ref"])
    await jobs.enqueue(
        session,
        kind="test.record",
        payload={"ref": payload["next_ref"]},
        idempotency_key=f"follow-up:{payload['next_ref']}",
    )


@jobs.handler("test.write_marker")
async def write_marker(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Appends the running process id to a file, so a test can see where and how often it ran."""
    _append_line(Path(payload["path"]), str(os.getpid()))


def _append_line(path: Path, line: str) -> None:
    with path.open("a") as marker:
        marker.write(f"{line}\n")


TICKS = Calls()


@jobs.periodic("test.tick", jobs.crontab())
async def tick(session: AsyncSession) -> None:
    TICKS.hit("tick")


# Set in `tenantry worker` processes a test starts: where ``marker_tick`` records its runs.
TICK_MARKER_ENV = "TENANTRY_TEST_TICK_MARKER"


@jobs.periodic("test.marker_tick", jobs.crontab())
async def marker_tick(session: AsyncSession) -> None:
    """Appends the running process id to the file TENANTRY_TEST_TICK_MARKER names, if set."""
    if path := os.environ.get(TICK_MARKER_ENV):
        _append_line(Path(path), str(os.getpid()))


RELEASES: dict[str, threading.Event] = {}


def release(ref: str) -> None:
    RELEASES.setdefault(ref, threading.Event()).set()


@jobs.handler("test.blocks_until_released")
async def blocks_until_released(session: AsyncSession, payload: dict[str, Any]) -> None:
    """A long job: blocks its thread (its event loop included) until the test calls release."""
    CALLS.hit(payload["ref"])
    RELEASES.setdefault(payload["ref"], threading.Event()).wait(timeout=60)

"""What a running import carries from step to step, and the one way it writes: a transaction
that checks the import is still this worker's, applies the step's changes with its counts,
the problems met and the checkpoint, all or nothing."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.models import DirectoryImport, DirectoryImportStatus
from tenantry.partnercenter import PartnerCenterClient

T = TypeVar("T")
COUNTERS = (
    "users_added", "users_updated", "users_removed", "users_unchanged", "domains_added",
    "domains_removed", "licenses_added", "licenses_updated", "licenses_removed",
    "assignments_added", "assignments_removed", "calls_made",
)  # fmt: skip
MAX_PROBLEMS = 200


class ImportTakenOver(Exception):
    """Another worker now runs this import (this one's lease ran out): stop without writing."""


@dataclass
class ImportContext:
    database: Database
    client: PartnerCenterClient
    import_id: uuid.UUID
    organization_id: uuid.UUID
    platform_id: uuid.UUID
    tenant_id: str
    # The organization's country: the market the catalog is asked in.
    country: str
    worker: str
    page_size: int
    checkpoint: dict[str, Any] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, str]] = field(default_factory=list)

    async def call(self, awaitable: Awaitable[T]) -> T:
        """Await one Partner Center call, counting it."""
        self.counts["calls_made"] += 1
        return await awaitable

    def problem(self, what: str, message: str) -> None:
        """Something the import could not read; it goes on without it (the import is partial)."""
        self.problems.append({"what": what[:200], "message": message[:1000]})

    @asynccontextmanager
    async def step(self, **checkpoint: Any) -> AsyncIterator[AsyncSession]:
        """One transaction of the import: its writes, counts, problems and ``checkpoint``
        commit together or not at all."""
        async with self.database.transaction() as session:
            found = await locked_import(session, self.import_id, self.worker)
            try:
                yield session
            except BaseException:
                # Rolled back: only the calls were really made.
                self.counts = Counter({"calls_made": self.counts["calls_made"]})
                self.problems = []
                raise
            for name in COUNTERS:
                setattr(found, name, getattr(found, name) + self.counts[name])
            self.counts = Counter()
            if self.problems:
                found.problems = [*found.problems, *self.problems][:MAX_PROBLEMS]
                self.problems = []
            found.checkpoint = {**found.checkpoint, **checkpoint}
            self.checkpoint = dict(found.checkpoint)


async def locked_import(
    session: AsyncSession, import_id: uuid.UUID, worker: str
) -> DirectoryImport:
    found = await session.scalar(
        select(DirectoryImport).where(DirectoryImport.id == import_id).with_for_update()
    )
    if found is None or found.status is not DirectoryImportStatus.RUNNING:
        raise ImportTakenOver(f"the directory import {import_id} is not running")
    if (found.checkpoint or {}).get("worker") != worker:
        raise ImportTakenOver(f"another worker runs the directory import {import_id}")
    return found

"""What a merge test's row maker is: it gets (session, platform, merged organization, a third
organization) and returns the made row's model and primary key, to read the column back after the
merge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Organization

Made = tuple[Any, dict[str, Any]]
Maker = Callable[[AsyncSession, Organization, Organization, Organization], Awaitable[Made]]


def by_id(row: Any) -> Made:
    return type(row), {"id": row.id}

"""What tests and demos change about the catalog: its page size and the products Microsoft no
longer sells.

Partner Center's catalog changes under its clients: products are withdrawn, and listings come
in pages. One row (id 1) holds the sandbox's current choice, set through
``PUT /_sandbox/catalog``; without it the listings use ``catalog_page_size`` and every product
is sold. A withdrawn product is left out of the listing and answers 404 (400013) wherever it is
named, as a product Partner Center no longer has.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, Integer
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase


class CatalogControl(SandboxBase):
    __tablename__ = "catalog_control"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None: the setting's page size.
    page_size: Mapped[int | None] = mapped_column(default=None)
    withdrawn: Mapped[list[str]] = mapped_column(JSON, default=list)


@dataclass(frozen=True)
class CatalogChoice:
    page_size: int
    withdrawn: frozenset[str]

    def sold(self, product_id: str) -> bool:
        return product_id.strip().upper() not in self.withdrawn


async def current(session: AsyncSession, default_page_size: int) -> CatalogChoice:
    row = await session.get(CatalogControl, 1)
    if row is None:
        return CatalogChoice(default_page_size, frozenset())
    return CatalogChoice(
        row.page_size or default_page_size, frozenset(p.upper() for p in row.withdrawn)
    )


async def change(
    session: AsyncSession, *, page_size: int | None, withdrawn: list[str]
) -> CatalogControl:
    row = await session.get(CatalogControl, 1)
    if row is None:
        row = CatalogControl(id=1)
        session.add(row)
    row.page_size = page_size
    row.withdrawn = sorted({p.strip().upper() for p in withdrawn if p.strip()})
    await session.flush()
    return row


async def is_sold(session: AsyncSession, product_id: str) -> bool:
    return (await current(session, 1)).sold(product_id)

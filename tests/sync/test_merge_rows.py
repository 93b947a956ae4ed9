"""A merge moves every row that points at the merged-away organization: the columns are found by
walking the metadata, here as in the merge, so a new table without a row maker fails."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select

from tenantry.db import Database
from tenantry.models import Organization, OrganizationKind, Role
from tenantry.organizations.merge.rows import name_of, plan, references
from tenantry.organizations.merge.schemas import MergeField
from tenantry.organizations.merge.service import merge
from tenantry.security import Actor
from tests.factories import World, make_organization
from tests.sync.rows import ROWS


def test_every_reference_has_a_row_maker_and_a_rule_where_it_could_collide() -> None:
    columns = {name_of(c) for c in references()}
    assert columns == set(ROWS), "add a row maker to tests/sync/rows.py (and a merge rule?)"
    plan()  # raises MissingMergeRule for a unique column without a rule


def _column(model: Any, name: str) -> Any:
    table = model if isinstance(model, Table) else model.__table__
    return table.c[name]


async def test_every_row_of_the_merged_organization_moves(database: Database, world: World) -> None:
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        assert platform is not None
        keep = await make_organization(
            session, platform, kind=OrganizationKind.RESELLER, legal_name="Kept Reseller"
        )
        merged = await make_organization(
            session, platform, kind=OrganizationKind.RESELLER, legal_name="Merged Reseller"
        )
        other = await make_organization(session, platform, legal_name="Other Customer")
        made: dict[str, tuple[Any, dict[str, Any]]] = {}
        by_maker: dict[Any, tuple[Any, dict[str, Any]]] = {}
        for column, maker in ROWS.items():  # one row per maker (it may cover two columns)
            if maker not in by_maker:
                by_maker[maker] = await maker(session, platform, merged, other)
            made[column] = by_maker[maker]
        keep_id, merged_id = keep.id, merged.id
    actor = Actor(
        platform_id=world.platform.id, organization_id=world.platform.id,
        organization_kind=OrganizationKind.PLATFORM, role=Role.PLATFORM_ADMIN, label="Admin",
    )  # fmt: skip
    async with database.transaction() as session:
        _, moved = await merge(session, actor, keep_id, merged_id, {MergeField.SEGMENTS: "merge"})
    stayed: list[str] = []
    async with database.transaction(write=False) as session:
        assert await session.get(Organization, merged_id) is None
        for column, (model, key) in made.items():
            _, name = column.split(".")
            query = select(_column(model, name))
            for key_name, value in key.items():
                query = query.where(_column(model, key_name) == value)
            value = await session.scalar(query)
            if value != keep_id:
                stayed.append(f"{column}: {value} {key}")
    assert stayed == []
    assert moved["orders.organization_id"] == 1

"""Moving every row that points at the merged-away organization to the kept one.

The rows are found by walking ``Base.metadata``: every column with a foreign key to
``organizations.id``, so a table added later (orders, agreements, ...) is moved without a change
here. A column that a unique constraint or primary key covers could collide (both organizations
have a row for the same thing) and needs a rule of its own in :data:`RULES`; :func:`plan` refuses
to run while one lacks it, and the tests walk the metadata the same way.

The rules:

- memberships: a person in both keeps the higher of the two roles (one membership);
- cart items: the same offer, term and billing cycle in both carts become one line with both
  quantities;
- a reseller's markup: the kept reseller's (the merged one's when it had none);
- the tenant record and Service Details: those of the organization whose tenant is kept (the
  kept one's when neither holds a tenant);
- segments: the side chosen in the wizard (its rows are the field's value);
- match proposals: the pair's own proposal is closed as merged; the merged organization's
  proposals with others move to the kept one (one already proposed for it is dropped);
- the imported directory (users, licenses, domains): that of the organization whose tenant is
  kept, as for the tenant record; an import still open for the merged organization ends.

The audit trail is not moved: it is append-only, and the kept organization's audit log also
lists the events of the organizations merged into it (through their redirects).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    delete,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    Base,
    CartItem,
    CatalogMarkup,
    DirectoryAssignment,
    DirectoryDomain,
    DirectoryImport,
    DirectoryImportStatus,
    DirectoryLicense,
    DirectoryUser,
    MatchProposal,
    MatchStatus,
    Membership,
    MicrosoftAgreementStatus,
    MicrosoftTenant,
    PaymentSetting,
    Role,
    ServiceDetails,
    organization_segments,
)
from tenantry.organizations.pairs import pair_key


@dataclass(frozen=True)
class MergeContext:
    keep_id: uuid.UUID
    merged_id: uuid.UUID
    # The kept organization takes the merged one's tenant (it held none itself).
    tenant_from_merged: bool
    # The wizard chose the merged organization's segments.
    segments_from_merged: bool
    decided_by_id: uuid.UUID | None
    at: datetime


Rule = Callable[[AsyncSession, MergeContext], Awaitable[int]]


def references() -> list[Column[object]]:
    """Every column of every table with a foreign key to ``organizations.id``, except the
    ``platform_id`` columns: they point at platforms, which are never merged."""
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        for key in column.foreign_keys
        if key.column.table.name == "organizations"
        and key.column.name == "id"
        and column.name != "platform_id"
    ]


def name_of(column: Column[object]) -> str:
    assert isinstance(column.table, Table)
    return f"{column.table.name}.{column.name}"


def may_collide(column: Column[object]) -> bool:
    """Whether a unique constraint, primary key or unique index covers the column."""
    table = column.table
    assert isinstance(table, Table)
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint) and column in list(
            constraint.columns
        ):
            return True
    return any(index.unique and column in list(index.columns) for index in table.indexes)


async def _move(session: AsyncSession, column: ColumnElement[Any], context: MergeContext) -> int:
    assert isinstance(column, Column) and isinstance(column.table, Table)
    result = await session.execute(
        update(column.table)
        .where(column == context.merged_id)
        .values({column.name: context.keep_id})
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _rank(role: Role) -> int:
    return list(Role).index(role)  # admins come before staff and users


async def _memberships(session: AsyncSession, context: MergeContext) -> int:
    rows = await session.scalars(
        select(Membership).where(
            Membership.organization_id.in_([context.keep_id, context.merged_id])
        )
    )
    kept: dict[uuid.UUID, Membership] = {}
    merged: dict[uuid.UUID, Membership] = {}
    for membership in rows:
        side = kept if membership.organization_id == context.keep_id else merged
        side[membership.user_id] = membership
    for user_id, membership in merged.items():
        if (mine := kept.get(user_id)) is not None:
            mine.role = min(mine.role, membership.role, key=_rank)
            await session.delete(membership)
    await session.flush()
    return await _move(session, Membership.__table__.c.organization_id, context)


async def _cart_items(session: AsyncSession, context: MergeContext) -> int:
    rows = await session.scalars(
        select(CartItem).where(CartItem.organization_id.in_([context.keep_id, context.merged_id]))
    )
    kept: dict[tuple[str, str, str], CartItem] = {}
    merged: list[CartItem] = []
    for item in rows:
        if item.organization_id == context.keep_id:
            kept[(item.offer_id, item.term, item.billing_cycle)] = item
        else:
            merged.append(item)
    for item in merged:
        if (mine := kept.get((item.offer_id, item.term, item.billing_cycle))) is not None:
            mine.quantity += item.quantity
            await session.delete(item)
    await session.flush()
    return await _move(session, CartItem.__table__.c.organization_id, context)


def _one_row_per_organization(
    model: type[MicrosoftTenant] | type[ServiceDetails] | type[MicrosoftAgreementStatus],
) -> Rule:
    """The row of the side whose tenant is kept wins (the kept side's when neither holds one);
    without such a row, the other side's row moves."""

    async def rule(session: AsyncSession, context: MergeContext) -> int:
        column = model.__table__.c.organization_id
        winner, loser = context.keep_id, context.merged_id
        if context.tenant_from_merged:
            winner, loser = loser, winner
        if (await session.execute(select(column).where(column == winner))).first() is not None:
            await session.execute(
                delete(model).where(column == loser).execution_options(synchronize_session=False)
            )
        return await _move(session, column, context)

    return rule


def _kept_row_wins(column: ColumnElement[Any]) -> Rule:
    """For a table with one row per organization in ``column`` (a payment setting, a reseller's
    markup): the kept organization's own row wins; without one, the merged one's moves."""

    assert isinstance(column, Column) and isinstance(column.table, Table)
    table = column.table

    async def rule(session: AsyncSession, context: MergeContext) -> int:
        if (await session.execute(select(column).where(column == context.keep_id))).first():
            await session.execute(
                delete(table)
                .where(column == context.merged_id)
                .execution_options(synchronize_session=False)
            )
        return await _move(session, column, context)

    return rule


async def _segments(session: AsyncSession, context: MergeContext) -> int:
    column = organization_segments.c.organization_id
    dropped = context.keep_id if context.segments_from_merged else context.merged_id
    await session.execute(delete(organization_segments).where(column == dropped))
    if not context.segments_from_merged:
        return 0
    return await _move(session, column, context)


async def _proposals(session: AsyncSession, context: MergeContext) -> int:
    """Close the pair's proposal as merged; move the others to the kept organization."""
    ours = (MatchProposal.organization_id == context.merged_id) | (
        MatchProposal.other_organization_id == context.merged_id
    )
    proposals = list(await session.scalars(select(MatchProposal).where(ours)))
    for proposal in proposals:
        sides = {proposal.organization_id, proposal.other_organization_id}
        if sides == {context.keep_id, context.merged_id}:
            # Its record is the redirect and the audit event; the merged side is gone.
            proposal.organization_id, proposal.other_organization_id = context.keep_id, None
            if proposal.status is MatchStatus.OPEN:
                proposal.status = MatchStatus.MERGED
                proposal.decided_by_id, proposal.decided_at = context.decided_by_id, context.at
            continue
        if proposal.organization_id == context.merged_id:
            proposal.organization_id = context.keep_id
        else:
            proposal.other_organization_id = context.keep_id
        other = proposal.other_organization_id or proposal.account_id
        assert other is not None
        key = pair_key(proposal.organization_id, other)
        taken = await session.scalar(
            select(MatchProposal.id).where(
                MatchProposal.platform_id == proposal.platform_id,
                MatchProposal.pair_key == key,
                MatchProposal.id != proposal.id,
            )
        )
        if taken is not None or other == proposal.organization_id:
            await session.delete(proposal)
        else:
            proposal.pair_key = key
        await session.flush()
    await session.flush()
    return len(proposals)


def _directory_of_kept_tenant(
    model: type[DirectoryUser | DirectoryLicense | DirectoryDomain],
) -> Rule:
    """An imported directory is a copy of a tenant: the side whose tenant is kept keeps its
    rows (the kept side's when neither holds a tenant); the other side's rows are dropped, or
    moved when the winner has none. A dropped user's license assignments go with it."""

    async def rule(session: AsyncSession, context: MergeContext) -> int:
        column = model.__table__.c.organization_id
        winner, loser = context.keep_id, context.merged_id
        if context.tenant_from_merged:
            winner, loser = loser, winner
        if (await session.execute(select(column).where(column == winner))).first() is not None:
            if model is DirectoryUser:
                await session.execute(
                    delete(DirectoryAssignment)
                    .where(DirectoryAssignment.organization_id == loser)
                    .execution_options(synchronize_session=False)
                )
            await session.execute(
                delete(model).where(column == loser).execution_options(synchronize_session=False)
            )
        return await _move(session, column, context)

    return rule


async def _directory_imports(session: AsyncSession, context: MergeContext) -> int:
    """Imports move; one still open for the merged organization ends (the kept one's tenant is
    imported from now on)."""
    await session.execute(
        update(DirectoryImport)
        .where(DirectoryImport.open_for == context.merged_id)
        .values(
            open_for=None,
            status=DirectoryImportStatus.FAILED,
            finished_at=context.at,
            error="the organization was merged into another; import that one",
        )
        .execution_options(synchronize_session=False)
    )
    return await _move(session, DirectoryImport.__table__.c.organization_id, context)


RULES: dict[str, Rule] = {
    "memberships.organization_id": _memberships,
    "cart_items.organization_id": _cart_items,
    "catalog_markups.reseller_id": _kept_row_wins(CatalogMarkup.__table__.c.reseller_id),
    "microsoft_tenants.organization_id": _one_row_per_organization(MicrosoftTenant),
    "service_details.organization_id": _one_row_per_organization(ServiceDetails),
    # The agreement status belongs to the tenant kept (acceptance evidence moves as it is).
    "microsoft_agreement_statuses.organization_id": _one_row_per_organization(
        MicrosoftAgreementStatus
    ),
    "organization_segments.organization_id": _segments,
    "order_payment_settings.organization_id": _kept_row_wins(
        PaymentSetting.__table__.c.organization_id
    ),
    "match_proposals.organization_id": _proposals,
    "match_proposals.other_organization_id": _proposals,
    "directory_users.organization_id": _directory_of_kept_tenant(DirectoryUser),
    "directory_licenses.organization_id": _directory_of_kept_tenant(DirectoryLicense),
    "directory_domains.organization_id": _directory_of_kept_tenant(DirectoryDomain),
    "directory_imports.organization_id": _directory_imports,
}


class MissingMergeRule(RuntimeError):
    """A column that could collide has no rule: merging would fail on its unique constraint."""


def plan() -> list[tuple[Column[object], Rule | None]]:
    """Each referencing column and its rule (None: moved as it is)."""
    steps: list[tuple[Column[object], Rule | None]] = []
    for column in references():
        rule = RULES.get(name_of(column))
        if rule is None and may_collide(column):
            raise MissingMergeRule(f"{name_of(column)} needs a merge rule (it is unique)")
        steps.append((column, rule))
    return steps


async def move_rows(session: AsyncSession, context: MergeContext) -> dict[str, int]:
    """Move every row of the merged organization to the kept one; returns the rows moved per
    column (only those with any)."""
    moved: dict[str, int] = {}
    done: set[Rule] = set()
    for column, rule in plan():
        if rule is not None and rule in done:
            continue
        count = await (rule(session, context) if rule else _move(session, column, context))
        if rule is not None:
            done.add(rule)
        if count:
            moved[name_of(column)] = count
    return moved

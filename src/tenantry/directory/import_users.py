"""The import's first phases: the tenant's users page by page, the users it no longer lists,
and its domains.

Users are read with the configured page size and followed by continuation token whatever size
Partner Center actually returns; each page is written with the token of the next one, so an
import killed between pages goes on from there. A user the import already wrote (seen by this
import) is not counted again when a page is read twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.directory.context import ImportContext
from tenantry.directory.refusals import why_not
from tenantry.models import DirectoryAssignment, DirectoryDomain, DirectoryUser
from tenantry.partnercenter.errors import BadRequest, Forbidden, NotFound, UnexpectedResponse
from tenantry.partnercenter.models.users import CustomerUser

INITIAL_SUFFIXES = (".onmicrosoft.com", ".ccsctp.net")


def _fields(item: CustomerUser) -> dict[str, str | None]:
    upn = (item.user_principal_name or item.id)[:256]
    location = (item.usage_location or "").strip().upper()
    return {
        "user_principal_name": upn,
        "display_name": (item.display_name or "").strip()[:256] or upn,
        "first_name": (item.first_name or None) and item.first_name[:64],
        "last_name": (item.last_name or None) and item.last_name[:64],
        "usage_location": location if len(location) == 2 else None,
        "state": (item.state or None) and item.state[:32],
    }


async def apply_users(
    session: AsyncSession, ctx: ImportContext, items: Sequence[CustomerUser]
) -> None:
    """Insert or update one page of users, counting what changed."""
    listed = {item.id.strip().lower(): item for item in items if item.id}
    existing = {
        row.user_id: row
        for row in await session.scalars(
            select(DirectoryUser).where(
                DirectoryUser.organization_id == ctx.organization_id,
                DirectoryUser.user_id.in_(list(listed)),
            )
        )
    } if listed else {}  # fmt: skip
    for user_id, item in listed.items():
        values = _fields(item)
        row = existing.get(user_id)
        if row is None:
            session.add(
                DirectoryUser(
                    platform_id=ctx.platform_id, organization_id=ctx.organization_id,
                    user_id=user_id[:64], seen_import_id=ctx.import_id, **values,
                )
            )  # fmt: skip
            ctx.counts["users_added"] += 1
            continue
        if row.seen_import_id == ctx.import_id:
            continue  # this page was read before the import was interrupted
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        for name, value in changed.items():
            setattr(row, name, value)
        row.seen_import_id = ctx.import_id
        ctx.counts["users_updated" if changed else "users_unchanged"] += 1
    await session.flush()


async def users_phase(ctx: ImportContext) -> None:
    token: str | None = ctx.checkpoint.get("token")
    restarted = False
    while True:
        try:
            page = await ctx.call(
                ctx.client.list_customer_users_page(
                    ctx.tenant_id, size=ctx.page_size, continuation_token=token
                )
            )
        except BadRequest:
            if token is None or restarted:
                raise
            # A token kept across an interruption may have expired: read again from the start
            # (users written already are not counted twice).
            token, restarted = None, True
            continue
        following = page.next_continuation_token() if page.items else None
        if following is not None and following == token:
            raise UnexpectedResponse(
                "the continuation token repeated; stopping to avoid an endless loop",
                operation="list_customer_users",
            )
        async with ctx.step(phase="users" if following else "removed", token=following) as session:
            await apply_users(session, ctx, page.items)
        if following is None:
            return
        token = following


async def removed_phase(ctx: ImportContext) -> None:
    """Users the complete listing did not name are gone from the tenant."""
    async with ctx.step(phase="domains") as session:
        gone = list(
            await session.scalars(
                select(DirectoryUser.id).where(
                    DirectoryUser.organization_id == ctx.organization_id,
                    (DirectoryUser.seen_import_id != ctx.import_id)
                    | DirectoryUser.seen_import_id.is_(None),
                )
            )
        )
        if gone:
            await session.execute(
                delete(DirectoryAssignment).where(DirectoryAssignment.directory_user_id.in_(gone))
            )
            await session.execute(delete(DirectoryUser).where(DirectoryUser.id.in_(gone)))
        ctx.counts["users_removed"] += len(gone)


def is_initial(name: str) -> bool:
    return name.endswith(INITIAL_SUFFIXES) and name.count(".") == 2


async def domains_phase(ctx: ImportContext) -> None:
    try:
        listed: list[str] | None = await ctx.call(ctx.client.list_custom_domains(ctx.tenant_id))
    except (Forbidden, NotFound) as exc:
        ctx.problem("domains", f"The tenant's domains could not be read. {why_not(exc)}")
        listed = None
    async with ctx.step(phase="licenses") as session:
        if listed is not None:
            await _apply_domains(session, ctx, listed)


async def _apply_domains(session: AsyncSession, ctx: ImportContext, listed: list[str]) -> None:
    names = {name.strip().lower() for name in listed if name and name.strip()}
    rows = {
        row.name: row
        for row in await session.scalars(
            select(DirectoryDomain).where(DirectoryDomain.organization_id == ctx.organization_id)
        )
    }
    for name in sorted(names - set(rows)):
        session.add(
            DirectoryDomain(
                platform_id=ctx.platform_id, organization_id=ctx.organization_id,
                name=name[:253], is_initial=is_initial(name),
            )
        )  # fmt: skip
        ctx.counts["domains_added"] += 1
    for name in sorted(set(rows) - names):
        await session.delete(rows[name])
        ctx.counts["domains_removed"] += 1
    await session.flush()

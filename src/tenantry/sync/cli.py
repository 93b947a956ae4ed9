"""``tenantry sync run|status``: sync with Partner Center from the command line.

``run`` runs the sync in this process, page by page, and prints what it did; killed, it is
resumed by ``tenantry sync run --run <id>`` (or by a worker, when the run was queued). Only
Typer is imported here; the rest when a command runs, so ``tenantry --help`` stays fast.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from tenantry.db import Database
    from tenantry.models import SyncRun

sync_cli = typer.Typer(
    help="Sync with Partner Center (see docs/sync.md).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def describe(run: SyncRun) -> str:
    took = (
        f" in {(run.finished_at - run.started_at).total_seconds():.1f} s"
        if run.finished_at and run.started_at
        else ""
    )
    scope = run.scope.value + (f" {run.scope_organization_id}" if run.scope_organization_id else "")
    return (
        f"{run.id} {scope} ({run.trigger.value}): {run.status.value}{took}; "
        f"created {run.created}, updated {run.updated}, unchanged {run.unchanged}, "
        f"matched {run.matched}, failed {run.failed}; calls {run.calls_made} made, "
        f"{run.calls_saved} saved" + (f"; {run.error}" if run.error else "")
    )


async def _queue(database: Database, organization: uuid.UUID | None) -> tuple[uuid.UUID, bool]:
    from tenantry.bootstrap import find_platform
    from tenantry.cli import fail
    from tenantry.models import Organization, OrganizationKind, SyncScope, SyncTrigger
    from tenantry.sync.runs import request_sync

    async with database.transaction() as session:
        platform = await find_platform(session)
        if platform is None:
            raise fail("there is no platform yet: run `tenantry create-admin` first")
        scope, target = SyncScope.PLATFORM, None
        if organization is not None:
            found = await session.get(Organization, organization)
            if found is None or found.platform_id != platform.id:
                raise fail(f"no organization {organization}")
            target = found.id
            scope = (
                SyncScope.RESELLER
                if found.kind is OrganizationKind.RESELLER
                else SyncScope.ORGANIZATION
            )
        run, joined = await request_sync(
            session, platform_id=platform.id, scope=scope, organization_id=target,
            trigger=SyncTrigger.MANUAL,
        )  # fmt: skip
        return run.id, joined


async def _run(organization: uuid.UUID | None, run_id: uuid.UUID | None) -> str:
    from tenantry.cli import load_settings
    from tenantry.db import Database
    from tenantry.models import SyncRun
    from tenantry.partnercenter import access
    from tenantry.sync.engine import run_sync

    settings = load_settings()
    database = Database(settings)
    try:
        joined = False
        if run_id is None:
            run_id, joined = await _queue(database, organization)
        await run_sync(database, access.configure(settings), run_id,
                       concurrency=settings.sync_concurrency)  # fmt: skip
        async with database.transaction(write=False) as session:
            run = await session.get(SyncRun, run_id)
            assert run is not None
            return ("joined " if joined else "") + describe(run)
    finally:
        await database.dispose()


@sync_cli.command("run")
def run(
    organization: Annotated[
        uuid.UUID | None,
        typer.Option(help="Sync one reseller (and its customers) or one customer organization."),
    ] = None,
    run_id: Annotated[
        uuid.UUID | None,
        typer.Option("--run", help="Go on with this run from its checkpoint (after a kill)."),
    ] = None,
) -> None:
    """Sync the platform (or one organization) with Partner Center now, in this process."""
    import asyncio

    from tenantry.cli import fail
    from tenantry.partnercenter.errors import PartnerCenterError

    try:
        typer.echo(asyncio.run(_run(organization, run_id)))
    except (PartnerCenterError, OSError) as exc:
        raise fail(f"Partner Center could not be reached or refused: {exc}") from None


async def _status(limit: int) -> list[str]:
    from sqlalchemy import select

    from tenantry.cli import load_settings
    from tenantry.db import Database
    from tenantry.models import SyncCursor, SyncRun

    database = Database(load_settings())
    try:
        async with database.transaction(write=False) as session:
            runs = (
                await session.scalars(
                    select(SyncRun).order_by(SyncRun.created_at.desc()).limit(limit)
                )
            ).all()
            cursors = (await session.scalars(select(SyncCursor))).all()
        lines = [describe(r) for r in runs] or ["No sync has run yet."]
        for cursor in cursors:
            lines.append(
                f"last full sync started {cursor.last_full_sync_at or 'never'}; audit records "
                f"read until {cursor.audit_records_until or 'not yet'}"
            )
        return lines
    finally:
        await database.dispose()


@sync_cli.command("status")
def status(
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many runs to list.")] = 10,
) -> None:
    """The latest sync runs, newest first, with their counts and calls."""
    import asyncio

    for line in asyncio.run(_status(limit)):
        typer.echo(line)

"""``sandbox_cli``: serve, seed and reset the sandbox (mounted as ``tenantry sandbox ...``)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from tenantry_sandbox.seed import SeedExtent
    from tenantry_sandbox.settings import SandboxSettings

sandbox_cli = typer.Typer(
    help="The Partner Center sandbox: serve it, seed it, reset it.", rich_markup_mode=None
)


@sandbox_cli.command()
def serve(
    port: int = typer.Option(None, help="Port to listen on (default: TENANTRY_SANDBOX_PORT)."),
    host: str = typer.Option(None, help="Interface to bind (default: TENANTRY_SANDBOX_HOST)."),
) -> None:
    """Serve the sandbox (Partner Center and the identity platform) with uvicorn."""
    import uvicorn

    from tenantry_sandbox.app import create_app
    from tenantry_sandbox.settings import SandboxSettings

    settings = SandboxSettings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
    )


async def seed_sandbox(
    settings: SandboxSettings,
    customers: int,
    seed_value: int = 0,
    *,
    if_empty: bool,
    extent: SeedExtent = "full",
) -> dict[str, int] | None:
    """Seed the sandbox's database; None when ``if_empty`` and it has customers already. Either
    way, the tenants of Tenantry's demo data are added when missing (``seed_demo``)."""
    from tenantry_sandbox.seed import is_seeded, seed
    from tenantry_sandbox.seed_demo import add_demo_tenants
    from tenantry_sandbox.services.bootstrap import ensure_distributor
    from tenantry_sandbox.state import SandboxState

    state = SandboxState(settings)
    try:
        await state.ensure_started()
        async with state.db.sessionmaker() as session, session.begin():
            summary = None
            if not (if_empty and await is_seeded(session)):
                summary = await seed(
                    session,
                    customers=customers,
                    seed=seed_value,
                    settings=state.settings,
                    extent=extent,
                )
            # After the seed, which gives a new world its own resellers first; added once.
            distributor = await ensure_distributor(session, state.settings)
            await add_demo_tenants(session, distributor.tenant_id)
        return summary.rows if summary is not None else None
    finally:
        await state.close()


@sandbox_cli.command("seed")
def seed_command(
    customers: int = typer.Option(100, "--customers", "-n", help="How many customers to add."),
    seed: int = typer.Option(0, help="Random seed; the same seed gives the same world."),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Only when the sandbox has no customers yet (make run uses it)."
    ),
    customers_only: bool = typer.Option(
        False,
        "--customers-only",
        help="Only what a sync reads: customers related to the partner with their profiles, "
        "domains, relationships and subscriptions (no users, licenses, attestations); faster.",
    ),
) -> None:
    """Add demo resellers (first time) and customers to the sandbox's database."""
    started = time.perf_counter()
    import asyncio

    from tenantry_sandbox.settings import SandboxSettings

    extent: SeedExtent = "customers" if customers_only else "full"
    rows = asyncio.run(
        seed_sandbox(SandboxSettings(), customers, seed, if_empty=if_empty, extent=extent)
    )
    if rows is None:
        typer.echo("The sandbox has customers already; nothing seeded.")
        return
    elapsed = time.perf_counter() - started
    typer.echo(f"seeded {customers} customers ({sum(rows.values())} rows) in {elapsed:.1f} s")


async def _reset() -> None:
    from tenantry_sandbox.settings import SandboxSettings
    from tenantry_sandbox.state import SandboxState

    state = SandboxState(SandboxSettings())
    try:
        await state.reset()
    finally:
        await state.close()


@sandbox_cli.command()
def reset() -> None:
    """Empty the sandbox's database, keeping only the distributor."""
    import asyncio

    asyncio.run(_reset())
    typer.echo("sandbox reset")

"""The ``tenantry`` command line.

Every command reads its settings from the environment (``TENANTRY_*``, see docs/configuration.md)
and reports a bad setting as one line naming the variable, not as a traceback.

This module imports only Typer: each command imports what it needs (the app, SQLAlchemy, the
sandbox) when it runs, so ``tenantry --help`` and the light commands start at once.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from tenantry.jobs.cli import worker
from tenantry.partnercenter_events.cli import partner_center_cli
from tenantry.sync.cli import sync_cli

if TYPE_CHECKING:
    from tenantry.db import Database
    from tenantry.settings import Settings

T = TypeVar("T")
PLATFORM_MODELS = ("indirect_provider", "direct_csp")  # tenantry.models.PlatformModel's values

app = typer.Typer(
    help="Tenantry: onboard CSP customer organizations and their Microsoft tenants.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: formatting it with Rich would import Rich, slower than all the rest.
    rich_markup_mode=None,
)
db_app = typer.Typer(
    help="Database schema migrations.", no_args_is_help=True, rich_markup_mode=None
)
demo_app = typer.Typer(
    help="Demo data for trying the product.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")


def fail(message: str) -> typer.Exit:
    typer.echo(f"tenantry: {message}", err=True)
    return typer.Exit(1)


def load_settings() -> Settings:
    """Settings from the environment; a refused setting ends the command with the reason."""
    from pydantic import ValidationError

    from tenantry.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            variable = f"TENANTRY_{field.upper()}: " if field else ""
            typer.echo(
                f"tenantry: cannot start: {variable}{error['msg'].removeprefix('Value error, ')}",
                err=True,
            )
        raise typer.Exit(1) from None


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` with a database of its own; domain errors end the command with their message."""
    import asyncio

    from sqlalchemy.exc import DBAPIError

    from tenantry.db import Database
    from tenantry.errors import TenantryError

    async def main() -> T:
        database = Database(settings)
        try:
            return await work(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(main())
    except TenantryError as exc:
        raise fail(exc.detail) from None
    except DBAPIError as exc:
        raise fail(
            f"database error: {exc.orig}. Is TENANTRY_DATABASE_URL right, "
            "and has `tenantry db upgrade` been run?"
        ) from None


Workers = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=64,
        help="Processes serving the app behind the one port, one per CPU core (default: "
        "TENANTRY_WORKERS, 1). The first also runs the job consumer and the sandbox.",
    ),
]


def with_workers(settings: Settings, workers: int | None) -> Settings:
    """The settings with ``--workers`` in place of TENANTRY_WORKERS when it is given."""
    return settings if workers is None else settings.model_copy(update={"workers": workers})


def serve_with(settings: Settings) -> None:
    """Serve as `tenantry serve` does; a failure to serve ends the command with its reason."""
    from tenantry import server

    try:
        server.run(settings)
    except server.ServeError as exc:
        raise fail(str(exc)) from None


@app.command()
def serve(workers: Workers = None) -> None:
    """Serve the app on TENANTRY_HOST:TENANTRY_PORT, with the job consumer (SQLite queue) and the
    Partner Center sandbox (TENANTRY_RUN_SANDBOX) in the same process (with --workers, in the
    first worker). Stop with Ctrl+C."""
    from tenantry.worker_metrics import shared_by_workers

    settings = with_workers(load_settings(), workers)
    with shared_by_workers(settings.workers):  # before anything imports prometheus_client
        from tenantry.observability import configure_logging

        configure_logging(settings.log_level, json=settings.log_json)
        serve_with(settings)


@app.command()
def run(
    customers: Annotated[
        int, typer.Option(min=0, help="Customers to seed the sandbox with, the first time.")
    ] = 50,
    workers: Workers = None,
) -> None:
    """Try the product in one process (`make run`): migrate the database, load the demo data
    and seed the sandbox the first time, then serve as `tenantry serve` does."""
    from tenantry.worker_metrics import shared_by_workers

    settings = with_workers(load_settings(), workers)
    if settings.environment == "production":
        raise fail("`tenantry run` is for trying the product; use `tenantry serve` in production")
    with shared_by_workers(settings.workers):  # before anything imports prometheus_client
        from tenantry import demo, migrate, server
        from tenantry.observability import configure_logging

        configure_logging(settings.log_level, json=settings.log_json)
        migrate.upgrade(settings.database_url)
        if with_database(settings, demo.load).created:
            typer.echo("Loaded the demo data.")
        seeded = server.seed_sandbox(settings, customers=customers)
        if seeded:
            typer.echo(f"Seeded the sandbox with {customers} customers ({seeded} rows).")
        # All of the above happened once, here, before any worker process is forked.
        serve_with(settings)


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="Email address the admin signs in with.")],
    name: Annotated[str, typer.Option(help="The admin's full name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Long enough and not a common password (docs/identity.md); asked for when "
            "not given.",
        ),
    ],
    platform_name: Annotated[
        str | None,
        typer.Option(help="Legal name of the platform owner; needed when none exists yet."),
    ] = None,
    platform_model: Annotated[
        str,
        typer.Option(
            help=f"How the platform owner sells (when creating it): {' or '.join(PLATFORM_MODELS)}."
        ),
    ] = PLATFORM_MODELS[0],
) -> None:
    """Create a platform admin (and the platform owner, if there is none yet)."""
    from email_validator import EmailNotValidError, validate_email
    from sqlalchemy import select

    from tenantry.bootstrap import create_platform, find_platform
    from tenantry.errors import Conflict, invalid
    from tenantry.identity.passwords import policy as password_policy
    from tenantry.identity.service import add_membership, create_user, find_user
    from tenantry.models import Membership, PlatformModel, Role
    from tenantry.security import Actor

    if platform_model not in PLATFORM_MODELS:
        raise fail(f"--platform-model: choose {' or '.join(PLATFORM_MODELS)}")
    settings = load_settings()
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise fail(f"--email: {exc}") from None
    if not name.strip():
        raise fail("--name: give the admin's full name")
    weak = password_policy.problems(password, email=email)
    if weak:
        raise fail("; ".join(f"--password: {problem.message}" for problem in weak))
    password = password_policy.normalize(password)

    async def work(database: Database) -> str:
        async with database.transaction() as session:
            platform = await find_platform(session)
            if platform is None:
                if not platform_name:
                    raise invalid("--platform-name", "required", "there is no platform owner yet")
                platform = await create_platform(
                    session, legal_name=platform_name.strip(), model=PlatformModel(platform_model)
                )
            existing = await find_user(session, email)
            if existing is not None:
                role = (
                    await session.execute(
                        select(Membership.role).where(
                            Membership.user_id == existing.id,
                            Membership.organization_id == platform.id,
                        )
                    )
                ).scalar_one_or_none()
                if role is Role.PLATFORM_ADMIN:
                    return f"{email} is a platform admin already; nothing changed"
                raise Conflict(
                    f"an account with the email {email} exists already and is not a platform "
                    f"admin of {platform.display_name}"
                )
            actor = Actor(
                platform_id=platform.id,
                organization_id=platform.id,
                organization_kind=platform.kind,
                role=Role.PLATFORM_ADMIN,
                label="command line (tenantry create-admin)",
            )
            user = await create_user(
                session, email=email, full_name=name.strip(), password=password, verified=True
            )
            await add_membership(session, actor, user, platform, Role.PLATFORM_ADMIN)
            return f"created platform admin {user.email} of {platform.display_name}"

    typer.echo(with_database(settings, work))


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Apply the migrations up to REVISION (default: the newest) on TENANTRY_DATABASE_URL."""
    from tenantry import migrate

    settings = load_settings()
    migrate.upgrade(settings.database_url, revision)
    typer.echo(f"database at {migrate.current_revision(settings.database_url)}")


@db_app.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    from tenantry import migrate

    settings = load_settings()
    typer.echo(migrate.current_revision(settings.database_url) or "empty (no migrations applied)")


@demo_app.command("load")
def demo_load() -> None:
    """Load a demo distributor with resellers, customers and a login for every role. Safe to
    repeat: when the demo data exists, nothing changes."""
    from tenantry import demo

    settings = load_settings()
    if settings.environment == "production":
        raise fail("demo data is not loaded in production (TENANTRY_ENVIRONMENT=production)")
    result = with_database(settings, demo.load)
    if not result.created:
        typer.echo("Demo data is loaded already; nothing changed.")
        return
    typer.echo(
        f"Loaded the demo data: 1 distributor, {result.resellers} resellers, "
        f"{result.customers} customers, {result.logins} logins."
    )
    typer.echo("\n".join(demo.login_lines()))


app.command("worker")(worker)
app.add_typer(partner_center_cli, name="partner-center")
app.add_typer(sync_cli, name="sync")

# Commands from packages a slimmer installation may lack: registered only when present. Their
# modules import their heavy parts inside the commands too.
if importlib.util.find_spec("tenantry_sandbox") is not None:
    from tenantry_sandbox.cli import sandbox_cli

    app.add_typer(sandbox_cli, name="sandbox")

"""The ``tenantry`` command line."""

from __future__ import annotations

import typer

from tenantry import migrate
from tenantry.settings import get_settings

app = typer.Typer(
    help="Tenantry: onboard CSP customer organizations and their Microsoft tenants.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data for trying the product.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Apply the migrations up to REVISION (default: the newest) on TENANTRY_DATABASE_URL."""
    migrate.upgrade(get_settings().database_url, revision)
    typer.echo(f"database at {migrate.current_revision(get_settings().database_url)}")


@db_app.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    typer.echo(
        migrate.current_revision(get_settings().database_url) or "empty (no migrations applied)"
    )

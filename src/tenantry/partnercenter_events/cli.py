"""``tenantry partner-center webhooks register|status``: the platform's webhook subscription.

Only Typer is imported here; each command imports the client and settings when it runs, so
``tenantry --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from tenantry.db import Database
    from tenantry.partnercenter.access import PartnerCenterAccess
    from tenantry.settings import Settings

partner_center_cli = typer.Typer(
    help="Partner Center: the platform's webhook subscription.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
webhooks_cli = typer.Typer(
    help="Where Partner Center posts its events (see docs/partner-center.md).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
partner_center_cli.add_typer(webhooks_cli, name="webhooks")


async def register_report(
    access: PartnerCenterAccess, settings: Settings, database: Database
) -> str:
    """Register or update the subscription, audited (by the system) in ``database``."""
    from tenantry.partnercenter_events import registration

    async with access.client() as client:
        done = await registration.register_and_audit(client, database, settings)
    return done.describe()


async def status_report(access: PartnerCenterAccess, settings: Settings, *, validate: bool) -> str:
    from tenantry.partnercenter.errors import Throttled
    from tenantry.partnercenter_events import registration

    async with access.client() as client:
        found = await registration.current(client)
        if found is None:
            return (
                "No webhook subscription is registered: Partner Center sends no events. "
                "Run `tenantry partner-center webhooks register`."
            )
        lines = [
            f"Partner Center posts to {found.webhook_url}"
            + (f" (subscriber {found.subscriber_id})" if found.subscriber_id else ""),
            f"Events: {', '.join(found.webhook_events) or 'none'}",
        ]
        if found.webhook_url != settings.partner_center_webhook_url:
            lines.append(
                f"This is not TENANTRY_PARTNER_CENTER_WEBHOOK_URL "
                f"({settings.partner_center_webhook_url}); run "
                "`tenantry partner-center webhooks register` to update it."
            )
        if validate:
            try:
                status = await registration.validate(client)
            except Throttled:
                lines.append("Test event: Partner Center allows 2 a minute; try again shortly.")
            else:
                answers = ", ".join(
                    f"{r.response_code}{' (system error)' if r.system_error else ''}"
                    f"{': ' + r.response_message if r.response_message else ''}"
                    for r in status.results
                )
                lines.append(
                    f"Test event: {status.status}; delivery answers: {answers or 'none yet'}"
                )
    return "\n".join(lines)


def _run_with_partner_center(work: str, validate: bool = False) -> None:
    import asyncio

    from tenantry.cli import fail, load_settings, with_database
    from tenantry.partnercenter import access
    from tenantry.partnercenter.errors import PartnerCenterError

    settings = load_settings()
    partner_center = access.configure(settings)
    try:
        if work == "register":
            report = with_database(
                settings, lambda database: register_report(partner_center, settings, database)
            )
        else:
            report = asyncio.run(status_report(partner_center, settings, validate=validate))
    except (PartnerCenterError, OSError) as exc:
        raise fail(
            f"Partner Center could not be reached or refused: {exc}. Check the "
            "TENANTRY_PARTNER_CENTER_* settings (with the embedded sandbox, is `tenantry serve` "
            "running?)"
        ) from None
    typer.echo(report)


@webhooks_cli.command("register")
def register() -> None:
    """Register the platform's webhook subscription with Partner Center, or update it, for the
    event types Tenantry handles, at TENANTRY_PARTNER_CENTER_WEBHOOK_URL. Safe to repeat."""
    _run_with_partner_center("register")


@webhooks_cli.command("status")
def status(
    validate: Annotated[
        bool,
        typer.Option(
            "--validate/--no-validate",
            help="Have Partner Center post its test event and report how the delivery went.",
        ),
    ] = True,
) -> None:
    """Show the registered webhook subscription and, by default, the result of a test event."""
    _run_with_partner_center("status", validate)

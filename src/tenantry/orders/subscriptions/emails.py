"""Telling people that a subscription change finished (done, or failed with why).

The person who asked is told, and so are the customer's admins (or its contact), since a change
asked by the seller's staff changes what the customer has and pays. One email per change and
address, so a job run twice sends nothing twice.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    MicrosoftSubscription,
    Organization,
    SubscriptionChange,
    SubscriptionChangeKind,
    SubscriptionChangeState,
    User,
)
from tenantry.notifications import send_email
from tenantry.orders.emails import admins_or_contact
from tenantry.orders.subscriptions.paths import path_of
from tenantry.orders.subscriptions.rules import renewal_date, resource

TEMPLATE = "subscription_change"


def _words(change: SubscriptionChange, row: MicrosoftSubscription, name: str) -> tuple[str, str]:
    """(subject, what happened) for the finished change."""
    offer = row.offer_name or "The subscription"
    if change.state is SubscriptionChangeState.FAILED:
        return (
            f"{offer} for {name}: the change failed",
            f"Microsoft did not make the change of {offer} for {name}. {change.failure or ''}",
        )
    if change.kind is SubscriptionChangeKind.QUANTITY:
        return (
            f"{offer} for {name} now has {row.quantity} licenses",
            f"{offer} for {name} now has {row.quantity} licenses (it had "
            f"{change.quantity_before}).",
        )
    renews = renewal_date(resource(row))
    on = f" on {renews:%Y-%m-%d}" if renews else ""
    if row.auto_renew:
        return (
            f"{offer} for {name} renews automatically",
            f"Auto-renew of {offer} for {name} is on: it renews at the end of its term{on}.",
        )
    return (
        f"{offer} for {name} ends at the end of its term",
        f"Auto-renew of {offer} for {name} is off: it ends at the end of its term{on}.",
    )


async def change_finished(
    session: AsyncSession, change: SubscriptionChange, row: MicrosoftSubscription,
    organization: Organization,
) -> None:  # fmt: skip
    people = dict((email, full_name) for full_name, email in
                  await admins_or_contact(session, organization))  # fmt: skip
    asker = await session.get(User, change.requested_by_id) if change.requested_by_id else None
    if asker is not None and asker.is_active:
        people.setdefault(asker.email, asker.full_name)
    subject, happened = _words(change, row, organization.display_name)
    for email, full_name in people.items():
        await send_email(
            session,
            to=email,
            template=TEMPLATE,
            context={
                "full_name": full_name, "subject": subject, "happened": happened,
                "failed": change.state is SubscriptionChangeState.FAILED,
                "subscription_path": path_of(organization.id, row.id),
                "offer": row.offer_name or "the subscription",
            },
            idempotency_key=f"subscription_change:{change.id}:{email}",
        )  # fmt: skip

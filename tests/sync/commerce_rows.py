"""Makers of the rows of orders, payments, subscriptions, the imported directory and the catalog
that point at an organization, for the merge tests (``tests/sync/rows.py`` has the others)."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    CatalogMarkup,
    DirectoryAssignment,
    DirectoryDomain,
    DirectoryImport,
    DirectoryImportStatus,
    DirectoryLicense,
    DirectoryUser,
    LicenseSource,
    MicrosoftSubscription,
    NewTenantCredentials,
    Order,
    OrderProvisioning,
    OrderStatus,
    Organization,
    PaymentSetting,
    ProvisioningStep,
    SubscriptionChange,
    SubscriptionChangeKind,
    TrialConversion,
    TrialConversionStatus,
    utcnow,
)
from tests.sync.row_kinds import Made, Maker, by_id


async def _subscription(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = MicrosoftSubscription(
        platform_id=p.id, organization_id=m.id, tenant_id=uuid.uuid4(),
        subscription_id=uuid.uuid4().hex, quantity=5, is_trial=False, raw={},
        last_synced_at=utcnow(),
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _order(session: AsyncSession, p: Organization, m: Organization, o: Organization) -> Made:
    row = Order(
        platform_id=p.id, organization_id=m.id, status=OrderStatus.PENDING_PAYMENT,
        currency="EUR", total=Decimal("10.00"), lines=[], placed_by_organization_id=m.id,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _payment_setting(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = PaymentSetting(platform_id=p.id, organization_id=m.id, skip_payment=True)
    session.add(row)
    await session.flush()
    return by_id(row)


async def _directory_user(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = DirectoryUser(platform_id=p.id, organization_id=m.id, user_id=str(uuid.uuid4()),
                        user_principal_name="anna@example.com", display_name="Anna")  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _directory_assignment(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    _, user = await _directory_user(session, p, m, o)
    row = DirectoryAssignment(directory_user_id=user["id"], sku_id="sku", organization_id=m.id)
    session.add(row)
    await session.flush()
    return DirectoryAssignment, {"directory_user_id": user["id"], "sku_id": "sku"}


async def _directory_license(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = DirectoryLicense(platform_id=p.id, organization_id=m.id, sku_id="sku", name="Basic",
                           source=LicenseSource.OURS, subscription_ids=[])  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _directory_domain(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = DirectoryDomain(platform_id=p.id, organization_id=m.id, name="merged.example")
    session.add(row)
    await session.flush()
    return by_id(row)


async def _directory_import(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = DirectoryImport(platform_id=p.id, organization_id=m.id, open_for=m.id, reason="manual",
                          status=DirectoryImportStatus.QUEUED, checkpoint={}, problems=[])  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _trial_conversion(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = TrialConversion(platform_id=p.id, organization_id=m.id, trial_subscription_id="t",
                          status=TrialConversionStatus.CONVERTED, users_lost=[], product_ids=[])  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _new_tenant_credentials(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = NewTenantCredentials(
        platform_id=p.id, organization_id=m.id, tenant_id=uuid.uuid4(),
        initial_domain="merged.onmicrosoft.com", recipient_email="admin@merged.example",
        token_hash=secrets.token_hex(32), expires_at=utcnow() + timedelta(hours=1),
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _order_provisioning(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    _, order = await _order(session, p, o, m)  # the order of another: only its own row counts
    row = OrderProvisioning(
        order_id=order["id"], platform_id=p.id, organization_id=m.id, step=ProvisioningStep.CART
    )
    session.add(row)
    await session.flush()
    return OrderProvisioning, {"order_id": order["id"]}


async def _subscription_change(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    _, subscription = await _subscription(session, p, m, o)
    row = SubscriptionChange(
        platform_id=p.id, organization_id=m.id, subscription_row_id=subscription["id"],
        kind=SubscriptionChangeKind.QUANTITY, quantity=6, requested_by_label="Staff",
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _reseller_markup(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = CatalogMarkup(platform_id=p.id, reseller_id=m.id, percent=Decimal("12.50"))
    session.add(row)
    await session.flush()
    return by_id(row)


COMMERCE_ROWS: dict[str, Maker] = {
    "orders.organization_id": _order,
    "orders.placed_by_organization_id": _order,
    "order_payment_settings.organization_id": _payment_setting,
    "new_tenant_credentials.organization_id": _new_tenant_credentials,
    "order_provisioning.organization_id": _order_provisioning,
    "microsoft_subscriptions.organization_id": _subscription,
    "subscription_changes.organization_id": _subscription_change,
    "directory_users.organization_id": _directory_user,
    "directory_assignments.organization_id": _directory_assignment,
    "directory_licenses.organization_id": _directory_license,
    "directory_domains.organization_id": _directory_domain,
    "directory_imports.organization_id": _directory_import,
    "trial_conversions.organization_id": _trial_conversion,
    "catalog_markups.reseller_id": _reseller_markup,
}

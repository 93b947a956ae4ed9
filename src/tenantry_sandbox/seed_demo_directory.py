"""What the demo tenants' directories hold beyond their first users: more people, licenses the
customers bought from another provider, and (for Contoso, which the distributor serves) a
Microsoft 365 Business Premium trial with users on it, so Tenantry's import shows licenses of
both kinds and its trial conversion has something to convert.

Tailspin Toys has no relationship with the distributor yet, so it holds no trial of the
distributor's (a partner provisions a trial only for a customer it serves); its licenses all come
from another provider. One of its people has no usage location: assigning a license to her is
refused, as Microsoft refuses it.

Added once per tenant, after ``seed_demo`` created it (or on an older sandbox that has the tenant
without these): ids derive from the tenant's domain, never from the seed's random streams, so the
rest of the demo world stays as it was.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.catalog_data import PREMIUM_ID
from tenantry_sandbox.seed_rows import slug
from tenantry_sandbox.services.provisioning import new_subscription
from tenantry_sandbox.store import catalog, users
from tenantry_sandbox.store.license_catalog import SKUS_BY_ID
from tenantry_sandbox.store.licenses import UserLicense
from tenantry_sandbox.store.orders import COMPLETED, Order, OrderLine
from tenantry_sandbox.store.subscriptions import add_license_units
from tenantry_sandbox.store.users import CustomerUser, user_row

_NAMESPACE = uuid.UUID("7c1b3f52-2d0e-4f8a-b1a4-5e9d0c6a8b31")
EXCHANGE_P1 = uuid.UUID("4b9405b0-7788-4568-add1-99614e613b69")
POWER_BI_PRO = uuid.UUID("f8a1db68-be16-40ed-86d5-cb42ce701560")
PREMIUM = uuid.UUID(PREMIUM_ID)
PREMIUM_TRIAL_ITEM = "CFQ7TTC0LCHC:0002"


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    usage_location: str | None = "DK"
    # License SKUs (Entra ``skuId``) the person holds.
    licenses: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class DemoDirectory:
    people: tuple[DemoPerson, ...]
    # Units of SKUs bought from another provider: no subscription of the distributor's.
    other_provider: tuple[tuple[uuid.UUID, int], ...]
    # A new-commerce trial of the distributor's (``product:sku``), with its seats.
    trial: tuple[str, int] | None = None


DIRECTORIES: dict[str, DemoDirectory] = {
    "tailspintoys": DemoDirectory(
        people=(
            DemoPerson("Mikkel", "Holm", licenses=(EXCHANGE_P1,)),
            DemoPerson("Sofie", "Lund", licenses=(EXCHANGE_P1, POWER_BI_PRO)),
            DemoPerson("Jonas", "Berg", licenses=(EXCHANGE_P1,)),
            DemoPerson("Ida", "Kjaer", usage_location=None),
            DemoPerson("Frederik", "Dahl"),
        ),
        other_provider=((EXCHANGE_P1, 5), (POWER_BI_PRO, 2)),
    ),
    "contosoretail": DemoDirectory(
        people=(
            DemoPerson("Carla", "Nielsen", licenses=(PREMIUM, POWER_BI_PRO)),
            DemoPerson("Emil", "Vestergaard", licenses=(PREMIUM,)),
            DemoPerson("Laura", "Bach", licenses=(POWER_BI_PRO,)),
            DemoPerson("Oliver", "Friis"),
        ),
        other_provider=((POWER_BI_PRO, 3),),
        trial=(PREMIUM_TRIAL_ITEM, 25),
    ),
}


def person_id(domain: str, person: DemoPerson) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{domain}:{person.first_name}.{person.last_name}")


async def add_demo_directories(
    session: AsyncSession, tenants: dict[str, uuid.UUID], distributor: uuid.UUID
) -> None:
    """Add each demo directory whose tenant exists and lacks it (``tenants``: id by domain)."""
    now = datetime.now(UTC)
    for prefix, directory in DIRECTORIES.items():
        domain = f"{prefix}.onmicrosoft.com"
        customer_id = tenants.get(domain)
        if customer_id is None:
            continue
        first = person_id(domain, directory.people[0])
        if await users.get(session, customer_id, first) is not None:
            continue
        for sku_id, units in directory.other_provider:
            await add_license_units(session, customer_id, sku_id, active=units)
        if directory.trial is not None:
            await _add_trial(session, customer_id, distributor, directory.trial, now)
        for person in directory.people:
            user_id = person_id(domain, person)
            local = f"{slug(person.first_name)}.{slug(person.last_name)}"
            session.add(
                CustomerUser(
                    **user_row(
                        customer_id, user_id, f"{local}@{domain}",
                        first_name=person.first_name, last_name=person.last_name,
                        display_name=f"{person.first_name} {person.last_name}",
                        usage_location=person.usage_location,
                    )
                )
            )  # fmt: skip
            for sku_id in person.licenses:
                assert sku_id in SKUS_BY_ID
                session.add(UserLicense(customer_id=customer_id, user_id=user_id, sku_id=sku_id))
        await session.flush()


async def _add_trial(
    session: AsyncSession,
    customer_id: uuid.UUID,
    distributor: uuid.UUID,
    trial: tuple[str, int],
    now: datetime,
) -> None:
    """A trial the distributor provisioned for the customer, as a completed order."""
    reference, seats = trial
    item = catalog.by_product_sku(reference)
    assert item is not None and item.sku.is_trial
    line = OrderLine(0, item.id, item.sku.title, seats, "monthly", item.sku.term_durations[0])
    code, symbol = catalog.currency_of("DK") or ("USD", "$")
    order = Order(
        id=uuid.uuid5(customer_id, f"demo-trial:{reference}").hex[:12],
        customer_id=customer_id,
        partner_tenant_id=distributor,
        billing_cycle="monthly",
        currency_code=code,
        currency_symbol=symbol,
        status=COMPLETED,
        created_at=now,
        completed_at=now,
        lines=[],
    )
    subscription = new_subscription(order, line, now)
    line.subscription_id = str(subscription.id)
    order.lines = [line.to_json()]
    session.add_all([order, subscription])
    await session.flush()
    await add_license_units(session, customer_id, subscription.provisioning_id, active=seats)

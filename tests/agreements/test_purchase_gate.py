"""Gating of purchases, seat increases and renewals: refused before anything reaches Microsoft
while the agreement is missing, with what to do and where; a customer that signed directly, or
whose new tenant's acceptance is pending, passes; Microsoft's own refusal (403/13605) becomes
the same refusal and corrects the status. The checkout says it on the cart and refuses (409)."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from sqlalchemy import func, select

from tenantry.agreements import gate, microsoft
from tenantry.db import Database
from tenantry.errors import Conflict
from tenantry.models import MicrosoftAgreementState, Order, Organization
from tenantry.orders.purchase_gate import PurchaseKind, guarded, refuse_unless_agreed
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.models.commerce import Cart, CartLineItem
from tests.agreements.accepted import agreement_accepted
from tests.agreements.conftest import linked_customer
from tests.factories import World, give_tenant
from tests.sandbox.conftest import Sandbox
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page
from tests.web.on_behalf_support import open_as

OFFER = "CFQ7TTC0LH18-0001"
BASIC = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"


async def refused(
    database: Database, org: Organization, world: World, client: PartnerCenterClient | None,
    kind: PurchaseKind,
) -> Conflict | None:  # fmt: skip
    async with database.transaction() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        try:
            await refuse_unless_agreed(session, row, world.platform.actor, client, kind)
        except Conflict as exc:
            return exc
    return None


@pytest.mark.parametrize("kind", list(PurchaseKind))
async def test_each_kind_is_refused_until_the_agreement_is_accepted(
    database: Database, world: World, sqlite_sandbox: Sandbox,
    partner_center: PartnerCenterClient, kind: PurchaseKind,
) -> None:  # fmt: skip
    org = world.direct_customer.organization
    await linked_customer(database, sqlite_sandbox, org)
    error = await refused(database, org, world, partner_center, kind)
    assert error is not None and error.status == 409
    assert error.extra["reason"] == gate.MCA_MISSING
    assert error.extra["link"] == gate.organization_agreements_path(org.id)
    assert f"Microsoft accepts no {gate.WHAT[kind]}" in error.detail
    await agreement_accepted(database, org.id)
    assert await refused(database, org, world, partner_center, kind) is None


async def test_a_customer_that_signed_directly_needs_nothing_more(
    database: Database, world: World, sqlite_sandbox: Sandbox, partner_center: PartnerCenterClient
) -> None:
    org = world.direct_customer.organization
    await linked_customer(database, sqlite_sandbox, org, mca_direct_signed=True)
    for kind in PurchaseKind:
        assert await refused(database, org, world, partner_center, kind) is None


async def test_a_new_tenant_passes_while_its_acceptance_is_pending(
    database: Database, world: World
) -> None:
    org = world.direct_customer.organization
    assert await refused(database, org, world, None, PurchaseKind.PURCHASE) is not None
    await agreement_accepted(database, org.id)  # no tenant yet: kept pending
    assert await refused(database, org, world, None, PurchaseKind.PURCHASE) is None


async def test_microsofts_13605_is_the_same_refusal_and_corrects_the_status(
    database: Database, world: World, sqlite_sandbox: Sandbox, partner_center: PartnerCenterClient
) -> None:
    org = world.direct_customer.organization
    tenant = str(await linked_customer(database, sqlite_sandbox, org))
    await agreement_accepted(database, org.id)  # Tenantry believes it; Partner Center does not
    cart = await partner_center.create_cart(
        tenant,
        Cart(line_items=[CartLineItem(catalog_item_id=BASIC, quantity=1, term_duration="P1M",
                                      billing_cycle="Monthly")]),
    )  # fmt: skip
    assert cart.id is not None
    async with database.transaction() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        with pytest.raises(Conflict) as caught:
            await guarded(
                session, row, world.platform.actor, PurchaseKind.PURCHASE,
                partner_center.checkout_cart(tenant, cart.id),
            )  # fmt: skip
    assert caught.value.extra["reason"] == gate.MCA_MISSING
    assert "Microsoft accepts no new purchases" in caught.value.detail
    async with database.transaction() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        status = await microsoft.status_row(session, row)
        assert status.state is MicrosoftAgreementState.MISSING
        assert status.check_error and "13605" in status.check_error


async def place(client: httpx.AsyncClient) -> httpx.Response:
    added = await post_form(client, "/cart/add", {"offer": OFFER, "term": "P1Y", "quantity": "2"})
    assert added.status_code == 303, added.text
    cart = Page((await client.get("/cart")).text)
    return await post_form(
        client, "/checkout", {"checkout_key": cart.field("checkout_key")["value"]}
    )


async def test_the_checkout_lists_the_missing_agreement_and_refuses_the_order(
    client: httpx.AsyncClient, database: Database, world: World, people: People,
    sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    tenant = await linked_customer(database, sqlite_sandbox, world.customer_a.organization)
    await sign_in(client, people.reseller_staff.email)
    assert (await open_as(client, world.customer_a.id)).status_code == 303
    placed = await place(client)
    assert placed.status_code == 409
    page = Page(placed.text)
    blocker = page.by_id(f"blocker-{gate.MCA_MISSING}")
    assert "Microsoft accepts no new purchases for Alpha Customer" in blocker.text
    assert page.find("a", href=gate.CUSTOMER_ACCEPTANCE_PATH).text == (
        "Accept the Microsoft Customer Agreement"
    )
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 0

    # The customer signs it in the Microsoft 365 admin center: the next checkout passes.
    await sqlite_sandbox.control("PUT", f"/customers/{tenant}/mca", json={"direct_signed": True})
    cart = Page((await client.get("/cart")).text)
    assert not cart.find_all(id=f"blocker-{gate.MCA_MISSING}")
    placed = await post_form(
        client, "/checkout", {"checkout_key": cart.field("checkout_key")["value"]}
    )
    assert placed.status_code == 303, placed.text


async def test_the_checkout_api_answer_names_the_reason_and_the_link(
    database: Database, world: World, people: People
) -> None:
    """The refusal a caller of the checkout gets: 409, the reason code, the link to act."""
    from tenantry.orders import cart as carts
    from tenantry.orders import checkout

    async with database.transaction() as session:
        org = await session.get(Organization, world.customer_a.id)
        assert org is not None
        await give_tenant(session, org)
    actor = replace(world.customer_a.actor, user_id=people.customer_admin.id)
    async with database.transaction() as session:
        org = await session.get(Organization, world.customer_a.id)
        assert org is not None
        await carts.add(session, actor, org, OFFER, term="P1Y", billing_cycle="monthly", quantity=1)
    with pytest.raises(Conflict) as caught:
        async with database.transaction() as session:
            await checkout.place_order(session, actor, "5b0d3b8e-8c43-4a4a-9a57-0e8f7c3e2f10")
    assert caught.value.status == 409
    assert caught.value.extra == {
        "reason": gate.MCA_MISSING, "link": gate.CUSTOMER_ACCEPTANCE_PATH,
    }  # fmt: skip


async def test_a_pending_acceptance_is_confirmed_once_the_tenant_exists(
    database: Database, world: World, sqlite_sandbox: Sandbox, partner_center: PartnerCenterClient
) -> None:
    from tenantry.agreements.customer.service import confirm_pending

    org = world.direct_customer.organization
    await agreement_accepted(database, org.id)  # no tenant yet: pending
    tenant = await linked_customer(database, sqlite_sandbox, org)  # the tenant is created
    for _ in range(2):
        async with database.transaction() as session:
            row = await session.get(Organization, org.id)
            assert row is not None
            await confirm_pending(session, partner_center, row)
    assert len(await partner_center.list_customer_agreements(str(tenant))) == 1
    async with database.transaction() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        status = await microsoft.status_row(session, row)
        assert status.state is MicrosoftAgreementState.ACCEPTED
        assert status.pending_acceptance_id is None
    assert await refused(database, org, world, partner_center, PurchaseKind.PURCHASE) is None


async def test_microsofts_13605_on_more_seats_is_the_gates_refusal(
    database: Database, world: World, sqlite_sandbox: Sandbox, partner_center: PartnerCenterClient
) -> None:
    org = world.direct_customer.organization
    tenant = str(
        await linked_customer(database, sqlite_sandbox, org, mca_direct_signed=True, skus=[])
    )
    line = CartLineItem(catalog_item_id=BASIC, quantity=2, term_duration="P1M",
                        billing_cycle="Monthly")  # fmt: skip
    cart = await partner_center.create_cart(tenant, Cart(line_items=[line]))
    assert cart.id is not None
    await partner_center.checkout_cart(tenant, cart.id)
    [subscription] = await partner_center.list_subscriptions(tenant)
    # The signature is withdrawn in Partner Center; Tenantry still believes it signed.
    await agreement_accepted(database, org.id)
    await sqlite_sandbox.control("PUT", f"/customers/{tenant}/mca", json={"direct_signed": False})
    more = subscription.model_copy(update={"quantity": 3})
    async with database.transaction() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        with pytest.raises(Conflict) as caught:
            await guarded(
                session, row, world.platform.actor, PurchaseKind.SEAT_INCREASE,
                partner_center.update_subscription(tenant, more),
            )  # fmt: skip
    assert "Microsoft accepts no more licenses" in caught.value.detail

"""The People page of an organization: who belongs, inviting, roles, removing; the last admin
stays; only those who manage its people see the forms; strangers get 404."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import AuditEvent, Invitation, Membership, Role
from tests.factories import World
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page
from tests.web.pages import field_error


def people_url(world: World) -> str:
    return f"/organizations/{world.customer_a.id}/people"


def button_texts(page: Page) -> list[str]:
    return [b.text for b in page.find_all("button")]


async def count(database: Database, model: type, *where: object) -> int:
    async with database.transaction(write=False) as session:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int((await session.execute(query)).scalar_one())


async def test_an_admin_invites_and_sees_the_pending_invitation(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.customer_admin.email)
    page = Page((await client.get(people_url(world))).text)
    assert people.customer_admin.email in page.text
    assert "Send invitation" in button_texts(page)

    sent = await post_form(
        client, f"{people_url(world)}/invite", {"email": "new@example.com", "role": "customer_user"}
    )

    assert sent.status_code == 303, sent.text
    after = Page((await client.get(sent.headers["location"])).text)
    assert "The invitation is on its way" in after.text
    assert "Revoke invitation of new@example.com" in button_texts(after)
    assert await count(database, AuditEvent, AuditEvent.action == "invitation.sent") == 1
    # Nobody joined yet.
    assert "new@example.com" not in after.find("table").text


async def test_a_bad_address_is_named_beside_its_field_and_nothing_is_sent(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.customer_admin.email)

    refused = await post_form(
        client, f"{people_url(world)}/invite", {"email": "not an address", "role": "customer_user"}
    )

    assert refused.status_code == 422
    page = Page(refused.text)
    assert page.find("title").text.startswith("Error:")
    assert "email" in field_error(page, "email", prefix="invite-").lower()
    assert await count(database, Invitation) == 0


async def test_the_last_admin_is_neither_removed_nor_demoted(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.customer_admin.email)
    admin = people.customer_admin.id

    removing = await post_form(client, f"{people_url(world)}/{admin}/remove")
    demoting = await post_form(
        client, f"{people_url(world)}/{admin}/role", {"role": "customer_user"}
    )

    assert (removing.status_code, demoting.status_code) == (409, 409)
    assert "last admin" in Page(removing.text).text
    where = (Membership.user_id == admin, Membership.role == Role.CUSTOMER_ADMIN)
    assert await count(database, Membership, *where) == 1
    changes = ("membership.removed", "membership.role_changed")
    assert await count(database, AuditEvent, AuditEvent.action.in_(changes)) == 0


async def test_a_seller_manages_its_customers_people_and_a_stranger_gets_404(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.reseller_admin.email)
    promoted = await post_form(
        client, f"{people_url(world)}/{people.customer_admin.id}/role", {"role": "customer_admin"}
    )
    assert promoted.status_code == 303

    await post_form(client, "/sign-out")
    await sign_in(client, people.reseller_b_admin.email)
    assert (await client.get(people_url(world))).status_code == 404
    refused = await post_form(
        client, f"{people_url(world)}/invite", {"email": "x@example.com", "role": "customer_user"}
    )
    assert refused.status_code == 404
    assert await count(database, Invitation) == 0


async def test_staff_without_members_manage_see_the_list_without_forms(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.reseller_staff.email)

    page = Page((await client.get(people_url(world))).text)
    refused = await post_form(
        client, f"{people_url(world)}/invite", {"email": "x@example.com", "role": "customer_user"}
    )

    assert people.customer_admin.email in page.text
    assert not any(
        t.startswith(("Send invitation", "Remove", "Change role")) for t in button_texts(page)
    )
    assert refused.status_code == 403
    assert await count(database, Invitation) == 0


async def test_a_form_without_the_csrf_token_is_refused(
    client: httpx.AsyncClient, people: People, world: World, database: Database
) -> None:
    await sign_in(client, people.customer_admin.email)

    forged = await client.post(
        f"{people_url(world)}/invite", data={"email": "x@example.com", "role": "customer_user"}
    )

    assert forged.status_code == 403
    assert await count(database, Invitation) == 0

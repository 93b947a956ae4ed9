"""Inviting a person in the browser: the admin invites from the People page, the email arrives,
the person creates an account from the link, joins, and shows among the members."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.live_sandbox import live_sandbox
from tests.e2e.test_journeys import sign_in
from tests.e2e.test_registration_journey import NEW_PASSWORD, mail_for, shop
from tests.e2e.timing import ACTION_TIMEOUT_MS
from tests.notifications.local_smtp import LocalSmtpServer

pytestmark = pytest.mark.browser
# The registration journey's server with a mailbox (and the sandbox it talks to), as fixtures.
__all__ = ["live_sandbox", "shop"]
DANA = "dana@alpha.example"


async def test_invite_email_accept_and_become_a_member(
    browser: Browser, shop: tuple[LiveServer, LocalSmtpServer]
) -> None:
    live, smtp = shop
    admin_context = await browser.new_context(base_url=live.url)
    admin_context.set_default_timeout(ACTION_TIMEOUT_MS)
    admin = await admin_context.new_page()
    people_path = f"/organizations/{live.world.customer_a.id}/people"
    await sign_in(admin, live.admin_email, people_path)
    await expect(admin.get_by_role("heading", level=1)).to_have_text("People of Alpha Customer")
    await admin.get_by_label("Email address").fill(DANA)
    await admin.get_by_label("Role").select_option("customer_admin")
    await admin.get_by_role("button", name="Send invitation").click()
    await expect(admin.get_by_role("status")).to_contain_text("The invitation is on its way")
    await expect(admin.get_by_role("button", name=f"Revoke invitation of {DANA}")).to_be_visible()

    mail = await mail_for(smtp, DANA, "You are invited to join Alpha Customer on Tenantry")
    link = re.search(r"(/invitations/accept\?token=\S+)", mail)
    assert link, mail
    dana_context = await browser.new_context(base_url=live.url)
    dana_context.set_default_timeout(ACTION_TIMEOUT_MS)
    dana = await dana_context.new_page()
    await dana.goto(link.group(1))
    await expect(dana.get_by_role("heading", level=1)).to_have_text("Join Alpha Customer")
    await dana.get_by_role("link", name="Create your account").click()
    await dana.get_by_label("Your name").fill("Dana Doe")
    await dana.get_by_label("Email address").fill(DANA)
    await dana.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    await dana.get_by_label("Password again").fill(NEW_PASSWORD)
    await dana.get_by_role("button", name="Create account").click()
    # The new account comes straight back to the invitation, not to "Register your organization".
    await expect(dana.get_by_role("heading", level=1)).to_have_text("Join Alpha Customer")
    await dana.get_by_role("button", name="Join Alpha Customer").click()
    await dana.wait_for_url(lambda url: "/invitations/" not in url)
    await expect(dana.locator("body")).to_contain_text("Alpha Customer")

    await admin.goto(people_path)
    await expect(admin.get_by_role("cell", name=DANA)).to_be_visible()
    await expect(admin.get_by_role("button", name=f"Revoke invitation of {DANA}")).to_have_count(0)
    await admin_context.close()
    await dana_context.close()

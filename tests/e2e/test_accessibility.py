"""The main pages pass axe-core's WCAG 2.1 AA rules and never scroll sideways, on a phone
(375 px) and on a laptop (1280 px).

One browser; per width one browsing context that walks the pages as a person would (anonymous
pages first, then signed in as platform staff, then acting for a customer), checking each page
where it stands. Every problem found is collected, so one run reports all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_journeys import sign_in
from tests.e2e.timing import ACTION_TIMEOUT_MS
from tests.sync.visibility import seed_what_staff_see

pytestmark = pytest.mark.browser

# axe-core 4.14.1 from npm (MPL-2.0), vendored as a test asset: see assets/axe-core/README.md.
AXE_JS = Path(__file__).parent / "assets" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (375, 1280)

# Runs axe on the whole document; only the facts needed to name a problem come back.
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => ({
    id: v.id, help: v.help, targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""
SIDEWAYS = """() => {
  const page = document.scrollingElement;
  return page.scrollWidth > page.clientWidth ? [page.scrollWidth, page.clientWidth] : null;
}"""
# Each link of an error summary starts with the label of the field it leads to.
SUMMARY_MISMATCHES = """() => Array.from(document.querySelectorAll(".error-summary a")).flatMap(a => {
  const target = document.getElementById(a.getAttribute("href").slice(1));
  const label = target && (target.labels?.[0] || target.querySelector("legend"));
  if (!label) return [a.textContent.trim() + " (no labelled field)"];
  const copy = label.cloneNode(true);
  copy.querySelectorAll(".optional").forEach(e => e.remove());
  const name = copy.textContent.trim();
  return a.textContent.trim().startsWith(name + ":") ? [] : [a.textContent.trim() + " vs " + name];
})"""


@dataclass
class Checker:
    """Checks the page where it stands and keeps what is wrong, by page and width."""

    page: Page
    width: int
    axe_source: str
    problems: list[str] = field(default_factory=list)

    async def check(self, name: str) -> None:
        await self.page.wait_for_load_state()
        if not await self.page.evaluate("typeof axe !== 'undefined'"):
            # Evaluated by the test driver, so the page's Content-Security-Policy stays as served.
            await self.page.evaluate(self.axe_source)
        violations: list[dict[str, Any]] = await self.page.evaluate(RUN_AXE, WCAG_21_AA)
        for v in violations:
            self.problems.append(f"{self.width}px {name}: {v['id']} ({v['help']}) {v['targets']}")
        sideways = await self.page.evaluate(SIDEWAYS)
        if sideways:
            self.problems.append(f"{self.width}px {name}: scrolls sideways {sideways}")


async def walk(page: Page, live: LiveServer, checker: Checker) -> None:
    for path, name in (("/sign-in", "sign-in"), ("/store", "store"), ("/register", "register")):
        await page.goto(path)
        await checker.check(name)

    await sign_in(page, live.admin_email)
    await checker.check("organizations list")
    await page.get_by_role("link", name="Alpha Customer").click()
    # htmx loads the tracker after the page: give a loaded machine time (polls, no sleep).
    await expect(page.locator("#onboarding-steps")).to_be_visible(timeout=20_000)
    await checker.check("organization detail")
    await page.goto(f"/organizations/{live.world.customer_a.organization.id}/onboarding")
    await checker.check("onboarding")

    await page.goto("/organizations/new")
    await checker.check("create organization")
    await page.get_by_role("button", name="Create", exact=True).click()
    await expect(page.get_by_role("alert")).to_be_focused()
    assert (await page.title()).startswith("Error: "), await page.title()
    mismatches = await page.evaluate(SUMMARY_MISMATCHES)
    assert mismatches == [], mismatches
    await checker.check("create organization after a failed submit")
    # Completed, it waits for approval: the header counts it from now on (its contrast is checked).
    await page.get_by_label("Legal name").fill(f"Contrast {checker.width} ApS")
    await page.get_by_label("Street address", exact=True).fill("Nørregade 1")
    await page.get_by_label("City").fill("Copenhagen")
    await page.get_by_label("Postal code").fill("1165")
    await page.get_by_label("Contact name").fill("Ada Admin")
    await page.get_by_label("Contact email address").fill("ada@contrast.example")
    await page.get_by_role("button", name="Create", exact=True).click()
    await expect(page.locator(".site-header .count")).to_be_visible()
    await checker.check("organization detail, pending")

    await page.goto(f"/organizations/{live.world.customer_a.organization.id}/gdap")
    await checker.check("GDAP of a customer")
    await page.goto("/gdap/expiring")
    await checker.check("GDAP ending soon")
    await page.goto("/agreements/compliance")
    await checker.check("agreements compliance")
    await page.goto("/agreements/compliance?state=bogus")
    await checker.check("agreements compliance with a filter error")
    await page.goto("/audit")
    await checker.check("audit log")
    await page.goto("/partner-center/events")
    await checker.check("partner center events")
    for path, name in (
        ("/sync", "sync history"),
        ("/sync/unlinked", "partner center customers no organization holds"),
        (f"/organizations/{live.world.customer_a.organization.id}/sync", "partner center sync"),
    ):
        await page.goto(path)
        await checker.check(name)
    # The platform's own agreements (agreements/platform).
    for path, name in (
        ("/platform-agreements", "platform agreements"),
        ("/platform-agreements/professional_secrecy/publish", "publish an agreement version"),
        (f"/organizations/{live.world.customer_a.organization.id}/platform-agreements",
         "a customer's platform agreements"),
    ):  # fmt: skip
        await page.goto(path)
        await checker.check(name)
    # The catalog, its price list (GBP: unpriced rows) and the markups (orders/catalog).
    for path, name in (
        ("/catalog", "catalog"),
        ("/catalog/prices?currency=GBP", "price list"),
        ("/catalog/markups", "markups"),
    ):
        await page.goto(path)
        await checker.check(name)
    await page.goto("/no-such-page")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await checker.check("404")

    # As the customer: the store, a line in the cart, the orders; the banner says for whom.
    await page.goto(f"/organizations/{live.world.customer_a.organization.id}")
    await page.get_by_role("button", name="Open as this customer").click()
    await checker.check("store as a customer")
    await page.get_by_role("link", name=re.compile("^Buy Now")).first.click()
    await page.get_by_role("button", name="Buy Now").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cart of Alpha Customer")
    await checker.check("cart")
    await page.goto("/orders")
    await checker.check("orders")
    await page.goto("/agreements/microsoft-customer-agreement")
    await checker.check("microsoft customer agreement")
    await page.goto("/agreements/platform-terms")
    await checker.check("the platform's terms of business, as a customer")
    await page.get_by_role("button", name="End acting for Alpha Customer").click()


@pytest.mark.slow
async def test_the_main_pages_pass_axe_and_fit_the_screen(
    browser: Browser, live_server: LiveServer
) -> None:
    axe_source = AXE_JS.read_text(encoding="utf-8")
    problems: list[str] = []
    await seed_what_staff_see(live_server.database_url, live_server.world)
    for width in WIDTHS:
        context = await browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 800}
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        try:
            checker = Checker(await context.new_page(), width, axe_source)
            await walk(checker.page, live_server, checker)
            problems += checker.problems
        finally:
            await context.close()
    assert problems == [], "\n".join(problems)


async def test_arrowing_through_a_filter_searches_once_and_announces_a_count(
    page: Page, live_server: LiveServer
) -> None:
    await sign_in(page, live_server.admin_email)
    searches: list[str] = []
    page.on(
        "request",
        lambda request: (
            searches.append(request.url) if request.headers.get("hx-request") == "true" else None
        ),
    )
    kind = page.get_by_label("Kind")
    await kind.focus()
    for _ in range(2):  # "Any kind" -> Platform -> Reseller, one key after the other
        await kind.press("ArrowDown")
    status = page.locator("#results-status")
    await expect(status).to_have_text("2 organizations found.")
    await expect(page.locator("#results").get_by_role("link")).to_have_text(
        ["Alpha Reseller", "Beta Reseller"]
    )
    assert len(searches) == 1, searches
    assert "kind=reseller" in searches[0]

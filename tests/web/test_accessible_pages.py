"""What a screen reader user hears: page titles that say what failed, error summaries that name
fields as their labels do, a short announcement when the list changes, and a page (not JSON)
for an address that does not exist."""

from __future__ import annotations

import httpx

from tests.factories import World
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Element, Page
from tests.web.on_behalf_support import open_as

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def title_of(page: Page) -> str:
    return page.find("title").text


def label_of(page: Page, element_id: str) -> str:
    """The visible label of a field, without its "(optional)" note; a group's legend."""
    labels = page.find_all("label", **{"for": element_id})
    if labels:
        return labels[0].text.removesuffix(" (optional)")
    group = page.by_id(element_id)
    return next(e.text for e in page.elements[page.elements.index(group) :] if e.tag == "legend")


def summary_links(page: Page) -> list[Element]:
    """The error summary's links (the only links on a page that lead to a field)."""
    return [e for e in page.find_all("a") if e.get("href", "").startswith("#f-")]


async def test_an_unknown_address_is_a_page_for_a_browser_and_a_problem_for_an_api_client(
    client: httpx.AsyncClient,
) -> None:
    browser = await client.get("/no-such-page", headers={"Accept": BROWSER_ACCEPT})
    assert browser.status_code == 404
    assert browser.headers["content-type"].startswith("text/html")
    page = Page(browser.text)
    assert page.find("h1").text == "Page not found"
    assert title_of(page) == "Error: Page not found · Tenantry"

    for path, accept in (
        ("/no-such-page", "application/json"),
        ("/no-such-page", "*/*"),
        ("/no-such-page", "application/problem+json, text/html;q=0.5"),
        ("/api/v1/no-such-thing", BROWSER_ACCEPT),  # under /api: always the API's answer
    ):
        response = await client.get(path, headers={"Accept": accept})
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json", (path, accept)
        assert response.json()["code"] == "not_found"


async def test_a_failed_submit_says_error_first_and_the_summary_names_fields_by_their_labels(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    assert title_of(Page((await client.get("/organizations/new")).text)) == (
        "New organization · Tenantry"
    )

    response = await post_form(client, "/organizations/new", {"kind": "customer"})
    assert response.status_code == 422
    page = Page(response.text)
    assert title_of(page) == "Error: New organization · Tenantry"
    links = summary_links(page)
    assert len(links) >= 4  # legal name, street, city, contact name and email at least
    for link in links:
        label = label_of(page, link["href"][1:])
        assert link.text.startswith(f"{label}: "), (link.text, label)


async def test_filter_and_sign_in_errors_name_the_field_as_its_label_does(
    client: httpx.AsyncClient, people: People
) -> None:
    refused = Page((await client.post("/sign-in", data={})).text)
    assert title_of(refused).startswith("Error: ")

    await sign_in(client, people.platform_admin.email)
    audit = Page((await client.get("/audit?since=yesterday&organization=nope")).text)
    assert title_of(audit) == "Error: Audit log · Tenantry"
    texts = [link.text for link in summary_links(audit)]
    assert any(t.startswith("From day: ") for t in texts), texts
    assert any(t.startswith("Organization ID: ") for t in texts), texts

    listing = Page((await client.get("/organizations?status=gone")).text)
    assert [link.text.split(":")[0] for link in summary_links(listing)] == ["Status"]


async def test_the_filtered_list_announces_only_how_many_it_found(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    page = Page((await client.get("/organizations")).text)
    results = page.by_id("results")
    assert results.get("aria-live") is None  # the table is not read out again
    status = page.by_id("results-status")
    assert status["role"] == "status"
    trigger = page.find("form", class_="filters")["hx-trigger"]
    assert "change delay:" in trigger  # a select searches after a pause, not on every arrow key

    swapped = await client.get("/organizations?kind=reseller", headers={"HX-Request": "true"})
    partial = Page(swapped.text)
    update = partial.by_id("results-status")
    assert update["hx-swap-oob"] == "innerHTML"
    assert update.text == "2 organizations found."


async def test_wide_tables_scroll_in_a_labelled_focusable_region(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    for path, label in (("/organizations", "Organizations"), ("/audit", "Audit events")):
        region = Page((await client.get(path)).text).find("div", class_="table-scroll")
        assert (region["role"], region["aria-label"], region["tabindex"]) == ("region", label, "0")


async def test_the_banner_s_end_button_says_whom_it_ends_acting_for(
    client: httpx.AsyncClient, people: People, world: World
) -> None:
    await sign_in(client, people.reseller_staff.email)
    await open_as(client, world.customer_a.id)
    page = Page((await client.get("/cart")).text)
    end = next(b for b in page.find_all("button") if b.text.startswith("End"))
    assert end.text == "End acting for Alpha Customer"

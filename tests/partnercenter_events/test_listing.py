"""Platform staff see every event and what became of it, in the API and on a page."""

from __future__ import annotations

import httpx
import pytest

from tenantry.jobs.queue import JobQueue
from tests.factories import World
from tests.jobs.conftest import run_queued
from tests.partnercenter_events.conftest import Signer, event_body, post_event
from tests.web.conftest import People, sign_in
from tests.web.conftest import people as people
from tests.web.html import Page

API = "/api/v1/partner-center/events"


@pytest.fixture
async def delivered(client: httpx.AsyncClient, signer: Signer, job_queue: JobQueue) -> None:
    """Three events, newest last: a test event, an unknown type, and one still waiting."""
    for name in ("test-created", "brand-new-event"):
        body = event_body(name)
        assert (await post_event(client, body, signer.headers(body))).status_code == 202
    await run_queued(job_queue)
    body = event_body("granular-admin-relationship-expired")
    assert (await post_event(client, body, signer.headers(body))).status_code == 202


async def test_the_api_lists_events_newest_first_with_filters(
    client: httpx.AsyncClient, world: World, delivered: None
) -> None:
    headers = world.platform.headers
    listed = (await client.get(API, headers=headers)).json()
    assert [(e["event_name"], e["outcome"]) for e in listed["items"]] == [
        ("granular-admin-relationship-expired", "received"),
        ("brand-new-event", "ignored"),
        ("test-created", "ignored"),
    ]
    ignored = await client.get(API, params={"outcome": "ignored", "limit": 1}, headers=headers)
    page_one = ignored.json()
    assert [e["event_name"] for e in page_one["items"]] == ["brand-new-event"]
    rest = await client.get(
        API, params={"outcome": "ignored", "cursor": page_one["next_cursor"]}, headers=headers
    )
    assert [e["event_name"] for e in rest.json()["items"]] == ["test-created"]
    by_type = await client.get(API, params={"event_name": "test-created"}, headers=headers)
    [test_event] = by_type.json()["items"]
    assert test_event["detail"] == "Partner Center's test event: the subscription delivers."
    assert test_event["body"]["EventName"] == "test-created"


async def test_only_platform_staff_may_list_events(
    client: httpx.AsyncClient, world: World, delivered: None
) -> None:
    refused = await client.get(API, headers=world.reseller_a.headers)
    assert refused.status_code == 403
    assert "partner_center_events.read" in refused.json()["detail"]
    assert (await client.get(API)).status_code == 401


async def test_the_page_lists_events_and_filters_by_outcome(
    client: httpx.AsyncClient, people: People, delivered: None
) -> None:
    await sign_in(client, people.platform_admin.email)
    page = await client.get("/partner-center/events")
    assert page.status_code == 200
    text = " ".join(Page(page.text).text.split())
    assert "brand-new-event Customer" in text and "No handler for this type." in text
    assert 'href="/partner-center/events" aria-current="page"' in page.text
    ignored = await client.get("/partner-center/events", params={"outcome": "ignored"})
    assert "<code>granular-admin-relationship-expired</code>" not in ignored.text
    assert "<code>brand-new-event</code>" in ignored.text
    wrong = await client.get("/partner-center/events", params={"outcome": "lost"})
    assert wrong.status_code == 422 and "Outcome" in Page(wrong.text).text


async def test_the_page_is_refused_to_resellers(client: httpx.AsyncClient, people: People) -> None:
    await sign_in(client, people.reseller_admin.email)
    assert (await client.get("/partner-center/events")).status_code == 403
    assert "/partner-center/events" not in (await client.get("/organizations")).text

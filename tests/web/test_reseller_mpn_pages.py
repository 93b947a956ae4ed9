"""The MPN ID on the organization forms: checked when the field is left (a fragment under the
field, read aloud), refused on save beside the field with everything typed kept."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tenantry.resellers.mpn import MpnStatus, app_partner_ids
from tests.resellers.fakes import KnownPartnerIds
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page
from tests.web.pages import customer_form, field_error

FAILING = {"9999999": MpnStatus.UNKNOWN, "7200001": MpnStatus.UNREACHABLE}


def reseller_form(mpn_id: str) -> dict[str, str | list[str]]:
    return customer_form(kind="reseller", mpn_id=mpn_id, legal_name="Trey Research ApS")


async def test_the_form_asks_for_the_check_when_the_field_is_left(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    page = Page((await client.get("/organizations/new")).text)
    field = page.field("mpn_id")
    assert (field["hx-get"], field["hx-trigger"], field["hx-target"]) == (
        "/resellers/mpn-check", "change", "#mpn-check",
    )  # fmt: skip
    assert page.by_id("mpn-check")["aria-live"] == "polite"


async def test_the_fragment_names_the_cause_and_the_way_out(
    app: FastAPI, client: httpx.AsyncClient, people: People
) -> None:
    app.dependency_overrides[app_partner_ids] = lambda: KnownPartnerIds(FAILING)
    await sign_in(client, people.platform_admin.email)
    headers = {"HX-Request": "true"}
    bad = await client.get("/resellers/mpn-check?mpn_id=9999999", headers=headers)
    assert bad.status_code == 200
    text = " ".join(Page(bad.text).by_id("mpn-check-result").text.split())
    assert text.startswith("Warning: There seems to be a problem with the MPN ID 9999999.")
    assert "Partner Center knows no partner with this ID." in text
    assert "<html" not in bad.text  # a fragment, not a page
    good = await client.get("/resellers/mpn-check?mpn_id=7200002", headers=headers)
    assert "is valid" in Page(good.text).by_id("mpn-check-result").text
    short = await client.get("/resellers/mpn-check?mpn_id=12", headers=headers)
    assert "6 to 10 digits" in short.text


async def test_a_failing_mpn_id_is_refused_on_save_keeping_the_form(
    app: FastAPI, client: httpx.AsyncClient, people: People
) -> None:
    app.dependency_overrides[app_partner_ids] = lambda: KnownPartnerIds(FAILING)
    await sign_in(client, people.platform_admin.email)
    refused = await post_form(client, "/organizations/new", reseller_form("9999999"))
    assert refused.status_code == 422
    page = Page(refused.text)
    assert "There seems to be a problem with the MPN ID 9999999" in field_error(page, "mpn_id")
    assert page.field("mpn_id")["value"] == "9999999"
    assert page.field("legal_name")["value"] == "Trey Research ApS"


async def test_partner_center_unreachable_on_save_keeps_what_was_typed(
    app: FastAPI, client: httpx.AsyncClient, people: People
) -> None:
    app.dependency_overrides[app_partner_ids] = lambda: KnownPartnerIds(FAILING)
    await sign_in(client, people.platform_admin.email)
    response = await post_form(client, "/organizations/new", reseller_form("7200001"))
    assert response.status_code == 503
    page = Page(response.text)
    assert "could not be reached" in field_error(page, "mpn_id")
    assert page.field("mpn_id")["value"] == "7200001"

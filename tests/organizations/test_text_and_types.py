"""Request bodies: hidden and control characters are refused by field and rule, types are strict,
and international text is kept as typed (composed)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import World, address, contact, organization_payload

URL = "/api/v1/organizations"
HIDDEN = [
    ("\u200b\u200b", "invisible_only"),
    ("Bell\x07", "control_character"),
    ("Delete\x7f", "control_character"),
    ("C1\u0085", "control_character"),
    ("Contoso\u202eSpA", "bidi_control"),
    ("\ufeffContoso", "byte_order_mark"),
    ("Contoso\nApS", "line_break"),
    ("Contoso \ufffd", "invalid_encoding"),
]


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [(e["field"], e["rule"]) for e in response.json()["errors"]]


@pytest.mark.parametrize(("value", "rule"), HIDDEN)
async def test_hidden_characters_are_refused_in_every_text_field(
    client: httpx.AsyncClient, world: World, value: str, rule: str
) -> None:
    body = organization_payload(
        legal_name=value,
        address=address(line1=value, city=value),
        primary_contact=contact(name=value),
        erp_id=value,
    )
    response = await client.post(URL, json=body, headers=world.platform.headers)
    assert sorted(errors_of(response)) == sorted(
        (field, rule)
        for field in (
            "legal_name",
            "address.line1",
            "address.city",
            "primary_contact.name",
            "erp_id",
        )
    )


async def test_reasons_token_names_and_invited_addresses_refuse_them_too(
    client: httpx.AsyncClient, world: World
) -> None:
    organization = f"{URL}/{world.customer_a.id}"
    block = await client.post(
        f"{organization}/block",
        json={"reason": "late\u202e payment"},
        headers=world.platform.headers,
    )
    token = await client.post(
        f"{organization}/api-tokens",
        json={"name": "\u200d\u2060", "role": "customer_user"},
        headers=world.customer_a.headers,
    )
    invitation = await client.post(
        f"{organization}/invitations",
        json={"email": "ann\u202e@example.com", "role": "customer_user"},
        headers=world.customer_a.headers,
    )
    assert errors_of(block) == [("reason", "bidi_control")]
    assert errors_of(token) == [("name", "invisible_only")]
    assert errors_of(invitation) == [("email", "bidi_control")]


async def test_a_reason_may_span_lines_and_is_measured_once_normalised(
    client: httpx.AsyncClient, world: World
) -> None:
    organization = f"{URL}/{world.customer_a.id}"
    too_long = await client.post(
        f"{organization}/block", json={"reason": "   " + "x" * 501}, headers=world.platform.headers
    )
    assert errors_of(too_long) == [("reason", "string_too_long")]
    # 1,000 code points as sent (decomposed accents), 500 characters once composed.
    reason = "  Unpaid invoices:\r\n" + "e\u0301" * 481 + "  "
    blocked = await client.post(
        f"{organization}/block", json={"reason": reason}, headers=world.platform.headers
    )
    assert blocked.status_code == 200, blocked.text
    assert blocked.json()["status_reason"] == "Unpaid invoices:\n" + "é" * 481


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expires_in_days": True}, "expires_in_days"),
        ({"expires_in_days": "5"}, "expires_in_days"),
        ({"expires_in_days": 5.5}, "expires_in_days"),
        ({"name": 42}, "name"),
    ],
)
async def test_token_fields_take_their_json_type_only(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], field: str
) -> None:
    response = await client.post(
        f"{URL}/{world.customer_a.id}/api-tokens",
        json={"name": "ERP", "role": "customer_user"} | body,
        headers=world.customer_a.headers,
    )
    assert [f for f, _ in errors_of(response)] == [field]


async def test_booleans_are_true_or_false_and_ids_stay_strings(
    client: httpx.AsyncClient, world: World
) -> None:
    config = await client.patch(
        "/api/v1/platform/config",
        json={"erp_id_required_for_orders": 0},
        headers=world.platform.headers,
    )
    assert errors_of(config) == [("erp_id_required_for_orders", "bool_type")]
    approve = await client.post(
        URL, json=organization_payload(approve="yes"), headers=world.platform.headers
    )
    assert errors_of(approve) == [("approve", "bool_type")]
    mpn = await client.post(
        URL,
        json=organization_payload(
            kind="reseller", mpn_id="\uff11\uff12\uff13\uff14\uff15\uff16\uff17"
        ),
        headers=world.platform.headers,
    )
    assert errors_of(mpn) == [("mpn_id", "string_pattern_mismatch")]
    created = await client.post(
        URL,
        json=organization_payload(parent_id=str(world.reseller_a.id)),
        headers=world.platform.headers,
    )
    assert created.status_code == 201, created.text


async def test_international_text_is_kept(client: httpx.AsyncClient, world: World) -> None:
    body = organization_payload(
        legal_name="  Société Générale 株式会社 ",
        display_name="شركة الأمل 🌍",
        address=address(line1="Ve\u0301sterbrogade 1", city="København"),
        primary_contact=contact(name="Zoë 👩\u200d💻 Åberg"),
    )
    response = await client.post(URL, json=body, headers=world.platform.headers)
    assert response.status_code == 201, response.text
    read = response.json()
    assert read["legal_name"] == "Société Générale 株式会社"
    assert read["display_name"] == "شركة الأمل 🌍"
    assert read["address"]["line1"] == "Vésterbrogade 1"
    assert read["primary_contact"]["name"] == "Zoë 👩\u200d💻 Åberg"

"""Partial updates (``XUpdate`` schemas): a field left out keeps its value, ``null`` clears only
the fields where clearing means something, and anywhere else is a 422 naming the field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tenantry.app import create_app
from tenantry.schemas import InputSchema, UpdateSchema, clearable_fields
from tenantry.settings import Settings
from tests.factories import World

URL = "/api/v1/organizations"


def _all_subclasses(cls: type[InputSchema]) -> set[type[InputSchema]]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def _update_schemas() -> list[type[InputSchema]]:
    create_app(Settings(environment="test", queue_url="memory://"))  # imports every router
    return sorted(
        (s for s in _all_subclasses(InputSchema) if s.__name__.endswith("Update")),
        key=lambda s: s.__name__,
    )


UPDATE_SCHEMAS = _update_schemas()


def test_every_update_schema_is_a_partial_update() -> None:
    assert UPDATE_SCHEMAS, "no XUpdate schemas found"
    assert [s.__name__ for s in UPDATE_SCHEMAS if not issubclass(s, UpdateSchema)] == []


@pytest.mark.parametrize("schema", UPDATE_SCHEMAS, ids=lambda s: s.__name__)
def test_null_is_refused_wherever_it_clears_nothing(schema: type[UpdateSchema]) -> None:
    for name in set(schema.model_fields) - clearable_fields(schema):
        errors = _errors(schema, {name: None})
        assert [(e["loc"], e["type"]) for e in errors] == [((name,), "not_null")], name
    for name in clearable_fields(schema):
        assert getattr(schema.model_validate({name: None}), name) is None


def _errors(schema: type[UpdateSchema], data: dict[str, Any]) -> list[Any]:
    try:
        schema.model_validate(data)
    except ValueError as exc:
        return list(exc.errors())  # type: ignore[attr-defined]
    return []


def test_the_published_schema_says_where_null_is_allowed(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    update = schemas["OrganizationUpdate"]["properties"]
    assert {"type": "null"} not in update["custom_properties"].get("anyOf", [])
    assert update["custom_properties"]["type"] == "object"
    assert {"type": "null"} in update["vat_id"]["anyOf"]
    assert "anyOf" not in schemas["PlatformConfigUpdate"]["properties"]["allowed_currencies"]


@pytest.mark.parametrize(
    "field", ["custom_properties", "segment_ids", "legal_name", "address", "preferred_currency"]
)
async def test_null_in_an_organization_edit_is_a_422_naming_the_field(
    client: httpx.AsyncClient, world: World, field: str
) -> None:
    url = f"{URL}/{world.customer_a.id}"
    before = await client.get(url, headers=world.platform.headers)
    response = await client.patch(
        url,
        json={field: None},
        headers=world.platform.headers | {"If-Match": before.headers["ETag"]},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {
            "field": field,
            "rule": "not_null",
            "message": "may not be null; leave the field out to keep its value",
        }
    ]
    after = await client.get(url, headers=world.platform.headers)
    assert after.json() == before.json()


async def test_null_clears_an_optional_detail(client: httpx.AsyncClient, world: World) -> None:
    url = f"{URL}/{world.customer_a.id}"
    set_ = await client.patch(url, json={"erp_id": "E-1"}, headers=world.platform.headers)
    assert set_.json()["erp_id"] == "E-1"
    cleared = await client.patch(url, json={"erp_id": None}, headers=world.platform.headers)
    assert cleared.status_code == 200
    assert cleared.json()["erp_id"] is None


async def test_null_in_the_platform_rules_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.patch(
        "/api/v1/platform/config",
        json={"allowed_currencies": None},
        headers=world.platform.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "allowed_currencies"

"""A service may name properties in another case than Microsoft documents (``CompanyName``,
``companyname``) and add properties of its own: each object of a page is read by its own names,
whatever the objects before it used."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from tenantry.partnercenter.models.customers import Customer, CustomerPage

TENANT = "b44bb1fb-c595-45b0-9e09-d657365580bf"


def customer(names: dict[str, str], **extra: Any) -> dict[str, Any]:
    """One customer of the list, its property names spelled by ``names``."""
    return {
        names["id"]: TENANT,
        names["companyProfile"]: {
            names["tenantId"]: TENANT,
            names["domain"]: "contoso.onmicrosoft.com",
            names["companyName"]: "Contoso Ltd",
        },
        names["relationshipToPartner"]: "reseller",
        **extra,
    }


DOCUMENTED = {name: name for name in
              ("id", "companyProfile", "tenantId", "domain", "companyName", "relationshipToPartner")}  # fmt: skip
PASCAL = {name: name[0].upper() + name[1:] for name in DOCUMENTED}
LOWER = {name: name.lower() for name in DOCUMENTED}


def read(item: Customer) -> tuple[object, ...]:
    profile = item.company_profile
    assert profile is not None
    return (item.id, profile.tenant_id, profile.domain, profile.company_name,
            item.relationship_to_partner)  # fmt: skip


def test_every_object_of_a_page_is_read_by_its_own_names() -> None:
    items = [
        customer(DOCUMENTED),
        customer(PASCAL),
        customer(DOCUMENTED, newProperty={"nested": True}),
        customer(LOWER),
        customer(DOCUMENTED),
        customer(PASCAL, NewProperty=1),
    ]
    page = TypeAdapter(CustomerPage).validate_python({"totalCount": len(items), "items": items})

    expected = (TENANT, TENANT, "contoso.onmicrosoft.com", "Contoso Ltd", "reseller")
    assert [read(item) for item in page.items] == [expected] * len(items)


def test_a_name_the_model_does_not_know_is_ignored_in_any_case() -> None:
    item = Customer.model_validate(customer(DOCUMENTED, COMPANYNAME="Not a property here"))

    assert read(item)[3] == "Contoso Ltd"
    assert "COMPANYNAME" not in item.model_dump()

"""Shared helpers of the page tests: filled-in forms and what a list page shows."""

from __future__ import annotations

import re

import httpx

from tests.web.html import Page

ORGANIZATION_LINK = re.compile(r"^/organizations/[0-9a-f-]{36}$")


def listed(page: Page) -> list[str]:
    """The organizations a list page shows, by name, in order."""
    return [e.text for e in page.find_all("a") if ORGANIZATION_LINK.match(e.get("href") or "")]


def customer_form(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    """The create form as a person fills it in for a Danish customer."""
    return {
        "kind": "customer",
        "legal_name": "Fabrikam ApS",
        "vat_id": "DK13585628",
        "address.line1": "Nørregade 1",
        "address.city": "Copenhagen",
        "address.postal_code": "1165",
        "address.country": "DK",
        "primary_contact.name": "Ada Admin",
        "primary_contact.email": "ada@example.com",
        "primary_contact.phone": "+45 33 12 34 56",
        "preferred_currency": "EUR",
    } | overrides


def location_id(response: httpx.Response) -> str:
    """The organization id a redirect after a write points at."""
    match = re.match(r"^/organizations/([0-9a-f-]{36})", response.headers["location"])
    assert match, response.headers.get("location")
    return match.group(1)


def field_error(page: Page, name: str, prefix: str = "") -> str:
    """The error shown beside a field, checking the field points at it for screen readers."""
    field = page.field(name) if not prefix else page.by_id(f"f-{prefix}{name}")
    error_id = f"f-{prefix}{name.replace('.', '-')}-error"
    assert field.get("aria-invalid") == "true", f"{name} is not marked invalid"
    assert error_id in (field.get("aria-describedby") or "").split()
    return page.by_id(error_id).text.removeprefix("Error: ")

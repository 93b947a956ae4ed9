"""Role templates and the relationship's display name keep Microsoft's rules."""

from __future__ import annotations

import uuid

import pytest

from tenantry.errors import ValidationFailed
from tenantry.models import Organization
from tenantry.tenants.gdap.schemas import GdapRelationshipCreate
from tenantry.tenants.gdap.service import display_name
from tenantry.tenants.gdap.templates import TEMPLATES, checked


def test_only_full_administration_refuses_auto_extend() -> None:
    assert [t.key for t in TEMPLATES.values() if not t.allows_auto_extend] == [
        "full_administration"
    ]
    with pytest.raises(ValidationFailed) as refused:
        checked("full_administration", 0, True)
    assert [(e.field, e.rule) for e in refused.value.errors] == [
        ("duration_days", "range"),
        ("auto_extend", "not_with_global_administrator"),
    ]


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_display_names_fit_in_50_characters_and_differ_by_request(template: str) -> None:
    requester = Organization(id=uuid.uuid4(), display_name="A" * 200)
    customer = Organization(id=uuid.uuid4(), display_name="Contoso")
    data = GdapRelationshipCreate(template=template, duration_days=730)  # type: ignore[arg-type]
    first = display_name(requester, customer, data, "2026-12-05")
    assert len(first) <= 50 and TEMPLATES[template].short in first
    assert display_name(requester, customer, data, "2026-12-05") == first
    assert display_name(requester, customer, data, "2026-12-06") != first

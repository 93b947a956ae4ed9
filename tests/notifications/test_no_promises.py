"""Pages and emails say what Tenantry does now: orders are recorded and shown to the seller;
nothing is provisioned with Microsoft and no tenant is connected yet, so no template says so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "tenantry"
TEMPLATES = sorted(
    [*(SRC / "notifications" / "templates").iterdir(), *(SRC / "web" / "templates").rglob("*.html")]
)
# What the flows still to come (tenants, agreements, orders sent to Microsoft) will do.
NOT_YET = re.compile(
    r"provision|connected to a Microsoft tenant|(places?|sends?) (it|the order|orders) "
    r"(with|to) (Microsoft|Partner Center)",
    re.IGNORECASE,
)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_promises_what_tenantry_does_not_do_yet(template: Path) -> None:
    text = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.DOTALL)
    found = NOT_YET.search(text)
    assert found is None, f"{template.name} says {found.group(0)!r}"

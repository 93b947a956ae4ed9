"""Pages and emails say what Tenantry does now. It does not yet schedule a subscription's changes
for its renewal, refund a card payment, or charge a card again each billing period (the README's
"not yet"), so no template promises any of these."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "tenantry"
TEMPLATES = sorted(
    [*(SRC / "notifications" / "templates").iterdir(), *(SRC / "web" / "templates").rglob("*.html")]
)
# What the flows still to come (scheduled renewal changes, refunds, recurring card charges) will do.
NOT_YET = re.compile(
    r"refund|(at|for|from) (the|its|your) (next )?renewal,? (the|its|your) (quantity|term)"
    r"|scheduled (change|for (the|its) renewal)|charged? (your|the) card (again|each|every)"
    r"|recurring (card )?(charge|payment)",
    re.IGNORECASE,
)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_promises_what_tenantry_does_not_do_yet(template: Path) -> None:
    text = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.DOTALL)
    found = NOT_YET.search(text)
    assert found is None, f"{template.name} says {found.group(0)!r}"

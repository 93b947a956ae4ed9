"""An order's lines as Partner Center cart lines: catalog item, quantity, term, billing cycle.

Lines placed from the Partner Center catalog carry their ``catalog_item_id``
(``product:sku:availability``) and ``billing_cycle``. Lines placed before carry only Microsoft's
``product:sku`` and a term: :func:`catalog_item_of` reads the SKU's availabilities in the
customer's market through the client and takes the one selling that term and billing cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.errors import NotFound
from tenantry.partnercenter.models.base import KeyValuePair
from tenantry.partnercenter.models.commerce import CartLineItem

# Partner Center's name for the indirect reseller of record on a cart line.
RESELLER_OF_RECORD = "transaction_reseller"
DEFAULT_BILLING_CYCLE = "monthly"


@dataclass(frozen=True)
class PurchaseLine:
    catalog_item_id: str
    title: str
    quantity: int
    term: str
    billing_cycle: str

    def as_json(self) -> dict[str, Any]:
        return {
            "catalog_item_id": self.catalog_item_id, "title": self.title,
            "quantity": self.quantity, "term": self.term, "billing_cycle": self.billing_cycle,
        }  # fmt: skip

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> PurchaseLine:
        return cls(
            str(value["catalog_item_id"]), str(value["title"]), int(value["quantity"]),
            str(value["term"]), str(value["billing_cycle"]),
        )  # fmt: skip


class OfferNotSold(Exception):
    """No availability of the SKU sells the line's term and billing cycle in the market."""


def _same(a: str | None, b: str) -> bool:
    return (a or "").replace("_", "").lower() == b.replace("_", "").lower()


async def catalog_item_of(
    client: PartnerCenterClient, line: dict[str, Any], country: str, billing_cycle: str
) -> str:
    """The catalog item id of a line that has none: its SKU's availability selling its term and
    billing cycle in ``country``."""
    product_id, sku_id = str(line["offer_id"]).split(":")[:2]
    term = str(line["term"])
    try:
        availabilities = await client.list_availabilities(product_id, sku_id, country)
    except NotFound as exc:
        said = (exc.description or "not found").rstrip(".")
        raise OfferNotSold(f"{line.get('title') or line['offer_id']}: {said}") from exc
    for availability in availabilities:
        if availability.is_purchasable is False:
            continue
        if any(
            _same(t.duration, term)
            and (not t.billing_cycle or _same(t.billing_cycle, billing_cycle))
            for t in availability.terms
        ):
            return availability.catalog_item_id or f"{product_id}:{sku_id}:{availability.id}"
    raise OfferNotSold(
        f"{line.get('title') or line['offer_id']} is not sold in {country} for the term {term} "
        f"billed {billing_cycle}"
    )


async def purchase_lines(
    client: PartnerCenterClient, lines: list[dict[str, Any]], country: str
) -> list[PurchaseLine]:
    found: list[PurchaseLine] = []
    for line in lines:
        cycle = str(line.get("billing_cycle") or DEFAULT_BILLING_CYCLE)
        item = line.get("catalog_item_id") or await catalog_item_of(client, line, country, cycle)
        title = str(line.get("title") or item)
        found.append(
            PurchaseLine(str(item), title, int(line["quantity"]), str(line["term"]), cycle)
        )
    return found


def cart_line(number: int, line: PurchaseLine, reseller_mpn_id: str | None) -> CartLineItem:
    participants = (
        [KeyValuePair(key=RESELLER_OF_RECORD, value=reseller_mpn_id)] if reseller_mpn_id else None
    )
    return CartLineItem(
        id=number,
        catalog_item_id=line.catalog_item_id,
        quantity=line.quantity,
        term_duration=line.term,
        billing_cycle=line.billing_cycle,
        participants=participants,
    )

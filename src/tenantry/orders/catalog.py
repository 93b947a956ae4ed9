"""The offers a storefront shows.

Until the catalog is read from Partner Center, this is a small fixed catalog of Microsoft's
new-commerce license offers, with Microsoft's product and SKU ids (``product:sku``) so that carts
and orders made now keep pointing at the same offers later. Prices are list prices per license
per month on a one-year term (a monthly term costs 20% more, as in new commerce), in the
currencies below.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tenantry.errors import NotFound

TERMS: dict[str, str] = {"P1Y": "1 year, billed monthly", "P1M": "1 month"}
DEFAULT_TERM = "P1Y"
MONTHLY_TERM_PREMIUM = Decimal("1.2")
CENT = Decimal("0.01")
BASE_CURRENCY = "USD"
# Local list prices follow the US price by these factors (rounded to whole cents).
CURRENCY_FACTORS: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "EUR": Decimal("0.94"),
    "GBP": Decimal("0.79"),
    "DKK": Decimal("7.05"),
    "SEK": Decimal("10.90"),
    "NOK": Decimal("11.10"),
    "CHF": Decimal("0.90"),
    "CAD": Decimal("1.38"),
    "AUD": Decimal("1.52"),
}


@dataclass(frozen=True)
class Offer:
    id: str  # Microsoft's product:sku
    title: str
    summary: str
    usd_monthly_price: Decimal
    minimum_quantity: int = 1
    maximum_quantity: int = 300

    @property
    def slug(self) -> str:
        """The offer's id as it appears in addresses (``CFQ7TTC0LH18-0001``)."""
        return self.id.replace(":", "-")

    def currency_for(self, preferred: str | None) -> str:
        return preferred if preferred in CURRENCY_FACTORS else BASE_CURRENCY

    def unit_price(self, currency: str, term: str) -> Decimal:
        """The price of one license for one month, in ``currency`` (one the catalog prices in)."""
        price = self.usd_monthly_price * CURRENCY_FACTORS[currency]
        if term == "P1M":
            price *= MONTHLY_TERM_PREMIUM
        return price.quantize(CENT)


OFFERS: tuple[Offer, ...] = (
    Offer(
        "CFQ7TTC0LH18:0001",
        "Microsoft 365 Business Basic",
        "Professional email, cloud file storage, and online meetings and chat, with web and "
        "mobile versions of the Office apps. For businesses with up to 300 employees.",
        Decimal("6.00"),
    ),
    Offer(
        "CFQ7TTC0LDPB:0001",
        "Microsoft 365 Business Standard",
        "Everything in Business Basic, plus the desktop Office apps, webinars and collaborative "
        "workspaces. For businesses with up to 300 employees.",
        Decimal("12.50"),
    ),
    Offer(
        "CFQ7TTC0LCHC:0001",
        "Microsoft 365 Business Premium",
        "Everything in Business Standard, plus advanced security, access and data control, and "
        "cyberthreat protection. For businesses with up to 300 employees.",
        Decimal("22.00"),
    ),
    Offer(
        "CFQ7TTC0LFLX:0001",
        "Microsoft 365 E3",
        "Office apps, email, file storage, device management and information protection for "
        "organizations of any size.",
        Decimal("36.00"),
        maximum_quantity=10000,
    ),
    Offer(
        "CFQ7TTC0LH16:0001",
        "Exchange Online (Plan 1)",
        "Business email with a 50 GB mailbox, calendar and contacts.",
        Decimal("4.00"),
        maximum_quantity=10000,
    ),
    Offer(
        "CFQ7TTC0RK8P:0001",
        "Microsoft Teams Essentials",
        "Online meetings, chat and file sharing for small businesses.",
        Decimal("4.00"),
    ),
)
_BY_SLUG = {offer.slug: offer for offer in OFFERS}
_BY_ID = {offer.id: offer for offer in OFFERS}


def offer_by_slug(slug: str) -> Offer:
    offer = _BY_SLUG.get(slug)
    if offer is None:
        raise NotFound(f"there is no offer {slug} in the catalog")
    return offer


def offer_by_id(offer_id: str) -> Offer | None:
    return _BY_ID.get(offer_id)

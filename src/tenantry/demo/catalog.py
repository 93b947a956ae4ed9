"""The demo platform's price list and markups, so the store sells at once in ``make run``.

The catalog itself is read from the embedded sandbox by the first refresh (within a minute of
starting); these are the platform's prices for its paid SKUs, set by the platform's admin as
staff would. List prices follow Microsoft's US prices per license per month on a one-year term;
a one-month term costs 20% more (as in new commerce), a year billed annually twelve months, and
other currencies follow by fixed factors. The cost (what the platform pays) is 15% below.
Education customers get 10% off; Fabrikam adds 5% for its customers.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.orders.catalog import markups, prices
from tenantry.orders.catalog.schemas import (
    MarkupsReplacement,
    PriceSet,
    ResellerMarkup,
    SegmentMarkup,
)
from tenantry.security import Actor

CENT = Decimal("0.01")
# Per license per month on a one-year term, in US dollars; True: also sold on three years.
US_PRICES: dict[str, tuple[str, bool]] = {
    "CFQ7TTC0LH18:0001": ("6.00", False),  # Microsoft 365 Business Basic
    "CFQ7TTC0LDPB:0001": ("12.50", False),  # Microsoft 365 Business Standard
    "CFQ7TTC0LCHC:0001": ("22.00", True),  # Microsoft 365 Business Premium
    "CFQ7TTC0LFLX:0001": ("36.00", True),  # Microsoft 365 E3
    "CFQ7TTC0LFLZ:0002": ("57.00", True),  # Microsoft 365 E5
    "CFQ7TTC0LH16:0001": ("4.00", False),  # Exchange Online (Plan 1)
    "CFQ7TTC0RK8P:0001": ("4.00", False),  # Microsoft Teams Essentials
}
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
# (term, billing cycle): months paid per billing period, and the premium on the monthly price.
PLANS: dict[tuple[str, str], tuple[int, Decimal]] = {
    ("P1M", "monthly"): (1, Decimal("1.2")),
    ("P1Y", "monthly"): (1, Decimal("1")),
    ("P1Y", "annual"): (12, Decimal("1")),
    ("P3Y", "monthly"): (1, Decimal("1")),
    ("P3Y", "annual"): (12, Decimal("1")),
}
COST_SHARE = Decimal("0.85")
SEGMENT_MARKUPS = {"Education": Decimal("-10")}
RESELLER_MARKUPS = {"fabrikam": Decimal("5")}


def price_list(currencies: list[str]) -> list[PriceSet]:
    """The demo prices in each of ``currencies`` the demo has a factor for."""
    entries = []
    for offer_id, (usd, three_years) in US_PRICES.items():
        for (term, cycle), (months, premium) in PLANS.items():
            if term == "P3Y" and not three_years:
                continue
            for currency in currencies:
                factor = CURRENCY_FACTORS.get(currency)
                if factor is None:
                    continue
                monthly = (Decimal(usd) * factor * premium).quantize(CENT, ROUND_HALF_UP)
                list_price = monthly * months
                cost = (list_price * COST_SHARE).quantize(CENT, ROUND_HALF_UP)
                entries.append(
                    PriceSet.model_validate(
                        {
                            "offer_id": offer_id, "term": term, "billing_cycle": cycle,
                            "currency": currency, "list_price": list_price, "cost": cost,
                        }
                    )
                )  # fmt: skip
    return entries


async def load(
    session: AsyncSession,
    admin: Actor,
    currencies: list[str],
    segment_ids: dict[str, uuid.UUID],
    reseller_ids: dict[str, uuid.UUID],
) -> None:
    """Set the demo prices and markups as the platform's admin."""
    await prices.set_prices(session, admin, price_list(currencies), source="demo data")
    await markups.replace_markups(
        session,
        admin,
        MarkupsReplacement.model_construct(
            segments=[
                SegmentMarkup.model_construct(segment_id=segment_ids[name], percent=percent)
                for name, percent in SEGMENT_MARKUPS.items()
                if name in segment_ids
            ],
            resellers=[
                ResellerMarkup.model_construct(organization_id=reseller_ids[key], percent=percent)
                for key, percent in RESELLER_MARKUPS.items()
                if key in reseller_ids
            ],
        ),
    )

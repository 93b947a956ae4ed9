"""The sandbox's Microsoft catalog: a small, realistic slice of what a CSP partner can buy.

New commerce (``OnlineServicesNCE``) license products with Microsoft's product ids, one
purchasable SKU each plus trial SKUs for the Business suites, and one availability per SKU with
one-month and one-year terms (and a three-year term for Business Premium, E3 and E5). The catalog item ids ``CFQ7TTC0LH18:0001:CFQ7TTC0K971`` and
``CFQ7TTC0LFLZ:0002:CFQ7TTC0K4TS`` are the documented samples'; the other availability ids and the
trial SKU ids follow the same pattern but are the sandbox's own (Microsoft reissues availability
ids regularly, so clients must read them from the catalog anyway).

Each SKU's ``provisioning_id`` is the Microsoft license SKU GUID it provisions (the
``dynamicAttributes.provisioningId`` Partner Center shows); buying it adds units to the customer's
subscribed SKU of that GUID.

Legacy offers (``/v1/customers/{id}/orders`` with a GUID ``offerId``) are listed separately: the
Microsoft Azure usage offer, a license offer with an add-on, and a trial that converts to paid,
as the documented subscription and conversion samples show them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

# One-year commitments are the list price; a monthly commitment costs 20% more (Microsoft's
# published new-commerce premium).
MONTHLY_TERM_PREMIUM = Decimal("1.2")
# Seats can be reduced, and a purchase cancelled, during the first 168 hours (7 days).
REFUND_WINDOW_HOURS = 168
TRIAL_TERM = "P1M"


@dataclass(frozen=True)
class CatalogSku:
    id: str
    title: str
    description: str
    availability_id: str
    # Price of one license per month on a one-year term, in the market's currency.
    monthly_price: Decimal
    provisioning_id: uuid.UUID
    minimum_quantity: int = 1
    maximum_quantity: int = 300
    is_trial: bool = False
    # ``product:sku`` this SKU can be transitioned (upgraded) to.
    upgrade_targets: tuple[str, ...] = ()
    # For a trial: the paid ``product:sku`` it converts to.
    converts_to: str | None = None
    # Offers the three-year term besides one month and one year.
    three_years: bool = False

    @property
    def term_durations(self) -> tuple[str, ...]:
        if self.is_trial:
            return (TRIAL_TERM,)
        return ("P1M", "P1Y", "P3Y") if self.three_years else ("P1M", "P1Y")


@dataclass(frozen=True)
class CatalogProduct:
    id: str
    title: str
    description: str
    skus: tuple[CatalogSku, ...]
    product_type: str = "OnlineServicesNCE"
    publisher_name: str = "Microsoft Corporation"


OfferKind = Literal["license", "usage", "addon", "trial"]


@dataclass(frozen=True)
class LegacyOffer:
    id: str
    name: str
    kind: OfferKind
    provisioning_id: uuid.UUID | None
    minimum_quantity: int = 1
    maximum_quantity: int = 300
    # Add-ons: the offers whose subscriptions they can be bought for.
    parent_offer_ids: tuple[str, ...] = ()
    # Trials: the paid offer they convert to.
    conversion_target: str | None = None

    @property
    def unit_type(self) -> str:
        return "Usage-based" if self.kind == "usage" else "Licenses"

    @property
    def billing_type(self) -> str:
        return "usage" if self.kind == "usage" else "license"


def _sku(
    sku_id: str,
    title: str,
    availability_id: str,
    price: str,
    provisioning_id: str,
    description: str,
    *,
    maximum_quantity: int = 300,
    is_trial: bool = False,
    upgrade_targets: tuple[str, ...] = (),
    converts_to: str | None = None,
    three_years: bool = False,
) -> CatalogSku:
    return CatalogSku(
        id=sku_id,
        title=title,
        description=description,
        availability_id=availability_id,
        monthly_price=Decimal(price),
        provisioning_id=uuid.UUID(provisioning_id),
        maximum_quantity=maximum_quantity,
        is_trial=is_trial,
        upgrade_targets=upgrade_targets,
        converts_to=converts_to,
        three_years=three_years,
    )


BASIC, STANDARD, PREMIUM = "CFQ7TTC0LH18", "CFQ7TTC0LDPB", "CFQ7TTC0LCHC"
E3, E5, EXCHANGE_P1, TEAMS_ESSENTIALS = (
    "CFQ7TTC0LFLX",
    "CFQ7TTC0LFLZ",
    "CFQ7TTC0LH16",
    "CFQ7TTC0RK8P",
)
BASIC_ID = "3b555118-da6a-4418-894f-7df1e2096870"
STANDARD_ID = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"
PREMIUM_ID = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"
E3_PAID, E5_PAID = f"{E3}:0001", f"{E5}:0002"
BASIC_TEXT = (
    "Best for businesses that need professional email, cloud file storage, and online meetings "
    "& chat. Desktop versions of Office apps like Excel, Word, and PowerPoint not included. For "
    "businesses with up to 300 employees."
)
STANDARD_TEXT = (
    "Everything in Business Basic, plus desktop versions of Office apps with premium features, "
    "webinars and collaborative workspaces. For businesses with up to 300 employees."
)
PREMIUM_TEXT = (
    "Everything in Business Standard, plus advanced security, access and data control, and "
    "cyberthreat protection. For businesses with up to 300 employees."
)
TRIAL_TEXT = "One-month trial for up to 25 users, converting to the paid subscription."

PRODUCTS: tuple[CatalogProduct, ...] = (
    CatalogProduct(
        BASIC,
        "Microsoft 365 Business Basic",
        BASIC_TEXT,
        (
            _sku(
                "0001", "Microsoft 365 Business Basic", "CFQ7TTC0K971", "6.00", BASIC_ID,
                BASIC_TEXT,
                upgrade_targets=(f"{STANDARD}:0001", f"{PREMIUM}:0001", E3_PAID, E5_PAID),
            ),
            _sku(
                "0002", "Microsoft 365 Business Basic Trial", "CFQ7TTC0SDL3", "0", BASIC_ID,
                TRIAL_TEXT, maximum_quantity=25, is_trial=True, converts_to=f"{BASIC}:0001",
            ),
        ),
    ),
    CatalogProduct(
        STANDARD,
        "Microsoft 365 Business Standard",
        STANDARD_TEXT,
        (
            _sku(
                "0001", "Microsoft 365 Business Standard", "CFQ7TTC0K5DN", "12.50", STANDARD_ID,
                STANDARD_TEXT, upgrade_targets=(f"{PREMIUM}:0001", E3_PAID, E5_PAID),
            ),
            _sku(
                "0002", "Microsoft 365 Business Standard Trial", "CFQ7TTC0TR5S", "0",
                STANDARD_ID, TRIAL_TEXT, maximum_quantity=25, is_trial=True,
                converts_to=f"{STANDARD}:0001",
            ),
        ),
    ),
    CatalogProduct(
        PREMIUM,
        "Microsoft 365 Business Premium",
        PREMIUM_TEXT,
        (
            _sku(
                "0001", "Microsoft 365 Business Premium", "CFQ7TTC0K5BD", "22.00", PREMIUM_ID,
                PREMIUM_TEXT, upgrade_targets=(E3_PAID, E5_PAID), three_years=True,
            ),
            _sku(
                "0002", "Microsoft 365 Business Premium Trial", "CFQ7TTC0TR6P", "0", PREMIUM_ID,
                TRIAL_TEXT, maximum_quantity=25, is_trial=True, converts_to=f"{PREMIUM}:0001",
            ),
        ),
    ),
    CatalogProduct(
        E3,
        "Microsoft 365 E3",
        "Productivity apps, intelligent cloud services and enterprise-grade security.",
        (
            _sku(
                "0001", "Microsoft 365 E3", "CFQ7TTC0K4KB", "36.00",
                "05e9a617-0261-4cee-bb44-138d3ef5d965",
                "Microsoft 365 E3 for enterprises.", maximum_quantity=50_000,
                upgrade_targets=(E5_PAID,), three_years=True,
            ),
        ),
    ),
    CatalogProduct(
        E5,
        "Microsoft 365 E5",
        "Everything in E3, plus advanced security, compliance, voice and analytics.",
        (
            _sku(
                "0002", "Microsoft 365 E5", "CFQ7TTC0K4TS", "57.00",
                "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
                "Microsoft 365 E5 for enterprises.", maximum_quantity=50_000, three_years=True,
            ),
        ),
    ),
    CatalogProduct(
        EXCHANGE_P1,
        "Exchange Online (Plan 1)",
        "Business-class email with a 50 GB mailbox per user.",
        (
            _sku(
                "0001", "Exchange Online (Plan 1)", "CFQ7TTC0K55X", "4.00",
                "4b9405b0-7788-4568-add1-99614e613b69",
                "Exchange Online (Plan 1) mailboxes.", maximum_quantity=50_000,
                upgrade_targets=(f"{BASIC}:0001", f"{STANDARD}:0001", f"{PREMIUM}:0001"),
            ),
        ),
    ),
    CatalogProduct(
        TEAMS_ESSENTIALS,
        "Microsoft Teams Essentials",
        "Online meetings, chat and file storage for small businesses.",
        (
            _sku(
                "0001", "Microsoft Teams Essentials", "CFQ7TTC0RK9B", "4.00",
                "fde42873-30b6-436b-b361-21af5a6b84ae",
                "Microsoft Teams Essentials for up to 300 users.",
                upgrade_targets=(f"{BASIC}:0001", f"{STANDARD}:0001"),
            ),
        ),
    ),
)  # fmt: skip

EXCHANGE_P1_OFFER = "195416C1-3447-423A-B37B-EE59A99A19C4"
BUSINESS_PREMIUM_OFFER = "031C9E47-4802-4248-838E-778FB1D2CC05"

LEGACY_OFFERS: tuple[LegacyOffer, ...] = (
    LegacyOffer("MS-AZR-0145P", "Microsoft Azure", "usage", None, 1, 1),
    LegacyOffer(
        EXCHANGE_P1_OFFER,
        "Exchange Online (Plan 1)",
        "license",
        uuid.UUID("4b9405b0-7788-4568-add1-99614e613b69"),
        maximum_quantity=10_000,
    ),
    LegacyOffer(
        "2828BE95-46BA-4F91-B2FD-0BEF192ECF60",
        "Exchange Online Archiving for Exchange Online",
        "addon",
        None,
        maximum_quantity=10_000,
        parent_offer_ids=(EXCHANGE_P1_OFFER,),
    ),
    LegacyOffer(
        "C0BD2E08-11AC-4836-BDC7-3712E744922F",
        "Office 365 Business Premium Trial",
        "trial",
        uuid.UUID(STANDARD_ID),
        maximum_quantity=25,
        conversion_target=BUSINESS_PREMIUM_OFFER,
    ),
    LegacyOffer(
        BUSINESS_PREMIUM_OFFER, "Office 365 Business Premium", "license", uuid.UUID(STANDARD_ID)
    ),
)

# Currency of each market the sandbox sells in. Prices are the same numbers everywhere: the
# sandbox does not convert currencies.
CURRENCIES: dict[str, tuple[str, str]] = {
    "US": ("USD", "$"),
    "CA": ("CAD", "$"),
    "GB": ("GBP", "£"),
    "DE": ("EUR", "€"),
    "FR": ("EUR", "€"),
    "NL": ("EUR", "€"),
    "IE": ("EUR", "€"),
    "FI": ("EUR", "€"),
    "DK": ("DKK", "kr."),
    "NO": ("NOK", "kr"),
    "CH": ("CHF", "CHF"),
    "AU": ("AUD", "$"),
    "IN": ("INR", "₹"),
    "BR": ("BRL", "R$"),
    "PL": ("PLN", "zł"),
    "SE": ("SEK", "kr"),
}

"""The demo data set: a distributor, three resellers, 25 customers (and a duplicate of one to
merge) and a login for every role.

Every value passes the same validation as the API (VAT IDs with valid check digits, E.164 phones,
postal codes in the country's format). Domains and email addresses use the reserved ``.example``
top-level domain, so none of them belongs to anyone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from tenantry.models import Role

DEMO_PASSWORD = "tenantry-demo"  # noqa: S105 - printed for people trying the product
# The distributor matches the Partner Center sandbox's default partner account, so the demo platform
# can be connected to the sandbox without changing any setting.
PLATFORM_NAME = "Northwind Distribution A/S"
PLATFORM_MPN_ID = "4391507"
PLATFORM_TENANT_ID = uuid.UUID("3b33e682-00c3-41ee-9dd2-a548adf56438")
PLATFORM_DOMAIN = "northwind.example"
# The demo resellers' partner tenant ids by MPN ID: the embedded sandbox seeds these resellers
# in the distributor's network with the same ids (tenantry_sandbox.seed_data.DEMO_RESELLERS).
RESELLER_TENANT_IDS = {
    "5120431": uuid.UUID("6f1c2a52-51d0-4b51-9a5e-0c4e2f5a1431"),
    "5120432": uuid.UUID("6f1c2a52-51d0-4b51-9a5e-0c4e2f5a1432"),
    "5120433": uuid.UUID("6f1c2a52-51d0-4b51-9a5e-0c4e2f5a1433"),
}

SEGMENTS = {
    "SMB": "Small and medium businesses",
    "Enterprise": "Enterprise customers with a named account manager",
    "Education": "Schools, colleges and universities",
}
CUSTOM_PROPERTY = ("account_manager", "Account manager")

Status = Literal["active", "pending", "blocked"]


@dataclass(frozen=True)
class DemoOrganization:
    key: str
    legal_name: str
    country: str
    city: str
    line1: str
    postal_code: str
    vat_id: str | None
    phone: str
    contact: str
    currency: str
    industry: str
    segment: str | None = None
    region: str | None = None
    mpn_id: str | None = None
    # The reseller key a customer belongs to; None for the platform's direct customers.
    reseller: str | None = None
    status: Status = "active"
    status_reason: str | None = None
    # The domain when it is not ``<key>.example`` (a duplicate shares another's).
    own_domain: str | None = None

    @property
    def domain(self) -> str:
        return self.own_domain or f"{self.key}.example"

    @property
    def contact_email(self) -> str:
        first = self.contact.split()[0].lower()
        return f"{first}@{self.domain}"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: Role
    organization: str  # an organization key, or "platform"


RESELLERS = (
    DemoOrganization(
        "fabrikam", "Fabrikam Cloud Partners ApS", "DK", "Aarhus", "Åboulevarden 22", "8000",
        "DK29189595", "+4586123456", "Freja Madsen", "DKK", "information_technology",
        mpn_id="5120431",
    ),
    DemoOrganization(
        "litware", "Litware Solutions AB", "SE", "Stockholm", "Kungsgatan 12", "111 43",
        "SE556600000501", "+46812345678", "Linnea Berg", "SEK", "information_technology",
        mpn_id="5120432",
    ),
    DemoOrganization(
        "adatum", "Adatum IT Services Ltd", "GB", "London", "14 Bishopsgate", "EC2N 4AJ",
        "GB314000000", "+442071234567", "Amelia Clarke", "GBP", "information_technology",
        mpn_id="5120433",
    ),
)  # fmt: skip

_O = DemoOrganization
CUSTOMERS = (
    # Fabrikam's customers, mostly in Denmark.
    _O("contoso", "Contoso Retail A/S", "DK", "Copenhagen", "Vesterbrogade 10", "1620",
       "DK29252947", "+4533123456", "Carla Nielsen", "DKK", "retail", "SMB", reseller="fabrikam"),
    _O("tailspintoys", "Tailspin Toys ApS", "DK", "Odense", "Kongensgade 40", "5000",
       "DK29300461", "+4566123456", "Tobias Holm", "DKK", "retail", "SMB", reseller="fabrikam"),
    _O("alpineskihouse", "Alpine Ski House ApS", "DK", "Aalborg", "Boulevarden 7", "9000",
       "DK29340056", "+4598123456", "Anna Krog", "EUR", "hospitality", "SMB", reseller="fabrikam"),
    _O("bellowscollege", "Bellows College", "DK", "Aarhus", "Nordre Ringgade 1", "8000",
       "DK29355894", "+4586201020", "Bent Winther", "DKK", "education", "Education",
       reseller="fabrikam"),
    _O("cohowinery", "Coho Winery ApS", "DK", "Vejle", "Dæmningen 12", "7100", "DK29395489",
       "+4575123456", "Camilla Bak", "DKK", "agriculture", "SMB", reseller="fabrikam",
       status="pending"),
    _O("fourthcoffee", "Fourth Coffee GmbH", "DE", "Hamburg", "Mönckebergstraße 7", "20095",
       "DE812345000", "+494012345678", "Felix Wagner", "EUR", "hospitality", "SMB",
       reseller="fabrikam"),
    _O("nodpublishers", "Nod Publishers AS", "NO", "Oslo", "Karl Johans gate 20", "0159",
       "NO912320014MVA", "+4722123456", "Nora Haugen", "NOK", "media", "SMB", reseller="fabrikam"),
    _O("woodgrovebank", "Woodgrove Bank A/S", "DK", "Copenhagen", "Holmens Kanal 2", "1060",
       "DK29561788", "+4533150000", "William Kjær", "DKK", "finance", "Enterprise",
       reseller="fabrikam"),
    # Litware's customers in Sweden, Finland and Norway.
    _O("proseware", "Proseware AB", "SE", "Gothenburg", "Kungsportsavenyen 5", "411 36",
       "SE556601049101", "+46317001000", "Per Ek", "SEK", "information_technology", "SMB",
       reseller="litware"),
    _O("lucernepublishing", "Lucerne Publishing AB", "SE", "Malmö", "Stortorget 3", "211 22",
       "SE556602098701", "+46406001000", "Lena Sjöberg", "SEK", "media", "SMB", reseller="litware"),
    _O("treyresearch", "Trey Research AB", "SE", "Uppsala", "Dragarbrunnsgatan 46", "753 20",
       "SE556603147101", "+46181234567", "Tove Lind", "SEK", "healthcare", "Enterprise",
       reseller="litware"),
    _O("graphicdesigninstitute", "Graphic Design Institute", "SE", "Stockholm",
       "Valhallavägen 79", "114 28", "SE556604196701", "+4681234500", "Gustav Ahl", "SEK",
       "education", "Education", reseller="litware"),
    _O("humongousinsurance", "Humongous Insurance Oy", "FI", "Helsinki", "Mannerheimintie 14",
       "00100", "FI23717063", "+35891234567", "Helmi Virtanen", "EUR", "finance", "Enterprise",
       reseller="litware"),
    _O("relecloud", "Relecloud Oy", "FI", "Espoo", "Keilaranta 1", "02150", "FI23725135",
       "+35894561234", "Risto Laine", "EUR", "information_technology", "SMB", reseller="litware",
       status="pending"),
    _O("margiestravel", "Margie's Travel AS", "NO", "Bergen", "Bryggen 15", "5003",
       "NO912390063MVA", "+4755123456", "Margit Dahl", "NOK", "hospitality", "SMB",
       reseller="litware"),
    _O("southridgevideo", "Southridge Video AB", "SE", "Lund", "Stora Södergatan 8", "222 23",
       "SE556605245101", "+46462223344", "Sara Nyström", "SEK", "media", "SMB", reseller="litware"),
    # Adatum's customers in the United Kingdom, Ireland, the Netherlands and the United States.
    _O("wideworldimporters", "Wide World Importers Ltd", "GB", "Manchester",
       "1 Piccadilly Gardens", "M1 1RG", "GB314120084", "+441611234567", "Walter Hughes", "GBP",
       "transportation", "Enterprise", reseller="adatum"),
    _O("blueyonderairlines", "Blue Yonder Airlines Ltd", "GB", "London", "200 Aldersgate",
       "EC1A 4HD", "GB314350245", "+442079460000", "Beatrice Shaw", "GBP", "transportation",
       "Enterprise", reseller="adatum"),
    _O("citypowerandlight", "City Power & Light Ltd", "GB", "Bristol", "12 Temple Way",
       "BS1 6HG", "GB315020714", "+441171234567", "Colin Price", "GBP", "energy", "Enterprise",
       reseller="adatum", status="blocked",
       status_reason="Invoices unpaid for 90 days; blocked until the account is settled"),
    _O("schooloffineart", "School of Fine Art", "GB", "Edinburgh", "74 Lauriston Place",
       "EH3 9DF", "GB315070749", "+441312345678", "Sophie Reid", "GBP", "education", "Education",
       reseller="adatum"),
    _O("lamnahealthcare", "Lamna Healthcare Ltd", "IE", "Dublin", "1 Grand Canal Square",
       "D02 P820", "IE6351200T", "+35316123456", "Liam Byrne", "EUR", "healthcare", "Enterprise",
       reseller="adatum"),
    _O("vanarsdel", "VanArsdel B.V.", "NL", "Amsterdam", "Herengracht 100", "1015 BS",
       "NL800120000B01", "+31201234567", "Vera de Vries", "EUR", "manufacturing", "SMB",
       reseller="adatum"),
    _O("consolidatedmessenger", "Consolidated Messenger Inc.", "US", "Seattle", "400 Broad St",
       "98109", None, "+12065550123", "Chris Miller", "USD", "transportation", "SMB",
       region="WA", reseller="adatum", status="pending"),
    _O("munsonspickles", "Munson's Pickles and Preserves Ltd", "GB", "Leeds", "5 Park Row",
       "LS1 5HD", "GB315140798", "+441131234567", "Molly Munson", "GBP", "agriculture", "SMB",
       reseller="adatum"),
    # A direct customer of the distributor.
    _O("contosopharma", "Contoso Pharmaceuticals SAS", "FR", "Paris", "10 Rue de la Paix",
       "75002", "FR04423506815", "+33142123456", "Claire Martin", "EUR", "healthcare",
       "Enterprise"),
)  # fmt: skip

# Made by hand before the sync, a second record of Contoso Retail A/S (same domain, the name
# without its legal form): the demo loader lists the pair as a match to merge (docs/merging.md).
DUPLICATES = (
    _O("contosoretail", "Contoso Retail", "DK", "Copenhagen", "Vesterbrogade 10", "1620", None,
       "+4533123456", "Carla Nielsen", "DKK", "retail", reseller="fabrikam",
       own_domain="contoso.example"),
)  # fmt: skip

LOGINS = (
    DemoLogin("admin@northwind.example", "Nadia Holm", Role.PLATFORM_ADMIN, "platform"),
    DemoLogin("staff@northwind.example", "Oskar Lund", Role.PLATFORM_STAFF, "platform"),
    DemoLogin("admin@fabrikam.example", "Freja Madsen", Role.RESELLER_ADMIN, "fabrikam"),
    DemoLogin("staff@fabrikam.example", "Mads Jensen", Role.RESELLER_STAFF, "fabrikam"),
    DemoLogin("admin@litware.example", "Linnea Berg", Role.RESELLER_ADMIN, "litware"),
    DemoLogin("admin@adatum.example", "Amelia Clarke", Role.RESELLER_ADMIN, "adatum"),
    DemoLogin("admin@contoso.example", "Carla Nielsen", Role.CUSTOMER_ADMIN, "contoso"),
    DemoLogin("user@contoso.example", "Christian Dahl", Role.CUSTOMER_USER, "contoso"),
    DemoLogin("admin@tailspintoys.example", "Tobias Holm", Role.CUSTOMER_ADMIN, "tailspintoys"),
)


@dataclass(frozen=True)
class DemoTenant:
    """A demo customer's Microsoft tenant, as the Partner Center sandbox seeds it
    (``tenantry_sandbox.seed_demo``; tests/cli/test_demo.py keeps the two in step)."""

    organization: str  # a customer key
    tenant_id: uuid.UUID
    initial_domain: str
    custom_domain: str
    # Linked in the demo (the customer accepted Fabrikam long ago), or a prospect to link.
    linked: bool

    @property
    def global_admin(self) -> str:
        """The tenant's Global Administrator in the sandbox (which asks no password)."""
        return f"admin@{self.initial_domain}"


TENANTS = (
    # Not linked: no relationship in the sandbox yet. Its Global Administrator accepts the
    # authorization link that Tailspin's checkout hands out, then Verify links it.
    DemoTenant("tailspintoys", uuid.UUID("c7b43dfd-dc4f-403d-8fc8-5315f5bb8299"),
               "tailspintoys.onmicrosoft.com", "tailspintoys.example", linked=False),
    # Linked: served by the distributor through Fabrikam, the tracker's complete example.
    DemoTenant("contoso", uuid.UUID("73d2fda7-083f-49a7-8ef3-10edfa3ec7ad"),
               "contosoretail.onmicrosoft.com", "contoso.example", linked=True),
    # Served through Fabrikam in Partner Center as "Alpine Ski House A/S", but no organization
    # holds the tenant: the sync proposes it for Alpine Ski House ApS (same domain, the name
    # without its legal form) instead of creating a second organization.
    DemoTenant("alpineskihouse", uuid.UUID("192f7587-5ea6-4cde-add3-4a2eb94d304e"),
               "alpineskihouse.onmicrosoft.com", "alpineskihouse.example", linked=False),
    # Linked, the Microsoft Customer Agreement signed by the customer in the admin center.
    DemoTenant("woodgrovebank", uuid.UUID("45e4b8dc-e570-4669-b16f-207d79a1fe3f"),
               "woodgrovebank.onmicrosoft.com", "woodgrovebank.example", linked=True),
    # Linked, the agreement missing, a subscription renewing within 30 days: at risk.
    DemoTenant("fourthcoffee", uuid.UUID("aaedb3dc-99e3-400d-aa79-c514526e1fac"),
               "fourthcoffee.onmicrosoft.com", "fourthcoffee.example", linked=True),
)  # fmt: skip
# Fourth Coffee's subscription that renews within 30 days of loading (as a sync lists it).
FOURTH_COFFEE_RENEWAL = ("Microsoft 365 Business Standard", 12, 20)  # name, seats, days left
PROSPECT = TENANTS[0]


def organization_name(key: str) -> str:
    if key == "platform":
        return PLATFORM_NAME
    return next(o.legal_name for o in (*RESELLERS, *CUSTOMERS, *DUPLICATES) if o.key == key)


# Contoso's acceptance of the Microsoft Customer Agreement, attested by the distributor's admin
# (the sandbox's seed holds the same confirmation: tenantry_sandbox.seed_demo.CONTOSO_ACCEPTANCE).
CONTOSO_ACCEPTANCE: dict[str, object] = {
    "first_name": "Carla", "last_name": "Nielsen", "email": "carla@contoso.example",
    "phone": "+4533123456", "date_agreed": datetime(2025, 3, 14, tzinfo=UTC),
}  # fmt: skip

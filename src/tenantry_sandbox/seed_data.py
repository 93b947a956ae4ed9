"""Names, places and numbers the seed draws realistic organizations from."""

from __future__ import annotations

from dataclasses import dataclass

COMPANY_STEMS = (
    "Contoso", "Fabrikam", "Northwind", "Adventure Works", "Tailspin", "Wingtip", "Woodgrove",
    "Litware", "Proseware", "Fourth Coffee", "Alpine Ski House", "Coho Winery", "Lucerne",
    "Margie's Travel", "Trey Research", "Wide World Importers", "Humongous", "Blue Yonder",
    "Relecloud", "VanArsdel", "Bellows", "Munson's Pickles", "Graphic Design", "A. Datum",
    "Consolidated Messenger", "Southridge", "City Power", "Nod", "Best For You", "Tailwind",
    "Lamna", "Fincher", "Wingtip Toys", "Boulder Creek", "Cronus", "Datum", "Olympia",
    "Greenleaf", "Riverbend", "Summit", "Harbor", "Silverline", "Bluebird", "Redwood",
)  # fmt: skip
COMPANY_SECTORS = (
    "Logistics", "Dental", "Legal", "Consulting", "Engineering", "Bakery", "Retail", "Media",
    "Health", "Architects", "Accounting", "Foods", "Motors", "Studio", "Labs", "Energy",
    "Travel", "Outdoor", "Interiors", "Analytics", "Clinic", "Builders", "Software", "Farms",
)  # fmt: skip
FIRST_NAMES = (
    "Gena", "Tania", "Daniel", "Avery", "Jordan", "Priya", "Mateo", "Lena", "Yusuf", "Chloe",
    "Noah", "Ingrid", "Kenji", "Amara", "Lucas", "Sofia", "Omar", "Hannah", "Mei", "Carlos",
    "Elif", "Jonas", "Aisha", "Pierre", "Zoe", "Raj", "Marta", "Tom", "Nadia", "Felix",
)  # fmt: skip
LAST_NAMES = (
    "Soto", "Carr", "Tsai", "Jensen", "Okafor", "Müller", "Garcia", "Nakamura", "Patel", "Dubois",
    "Kowalski", "Smith", "Silva", "Andersson", "Rossi", "Novak", "Haddad", "Brown", "Kim", "Lopez",
    "Schmidt", "Martin", "Jones", "Costa", "Ivanova", "Wilson", "Yilmaz", "Chen", "Murphy", "Berg",
)  # fmt: skip
STREETS = (
    "Main Street", "Market Street", "Oak Avenue", "Station Road", "High Street", "Park Lane",
    "Church Road", "Mill Lane", "King Street", "Harbour Way", "River Road", "Elm Street",
)  # fmt: skip
RESELLER_NAMES = (
    "First Up Consultants", "ReleCloud Partners", "Trey Research IT", "Lamna Cloud Services",
    "Fincher Systems", "Proseware Solutions", "Litware Managed IT", "Nod Digital",
    "Southridge Networks", "Tailwind Technology", "Bellows IT Group", "Cronus Cloud",
    "Datum Integration", "Olympia Tech", "Harbor Business IT", "Summit Cloud Works",
)  # fmt: skip


@dataclass(frozen=True)
class City:
    name: str
    state: str | None
    postal_codes: tuple[str, ...]


@dataclass(frozen=True)
class Country:
    code: str
    company_suffix: str
    culture: str
    language: str
    phone_prefix: str
    cities: tuple[City, ...]
    weight: int


COUNTRIES = (
    Country("US", "Inc.", "en-US", "en", "+1", (
        City("Redmond", "WA", ("98052", "98053")), City("Seattle", "WA", ("98101", "98109")),
        City("Austin", "TX", ("78701", "78704")), City("Chicago", "IL", ("60601", "60614")),
        City("Boston", "MA", ("02108", "02116")), City("Denver", "CO", ("80202", "80205")),
    ), 40),
    Country("GB", "Ltd", "en-GB", "en", "+44", (
        City("London", None, ("EC1A 1BB", "SW1A 2AA")), City("Manchester", None, ("M1 1AE",)),
    ), 10),
    Country("DE", "GmbH", "de-DE", "de", "+49", (
        City("Berlin", "BE", ("10115", "10178")), City("München", "BY", ("80331", "80469")),
    ), 10),
    Country("FR", "SARL", "fr-FR", "fr", "+33", (
        City("Paris", None, ("75001", "75011")), City("Lyon", None, ("69001", "69003")),
    ), 8),
    Country("NL", "B.V.", "nl-NL", "nl", "+31", (City("Amsterdam", None, ("1012 AB",)),), 6),
    Country("CA", "Ltd.", "en-CA", "en", "+1", (City("Toronto", "ON", ("M5V 2T6",)),), 6),
    Country("AU", "Pty Ltd", "en-AU", "en", "+61", (City("Sydney", "NSW", ("2000",)),), 5),
    Country("IN", "Pvt. Ltd.", "en-IN", "en", "+91", (City("Bengaluru", "KA", ("560001",)),), 5),
    Country("BR", "Ltda.", "pt-BR", "pt", "+55", (City("São Paulo", "SP", ("01310-100",)),), 4),
    Country("PL", "Sp. z o.o.", "pl-PL", "pl", "+48", (City("Warszawa", None, ("00-001",)),), 3),
    Country("SE", "AB", "sv-SE", "sv", "+46", (City("Stockholm", None, ("111 22",)),), 3),
)  # fmt: skip


# The Tenantry demo's resellers (tenantry.demo.data): in the distributor's network, signed, so
# `make run` shows them valid. (PartnerID, partner tenant id, name, location); fixed values, the
# demo load stores the same tenant ids.
DEMO_RESELLERS = (
    ("5120431", "6f1c2a52-51d0-4b51-9a5e-0c4e2f5a1431", "Fabrikam Cloud Partners ApS", "DK"),
    ("5120432", "6f1c2a52-51d0-4b51-9a5e-0c4e2f5a1432", "Litware Solutions AB", "SE"),
    ("5120433", "6f1c2a52-51d0-4b51-9a5e-0c4e2f5a1433", "Adatum IT Services Ltd", "GB"),
)

# ruff: noqa: RUF001 - company names in Cyrillic and Greek are meant to be.
"""What makes a seeded world look like a real partner's book: company names in many scripts (with
their countries), a few customers whose billing profile is incomplete, and the Tenantry demo's
resellers serving part of the indirect customers.

Drawn from a stream of its own (``Variety.for_seed``), so the main stream of the seed, and with it
every id and every other choice of an existing seed, stays as it was.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, replace
from typing import Literal

from tenantry_sandbox.seed_customers import CustomerPlan
from tenantry_sandbox.seed_data import City, Country

# Billing-profile fields a partner's customers are known to lack (orders to them fail): an
# incomplete profile lacks one of the first two, sometimes one of the others as well.
IncompleteField = Literal[
    "addressLine1", "city", "postalCode", "phoneNumber", "contactName", "name"
]
INCOMPLETE_FIELDS: tuple[IncompleteField, ...] = (
    "addressLine1", "city", "postalCode", "phoneNumber", "contactName", "name",
)  # fmt: skip

# (country, [(company name, romanised domain stem)]): names as the companies register them.
INTERNATIONAL: tuple[tuple[Country, tuple[tuple[str, str], ...]], ...] = (
    (Country("JP", "", "ja-JP", "ja", "+81", (City("東京", None, ("100-0005",)),), 0), (
        ("株式会社サクラ物産", "sakurabussan"), ("山田精機株式会社", "yamadaseiki"),
        ("ひかり歯科クリニック", "hikarishika"), ("東都ロジスティクス株式会社", "totologi"),
    )),
    (Country("KR", "", "ko-KR", "ko", "+82", (City("서울", None, ("04524",)),), 0), (
        ("주식회사 한빛소프트", "hanbitsoft"), ("서울물류 주식회사", "seoullogis"),
        ("푸른숲 디자인", "pureunsup"),
    )),
    (Country("CN", "", "zh-CN", "zh", "+86", (City("上海", None, ("200001",)),), 0), (
        ("上海海纳贸易有限公司", "haina"), ("北京星辰科技有限公司", "xingchen"),
        ("深圳光明电子有限公司", "guangming"),
    )),
    (Country("UA", "", "uk-UA", "uk", "+380", (City("Київ", None, ("01001",)),), 0), (
        ("ТОВ «Сонячна енергія»", "sonyachna"), ("ПП «Карпатський мед»", "karpatmed"),
    )),
    (Country("BG", "", "bg-BG", "bg", "+359", (City("София", None, ("1000",)),), 0), (
        ("Петров и партньори ЕООД", "petrovpartners"), ("Родопа Логистик ООД", "rodopalog"),
    )),
    (Country("GR", "", "el-GR", "el", "+30", (City("Αθήνα", None, ("105 57",)),), 0), (
        ("Όλυμπος Τεχνική Α.Ε.", "olympostechniki"), ("Αιγαίο Ναυτιλιακή Ε.Π.Ε.", "aigaio"),
    )),
    (Country("AE", "", "ar-AE", "ar", "+971", (City("دبي", None, ("00000",)),), 0), (
        ("شركة النخيل للتجارة", "alnakheel"), ("مؤسسة الأفق للتقنية", "alofoq"),
    )),
    (Country("IL", "", "he-IL", "he", "+972", (City("תל אביב", None, ("6100000",)),), 0), (
        ("אופק מערכות בע\"מ", "ofeksystems"), ("גליל תוכנה בע\"מ", "galilsoft"),
    )),
    (Country("TH", "", "th-TH", "th", "+66", (City("กรุงเทพมหานคร", None, ("10110",)),), 0), (
        ("บริษัท สยามเทค จำกัด", "siamtech"),
    )),
    (Country("DK", "ApS", "da-DK", "da", "+45", (City("Ærøskøbing", None, ("5970",)),), 0), (
        ("Ærø Købmandsgård ApS", "aerokobmand"), ("Øresund Rådgivning A/S", "oresund"),
    )),
    (Country("PL", "", "pl-PL", "pl", "+48", (City("Łódź", None, ("90-001",)),), 0), (
        ("Żabiński Usługi Sp. z o.o.", "zabinski"), ("Świętokrzyska Stal S.A.", "swietostal"),
    )),
)  # fmt: skip


@dataclass
class Variety:
    """Per-customer variations, drawn from their own random stream."""

    rng: random.Random
    demo_resellers: tuple[uuid.UUID, ...] = ()
    international_share: float = 0.2
    incomplete_share: float = 0.03
    demo_reseller_share: float = 0.3
    # Customers the partner has no relationship with (existing tenants to invite) are kept,
    # or made direct customers, so every seeded customer is one the partner lists.
    related_only: bool = False

    @classmethod
    def for_seed(
        cls, seed: int, start: int, demo_resellers: tuple[uuid.UUID, ...], *, related_only: bool
    ) -> Variety:
        return cls(
            random.Random(f"{seed}:{start}:variety"), demo_resellers, related_only=related_only
        )

    def apply(self, plan: CustomerPlan, index: int) -> CustomerPlan:
        rng = self.rng
        changes: dict[str, object] = {}
        if rng.random() < self.international_share:
            country, names = rng.choice(INTERNATIONAL)
            name, stem = rng.choice(names)
            changes |= {
                "company_name": name,
                "domain_prefix": f"{stem}{index}",
                "country": country,
                "city": country.cities[0],
                "custom_domain": f"{stem}{index}.com" if plan.custom_domain else None,
            }
        if rng.random() < self.incomplete_share:
            missing = {rng.choice(INCOMPLETE_FIELDS[:2])}
            if rng.random() < 0.5:
                missing.add(rng.choice(INCOMPLETE_FIELDS[2:]))
            changes["incomplete_billing"] = tuple(sorted(missing))
        if self.related_only and plan.relationship == "none":
            changes["relationship"] = "direct"
        demo = rng.random() < self.demo_reseller_share
        if demo and self.demo_resellers and plan.relationship == "indirect":
            changes["reseller_tenant_id"] = rng.choice(self.demo_resellers)
        return replace(plan, **changes) if changes else plan  # type: ignore[arg-type]

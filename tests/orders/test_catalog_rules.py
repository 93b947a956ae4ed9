"""The catalog's rules on their own: how markups combine and round, which Partner Center terms
are sold here, and how a CSV price list is read."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tenantry.errors import ValidationFailed
from tenantry.orders.catalog import price_import, terms
from tenantry.orders.catalog.listing import _sku
from tenantry.orders.catalog.pricing import customer_price
from tenantry.partnercenter.models import Availability, Sku


@pytest.mark.parametrize(
    ("list_price", "segment", "reseller", "expected"),
    [
        ("5.64", None, None, "5.64"),
        ("5.64", "-10", None, "5.08"),  # 5.076 rounds half up
        ("5.64", None, "5", "5.92"),
        ("5.64", "-10", "5", "5.33"),  # 5.3298: the markups multiply
        ("0.005", None, None, "0.01"),
        ("100", "0", "0", "100.00"),
        ("12.3456", "12.5", None, "13.89"),
    ],
)
def test_markups_multiply_and_the_price_rounds_to_the_cent(
    list_price: str, segment: str | None, reseller: str | None, expected: str
) -> None:
    price = customer_price(
        Decimal(list_price),
        Decimal(segment) if segment else None,
        Decimal(reseller) if reseller else None,
    )
    assert str(price) == expected


def test_plans_are_named_for_people() -> None:
    assert terms.plan_label("P1Y", "monthly") == "1-year term, billed monthly"
    assert terms.plan_label("P3Y", "annual") == "3-year term, billed annually"
    assert terms.plan_label("P1M", "monthly") == "1-month term, billed monthly"
    assert (terms.term_of(" p1y "), terms.cycle_of("Annual"), terms.cycle_of("triennial")) == (
        "P1Y", "annual", None,
    )  # fmt: skip


def test_only_purchasable_terms_sold_here_are_kept_from_an_availability() -> None:
    sku = Sku.model_validate(
        {"id": "0001", "title": "E3", "minimumQuantity": 0, "maximumQuantity": 5,
         "isTrial": False, "somethingNew": {"a": 1}}
    )  # fmt: skip
    offered = Availability.model_validate(
        {"id": "B2", "isPurchasable": True, "terms": [
            {"duration": "P1Y", "billingCycle": "Monthly"},
            {"duration": "P3Y", "billingCycle": "Triennial"},
            {"duration": "P3Y", "billingCycle": "annual"},
            {"duration": "P5Y", "billingCycle": "Monthly"},
        ]}
    )  # fmt: skip
    earlier = Availability.model_validate(
        {"id": "A1", "terms": [{"duration": "P1Y", "billingCycle": "monthly"}]}
    )
    closed = Availability.model_validate(
        {
            "id": "C3",
            "isPurchasable": False,
            "terms": [{"duration": "P1M", "billingCycle": "Monthly"}],
        }
    )
    listed = _sku(sku, [offered, closed, earlier])
    assert (listed.minimum_quantity, listed.maximum_quantity) == (1, 5)
    assert {key: t.availability_id for key, t in listed.terms.items()} == {
        ("P1Y", "monthly"): "A1",  # the same term on two availabilities: the first by id
        ("P3Y", "annual"): "B2",
    }


def test_our_own_columns_are_read_with_any_delimiter() -> None:
    report = price_import.read(
        "Offer ID\tTerm\tBilling Cycle\tCurrency\tList Price\n"
        "cfq7ttc0lh18:0001\tP1Y\tMonthly\teur\t1,234.5\n"
        "\n"
        "CFQ7TTC0LH18:0001\tP1Y\tmonthly\tEUR\t6.10\n",
        ["EUR"],
    )
    assert report.rows == 2
    [entry] = report.entries.values()  # the later row wins
    assert (entry.offer_id, entry.currency, entry.list_price, entry.cost) == (
        "CFQ7TTC0LH18:0001", "EUR", Decimal("6.1000"), None,
    )  # fmt: skip


def test_a_file_without_the_columns_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        price_import.read("ProductId,TermDuration,Currency\nA,P1Y,EUR\n", None)
    assert caught.value.errors[0].message == (
        "the first line names the columns; missing: offer_id (or ProductId and SkuId), "
        "billing_cycle, list_price"
    )

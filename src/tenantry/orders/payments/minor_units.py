"""Amounts in a currency's minor units, as card services take them (EUR 16.92 -> 1692).

The exponent follows ISO 4217 and the card services' own lists: zero-decimal currencies (JPY 500
-> 500) and three-decimal ones (KWD 1.250 -> 1250). An amount with more decimals than its
currency has is refused rather than rounded: a customer is never charged other than the order says.
"""

from __future__ import annotations

from decimal import Decimal

ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])


def exponent(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` of ``currency`` in minor units; ValueError when it is negative or has more
    decimals than the currency."""
    if amount < 0:
        raise ValueError(f"{currency} {amount} is negative")
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency} {amount} has more decimals than {currency} has")
    return int(scaled)

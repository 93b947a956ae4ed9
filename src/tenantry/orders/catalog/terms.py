"""Terms and billing cycles of new-commerce license offers, as Tenantry names and shows them.

A plan is a term with a billing cycle (``P1Y`` billed ``monthly``). Partner Center spells the
cycle ``Monthly``, ``monthly`` or ``MONTHLY`` and sells others (``triennial``, ``none`` for a
trial); Tenantry sells the two below and leaves the rest out of the catalog.
"""

from __future__ import annotations

TERMS: dict[str, str] = {"P1M": "1 month", "P1Y": "1 year", "P3Y": "3 years"}
BILLING_CYCLES: dict[str, str] = {"monthly": "billed monthly", "annual": "billed annually"}
# What one billing period is, for "per license per month".
PERIODS: dict[str, str] = {"monthly": "month", "annual": "year"}
# The plan shown first and put in the cart when none is chosen: new commerce's usual one.
PREFERRED_PLANS: tuple[tuple[str, str], ...] = (
    ("P1Y", "monthly"),
    ("P1Y", "annual"),
    ("P1M", "monthly"),
    ("P3Y", "monthly"),
    ("P3Y", "annual"),
)


def term_of(duration: str | None) -> str | None:
    """A Partner Center term duration (``p1y``) as Tenantry sells it, or None."""
    value = (duration or "").strip().upper()
    return value if value in TERMS else None


def cycle_of(billing_cycle: str | None) -> str | None:
    """A Partner Center billing cycle (``Annual``, ``monthly``) as Tenantry sells it, or None."""
    value = (billing_cycle or "").strip().lower()
    return value if value in BILLING_CYCLES else None


def term_length(term: str) -> str:
    """``1-year``, as in "a 1-year term"."""
    return TERMS.get(term, term).replace(" years", "-year").replace(" ", "-")


def plan_label(term: str, billing_cycle: str) -> str:
    """``1-year term, billed monthly``."""
    return f"{term_length(term)} term, {BILLING_CYCLES.get(billing_cycle, billing_cycle)}"


def plan_order(term: str, billing_cycle: str) -> int:
    """Sort key of a plan: the preferred ones first, in their order."""
    try:
        return PREFERRED_PLANS.index((term, billing_cycle))
    except ValueError:
        return len(PREFERRED_PLANS)


def choices() -> str:
    return ", ".join(TERMS)


def subscription_plan(term: str | None, billing_cycle: str | None) -> str:
    """``1-year term, billed monthly`` for a subscription as Partner Center lists it; a term or
    cycle Tenantry does not sell is shown as Partner Center spells it."""
    cycle = (billing_cycle or "").strip().lower()
    billed = BILLING_CYCLES.get(cycle, f"billed {cycle}" if cycle else "")
    known = term_of(term)
    length = f"{term_length(known)} term" if known else (term or "")
    return ", ".join(part for part in (length, billed) if part) or "unknown"

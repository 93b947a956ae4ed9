"""The payment providers this installation offers, by name.

``TENANTRY_PAYMENT_PROVIDERS`` lists the enabled ones (``manual`` by default). The providers
shipped with Tenantry are known here; another one calls :func:`register` when its module is
imported, and its module is named in ``TENANTRY_PAYMENT_PROVIDER_MODULES``.
"""

from __future__ import annotations

import importlib

from tenantry.errors import NotFound
from tenantry.orders.payments.base import PaymentProvider
from tenantry.orders.payments.card import CardPayments
from tenantry.orders.payments.manual import ManualPayments
from tenantry.settings import Settings

_providers: dict[str, PaymentProvider] = {"manual": ManualPayments(), "card": CardPayments()}


def register(provider: PaymentProvider) -> PaymentProvider:
    existing = _providers.get(provider.name)
    if existing is not None and existing is not provider:
        raise ValueError(f"a payment provider named {provider.name!r} is already registered")
    _providers[provider.name] = provider
    return provider


def _load(settings: Settings, name: str) -> PaymentProvider | None:
    if name not in _providers:
        for module in settings.payment_provider_module_names:
            importlib.import_module(module)
    return _providers.get(name)


def enabled(settings: Settings) -> list[PaymentProvider]:
    """The providers customers may pay with here, in the order the setting lists them."""
    found = [_load(settings, name) for name in settings.enabled_payment_providers]
    return [provider for provider in found if provider is not None]


def get(settings: Settings, name: str) -> PaymentProvider:
    """An enabled provider (404 for one not enabled here)."""
    provider = _load(settings, name) if name in settings.enabled_payment_providers else None
    if provider is None:
        raise NotFound(f"there is no payment provider {name!r} here")
    return provider


def manual_provider(settings: Settings) -> PaymentProvider | None:
    """The enabled provider whose orders staff mark paid, if any."""
    return next((p for p in enabled(settings) if p.staff_mark_paid), None)

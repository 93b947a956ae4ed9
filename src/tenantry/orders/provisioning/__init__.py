"""Provisioning a paid order in Partner Center: the new tenant first when there is one, the
agreement gate, cart, checkout, Microsoft's provisioning status, the subscriptions bought
(docs/provisioning.md)."""

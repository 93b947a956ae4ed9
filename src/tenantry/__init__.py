"""Tenantry: onboard customer organizations and connect them to their Microsoft tenants."""

__version__ = "0.1.0"

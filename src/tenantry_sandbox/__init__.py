"""Partner Center and the Microsoft identity platform, as a stand-in product.

The product reaches it only over HTTP, as it reaches Microsoft. ``create_app`` builds the
application; ``tenantry_sandbox.cli.sandbox_cli`` serves, seeds and resets it.
"""

from __future__ import annotations

from tenantry_sandbox.app import create_app
from tenantry_sandbox.settings import SandboxSettings

__all__ = ["SandboxSettings", "create_app"]

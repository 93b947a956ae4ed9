"""Partner Center and the Microsoft identity platform, as a stand-in product.

The product reaches it only over HTTP, as it reaches Microsoft. ``create_app`` builds the
application; ``tenantry_sandbox.cli.sandbox_cli`` serves, seeds and resets it. Both names are
imported on first use, so the command line loads the sandbox only for a command that needs it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tenantry_sandbox.app import create_app
    from tenantry_sandbox.settings import SandboxSettings

__all__ = ["SandboxSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        return importlib.import_module("tenantry_sandbox.app").create_app
    if name == "SandboxSettings":
        return importlib.import_module("tenantry_sandbox.settings").SandboxSettings
    raise AttributeError(f"module 'tenantry_sandbox' has no attribute {name!r}")

"""Partner Center operations, one module per resource area.

Every module in this package that exposes ``router: APIRouter`` is included by ``create_app``;
adding an area (catalog, commerce, GDAP...) means adding a module here, nothing else. Modules whose
name starts with an underscore are skipped.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter


def discover_routers() -> list[APIRouter]:
    """The ``router`` of every public module of this package, in module-name order."""
    found: list[APIRouter] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found

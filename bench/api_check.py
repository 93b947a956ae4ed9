"""Checks that the floor answers what the app answers, so that it does the same work."""

from __future__ import annotations

import difflib
from typing import Any

from api_floor_store import normalised


def first_difference(app: Any, floor: Any, path: str = "$") -> str | None:
    """The key path of the first place two parsed JSON documents differ, with both values there;
    None when they are equal."""
    if isinstance(app, dict) and isinstance(floor, dict):
        for key in [*app, *(k for k in floor if k not in app)]:
            where = f"{path}.{key}"
            if key not in floor:
                return f"{where}: the app has {app[key]!r}, the floor nothing"
            if key not in app:
                return f"{where}: the floor has {floor[key]!r}, the app nothing"
            found = first_difference(app[key], floor[key], where)
            if found:
                return found
        return None
    if isinstance(app, list) and isinstance(floor, list):
        for index, (a, f) in enumerate(zip(app, floor, strict=False)):
            found = first_difference(a, f, f"{path}[{index}]")
            if found:
                return found
        if len(app) != len(floor):
            return f"{path}: the app has {len(app)} entries, the floor {len(floor)}"
        return None
    # bool is an int in Python, never in JSON.
    if app != floor or isinstance(app, bool) != isinstance(floor, bool):
        return f"{path}: the app has {app!r}, the floor {floor!r}"
    return None


def page_difference(app: str, floor: str) -> str | None:
    """The first lines where two pages differ beyond their per-request values; None if none."""
    a, f = normalised(app), normalised(floor)
    if a == f:
        return None
    diff = difflib.unified_diff(a.splitlines(), f.splitlines(), "app", "floor", n=1, lineterm="")
    return "\n".join(list(diff)[:12])

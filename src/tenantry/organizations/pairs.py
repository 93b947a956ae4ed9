"""The key of a pair of things that may be one company (a match proposal's ``pair_key``)."""

from __future__ import annotations

import uuid


def pair_key(first: uuid.UUID, second: uuid.UUID) -> str:
    """The two ids in a fixed order, so a pair has one key whichever side is named first."""
    low, high = sorted((first, second), key=str)
    return f"{low.hex}:{high.hex}"

"""One row per client operation: how to call it, what must go over the wire, what comes back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tenantry.partnercenter import PartnerCenterClient

from .fakes import load_sample

S = load_sample


def model(cls: Any, sample: str) -> Any:
    return cls.model_validate(S(sample))


def page(*items: Any) -> dict[str, Any]:
    return {
        "totalCount": len(items),
        "items": list(items),
        "attributes": {"objectType": "Collection"},
    }


@dataclass(frozen=True)
class Op:
    call: Callable[[PartnerCenterClient], Any]
    method: str
    path: str
    answer: Any = None
    status: int = 200
    query: tuple[tuple[str, str], ...] = ()
    app_user: bool = False

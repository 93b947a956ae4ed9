"""Case-insensitive request binding, done once for every request model.

Partner Center binds property names case-insensitively: the .NET SDK sends ``"CompanyProfile":
{"Domain": ...}`` while the documentation's REST samples send ``companyProfile``. Every request
model derives from ``RequestModel``, whose before-validator renames incoming keys to the model's
own aliases by comparing them without case or underscores; nested models do the same on their
own level, so the rule reaches every depth.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel


def fold(name: str) -> str:
    """The form names are compared in: ``DefaultAddress``, ``defaultAddress`` and
    ``default_address`` all fold to ``defaultaddress``."""
    return name.replace("_", "").replace("-", "").lower()


def enum_key(value: str) -> str:
    """Enum values arrive as ``IsIndirectCloudSolutionProviderOf`` (query strings, PascalCase) or
    ``is_indirect_cloud_solution_provider_of`` (bodies, the SDK's snake case); compare folded."""
    return fold(value)


class RequestModel(BaseModel):
    """Base of every request body: camelCase aliases, any casing accepted, unknown keys ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="ignore",
    )

    @classmethod
    @cache
    def _folded_aliases(cls) -> dict[str, str]:
        names: dict[str, str] = {}
        for field_name, field in cls.model_fields.items():
            alias = field.alias or field_name
            names[fold(alias)] = alias
            names[fold(field_name)] = alias
        return names

    @model_validator(mode="before")
    @classmethod
    def _bind_case_insensitively(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        folded = cls._folded_aliases()
        bound: dict[str, Any] = {}
        for key, value in data.items():
            name = folded.get(fold(key), key) if isinstance(key, str) else key
            # A key spelled twice in different casings: the first non-null spelling wins.
            if name in bound and bound[name] is not None:
                continue
            bound[name] = value
        return bound

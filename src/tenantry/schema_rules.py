"""Request schemas whose rules go beyond their fields' types, reported together with them.

A postal code must fit the country, a VAT ID the country's format. Those rules run in the service
once the body parsed; when the body does not parse (a field missing, an email address without
``@``), they would only be seen on the next try. A :class:`RuleChecked` schema runs its rules on
the body as given whenever its fields fail, so one answer (the API's 422, the form's error
summary) names every problem at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, get_args

from pydantic import BaseModel, ValidationError, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from tenantry.errors import FieldError
from tenantry.schemas import InputSchema


def _location(field: str) -> tuple[str | int, ...]:
    return tuple(int(part) if part.isdigit() else part for part in field.split("."))


def _detail(error: Mapping[str, Any]) -> InitErrorDetails:
    """A reported error as it was, to raise again beside the rules' ones."""
    context = {k: v for k, v in (error.get("ctx") or {}).items() if k != "error"}
    return {
        "type": PydanticCustomError(error["type"], error["msg"], context),
        "loc": error["loc"],
        "input": error["input"],
    }


def _position(model: type[BaseModel], location: Sequence[str | int]) -> tuple[int, ...]:
    """Where a field comes in ``model`` (nested models followed), so that errors are listed in
    the order of the fields, as a form shows them; unknown names last."""
    if not location or not isinstance(location[0], str):
        return ()
    names = list(model.model_fields)
    if location[0] not in names:
        return (len(names),)
    annotation = model.model_fields[location[0]].annotation
    nested = [a for a in (annotation, *get_args(annotation)) if isinstance(a, type)]
    inner = next((a for a in nested if issubclass(a, BaseModel)), None)
    rest = _position(inner, location[1:]) if inner else ()
    return (names.index(location[0]), *rest)


class RuleChecked(InputSchema):
    @classmethod
    def rule_errors(cls, data: Mapping[str, Any]) -> list[FieldError]:
        """The rules' problems with ``data``, the body as given (unparsed: check each value's
        type before using it)."""
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem_at_once(cls, data: Any, handler: Any, _info: ValidationInfo) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            if not isinstance(data, Mapping):
                raise
            reported = exc.errors()
            failed = {".".join(str(part) for part in e["loc"]) for e in reported}
            extra = [e for e in cls.rule_errors(data) if e.field not in failed]
            if not extra:
                raise
            details = [_detail(e) for e in reported] + [
                {
                    "type": PydanticCustomError(e.rule, e.message),
                    "loc": _location(e.field),
                    "input": data,
                }
                for e in extra
            ]
            details.sort(key=lambda d: _position(cls, d["loc"]))
            raise ValidationError.from_exception_data(exc.title, details) from None

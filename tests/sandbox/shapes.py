"""Compare the key structure of a response with a documented sample, recursively, not values.

Rules: every key the sample has with a non-null value must be in the response, spelled the same;
a key the sample shows as ``null`` may be missing (the service leaves nulls out); a key the sample
lacks is an error unless listed in ``allow_extra`` (dotted paths, ``[]`` for list items). Lists
compare every item of the response with the keys common to all items of the sample. Scalars
must be of the same JSON kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return type(value).__name__


def _merge_items(items: list[Any]) -> tuple[Any, set[str]]:
    """A representative of the sample's items: keys present in all of them, and in any."""
    dicts = [item for item in items if isinstance(item, dict)]
    if not dicts:
        return items[0], set()
    common = set.intersection(*(set(d) for d in dicts))
    merged: dict[str, Any] = {}
    for item in dicts:
        for key, value in item.items():
            if key not in merged or merged[key] is None:
                merged[key] = value
    return merged, {key for key in merged if key not in common}


def shape_differences(
    actual: Any,
    sample: Any,
    *,
    allow_extra: Iterable[str] = (),
    fold_case: bool = False,
    path: str = "",
    optional: set[str] | None = None,
) -> list[str]:
    allowed = set(allow_extra)
    problems: list[str] = []
    if isinstance(sample, dict):
        if not isinstance(actual, dict):
            return [f"{path or '<root>'}: expected an object, got {_kind(actual)}"]
        norm: Callable[[str], str] = (lambda key: key.lower()) if fold_case else (lambda key: key)
        actual_keys = {norm(key): key for key in actual}
        for key, expected in sample.items():
            where = f"{path}.{key}" if path else key
            if norm(key) not in actual_keys:
                if expected is not None and key not in (optional or set()):
                    problems.append(f"{where}: missing")
                continue
            value = actual[actual_keys[norm(key)]]
            if expected is None:
                continue
            problems += shape_differences(
                value, expected, allow_extra=allowed, fold_case=fold_case, path=where
            )
        sample_keys = {norm(key) for key in sample}
        for key in actual:
            where = f"{path}.{key}" if path else key
            if norm(key) not in sample_keys and where not in allowed:
                problems.append(f"{where}: not in the sample")
        return problems
    if isinstance(sample, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {_kind(actual)}"]
        if not sample or not actual:
            return []
        representative, sometimes = _merge_items(sample)
        for item in actual:
            problems += shape_differences(
                item,
                representative,
                allow_extra=allowed,
                fold_case=fold_case,
                path=f"{path}[]",
                optional=sometimes,
            )
        return sorted(set(problems))
    if sample is not None and _kind(actual) != _kind(sample):
        problems.append(f"{path}: {_kind(actual)} where the sample has {_kind(sample)}")
    return problems


def assert_same_shape(actual: Any, sample: Any, **options: Any) -> None:
    problems = shape_differences(actual, sample, **options)
    assert not problems, "response differs from the sample:\n" + "\n".join(problems)

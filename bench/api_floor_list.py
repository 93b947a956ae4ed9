"""The list floor: GET /api/v1/organizations?limit=50 for a reseller's admin (API token), done
with the raw driver and plain dicts.

Its SQL is the app's own: the statements the app sent for that request, captured at start
(``api_capture``) and replayed with the same parameters, so the floor runs the same queries for
the same caller whatever shape the app gives them. Today they are two:

  (a) the API token joined to its organization, found by the hash of the secret
      (``identity.auth.actor_from_api_token``); revoked, expired, or an organization that may not
      sign in is refused;
  (b) the page (``organizations.list_rows``): the organizations in (legal name, id) order, one
      more than the page to know whether another follows, each with its segments as JSON and its
      Microsoft tenant's columns.

The floor builds the same document from the rows as plain dicts, by the columns' names.
Everything else the app does (routing, dependencies, SQLAlchemy building and reading, shaping
the rows as ``OrganizationRead`` writes them, middleware) is the app's own cost.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api_capture import Exchange, Statement

from tenantry.pagination import encode_cursor

PAGE_SIZE = 50
PATH = f"/api/v1/organizations?limit={PAGE_SIZE}"
REFUSED_STATUSES = frozenset({"blocked", "rejected"})  # identity.auth.SIGN_IN_REFUSED
UUID_COLUMNS = frozenset({"id", "parent_id", "tenant_id", "tenant_tenant_id", "tenant_reseller_id",
                          "tenant_linked_by_id"})  # fmt: skip
TIME_COLUMNS = frozenset({"mpn_checked_at", "approved_at", "created_at", "updated_at",
                          "tenant_linked_at"})  # fmt: skip
JSON_COLUMNS = frozenset({"custom_properties", "tenant_verified_domains", "segments_json"})
ADDRESS = ("line1", "line2", "city", "region", "postal_code", "country")
CONTACT = ("name", "email", "phone")


@dataclass(frozen=True)
class ListStatements:
    token: Statement
    page: Statement


def list_statements(exchange: Exchange) -> ListStatements:
    """The token check and the page, from the app's answer to :data:`PATH` (``api_capture``)."""
    reads = exchange.reads(PATH)
    if exchange.start["status"] != 200 or len(reads) != 2 or "api_tokens" not in reads[0].sql:
        found = "; ".join(s.sql[:60] for s in reads)
        raise SystemExit(f"GET {PATH} did not read a token and then a page: {found}")
    return ListStatements(token=reads[0], page=reads[1])


# --- values as the drivers hand them back --------------------------------------------------------


@dataclass(frozen=True)
class Values:
    """Turns a driver's column values into what the JSON encoder writes as the app does."""

    uuid: Callable[[Any], Any]
    time: Callable[[Any], Any]


def _hex_uuid(value: str | None) -> str | None:
    # SQLAlchemy keeps a UUID on SQLite as 32 hex digits.
    if value is None or len(value) != 32:
        return value
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _naive_utc(value: str | None) -> datetime | None:
    # ... and a time as naive UTC text (models.base.UTCDateTime).
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _same(value: Any) -> Any:
    return value


SQLITE_VALUES = Values(uuid=_hex_uuid, time=_naive_utc)
# asyncpg: UUIDs (uuid.UUID subclasses) and aware datetimes as they are; JSON as text on both.
POSTGRESQL_VALUES = Values(uuid=_same, time=_same)


class Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


def check_token(row: Sequence[Any] | None, columns: list[str], values: Values) -> None:
    """Refuse as the app does: an unknown, revoked or expired token, or an organization that may
    not sign in."""
    if row is None:
        raise Refused(401, "the API token is not valid")
    token = dict(zip(columns, row, strict=True))
    if token["revoked_at"] is not None:
        raise Refused(401, "the API token was revoked")
    if values.time(token["expires_at"]) <= datetime.now(UTC):
        raise Refused(401, "the API token has expired")
    if token["status"] in REFUSED_STATUSES:
        raise Refused(403, f"the organization is {token['status']}")


def _item(
    row: Sequence[Any], columns: list[str], tenant_columns: list[str], values: Values
) -> dict[str, Any]:
    item = dict(zip(columns, row, strict=True))
    for name in UUID_COLUMNS:
        item[name] = values.uuid(item[name])
    for name in TIME_COLUMNS:
        item[name] = values.time(item[name])
    for name in JSON_COLUMNS:
        if isinstance(item[name], str):
            item[name] = json.loads(item[name])
    item["address"] = {key: item.pop(f"address_{key}") for key in ADDRESS}
    item["primary_contact"] = {key: item.pop(f"contact_{key}") for key in CONTACT}
    item["segments"] = [
        {**segment, "id": values.uuid(segment["id"])} for segment in item.pop("segments_json") or []
    ]
    tenant = {name.removeprefix("tenant_"): item.pop(name) for name in tenant_columns}
    item["microsoft_tenant"] = tenant if tenant["tenant_id"] is not None else None
    return item


def document(rows: Sequence[Sequence[Any]], columns: list[str], values: Values) -> dict[str, Any]:
    """``{"items": [...], "next_cursor": ...}`` as the app answers it, from the page's rows."""
    # The tenant's columns (``tenant_company_name``, ...; ``tenant_id`` is the organization's own).
    tenants = [name for name in columns if name.startswith("tenant_") and name != "tenant_id"]
    items = [_item(row, columns, tenants, values) for row in rows[:PAGE_SIZE]]
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        last = items[-1]
        next_cursor = encode_cursor(last["legal_name"], last["id"])
    return {"items": items, "next_cursor": next_cursor}

"""GDAP on Microsoft Graph, served under ``/graph/v1.0`` (the client's ``{api_url}/graph``).

``/tenantRelationships/delegatedAdminRelationships``: ``POST`` create, ``GET`` list (``$filter``
on ``status``, ``displayName``, ``customer/tenantId`` with ``eq``/``and``; ``$top``;
``@odata.nextLink`` with a ``$skiptoken``), ``GET``/``DELETE`` one; ``.../{id}/requests``
(``lockForApproval``, ``terminate``) and ``.../{id}/accessAssignments`` (create, get, list, update,
delete). Callers need an App+User token for Graph of a partner tenant and see only their own
relationships (another partner's id answers 404). Errors use Graph's shape.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, APIRouter

from tenantry_sandbox.api import Session, State
from tenantry_sandbox.auth import GRAPH_RESOURCE
from tenantry_sandbox.errors import PartnerCenterError
from tenantry_sandbox.paging import Cursor, cut
from tenantry_sandbox.responses import PartnerCenterJSONResponse
from tenantry_sandbox.schemas import gdap as shapes
from tenantry_sandbox.services import gdap as service
from tenantry_sandbox.services.gdap import GraphError, bad_request, not_found
from tenantry_sandbox.store import gdap, partners
from tenantry_sandbox.store.gdap import GdapRelationship
from tenantry_sandbox.store.partners import Partner
from tenantry_sandbox.tokens import InvalidToken

DEFAULT_TOP, MAX_TOP = 100, 300
FILTER_FIELDS = {
    "status": "status",
    "displayname": "display_name",
    "customer/tenantid": "customer_tenant_id",
}
_CLAUSE = re.compile(r"^\s*([A-Za-z/]+)\s+eq\s+'((?:[^']|'')*)'\s*$")


class GraphRoute(APIRoute):
    """Every error of a Graph route, whatever raised it, answers in Graph's error shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def graph_handler(request: Request) -> Response:
            state = request.app.state.sandbox
            try:
                return await handler(request)
            except GraphError as exc:
                error = exc
            except PartnerCenterError as exc:
                error = GraphError(
                    exc.status, "BadRequest" if exc.status == 400 else "Error", exc.description
                )
            except RequestValidationError as exc:
                fields = [".".join(str(p) for p in e["loc"] if p != "body") for e in exc.errors()]
                messages = [str(e.get("msg", "")) for e in exc.errors()]
                error = bad_request(
                    "; ".join(f"{f}: {m}" for f, m in zip(fields, messages, strict=True))
                )
            return error.response(request.headers.get("client-request-id"), state.clock.now())

        return graph_handler


async def _graph_partner(request: Request, state: State, session: Session) -> Partner:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
    try:
        caller = await state.tokens.verify(token.strip(), state.db.sessionmaker, GRAPH_RESOURCE)
    except InvalidToken as exc:
        raise GraphError(401, "InvalidAuthenticationToken", str(exc)) from exc
    if caller.app_only:
        raise GraphError(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation: DelegatedAdminRelationship."
            "ReadWrite.All is a delegated permission; application tokens are not supported.",
        )
    partner = await partners.get(session, caller.tenant_id)
    if partner is None:
        raise GraphError(403, "Forbidden", f"Tenant {caller.tenant_id} is not a Microsoft partner.")
    return partner


GraphPartner = Annotated[Partner, Depends(_graph_partner)]
router = APIRouter(
    prefix="/graph/v1.0/tenantRelationships/delegatedAdminRelationships",
    route_class=GraphRoute,
    tags=["GDAP (Microsoft Graph)"],
)


def _root(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/graph/v1.0"


def _created(body: dict[str, Any], root: str, path: str) -> Response:
    """201 with the new object's address, ``path`` below the relationships collection."""
    location = f"{root}/tenantRelationships/delegatedAdminRelationships/{path}"
    return PartnerCenterJSONResponse(body, status_code=201, headers={"Location": location})


def _filters(raw: str | None) -> dict[str, object]:
    if not raw:
        return {}
    equals: dict[str, object] = {}
    for clause in re.split(r"\s+and\s+", raw.strip(), flags=re.IGNORECASE):
        match = _CLAUSE.match(clause)
        column = FILTER_FIELDS.get(match.group(1).lower()) if match else None
        if match is None or column is None:
            raise bad_request(
                f"Unsupported $filter '{raw}': use status, displayName or customer/tenantId with eq."
            )
        value: object = match.group(2).replace("''", "'")
        if column == "customer_tenant_id":
            try:
                value = uuid.UUID(str(value))
            except ValueError as exc:
                raise bad_request(f"customer/tenantId '{value}' is not a GUID.") from exc
        equals[column] = value
    return equals


def _cursor(
    state: State, scope: str, top: int | None, skiptoken: str | None, filter_: str | None
) -> Cursor:
    if skiptoken:
        return state.pages.decode(skiptoken, scope)
    return Cursor(scope=scope, size=min(top or DEFAULT_TOP, MAX_TOP), filter=filter_)


def _next_link(request: Request, token: str | None) -> str | None:
    if token is None:
        return None
    # The token remembers the filter and the page size, so the link carries only the token.
    return str(request.url.replace(query=f"$skiptoken={quote(token, safe='.-_')}"))


async def _owned(session: Session, partner: Partner, relationship_id: str) -> GdapRelationship:
    row = await gdap.relationship(session, relationship_id)
    if row is None or row.partner_tenant_id != partner.tenant_id:
        raise not_found(f"The delegatedAdminRelationship {relationship_id}")
    return row


async def _current(
    session: Session, state: State, partner: Partner, relationship_id: str
) -> GdapRelationship:
    """The partner's relationship, its status brought up to the sandbox clock."""
    row = await _owned(session, partner, relationship_id)
    await service.advance(session, state, row)
    return row


Top = Annotated[int | None, Query(alias="$top", ge=1)]
SkipToken = Annotated[str | None, Query(alias="$skiptoken")]


@router.post("", status_code=201, summary="Create a GDAP relationship")
async def create_relationship(
    body: shapes.RelationshipCreate,
    partner: GraphPartner,
    request: Request,
    state: State,
    session: Session,
) -> Response:
    customer = body.customer
    row = await service.create_relationship(
        session,
        state,
        partner.tenant_id,
        service.RelationshipInput(
            display_name=body.display_name,
            duration=body.duration,
            role_ids=body.access_details.role_ids(),
            auto_extend_duration=body.auto_extend_duration,
            customer_tenant_id=customer.tenant_id if customer else None,
            customer_display_name=customer.display_name if customer else None,
        ),
    )
    root = _root(request)
    return _created(shapes.relationship_body(row, root), root, row.id)


@router.get("", summary="List the partner's GDAP relationships")
async def list_relationships(
    partner: GraphPartner,
    request: Request,
    state: State,
    session: Session,
    filter_: Annotated[str | None, Query(alias="$filter")] = None,
    top: Top = None,
    skiptoken: SkipToken = None,
) -> dict[str, Any]:
    cursor = _cursor(state, f"gdap:{partner.tenant_id}", top, skiptoken, filter_)
    rows = await gdap.relationships_page(
        session,
        partner.tenant_id,
        after=cursor.after,
        limit=cursor.size + 1,
        equals=_filters(cursor.filter),
    )
    page = cut(state.pages, cursor, rows, key=lambda row: row.seq)
    for row in page.rows:
        await service.advance(session, state, row)
    root = _root(request)
    items = [shapes.relationship_body(row, root, in_collection=True) for row in page.rows]
    return shapes.collection_body(
        root, "delegatedAdminRelationships", items, _next_link(request, page.next_token)
    )


@router.get("/{relationship_id}", summary="Get a GDAP relationship")
async def get_relationship(
    relationship_id: str, partner: GraphPartner, request: Request, state: State, session: Session
) -> dict[str, Any]:
    row = await _current(session, state, partner, relationship_id)
    return shapes.relationship_body(row, _root(request))


@router.delete("/{relationship_id}", status_code=204, summary="Delete a relationship not yet sent")
async def delete_relationship(
    relationship_id: str, partner: GraphPartner, session: Session
) -> Response:
    await service.delete_relationship(session, await _owned(session, partner, relationship_id))
    return Response(status_code=204)


@router.post("/{relationship_id}/requests", status_code=201, summary="lockForApproval or terminate")
async def create_request(
    relationship_id: str,
    body: shapes.RequestCreate,
    partner: GraphPartner,
    request: Request,
    state: State,
    session: Session,
) -> Response:
    relationship = await _owned(session, partner, relationship_id)
    row = await service.request_action(session, state, relationship, body.action)
    root = _root(request)
    return _created(shapes.request_body(row, root), root, f"{relationship_id}/requests/{row.id}")


@router.get("/{relationship_id}/requests", summary="The relationship's requests")
async def list_requests(
    relationship_id: str, partner: GraphPartner, request: Request, state: State, session: Session
) -> dict[str, Any]:
    await _current(session, state, partner, relationship_id)
    root = _root(request)
    rows = await gdap.requests_of(session, relationship_id)
    items = [shapes.request_body(row, root, in_collection=True) for row in rows]
    return shapes.collection_body(root, "requests", items, None)


@router.get("/{relationship_id}/requests/{request_id}", summary="One request")
async def get_request(
    relationship_id: str,
    request_id: uuid.UUID,
    partner: GraphPartner,
    request: Request,
    state: State,
    session: Session,
) -> dict[str, Any]:
    await _current(session, state, partner, relationship_id)
    row = await gdap.request(session, relationship_id, request_id)
    if row is None:
        raise not_found(f"The request {request_id}")
    return shapes.request_body(row, _root(request))


@router.post("/{relationship_id}/accessAssignments", status_code=201, summary="Assign access")
async def create_assignment(
    relationship_id: str,
    body: shapes.AssignmentCreate,
    partner: GraphPartner,
    request: Request,
    state: State,
    session: Session,
) -> Response:
    relationship = await _current(session, state, partner, relationship_id)
    row = await service.create_assignment(
        session,
        state,
        relationship,
        body.access_container.access_container_id,
        body.access_details.role_ids(),
    )
    root = _root(request)
    path = f"{relationship_id}/accessAssignments/{row.id}"
    return _created(shapes.assignment_body(row, root), root, path)


@router.get("/{relationship_id}/accessAssignments", summary="List access assignments")
async def list_assignments(
    relationship_id: str,
    partner: GraphPartner,
    request: Request,
    state: State,
    session: Session,
    top: Top = None,
    skiptoken: SkipToken = None,
) -> dict[str, Any]:
    await _current(session, state, partner, relationship_id)
    cursor = _cursor(state, f"gdap-access:{relationship_id}", top, skiptoken, None)
    rows = await gdap.assignments_page(
        session, relationship_id, after=cursor.after, limit=cursor.size + 1
    )
    page = cut(state.pages, cursor, rows, key=lambda row: row.seq)
    root = _root(request)
    items = [shapes.assignment_body(row, root, in_collection=True) for row in page.rows]
    return shapes.collection_body(
        root, "accessAssignments", items, _next_link(request, page.next_token)
    )


async def _assignment(
    session: Session, state: State, partner: Partner, relationship_id: str, assignment_id: uuid.UUID
) -> tuple[GdapRelationship, gdap.GdapAccessAssignment]:
    relationship = await _current(session, state, partner, relationship_id)
    row = await gdap.assignment(session, relationship_id, assignment_id)
    if row is None:
        raise not_found(f"The accessAssignment {assignment_id}")
    return relationship, row


@router.get(
    "/{relationship_id}/accessAssignments/{assignment_id}", summary="Get an access assignment"
)
async def get_assignment(
    relationship_id: str,
    assignment_id: uuid.UUID,
    partner: GraphPartner,
    request: Request,
    state: State,
    session: Session,
) -> dict[str, Any]:
    _, row = await _assignment(session, state, partner, relationship_id, assignment_id)
    return shapes.assignment_body(row, _root(request))


@router.patch("/{relationship_id}/accessAssignments/{assignment_id}", summary="Change the roles")
async def update_assignment(
    relationship_id: str,
    assignment_id: uuid.UUID,
    body: shapes.AssignmentUpdate,
    partner: GraphPartner,
    request: Request,
    state: State,
    session: Session,
) -> dict[str, Any]:
    relationship, row = await _assignment(session, state, partner, relationship_id, assignment_id)
    if_match = request.headers.get("if-match")
    if if_match and if_match != service.etag(row.id, row.version):
        raise GraphError(412, "PreconditionFailed", "The If-Match etag is no longer current.")
    await service.update_assignment(
        session, state, relationship, row, body.access_details.role_ids()
    )
    return shapes.assignment_body(row, _root(request))


@router.delete(
    "/{relationship_id}/accessAssignments/{assignment_id}", status_code=204, summary="Remove access"
)
async def delete_assignment(
    relationship_id: str,
    assignment_id: uuid.UUID,
    partner: GraphPartner,
    state: State,
    session: Session,
) -> Response:
    _, row = await _assignment(session, state, partner, relationship_id, assignment_id)
    await service.delete_assignment(session, state, row)
    return Response(status_code=204)

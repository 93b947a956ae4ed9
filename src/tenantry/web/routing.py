"""What every page route shares: the signed-in actor (with the form's CSRF token checked), and
errors answered as pages (or a redirect to sign in) instead of JSON problems."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from tenantry import deps
from tenantry.errors import Forbidden, TenantryError, Unauthorized
from tenantry.models import AuthSession, User
from tenantry.security import Actor
from tenantry.web.forms import CSRF_FIELD, DEFAULT_NEXT, safe_next, sentence
from tenantry.web.rendering import is_htmx, redirect, render
from tenantry.web.visitor import note_page_viewer

Handler = Callable[[Request, Any], Response | Awaitable[Response]]
PAGE_ERRORS: tuple[type[Exception], ...] = (
    TenantryError,
    RequestValidationError,
    StarletteHTTPException,
    StaleDataError,
    IntegrityError,
)


class PageRoute(APIRoute):
    """Marks a route as a page: errors raised in it are answered in HTML (see :func:`install`)."""


def page_router() -> APIRouter:
    return APIRouter(route_class=PageRoute, include_in_schema=False)


async def page_form(request: Request) -> FormData | None:
    """Parse a posted form before the actor is resolved, so ``deps.current_actor`` finds the
    form's CSRF token in ``request.state.csrf_form`` (cookie-authenticated writes need it)."""
    if request.method in deps.SAFE_METHODS:
        return None
    form = await request.form()
    token = form.get(CSRF_FIELD)
    request.state.csrf_form = token if isinstance(token, str) else None
    return form


PageForm = Annotated[FormData | None, Depends(page_form)]


async def page_actor(request: Request, session: deps.DbSession, _form: PageForm) -> Actor:
    actor = await deps.current_actor(request, session)
    auth_session: AuthSession | None = getattr(request.state, "auth_session", None)
    request.state.csrf_token = auth_session.csrf_token if auth_session else None
    # Already in the session's identity map (the actor was just built from it): no extra query.
    user = await session.get(User, actor.user_id) if actor.user_id else None
    await note_page_viewer(request, session, actor, user)
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


def _here(request: Request) -> str:
    """The page to come back to after signing in: this one, or for a form post the page the
    form was on."""
    if request.method in deps.SAFE_METHODS:
        query = f"?{request.url.query}" if request.url.query else ""
        return request.url.path + query
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path:
        return safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))
    return DEFAULT_NEXT


def go_to(request: Request, path: str) -> Response:
    """Redirect; htmx follows a plain redirect inside the swapped region, so it gets HX-Redirect."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": path})
    return redirect(path)


def _to_sign_in(request: Request) -> Response:
    response = go_to(request, f"/sign-in?next={quote(_here(request), safe='/')}")
    response.delete_cookie(deps.authenticator(request).session_cookie, path="/")
    return response


async def page_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, Unauthorized):
        return _to_sign_in(request)
    if isinstance(exc, Forbidden) and exc.extra.get("reason") == "organization_not_selected":
        return go_to(request, f"/select-organization?next={quote(_here(request), safe='/')}")
    status, title, detail = 500, "Something went wrong", "Reload the page and try again."
    if isinstance(exc, TenantryError):
        status, title, detail = exc.status, exc.title, sentence(exc.detail)
    elif isinstance(exc, RequestValidationError):
        status, title, detail = 404, "Not found", "There is no such page."
    elif isinstance(exc, StarletteHTTPException) and exc.status_code == 404:
        status, title = 404, "Page not found"
        detail = "There is no page at this address. Check the address, or start again from a link."
    elif isinstance(exc, StarletteHTTPException):
        status, title, detail = exc.status_code, str(exc.detail), str(exc.detail)
    elif isinstance(exc, StaleDataError | IntegrityError):
        status, title = 409, "Changed at the same time"
        detail = "Someone else changed this at the same moment. Reload the page and try again."
    context = {
        "title": title,
        "detail": detail,
        # A blocked organization's people can still choose another one, or sign out, from there.
        "may_switch": status == 403
        and deps.authenticator(request).session_cookie in request.cookies,
    }
    return render(request, "error.html", context, status_code=status)


def wants_page(request: Request) -> bool:
    """Content negotiation for an address no route answers: a browser (``Accept`` naming
    ``text/html`` ahead of any JSON type) gets a page; API clients, and anything under ``/api``,
    get problem+json."""
    if request.url.path == "/api" or request.url.path.startswith("/api/"):
        return False
    accept = [
        part.split(";")[0].strip().lower() for part in request.headers.get("accept", "").split(",")
    ]
    if "text/html" not in accept:
        return False
    json_types = [i for i, kind in enumerate(accept) if kind.endswith(("/json", "+json"))]
    return not json_types or accept.index("text/html") < min(json_types)


def install(app: FastAPI) -> None:
    """Answer errors raised on page routes as pages; API routes keep their JSON problems.

    An exception handler (not a try/except around the route) is used so the request's
    transaction has already been rolled back when the error page is rendered.
    """
    for exc_class in PAGE_ERRORS:
        api_handler: Handler | None = app.exception_handlers.get(exc_class)

        async def dispatch(
            request: Request, exc: Exception, api_handler: Handler | None = api_handler
        ) -> Response:
            route = request.scope.get("route")
            if isinstance(route, PageRoute) or (route is None and wants_page(request)):
                return await page_error(request, exc)
            if api_handler is None:
                raise exc
            answer = api_handler(request, exc)
            return await answer if inspect.isawaitable(answer) else answer

        app.add_exception_handler(exc_class, dispatch)

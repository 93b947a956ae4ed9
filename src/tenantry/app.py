"""The application factory: ``tenantry.app:create_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from tenantry import __version__, deps, health, problems
from tenantry.after_response import AfterResponseMiddleware
from tenantry.agreements import staff_api as agreements_staff_api
from tenantry.agreements import staff_pages as agreements_staff_pages
from tenantry.agreements.compliance import api as compliance_api
from tenantry.agreements.compliance import pages as compliance_pages
from tenantry.agreements.customer import pages as agreement_acceptance_pages
from tenantry.agreements.platform import api as platform_agreements_api
from tenantry.agreements.platform import customer as platform_agreements_customer_pages
from tenantry.agreements.platform import pages as platform_agreements_pages
from tenantry.audit import api as audit_api
from tenantry.audit import pages as audit_pages
from tenantry.db import Database
from tenantry.directory import api as directory_api
from tenantry.directory import pages as directory_pages
from tenantry.identity import api as identity_api
from tenantry.identity import callers as identity_callers
from tenantry.identity.email import pages as identity_email_pages
from tenantry.identity.invitations import api as invitations_api
from tenantry.identity.invitations import pages as invitations_pages
from tenantry.identity.members import pages as members_pages
from tenantry.identity.microsoft import pages as identity_microsoft_pages
from tenantry.identity.microsoft.oidc import MicrosoftSignIn
from tenantry.identity.on_behalf import pages as identity_on_behalf_pages
from tenantry.identity.sign_in import pages as identity_pages
from tenantry.jobs.queue import JobQueue
from tenantry.methods import AllowHeaderMiddleware
from tenantry.observability import RequestContextMiddleware
from tenantry.orders import api as orders_api
from tenantry.orders import cart_api
from tenantry.orders import pages as orders_pages
from tenantry.orders.catalog import api as catalog_api
from tenantry.orders.catalog import pages as catalog_pages
from tenantry.orders.lifecycle import new_order as new_order_pages
from tenantry.orders.lifecycle import pages as order_lifecycle_pages
from tenantry.orders.payments import api as payments_api
from tenantry.orders.payments import card as card_payments
from tenantry.orders.payments import pages as payment_settings_pages
from tenantry.orders.provisioning import api as provisioning_api
from tenantry.orders.subscriptions import api as subscriptions_api
from tenantry.orders.subscriptions import pages as subscriptions_pages
from tenantry.organizations import api as organizations_api
from tenantry.organizations import pages as organizations_pages
from tenantry.organizations.merge import api as merge_api
from tenantry.organizations.merge import pages as merge_pages
from tenantry.partnercenter import access as partner_center_access
from tenantry.partnercenter_events import api as partner_center_events_api
from tenantry.partnercenter_events import pages as partner_center_events_pages
from tenantry.registration import pages as registration_pages
from tenantry.registration import terms as registration_terms
from tenantry.resellers import api as resellers_api
from tenantry.resellers import pages as resellers_pages
from tenantry.routing import guarded
from tenantry.settings import Settings, get_settings
from tenantry.sync import api as sync_api
from tenantry.sync.history import pages as sync_history_pages
from tenantry.sync.matches import api as matches_api
from tenantry.sync.matches import pages as matches_pages
from tenantry.sync.organizations import api as sync_organizations_api
from tenantry.sync.organizations import pages as sync_organizations_pages
from tenantry.sync.unlinked import pages as sync_unlinked_pages
from tenantry.tenants import api as tenants_api
from tenantry.tenants import pages as tenants_pages
from tenantry.tenants.gdap import api as gdap_api
from tenantry.tenants.gdap import pages as gdap_pages
from tenantry.tenants.new_tenant import pages as new_tenant_pages
from tenantry.tenants.onboarding import api as onboarding_api
from tenantry.tenants.onboarding import pages as onboarding_pages
from tenantry.web import routing as page_routing
from tenantry.web.rendering import STATIC_DIR

API_DESCRIPTION = """
Tenantry's API. Authenticate with an API token (`Authorization: Bearer <token>`); tokens are made
per organization and role. Errors are RFC 9457 problem details that name every invalid field.
"""


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    queue: JobQueue | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """``http_transport``: how the app's own HTTP calls (Microsoft sign-in, lookups while
    registering) reach out, kept as ``app.state.http_transport``; tests route it to the sandbox's
    ASGI app. The network by default."""
    settings = settings or get_settings()
    database = database or Database(settings)
    # Outbox rows committed by requests are handed to this queue (docs/jobs.md).
    queue = queue or JobQueue(settings)
    queue.bind(database)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await database.dispose()
        queue.close()

    # Swagger UI's script and styles come from the installed package, not a CDN: the docs
    # work on a machine without internet access.
    app = FastAPIOffline(
        static_url="/api/docs/assets",
        title="Tenantry",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.queue = queue
    app.state.http_transport = http_transport
    # Partner Center for this app's requests and, through ``access.current()``, its jobs.
    app.state.partner_center = partner_center_access.configure(settings, http_transport)
    # Card payments reach their service the same way (docs/payments.md).
    card_payments.configure(settings, http_transport)
    app.state.microsoft = MicrosoftSignIn(settings)
    # Who is calling: deps and the page machinery ask identity through this, never import it.
    deps.install_authenticator(app, identity_callers.SessionsAndTokens())
    problems.install(app)
    app.add_middleware(AllowHeaderMiddleware)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(AfterResponseMiddleware)  # outermost: see its docstring
    app.include_router(guarded(health.router))
    app.include_router(guarded(organizations_api.router))
    app.include_router(guarded(audit_api.router))
    app.include_router(guarded(identity_api.router))
    app.include_router(guarded(invitations_api.router))
    app.include_router(guarded(tenants_api.router))
    app.include_router(guarded(provisioning_api.router))
    app.include_router(guarded(partner_center_events_api.router))
    app.include_router(guarded(resellers_api.router))
    app.include_router(guarded(gdap_api.router))
    app.include_router(guarded(onboarding_api.router))
    app.include_router(guarded(sync_api.router))
    app.include_router(guarded(merge_api.router))
    app.include_router(guarded(matches_api.router))
    app.include_router(guarded(sync_organizations_api.router))
    app.include_router(guarded(platform_agreements_api.router))
    app.include_router(guarded(compliance_api.router))
    app.include_router(guarded(agreements_staff_api.router))
    app.include_router(guarded(orders_api.router))
    app.include_router(guarded(payments_api.router))
    app.include_router(guarded(directory_api.router))
    app.include_router(guarded(subscriptions_api.router))
    app.include_router(guarded(catalog_api.router))
    app.include_router(guarded(cart_api.router))
    # Pages (HTML): their errors render as pages, the API's stay problem+json.
    page_routing.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(guarded(identity_pages.router))
    app.include_router(guarded(invitations_pages.router))
    app.include_router(guarded(members_pages.router))
    app.include_router(guarded(identity_email_pages.router))
    app.include_router(guarded(identity_microsoft_pages.router))
    app.include_router(guarded(identity_on_behalf_pages.router))
    # Before organizations' pages, whose POST /organizations/{id}/{transition} would take ours.
    app.include_router(guarded(gdap_pages.router))
    # Before organizations' pages, whose /organizations/{id} would take /organizations/merge.
    app.include_router(guarded(merge_pages.router))
    app.include_router(guarded(directory_pages.router))
    # Before organizations' pages too (/organizations/{id}/platform-agreements/...).
    app.include_router(guarded(platform_agreements_pages.router))
    app.include_router(guarded(platform_agreements_customer_pages.router))
    app.include_router(guarded(sync_organizations_pages.router))
    app.include_router(guarded(agreements_staff_pages.router))
    app.include_router(guarded(organizations_pages.router))
    app.include_router(guarded(audit_pages.router))
    app.include_router(guarded(registration_pages.router))
    app.include_router(guarded(registration_terms.router))
    app.include_router(guarded(orders_pages.router))
    # /orders/new and /orders/payment-settings before /orders/{order_id}.
    app.include_router(guarded(new_order_pages.router))
    app.include_router(guarded(payment_settings_pages.router))
    app.include_router(guarded(order_lifecycle_pages.router))
    app.include_router(guarded(subscriptions_pages.router))
    app.include_router(guarded(catalog_pages.router))
    app.include_router(guarded(agreement_acceptance_pages.router))
    app.include_router(guarded(tenants_pages.router))
    app.include_router(guarded(new_tenant_pages.router))
    app.include_router(guarded(partner_center_events_pages.router))
    app.include_router(guarded(resellers_pages.router))
    app.include_router(guarded(onboarding_pages.router))
    app.include_router(guarded(matches_pages.router))
    app.include_router(guarded(sync_history_pages.router))
    app.include_router(guarded(sync_unlinked_pages.router))
    app.include_router(guarded(compliance_pages.router))
    return app

"""Expected wire shape of the catalog, commerce, subscription, audit, webhook and GDAP
operations."""

from __future__ import annotations

from datetime import date

from tenantry.partnercenter.models import (
    Cart,
    Conversion,
    DelegatedAdminAccessAssignment,
    DelegatedAdminRelationship,
    GdapRequestAction,
    Order,
    Subscription,
    Transition,
    WebhookRegistration,
)

from .operation_table import Op, S, model, page

GDAP = "/v1.0/tenantRelationships/delegatedAdminRelationships"
CATALOG = (("country", "US"),)

OPERATIONS: dict[str, Op] = {
    # catalog
    "list_products": Op(
        lambda c: c.list_products("US", "OnlineServicesNCE", target_segment="commercial"),
        "GET",
        "/v1/products",
        page(S("product-nce.json")),
        query=(
            ("country", "US"),
            ("targetSegment", "commercial"),
            ("targetView", "OnlineServicesNCE"),
        ),
    ),
    "get_product": Op(
        lambda c: c.get_product("CFQ7TTC0LH18", "US"),
        "GET",
        "/v1/products/CFQ7TTC0LH18",
        S("product-nce.json"),
        query=CATALOG,
    ),
    "list_skus": Op(
        lambda c: c.list_skus("DZH318Z0BQ3V", "US"),
        "GET",
        "/v1/products/DZH318Z0BQ3V/skus",
        page(S("sku-by-id.json")),
        query=CATALOG,
    ),
    "get_sku": Op(
        lambda c: c.get_sku("DZH318Z0BQ3V", "00G1", "US"),
        "GET",
        "/v1/products/DZH318Z0BQ3V/skus/00G1",
        S("sku-by-id.json"),
        query=CATALOG,
    ),
    "list_availabilities": Op(
        lambda c: c.list_availabilities("P", "0001", "US"),
        "GET",
        "/v1/products/P/skus/0001/availabilities",
        page({"id": "A1", "catalogItemId": "P:0001:A1"}),
        query=CATALOG,
    ),
    "get_availability": Op(
        lambda c: c.get_availability("P", "0001", "A1", "US"),
        "GET",
        "/v1/products/P/skus/0001/availabilities/A1",
        {"id": "A1"},
        query=CATALOG,
    ),
    # commerce
    "create_cart": Op(
        lambda c: c.create_cart("c1", model(Cart, "cart-create-request-nce.json")),
        "POST",
        "/v1/customers/c1/carts",
        S("cart-create-response-nce.json"),
        201,
    ),
    "get_cart": Op(
        lambda c: c.get_cart("c1", "k1"),
        "GET",
        "/v1/customers/c1/carts/k1",
        S("cart-create-response-nce.json"),
    ),
    "update_cart": Op(
        lambda c: c.update_cart("c1", model(Cart, "cart-create-response-nce.json")),
        "PUT",
        "/v1/customers/c1/carts/2517c51b-58cd-4abe-87ed-3ab812401ab4",
        S("cart-create-response-nce.json"),
    ),
    "checkout_cart": Op(
        lambda c: c.checkout_cart("c1", "k1"),
        "POST",
        "/v1/customers/c1/carts/k1/checkout",
        {"orders": [S("get-order.json")], "orderErrors": []},
        201,
    ),
    "create_order": Op(
        lambda c: c.create_order("c1", model(Order, "create-order-request.json")),
        "POST",
        "/v1/customers/c1/orders",
        S("create-order-response.json"),
        201,
    ),
    "get_order": Op(
        lambda c: c.get_order("c1", "o1"),
        "GET",
        "/v1/customers/c1/orders/o1",
        S("get-order.json"),
    ),
    "list_orders": Op(
        lambda c: c.list_orders("c1"),
        "GET",
        "/v1/customers/c1/orders",
        page(S("get-order.json")),
    ),
    "get_order_provisioning_status": Op(
        lambda c: c.get_order_provisioning_status("c1", "o1"),
        "GET",
        "/v1/customers/c1/orders/o1/provisioningstatus",
        S("order-provisioning-status.json"),
    ),
    # subscriptions
    "list_subscriptions": Op(
        lambda c: c.list_subscriptions("c1"),
        "GET",
        "/v1/customers/c1/subscriptions",
        S("customer-subscriptions.json"),
    ),
    "list_subscriptions_by_order": Op(
        lambda c: c.list_subscriptions_by_order("c1", "o1"),
        "GET",
        "/v1/customers/c1/subscriptions",
        S("subscriptions-by-order.json"),
        query=(("order_id", "o1"),),
    ),
    "get_subscription": Op(
        lambda c: c.get_subscription("c1", "s1"),
        "GET",
        "/v1/customers/c1/subscriptions/s1",
        S("get-subscription-nce.json"),
    ),
    "update_subscription": Op(
        lambda c: c.update_subscription("c1", model(Subscription, "get-subscription-nce.json")),
        "PATCH",
        "/v1/customers/c1/subscriptions/a4c1340d-6911-4758-bba3-0c4c6007d161",
        S("get-subscription-nce.json"),
    ),
    "list_trial_conversions": Op(
        lambda c: c.list_trial_conversions("c1", "s1"),
        "GET",
        "/v1/customers/c1/subscriptions/s1/conversions",
        S("trial-conversions.json"),
        app_user=True,
    ),
    "convert_trial": Op(
        lambda c: c.convert_trial("c1", "s1", model(Conversion, "trial-conversion-request.json")),
        "POST",
        "/v1/customers/c1/subscriptions/s1/conversions",
        S("trial-conversion-response.json"),
        app_user=True,
    ),
    "list_transition_eligibilities": Op(
        lambda c: c.list_transition_eligibilities("c1", "s1"),
        "GET",
        "/v1/customers/c1/subscriptions/s1/transitionEligibilities",
        S("transition-eligibilities-nce.json"),
        query=(("eligibilityType", "immediate"),),
    ),
    "create_transition": Op(
        lambda c: c.create_transition("c1", "s1", model(Transition, "transition-request-nce.json")),
        "POST",
        "/v1/customers/c1/subscriptions/s1/transitions",
        S("transition-response-nce.json"),
        201,
    ),
    "list_transitions": Op(
        lambda c: c.list_transitions("c1", "s1"),
        "GET",
        "/v1/customers/c1/subscriptions/s1/transitions",
        page(S("transition-response-nce.json")),
    ),
    # audit
    "list_audit_records_page": Op(
        lambda c: c.list_audit_records_page(date(2024, 1, 1), date(2024, 1, 31), size=50),
        "GET",
        "/v1/auditrecords",
        {**page({"operationType": "add_customer", "customerId": "c9"}), "continuationToken": "x"},
        query=(("endDate", "2024-01-31"), ("size", "50"), ("startDate", "2024-01-01")),
    ),
    "iter_audit_records": Op(
        lambda c: c.iter_audit_records(
            date(2024, 1, 1), filter_field="CustomerId", filter_value="c9"
        ),
        "GET",
        "/v1/auditrecords",
        page({"operationType": "add_customer", "customerId": "c9"}),
        query=(
            ("filter", '{"Field":"CustomerId","Value":"c9","Operator":"substring"}'),
            ("size", "100"),
            ("startDate", "2024-01-01"),
        ),
    ),
    # webhooks
    "list_webhook_events": Op(
        lambda c: c.list_webhook_events(),
        "GET",
        "/webhooks/v1/registration/events",
        S("webhook-events-list.json"),
    ),
    "get_webhook_registration": Op(
        lambda c: c.get_webhook_registration(),
        "GET",
        "/webhooks/v1/registration",
        S("webhook-registration-get.json"),
    ),
    "register_webhook": Op(
        lambda c: c.register_webhook(
            model(WebhookRegistration, "webhook-registration-request.json")
        ),
        "POST",
        "/webhooks/v1/registration",
        S("webhook-registration-response.json"),
    ),
    "update_webhook_registration": Op(
        lambda c: c.update_webhook_registration(
            model(WebhookRegistration, "webhook-registration-request.json")
        ),
        "PUT",
        "/webhooks/v1/registration",
        S("webhook-registration-response.json"),
    ),
    "delete_webhook_registration": Op(
        lambda c: c.delete_webhook_registration(),
        "DELETE",
        "/webhooks/v1/registration",
        None,
        204,
    ),
    "create_webhook_validation_event": Op(
        lambda c: c.create_webhook_validation_event(),
        "POST",
        "/webhooks/v1/registration/validationEvents",
        S("webhook-validation-event-response.json"),
    ),
    "get_webhook_validation_status": Op(
        lambda c: c.get_webhook_validation_status("04af2aea"),
        "GET",
        "/webhooks/v1/registration/validationEvents/04af2aea",
        S("webhook-validation-event-status.json"),
    ),
    # GDAP on Microsoft Graph
    "create_gdap_relationship": Op(
        lambda c: c.create_gdap_relationship(
            model(DelegatedAdminRelationship, "gdap-create-relationship-request.json")
        ),
        "POST",
        GDAP,
        S("gdap-create-relationship-response.json"),
        201,
        app_user=True,
    ),
    "get_gdap_relationship": Op(
        lambda c: c.get_gdap_relationship("r1"),
        "GET",
        f"{GDAP}/r1",
        S("gdap-create-relationship-response.json"),
        app_user=True,
    ),
    "iter_gdap_relationships": Op(
        lambda c: c.iter_gdap_relationships(odata_filter="status eq 'active'"),
        "GET",
        GDAP,
        {"value": [S("gdap-create-relationship-response.json")]},
        query=(("$filter", "status eq 'active'"),),
        app_user=True,
    ),
    "request_gdap_relationship_action": Op(
        lambda c: c.request_gdap_relationship_action("r1", GdapRequestAction.LOCK_FOR_APPROVAL),
        "POST",
        f"{GDAP}/r1/requests",
        S("gdap-lock-for-approval-response.json"),
        201,
        app_user=True,
    ),
    "create_gdap_access_assignment": Op(
        lambda c: c.create_gdap_access_assignment(
            "r1", model(DelegatedAdminAccessAssignment, "gdap-access-assignment-request.json")
        ),
        "POST",
        f"{GDAP}/r1/accessAssignments",
        S("gdap-access-assignment-response.json"),
        201,
        app_user=True,
    ),
    "get_gdap_access_assignment": Op(
        lambda c: c.get_gdap_access_assignment("r1", "a1"),
        "GET",
        f"{GDAP}/r1/accessAssignments/a1",
        S("gdap-access-assignment-response.json"),
        app_user=True,
    ),
    "iter_gdap_access_assignments": Op(
        lambda c: c.iter_gdap_access_assignments("r1"),
        "GET",
        f"{GDAP}/r1/accessAssignments",
        {"value": [S("gdap-access-assignment-response.json")]},
        app_user=True,
    ),
}

"""Expected wire shape of the customer, partner, agreement and directory operations."""

from __future__ import annotations

from tenantry.partnercenter.models import (
    Address,
    Agreement,
    BillingProfile,
    Customer,
    LicenseUpdate,
)

from .operation_table import Op, S, model

OPERATIONS: dict[str, Op] = {
    # customers
    "create_customer": Op(
        lambda c: c.create_customer(model(Customer, "create-customer-request.json")),
        "POST",
        "/v1/customers",
        S("create-customer-response.json"),
        201,
    ),
    "create_customer_for_indirect_reseller": Op(
        lambda c: c.create_customer_for_indirect_reseller(
            model(Customer, "create-customer-request.json"), "484e548c"
        ),
        "POST",
        "/v1/customers",
        S("create-customer-indirect-reseller-response.json"),
        201,
        app_user=True,
    ),
    "get_customer": Op(
        lambda c: c.get_customer("c1"), "GET", "/v1/customers/c1", S("get-customer.json")
    ),
    "list_customers_page": Op(
        lambda c: c.list_customers_page(size=40),
        "GET",
        "/v1/customers",
        S("customers-page.json"),
        query=(("size", "40"),),
    ),
    "iter_customers": Op(
        lambda c: c.iter_customers(),
        "GET",
        "/v1/customers",
        S("customers-page.json"),
        query=(("size", "100"),),
    ),
    "search_customers": Op(
        lambda c: c.search_customers("Domain", "cont"),
        "GET",
        "/v1/customers",
        S("customers-search-by-name.json"),
        query=(
            ("filter", '{"Field":"Domain","Value":"cont","Operator":"starts_with"}'),
            ("size", "0"),
        ),
    ),
    "iter_customers_of_indirect_reseller": Op(
        lambda c: c.iter_customers_of_indirect_reseller("r1"),
        "GET",
        "/v1/customers",
        S("customers-of-indirect-reseller.json"),
        query=(
            ("filter", '{"Field":"IndirectReseller","Value":"r1","Operator":"starts_with"}'),
            ("size", "0"),
        ),
        app_user=True,
    ),
    "list_customers_of_indirect_reseller_page": Op(
        lambda c: c.list_customers_of_indirect_reseller_page("r1"),
        "GET",
        "/v1/customers",
        S("customers-of-indirect-reseller.json"),
        query=(
            ("filter", '{"Field":"IndirectReseller","Value":"r1","Operator":"starts_with"}'),
            ("size", "0"),
        ),
        app_user=True,
    ),
    "get_billing_profile": Op(
        lambda c: c.get_billing_profile("c1"),
        "GET",
        "/v1/customers/c1/profiles/billing",
        S("customer-billing-profile.json"),
    ),
    "update_billing_profile": Op(
        lambda c: c.update_billing_profile(
            "c1", model(BillingProfile, "customer-billing-profile.json")
        ),
        "PUT",
        "/v1/customers/c1/profiles/billing",
        S("update-billing-profile-response.json"),
    ),
    "get_company_profile": Op(
        lambda c: c.get_company_profile("c1"),
        "GET",
        "/v1/customers/c1/profiles/company",
        S("customer-company-profile.json"),
        app_user=True,
    ),
    "is_domain_available": Op(
        lambda c: c.is_domain_available("contoso.onmicrosoft.com"),
        "HEAD",
        "/v1/domains/contoso.onmicrosoft.com",
        None,
        404,
    ),
    "validate_address": Op(
        lambda c: c.validate_address(
            model(Address, "address-validation-request-StreetPartial.json")
        ),
        "POST",
        "/v1/validations/address",
        S("address-validation-response-StreetPartial.json"),
    ),
    "remove_reseller_relationship": Op(
        lambda c: c.remove_reseller_relationship("c1"),
        "PATCH",
        "/v1/customers/c1",
        S("remove-reseller-relationship-response.json"),
    ),
    # partners
    "get_relationship_request_link": Op(
        lambda c: c.get_relationship_request_link(),
        "GET",
        "/v1/customers/relationshiprequests",
        S("relationship-request.json"),
        app_user=True,
    ),
    "get_indirect_relationship_request_link": Op(
        lambda c: c.get_indirect_relationship_request_link("r1", dual_role=False),
        "GET",
        "/v1/customers/relationshiprequests",
        S("relationship-request.json"),
        query=(
            ("dualRoleIndirectRelationship", "false"),
            ("indirectCloudSolutionProviderId", "partner-tenant"),
            ("indirectResellerId", "r1"),
        ),
        app_user=True,
    ),
    "list_customer_relationships": Op(
        lambda c: c.list_customer_relationships("c1"),
        "GET",
        "/v1/customers/c1/relationships",
        S("indirect-resellers-of-customer.json"),
        app_user=True,
    ),
    "list_indirect_resellers": Op(
        lambda c: c.list_indirect_resellers(),
        "GET",
        "/v1/relationships",
        S("indirect-resellers.json"),
        query=(("relationship_type", "IsIndirectCloudSolutionProviderOf"),),
        app_user=True,
    ),
    "get_partner_profile_by_mpn_id": Op(
        lambda c: c.get_partner_profile_by_mpn_id("4391507"),
        "GET",
        "/v1/profiles/mpn",
        S("mpn-profile.json"),
        query=(("mpnId", "4391507"),),
        app_user=True,
    ),
    "get_own_mpn_profile": Op(
        lambda c: c.get_own_mpn_profile(),
        "GET",
        "/v1/profiles/mpn",
        S("own-mpn-profile.json"),
        app_user=True,
    ),
    "get_mpa_status": Op(
        lambda c: c.get_mpa_status(mpn_id="4847383"),
        "GET",
        "/v1/compliance/csp/agreementstatus",
        S("mpa-agreement-status.json"),
        query=(("mpnId", "4847383"),),
        app_user=True,
    ),
    # agreements
    "get_agreement_metadata": Op(
        lambda c: c.get_agreement_metadata(),
        "GET",
        "/v1/agreements",
        S("agreement-metadata-mca.json"),
        query=(("agreementType", "MicrosoftCustomerAgreement"),),
        app_user=True,
    ),
    "create_customer_agreement": Op(
        lambda c: c.create_customer_agreement(
            "c1", model(Agreement, "create-agreement-request.json")
        ),
        "POST",
        "/v1/customers/c1/agreements",
        S("create-agreement-response.json"),
        201,
        app_user=True,
    ),
    "list_customer_agreements": Op(
        lambda c: c.list_customer_agreements("c1"),
        "GET",
        "/v1/customers/c1/agreements",
        S("customer-agreements.json"),
        query=(("agreementType", "MicrosoftCustomerAgreement"),),
        app_user=True,
    ),
    "get_agreement_document": Op(
        lambda c: c.get_agreement_document("t1", language="da-DK", country="DK"),
        "GET",
        "/v1/agreementtemplates/t1/document",
        {
            "country": "DK",
            "language": "da-DK",
            "displayUri": "https://example.com/mca",
            "downloadUri": "https://example.com/mca.docx",
            "attributes": {"objectType": "AgreementDocument"},
        },
        query=(("country", "DK"), ("language", "da-DK")),
        app_user=True,
    ),
    "get_direct_signed_status": Op(
        lambda c: c.get_direct_signed_status("c1"),
        "GET",
        "/v1/customers/c1/directSignedMicrosoftCustomerAgreementStatus",
        S("direct-signed-status.json"),
        app_user=True,
    ),
    # directory
    "list_customer_users_page": Op(
        lambda c: c.list_customer_users_page("c1", size=2),
        "GET",
        "/v1/customers/c1/users",
        S("customer-users.json"),
        query=(("size", "2"),),
        app_user=True,
    ),
    "iter_customer_users": Op(
        lambda c: c.iter_customer_users("c1"),
        "GET",
        "/v1/customers/c1/users",
        S("customer-users.json"),
        query=(("size", "100"),),
        app_user=True,
    ),
    "get_customer_user": Op(
        lambda c: c.get_customer_user("c1", "u1"),
        "GET",
        "/v1/customers/c1/users/u1",
        S("customer-user.json"),
        app_user=True,
    ),
    "list_subscribed_skus": Op(
        lambda c: c.list_subscribed_skus("c1", license_group_ids=["Group1", "Group2"]),
        "GET",
        "/v1/customers/c1/subscribedskus",
        S("subscribed-skus.json"),
        query=(("licenseGroupIds", "Group1"), ("licenseGroupIds", "Group2")),
        app_user=True,
    ),
    "list_user_licenses": Op(
        lambda c: c.list_user_licenses("c1", "u1"),
        "GET",
        "/v1/customers/c1/users/u1/licenses",
        S("user-licenses.json"),
        app_user=True,
    ),
    "update_user_licenses": Op(
        lambda c: c.update_user_licenses(
            "c1", "u1", model(LicenseUpdate, "license-update-request.json")
        ),
        "POST",
        "/v1/customers/c1/users/u1/licenseupdates",
        S("license-update-response.json"),
        201,
        app_user=True,
    ),
    "list_custom_domains": Op(
        lambda c: c.list_custom_domains("c1"),
        "GET",
        "/v1/customers/c1/customDomains",
        S("customer-custom-domains.json"),
        app_user=True,
    ),
    "get_customer_organization": Op(
        lambda c: c.get_customer_organization("c1"),
        "GET",
        "/v1/customers/c1/organization",
        S("customer-organization.json"),
        app_user=True,
    ),
}

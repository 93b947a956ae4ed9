"""Assigning and removing users' licenses (``licenseupdates``) with Microsoft's refusals, and
the control API that changes a directory the way a customer's own administrators do."""

from __future__ import annotations

from .commerce_support import (
    BASIC_SKU,
    Sandbox,
    buyer,
    commerce_database,
    fails,
    licenses_of,
    ok,
    sample,
    units,
)
from .shapes import assert_same_shape

__all__ = ["commerce_database"]

POWER_BI_PRO = "f8a1db68-be16-40ed-86d5-cb42ce701560"


async def test_licenses_are_assigned_from_free_units_and_refused_as_microsoft_refuses(
    sandbox: Sandbox,
) -> None:
    # Two Business Basic licenses, both held by the customer's two users.
    customer = await buyer(sandbox, extraUsers=1, skus=[{"skuId": BASIC_SKU, "units": 2}])
    newcomer = await sandbox.control(
        "POST", f"/customers/{customer}/users", json={"firstName": "Nora", "lastName": "Lind"}
    )
    updates = f"/v1/customers/{customer}/users/{newcomer['id']}/licenseupdates"

    assign_basic = {**sample("license-update-request.json"),
                    "LicensesToAssign": [{"ExcludedPlans": None, "SkuId": BASIC_SKU}]}  # fmt: skip
    refused = fails(await sandbox.call("POST", updates, json=assign_basic), 400, 60012)
    assert_same_shape(refused, sample("error-license-update-60012.json"),
                      allow_extra=("attributes", "attributes.objectType"))  # fmt: skip
    assert BASIC_SKU in refused["data"][0]

    # Power BI Pro bought from another provider: units with no subscription of ours.
    await sandbox.control(
        "POST", f"/customers/{customer}/other-provider-licenses",
        json={"skuId": POWER_BI_PRO, "units": 1},
    )  # fmt: skip
    assigned = ok(
        await sandbox.call("POST", updates, json=sample("license-update-request.json")), 201
    )
    assert_same_shape(assigned, sample("license-update-response.json"))
    assert await licenses_of(sandbox, customer, newcomer["id"]) == {POWER_BI_PRO}
    power_bi = await units(sandbox, customer, POWER_BI_PRO)
    assert power_bi is not None
    assert (power_bi["consumedUnits"], power_bi["availableUnits"]) == (1, 0)
    # Assigning what the user holds changes nothing.
    ok(await sandbox.call("POST", updates, json=sample("license-update-request.json")), 201)

    removed = ok(
        await sandbox.call("POST", updates, json={"LicensesToRemove": [POWER_BI_PRO]}), 201
    )
    assert removed["licensesToRemove"] == [POWER_BI_PRO]
    assert await licenses_of(sandbox, customer, newcomer["id"]) == set()
    not_held = fails(
        await sandbox.call("POST", updates, json={"LicensesToRemove": [POWER_BI_PRO]}), 400, 3000
    )
    assert not_held["description"] == "User does not have a corresponding license."

    unknown = {"LicensesToAssign": [{"SkuId": "6fd2c87f-b296-42f0-b197-1e91e994b900"}]}
    fails(await sandbox.call("POST", updates, json=unknown), 400, 3000)
    fails(await sandbox.call("POST", updates, json=assign_basic, app_only=True), 403, 900329)


async def test_a_user_without_usage_location_gets_no_license(sandbox: Sandbox) -> None:
    # Three Business Basic licenses; the customer's two users hold two of them.
    customer = await buyer(sandbox, extraUsers=1, skus=[{"skuId": BASIC_SKU, "units": 3}])
    user = await sandbox.control(
        "POST", f"/customers/{customer}/users",
        json={"firstName": "Ida", "lastName": "Kjaer", "usageLocation": None},
    )  # fmt: skip
    assert "usageLocation" not in user
    updates = f"/v1/customers/{customer}/users/{user['id']}/licenseupdates"
    body = {"LicensesToAssign": [{"SkuId": BASIC_SKU}]}
    refused = fails(await sandbox.call("POST", updates, json=body), 400, 3000)
    assert "usage location" in refused["description"]

    await sandbox.control(
        "PATCH", f"/customers/{customer}/users/{user['id']}", json={"usageLocation": "dk"}
    )
    ok(await sandbox.call("POST", updates, json=body), 201)
    assert await licenses_of(sandbox, customer, user["id"]) == {BASIC_SKU}

    await sandbox.control("DELETE", f"/customers/{customer}/users/{user['id']}")
    fails(await sandbox.call("POST", updates, json=body), 404, 1000)
    basic = await units(sandbox, customer, BASIC_SKU)
    assert basic is not None and basic["consumedUnits"] == 2, "the deleted user's license is free"

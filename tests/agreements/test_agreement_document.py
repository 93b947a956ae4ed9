"""``GET /v1/agreementtemplates/{templateId}/document?language=&country=``: the client reads the
document links the sandbox gives for the customer's country and language."""

from __future__ import annotations

import pytest

from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.errors import BadRequest, NotFound

TEMPLATE_ID = "117a77b0-9360-443b-8795-c6dedc750cf9"


async def test_the_document_is_given_in_the_language_asked_where_offered(
    partner_center: PartnerCenterClient,
) -> None:
    danish = await partner_center.get_agreement_document(
        TEMPLATE_ID, language="da-DK", country="DK"
    )
    assert (danish.country, danish.language) == ("DK", "da-DK")
    assert danish.display_uri and "country=DK" in danish.display_uri
    assert danish.download_uri and danish.download_uri != danish.display_uri
    fallback = await partner_center.get_agreement_document(
        TEMPLATE_ID, language="ja-JP", country="DK"
    )
    assert fallback.language == "en-US", "a language not offered in the country: en-US"
    default = await partner_center.get_agreement_document(TEMPLATE_ID)
    assert (default.country, default.language) == ("US", "en-US")


async def test_no_document_for_an_unknown_template_or_country(
    partner_center: PartnerCenterClient,
) -> None:
    with pytest.raises(NotFound):
        await partner_center.get_agreement_document("998b88de-aa99-4388-a42c-1b3517d49490")
    with pytest.raises(BadRequest):
        await partner_center.get_agreement_document(TEMPLATE_ID, country="dk")  # case-sensitive

"""Page forms refuse hidden characters, bytes that are not UTF-8 and foreign digits beside the
field, and keep international text."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import User
from tests.registration.conftest import (
    PASSWORD,
    form_token,
    register_organization,
    registered,
    sign_up,
    text_of,
)
from tests.registration.test_cart_and_orders import add_to_cart


async def names_stored(database: Database) -> list[str]:
    async with database.transaction(write=False) as session:
        return list((await session.execute(select(User.full_name))).scalars())


async def test_a_name_with_nul_or_invalid_utf8_is_refused_beside_the_field(
    client: httpx.AsyncClient, database: Database
) -> None:
    before = await names_stored(database)
    with_nul = await sign_up(client, full_name="Erin\x00Example")
    assert with_nul.status_code == 422
    assert "Your name: Text may not contain the NUL character" in text_of(with_nul)

    page = await client.get("/register")
    fields = urlencode(
        {"csrf_token": form_token(page), "email": "erin@fabrikam.example",
         "password": PASSWORD, "password_confirmation": PASSWORD}
    )  # fmt: skip
    not_utf8 = await client.post(
        "/register",
        content=f"{fields}&full_name=Erin%FF%FEExample".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert not_utf8.status_code == 422
    assert "Your name: Text holds U+FFFD" in text_of(not_utf8)
    assert await names_stored(database) == before


async def test_an_international_name_is_kept_composed(
    client: httpx.AsyncClient, database: Database
) -> None:
    assert (await sign_up(client, full_name="  Zoe\u0308 李 محمد 👩\u200d💻 ")).status_code == 303
    assert "Zoë 李 محمد 👩\u200d💻" in await names_stored(database)


async def test_the_organization_form_refuses_an_override_beside_the_field(
    client: httpx.AsyncClient, database: Database
) -> None:
    await sign_up(client)
    response = await register_organization(client, **{"address.line1": "Gade\u202e 1"})
    assert response.status_code == 422
    assert "Street address: Text may not contain bidirectional control characters" in text_of(
        response
    )
    assert await registered(database) is None


async def test_full_width_digits_are_not_a_quantity(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    await register_organization(client)
    response = await add_to_cart(client, quantity="\uff15")  # FULLWIDTH DIGIT FIVE
    assert response.status_code == 422
    assert "Enter a whole number of licenses" in text_of(response)
    assert (await add_to_cart(client, quantity="5")).status_code == 303

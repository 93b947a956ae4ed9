from __future__ import annotations

import pytest

from tenantry.db import Database
from tests.factories import World
from tests.identity.factories import People, make_people


@pytest.fixture
async def people(database: Database, world: World) -> People:
    return await make_people(database, world)

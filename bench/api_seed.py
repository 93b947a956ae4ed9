"""The databases bench/api.py measures: a reseller with N customers in two segments, and the API
token its admin lists them with; rebuilt on every run, with the planner's statistics fresh."""

from __future__ import annotations

import os
import sys
import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tenantry.bootstrap import create_platform
from tenantry.db import Database
from tenantry.identity.service import issue_api_token
from tenantry.models import (
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Role,
    Segment,
    organization_segments,
    utcnow,
)
from tenantry.settings import Settings

POSTGRES_URL = os.environ.get(
    "TENANTRY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/tenantry_bench"
)


async def seed(url: str, customers: int) -> str:
    """A platform, one reseller with ``customers`` customers (bulk inserted); its admin's token."""
    database = Database(Settings(database_url=url, environment="test"))
    try:
        async with database.transaction() as session:
            platform = await create_platform(session, legal_name="Bench Distribution A/S")
            segments = [
                Segment(platform_id=platform.id, name=name) for name in ("SMB", "Enterprise")
            ]
            session.add_all(segments)
            reseller = Organization(
                kind=OrganizationKind.RESELLER, platform_id=platform.id, parent_id=platform.id,
                status=OrganizationStatus.ACTIVE, legal_name="Bench Reseller ApS",
                display_name="Bench Reseller", address_line1="Nørregade 1",
                address_city="Copenhagen", address_postal_code="1165", address_country="DK",
                contact_name="Rita Reseller", contact_email="rita@reseller.example",
                preferred_currency="DKK", mpn_id="5550001", custom_properties={},
                approved_at=utcnow(),
            )  # fmt: skip
            session.add(reseller)
            await session.flush()
            ids = [uuid.uuid4() for _ in range(customers)]
            now = utcnow()
            await session.execute(
                sa.insert(Organization),
                [
                    {
                        "id": ids[n], "kind": OrganizationKind.CUSTOMER,
                        "platform_id": platform.id, "parent_id": reseller.id,
                        "status": OrganizationStatus.ACTIVE, "legal_name": f"Customer {n:04d} ApS",
                        "display_name": f"Customer {n:04d}", "vat_id": "DK13585628",
                        "domain": f"customer{n:04d}.example", "industry": "retail",
                        "address_line1": f"Vestergade {n % 90 + 1}", "address_city": "Aarhus",
                        "address_postal_code": "8000", "address_country": "DK",
                        "contact_name": "Carl Customer", "contact_email": f"it@customer{n}.example",
                        "contact_phone": "+4586123456", "preferred_currency": "DKK",
                        "custom_properties": {"account_manager": "Rita Reseller"},
                        "approved_at": now, "version": 1, "created_at": now, "updated_at": now,
                    }
                    for n in range(customers)
                ],
            )  # fmt: skip
            await session.execute(
                sa.insert(organization_segments),
                [
                    {"organization_id": i, "segment_id": segments[n % 2].id}
                    for n, i in enumerate(ids)
                ],
            )
            _, token = await issue_api_token(
                session, None, reseller, role=Role.RESELLER_ADMIN, name="bench",
                valid_for=timedelta(days=1),
            )  # fmt: skip
        return token
    finally:
        await database.dispose()


async def analyze(url: str) -> None:
    """Fresh planner statistics for the seeded rows (``Database.analyze``)."""
    database = Database(Settings(database_url=url, environment="test"))
    try:
        await database.analyze()
    finally:
        await database.dispose()


def fresh_postgres(url: str) -> bool:
    """Create the database when missing and empty its schema; False when PostgreSQL is down."""
    target = make_url(url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )  # fmt: skip
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).first()
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    except sa.exc.OperationalError as exc:
        print(f"PostgreSQL at {url} is not reachable ({exc.orig}); skipping it", file=sys.stderr)
        return False
    finally:
        admin.dispose()
    engine = sa.create_engine(target)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return True

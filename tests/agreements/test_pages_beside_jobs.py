"""The pages that ask Partner Center for the agreement's status (the cart, the orders list, the
acceptance page) record what it says, so they write although opened with GET. On SQLite a read
transaction that writes later fails at once ("database is locked") when a job committed in
between, as the tenant's link and sync do right after a customer accepts: these pages take the
write lock from the start, and a job's write waits for them instead."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import httpx
import pytest

from tenantry.agreements import microsoft
from tenantry.db import Database
from tenantry.models import MicrosoftAgreementState, Organization
from tenantry.settings import Settings
from tests.agreements.conftest import linked_customer
from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.web.conftest import People, sign_in

JOB_WRITES = "UPDATE organizations SET display_name = ? WHERE legal_name = ?"


class JobBeside:
    """A job's write to another organization, made once the page has read and before it records
    the agreement's status: at once
    when the database lets it (the page then writes after it), else as soon as the page has
    committed, like a job waiting for SQLite's write lock."""

    def __init__(self, path: str, legal_name: str) -> None:
        self.path, self.legal_name = path, legal_name
        self.waiting: threading.Thread | None = None
        self.started = False

    def write(self, *, wait_seconds: float) -> None:
        with sqlite3.connect(self.path, timeout=wait_seconds, isolation_level=None) as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(JOB_WRITES, ("Written by a job", self.legal_name))
            connection.execute("COMMIT")

    def during_the_page(self) -> None:
        if self.started:
            return
        self.started = True
        try:
            self.write(wait_seconds=0)
        except sqlite3.OperationalError:  # the page holds the write lock: wait for it
            self.waiting = threading.Thread(target=self.write, kwargs={"wait_seconds": 30})
            self.waiting.start()

    def finished(self) -> None:
        if self.waiting is not None:
            self.waiting.join(timeout=30)
            assert not self.waiting.is_alive(), "the job's write never got the lock"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", ["/cart", "/orders", "/agreements/microsoft-customer-agreement"])
async def test_a_page_that_records_the_agreement_answers_while_a_job_writes(
    client: httpx.AsyncClient, database: Database, world: World, people: People,
    sqlite_sandbox: Sandbox, settings: Settings, monkeypatch: pytest.MonkeyPatch, path: str,
) -> None:  # fmt: skip
    await linked_customer(database, sqlite_sandbox, world.customer_a.organization)
    job = JobBeside(
        settings.database_url.split(":///", 1)[1], world.reseller_b.organization.legal_name
    )
    looked_up = microsoft.status_row

    async def looked_up_beside_a_job(*args: Any, **kwargs: Any) -> Any:
        job.during_the_page()
        return await looked_up(*args, **kwargs)

    monkeypatch.setattr(microsoft, "status_row", looked_up_beside_a_job)
    await sign_in(client, people.customer_admin.email)

    answer = await client.get(path)
    job.finished()

    assert answer.status_code in (200, 303), answer.text
    async with database.transaction() as session:
        reseller = await session.get(Organization, world.reseller_b.id)
        customer = await session.get(Organization, world.customer_a.id)
        assert reseller is not None and customer is not None
        assert reseller.display_name == "Written by a job"
        status = await microsoft.status_row(session, customer)
        assert status.state is MicrosoftAgreementState.MISSING
        assert status.checked_at is not None

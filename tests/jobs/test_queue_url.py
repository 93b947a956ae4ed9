"""TENANTRY_QUEUE_URL picks the huey storage, and /healthz reports whether it answers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from huey import MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.jobs import outbox
from tenantry.jobs.queue import JobQueue, make_huey
from tenantry.models import utcnow
from tenantry.settings import Settings
from tests.databases import database_name, ensure_database, postgres_test_url

POSTGRES_URL = postgres_test_url("test_jobs")
REDIS_URL = os.environ.get("TENANTRY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_memory_and_sqlite_urls(tmp_path: Path) -> None:
    assert type(make_huey("memory://")) is MemoryHuey
    sqlite = make_huey(f"sqlite:///{tmp_path}/var/queue.db")
    assert type(sqlite) is SqliteHuey
    assert sqlite.storage.filename == f"{tmp_path}/var/queue.db"
    assert (tmp_path / "var" / "queue.db").is_file()


def test_redis_url_gives_redis_huey() -> None:
    huey = make_huey(REDIS_URL)
    assert type(huey) is RedisHuey
    assert huey.storage.pool.connection_kwargs["db"] == 15


@pytest.mark.parametrize("url", ["mysql://db/queue", "sqlite://", "redis://", "queue.db"])
def test_an_unknown_queue_url_is_refused_with_the_choices(url: str) -> None:
    with pytest.raises(ValueError, match=r"TENANTRY_QUEUE_URL .* use sqlite:///path/queue.db"):
        make_huey(url)


def _queue_pair(url: str) -> tuple[JobQueue, JobQueue]:
    """A producer and a consumer side on a queue name of their own."""
    on_url = Settings(environment="test", queue_url=url)
    name = f"test_{uuid.uuid4().hex[:12]}"
    return JobQueue(on_url, name=name), JobQueue(on_url, name=name)


@pytest.fixture
def postgres_queues() -> Iterator[tuple[JobQueue, JobQueue]]:
    try:
        ensure_database(database_name("test_jobs"))
        producer, consumer = _queue_pair(POSTGRES_URL)
        producer.ping()
    except Exception as exc:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
    yield producer, consumer
    producer.huey.flush()
    producer.close()
    consumer.close()


@pytest.fixture
def redis_queues() -> Iterator[tuple[JobQueue, JobQueue]]:
    producer, consumer = _queue_pair(REDIS_URL)
    try:
        producer.ping()
    except Exception as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    yield producer, consumer
    producer.huey.flush()
    producer.close()
    consumer.close()


def _hand_over_and_receive(producer: JobQueue, consumer: JobQueue) -> None:
    item_id = uuid.uuid4()
    producer.dispatch([outbox.Dispatch(item_id, utcnow())])
    assert producer.huey.pending_count() == 1
    task = consumer.huey.dequeue()
    assert task is not None
    assert task.name == "run_outbox_item"
    assert task.args == (str(item_id),)
    assert consumer.huey.dequeue() is None


def test_a_postgresql_url_queues_through_postgresql(
    postgres_queues: tuple[JobQueue, JobQueue],
) -> None:
    producer, consumer = postgres_queues
    assert type(producer.huey) is PostgresHuey
    _hand_over_and_receive(producer, consumer)


def test_a_redis_url_queues_through_redis(redis_queues: tuple[JobQueue, JobQueue]) -> None:
    producer, consumer = redis_queues
    assert type(producer.huey) is RedisHuey
    _hand_over_and_receive(producer, consumer)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_healthz_reports_the_queue(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["queue"] == "ok"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_healthz_is_unhealthy_when_the_queue_does_not_answer(
    settings: Settings, database: Database
) -> None:
    app = create_app(
        settings.model_copy(update={"queue_url": "redis://127.0.0.1:1/0"}), database=database
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"].startswith("error: ConnectionError")

"""Periodic work runs in one instance of a deployment: the holder of an advisory lock leads, and
when it goes (its connection gone), the next instance to ask leads instead."""

import uuid

import asyncpg

from kernel.leader import Leadership
from kernel.settings import asyncpg_dsn
from tests.conftest import eventually


async def test_one_instance_leads_and_another_takes_over_when_it_goes(integration_database_url):
    dsn, name = asyncpg_dsn(integration_database_url), f"test:{uuid.uuid4().hex[:6]}"
    first, second, other_work = Leadership(dsn, name), Leadership(dsn, name), Leadership(dsn, name + ":other")
    try:
        assert await first.leads()
        assert not await second.leads()
        assert await first.leads(), "the leader keeps leading while its connection lives"
        assert await other_work.leads(), "each name has its own leader"
        await first.stop()  # the instance stopped, died or lost its connection: the lock went with it
        assert await second.leads()  # at once: a closed connection's backend has let go
        assert not await first.leads()
    finally:
        for leadership in (first, second, other_work):
            await leadership.stop()


async def test_when_the_leaders_connection_is_cut_another_instance_takes_over(integration_database_url):
    dsn, name = asyncpg_dsn(integration_database_url), f"test:{uuid.uuid4().hex[:6]}"
    first, second = Leadership(dsn, name), Leadership(dsn, name)
    admin = await asyncpg.connect(dsn)
    try:
        assert await first.leads()
        assert not await second.leads()
        await admin.fetchval("SELECT pg_terminate_backend($1)", first._connection.get_server_pid())
        await eventually(second.leads, timeout=10)  # once the terminated backend has exited
        assert not await first.leads(), "the old leader connects again and finds the lock taken"
    finally:
        await admin.close()
        await first.stop()
        await second.stop()

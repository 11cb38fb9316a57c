"""Killing compliance between its database commit and its offset commit loses and doubles nothing."""

import asyncio

import asyncpg

from devstack.demo import demo_city_events, sanction_event
from kernel.settings import asyncpg_dsn
from tests.conftest import eventually

from .conftest import post_events

CRASH_ON = "discipline.action_recorded.v1"


async def test_a_crash_after_the_database_commit_leaves_one_obligation_and_one_alert(system, ids):
    compliance_url, notify_url = system.url("compliance"), system.url("notify")
    subject, secretary = ids + "p-b2-m1", ids + "p-b2-sec"
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))

        async def city_known():
            r = await http.get(f"{compliance_url}/v1/coverage", headers=system.operator(ids), params={"org_id": ids + "branch-2"})
            return r.status_code == 200 and r.json()["members"] == 4  # 403 until compliance knows the branch

        await eventually(city_known)

        compliance = system.restart("compliance", FAULT_CRASH_AFTER_COMMIT=CRASH_ON)
        try:
            compliance.wait_ready(timeout=120)
            await post_events(http, system, [sanction_event(subject)])
            exit_code = await asyncio.to_thread(compliance.process.wait, 90)
            assert exit_code == 70, "compliance should have died at the fault point"

            # The obligation was committed before the crash; the offset was not.
            conn = await asyncpg.connect(asyncpg_dsn(system.database_url))
            try:
                committed = await conn.fetchval("SELECT count(*) FROM compliance.obligations WHERE subject_id = $1", subject)
            finally:
                await conn.close()
            assert committed == 1
        finally:
            system.restart("compliance").wait_ready(timeout=120)

        async def redelivered_and_skipped():
            metrics = (await http.get(f"{compliance_url}/metrics")).text
            lines = [line for line in metrics.splitlines() if line.startswith('events_duplicate_total{consumer="compliance"}')]
            return lines and float(lines[0].split()[-1]) >= 1

        await eventually(redelivered_and_skipped, timeout=90)

        async def alerted():
            return (await http.get(f"{notify_url}/v1/inbox/{secretary}", headers=system.signed_in(secretary))).json()

        await eventually(alerted, timeout=60)
        await asyncio.sleep(2)  # let anything duplicated arrive before counting
        obligations = (await http.get(f"{compliance_url}/v1/obligations", headers=system.operator(ids), params={"subject_id": subject})).json()
        inbox = (await http.get(f"{notify_url}/v1/inbox/{secretary}", headers=system.signed_in(secretary))).json()
        assert len(obligations) == 1 and obligations[0]["rule_id"] == "M4"
        assert len(inbox) == 1 and inbox[0]["obligation_id"] == obligations[0]["obligation_id"]

"""The compliance engine through the real broker: hand-over, and a sanction reported late."""

from datetime import UTC, datetime, timedelta

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import eventually

from .conftest import post_events


async def _city(http, system, ids):
    await post_events(http, system, demo_city_events(ids))


async def test_a_secretary_hand_over_moves_open_obligations_to_the_new_secretary(system, ids):
    compliance, notify = system.url("compliance"), system.url("notify")
    async with system.client() as http:
        await _city(http, system, ids)
        await post_events(http, system, [sanction_event(ids + "p-b1-m2")])

        async def obligation():
            r = await http.get(f"{compliance}/v1/obligations", params={"subject_id": ids + "p-b1-m2"})
            return r.json()

        [ob] = await eventually(obligation)
        assert ob["responsible_id"] == ids + "p-b1-sec"

        hand_over = {
            "specversion": "1.0", "id": ids + "hand-over", "source": "urn:registry", "type": "role.assigned.v1",
            "time": datetime.now(UTC).isoformat(),
            "data": {"org_id": ids + "branch-1", "person_id": ids + "p-b1-cm", "role": "secretary"},
        }  # fmt: skip
        assert (await post_events(http, system, [hand_over])).status_code == 202

        async def moved():
            [current] = await obligation()
            return current if current["responsible_id"] == ids + "p-b1-cm" else None

        current = await eventually(moved)
        assert current["status"] == "reassigned" and current["due_date"] == ob["due_date"]

        async def both_told():
            new = (await http.get(f"{notify}/v1/inbox/{ids}p-b1-cm")).json()
            old = (await http.get(f"{notify}/v1/inbox/{ids}p-b1-sec")).json()
            return [a["transition"] for a in new] == ["reassigned"] and {a["transition"] for a in old} == {"opened", "reassigned_away"}

        await eventually(both_told)


async def test_an_old_sanction_reported_late_is_already_overdue_and_escalated(system, ids):
    compliance, notify = system.url("compliance"), system.url("notify")
    async with system.client() as http:
        await _city(http, system, ids)
        old = datetime.now(UTC) - timedelta(days=40)
        await post_events(http, system, [sanction_event(ids + "p-b2-m2", time=old)])

        async def escalated():
            r = await http.get(f"{compliance}/v1/obligations", params={"subject_id": ids + "p-b2-m2", "status": "escalated"})
            return r.json()

        [ob] = await eventually(escalated)
        assert ob["responsible_id"] == ids + "p-b2-sec" and ob["due_date"] == (old + timedelta(days=7)).date().isoformat()

        async def parent_told():
            inbox = (await http.get(f"{notify}/v1/inbox/{ids}p-town-sec")).json()
            return [a for a in inbox if a["obligation_id"] == ob["obligation_id"]]

        [alert] = await eventually(parent_told)
        assert alert["transition"] == "escalated"
        secretary = {a["transition"] for a in (await http.get(f"{notify}/v1/inbox/{ids}p-b2-sec")).json()}
        assert secretary == {"opened", "due_soon", "overdue"}

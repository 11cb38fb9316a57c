"""The foundation's slice, end to end: sanction → obligation → alert → talk → fulfilment → coverage."""

from datetime import UTC, datetime

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import eventually

from .conftest import post_events


async def test_a_sanction_becomes_an_alert_and_a_talk_fulfils_it(system, ids):
    async with system.client() as http:
        city = await post_events(http, system, demo_city_events(ids))
        assert city.status_code == 202, city.text
        sanction = sanction_event(ids + "p-b1-m1")
        accepted = await post_events(http, system, [sanction])
        assert accepted.json() == {"accepted": [sanction["id"]], "duplicates": []}

        async def obligations():
            r = await http.get(f"{system.url('compliance')}/v1/obligations", params={"subject_id": ids + "p-b1-m1"})
            return r.json()

        [ob] = await eventually(obligations)
        assert (ob["rule_id"], ob["responsible_id"], ob["status"], ob["org_id"]) == ("M4", ids + "p-b1-sec", "open", ids + "branch-1")
        assert ob["trigger_event_id"] == sanction["id"]

        async def inbox():
            r = await http.get(f"{system.url('notify')}/v1/inbox/{ids}p-b1-sec")
            return r.json()

        [alert] = await eventually(inbox)
        assert alert["obligation_id"] == ob["obligation_id"] and alert["read_at"] is None
        assert "李明" in alert["body"] and "M4" in alert["body"]

        coverage_url = f"{system.url('compliance')}/v1/coverage"
        before = (await http.get(coverage_url, params={"org_id": ids + "branch-1"})).json()
        assert before["members"] == 5 and before["covered"] == 0

        talk = await http.post(
            f"{system.url('talks')}/v1/talks",
            headers={"X-Person-Id": ids + "p-b1-sec"},
            json={
                "held_at": datetime.now(UTC).isoformat(), "place": "支部活动室", "mode": "one_to_one", "kind": "must_talk",
                "talker_ids": [ids + "p-b1-sec"], "talkee_ids": [ids + "p-b1-m1"], "rule_ids": ["M4"],
                "topics": ["thought"], "content": "谈话内容", "problems": "", "suggestions": "",
            },
        )  # fmt: skip
        assert talk.status_code == 201, talk.text
        talk_id = talk.json()["talk_id"]

        async def fulfilled():
            [current] = await obligations()
            return current if current["status"] == "fulfilled" else None

        done = await eventually(fulfilled)
        assert done["fulfilled_by"] == talk_id

        after = (await http.get(coverage_url, params={"org_id": ids + "branch-1"})).json()
        person = next(p for p in after["people"] if p["person_id"] == ids + "p-b1-m1")
        assert (person["talks"], person["state"]) == (1, "covered")
        assert after["covered"] == 1
        town = (await http.get(coverage_url, params={"org_id": ids + "town", "subtree": "true"})).json()
        assert town["members"] == 12 - 1 and town["covered"] == 1  # the county secretary is above the town

        read = await http.post(f"{system.url('notify')}/v1/inbox/{ids}p-b1-sec/{alert['alert_id']}/read")
        assert read.status_code == 200 and read.json()["read_at"] is not None


async def test_the_recorded_talk_keeps_its_content_from_strangers(system, ids):
    async with system.client() as http:
        r = await http.post(
            f"{system.url('talks')}/v1/talks",
            json={"held_at": datetime.now(UTC).isoformat(), "place": "会议室", "mode": "one_to_one", "kind": "regular",
                  "talker_ids": [ids + "s"], "talkee_ids": [ids + "m"], "content": "保密内容"},
        )  # fmt: skip
        talk_id = r.json()["talk_id"]
        stranger = (await http.get(f"{system.url('talks')}/v1/talks/{talk_id}", headers={"X-Person-Id": "x"})).json()
        assert "content" not in stranger and stranger["content_visible"] is False
        talkee = (await http.get(f"{system.url('talks')}/v1/talks/{talk_id}", headers={"X-Person-Id": ids + "m"})).json()
        assert talkee["content"] == "保密内容"


async def test_every_service_reports_health_readiness_metrics_and_docs(system):
    async with system.client() as http:
        for name in ("registry", "talks", "compliance", "notify"):
            base = system.url(name)
            assert (await http.get(f"{base}/healthz")).json() == {"status": "ok"}
            ready = await http.get(f"{base}/readyz")
            assert ready.status_code == 200 and ready.json()["checks"] == {"database": True, "broker": True}
            assert "outbox_published_total" in (await http.get(f"{base}/metrics")).text
            assert (await http.get(f"{base}/docs")).status_code == 200
            assert (await http.get(f"{base}/openapi.json")).json()["info"]["title"].endswith(name)

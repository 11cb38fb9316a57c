"""A member's request reaches the leader's inbox; the recorded talk closes it and fulfils REQ.
A scheduled meeting reaches compliance as a coverage deadline."""

from datetime import UTC, datetime, timedelta

from devstack.demo import demo_city_events
from talk_contracts.calendar import DEFAULT_TIME_ZONE, zone
from tests.conftest import eventually

from .conftest import post_events, record_talk


async def test_a_request_reaches_the_leader_and_the_talk_closes_it_and_fulfils_req(system, ids):
    talks, compliance, notify = system.url("talks"), system.url("compliance"), system.url("notify")
    member, leader = ids + "p-b1-m1", ids + "p-town-sec"
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))

        async def asked():
            r = await http.post(f"{talks}/v1/talk-requests", json={"leader_id": leader}, headers=system.signed_in(member))
            return r if r.status_code == 201 else None  # talks learns the city a moment after the registry

        request_id = (await eventually(asked)).json()["request_id"]
        refused = await http.post(f"{talks}/v1/talk-requests", json={"leader_id": ids + "p-b2-m1"}, headers=system.signed_in(member))
        assert refused.status_code == 422 and "no committee seat" in refused.text

        async def req():
            r = await http.get(f"{compliance}/v1/obligations", headers=system.operator(ids), params={"subject_id": member, "rule_id": "REQ"})
            return r.json()

        [ob] = await eventually(req)
        assert ob["responsible_id"] == leader and ob["status"] == "open"

        async def in_inbox():
            return [a for a in (await http.get(f"{notify}/v1/inbox/{leader}", headers=system.signed_in(leader))).json() if a["obligation_id"] == ob["obligation_id"]]

        [alert] = await eventually(in_inbox)
        assert "党员主动要求谈话" in alert["body"]

        oneself = await http.post(f"{talks}/v1/talk-requests", json={"leader_id": member}, headers=system.signed_in(member))
        assert oneself.status_code == 422 and "cannot ask themselves" in oneself.text  # (v2) nobody could fulfil it

        # (v2) a collective talk with the member among others meets no request (compliance's REQ is the judge)
        group = await record_talk(http, system, {
            "held_at": datetime.now(UTC).isoformat(), "place": "会议室", "mode": "one_to_many", "kind": "regular",
            "talker_ids": [leader], "talkee_ids": [member, ids + "p-b1-m2"], "content": "集体谈话"})  # fmt: skip
        assert group.status_code == 201, group.text
        talk = await record_talk(http, system, {
            "held_at": datetime.now(UTC).isoformat(), "place": "党委办公室", "mode": "one_to_one", "kind": "requested",
            "talker_ids": [leader], "talkee_ids": [member], "rule_ids": ["REQ"], "content": "应约谈话"})  # fmt: skip
        assert talk.status_code == 201, talk.text

        async def fulfilled():
            [current] = await req()
            return current["status"] == "fulfilled" and current["fulfilled_by"] == talk.json()["talk_id"]

        await eventually(fulfilled)

        async def closed():
            found = (await http.get(f"{talks}/v1/talk-requests/{request_id}", headers=system.signed_in(member))).json()
            return found if found["status"] == "closed" else None

        assert (await eventually(closed))["closed_by"] == talk.json()["talk_id"]  # closed by compliance's verdict

        year = datetime.now(zone(DEFAULT_TIME_ZONE)).year  # the services' calendar (Beijing), not UTC's

        async def dossier():
            r = await http.get(f"{talks}/v1/dossiers/{member}", params={"year": year}, headers=system.signed_in(ids + "p-b1-sec"))
            body = r.json()
            return body if r.status_code == 200 and body["summary"]["met"] == 1 else None

        found = await eventually(dossier)
        assert [t["talk_id"] for t in found["talks"]] == [group.json()["talk_id"], talk.json()["talk_id"]]
        assert [(m["rule_id"], m["outcome"], m["fulfilled_by"]) for m in found["must_talks"]] == [("REQ", "met", talk.json()["talk_id"])]
        assert found["name"] == "李明" and "content" not in str(found)
        stranger = await http.get(f"{talks}/v1/dossiers/{member}", params={"year": year}, headers=system.signed_in(ids + "p-b2-m1"))
        assert stranger.status_code == 403
        audit = (await http.get(f"{talks}/v1/audit", params={"talk_id": f"dossier:{member}:{year}"}, headers=system.signed_in("auditor-1", "auditor"))).json()
        # someone else's request is not theirs to see
        assert (await http.get(f"{talks}/v1/talk-requests/{request_id}", headers=system.signed_in(ids + "p-b2-m1"))).status_code == 404
        assert {(a["reader_id"], a["granted"]) for a in audit} >= {(ids + "p-b1-sec", True), (ids + "p-b2-m1", False)}


async def test_a_scheduled_meeting_becomes_a_coverage_deadline(system, ids):
    day = (datetime.now(UTC) + timedelta(days=20)).date()
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))

        async def scheduled():
            r = await http.post(f"{system.url('talks')}/v1/meetings", json={"org_id": ids + "branch-2", "date": day.isoformat(), "kind": "year_end"},
                                headers=system.signed_in(ids + "p-b2-sec"))  # fmt: skip
            return r if r.status_code == 201 else None

        await eventually(scheduled)

        async def deadline():
            answer = await http.get(f"{system.url('compliance')}/v1/coverage", headers=system.operator(ids), params={"org_id": ids + "branch-2"})
            if answer.status_code == 403:  # compliance has not heard of the branch yet
                return False
            r = answer.json()
            return r["people"] and all(p["next_meeting"] == day.isoformat() and p["state"] == "at_risk" for p in r["people"])

        await eventually(deadline)
        unknown = await http.post(f"{system.url('talks')}/v1/meetings", json={"org_id": ids + "nowhere", "date": day.isoformat(), "kind": "other"},
                                  headers=system.signed_in(ids + "p-b2-sec"))  # fmt: skip
        assert unknown.status_code == 422

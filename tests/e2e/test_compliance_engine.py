"""The compliance engine through the real broker: hand-over, and a sanction reported late."""

import email
import email.policy
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import eventually

from .conftest import post_events, record_talk


async def _city(http, system, ids):
    await post_events(http, system, demo_city_events(ids))


async def test_a_secretary_hand_over_moves_open_obligations_to_the_new_secretary(system, ids):
    compliance, notify = system.url("compliance"), system.url("notify")
    async with system.client() as http:
        await _city(http, system, ids)
        await post_events(http, system, [sanction_event(ids + "p-b1-m2")])

        async def obligation():
            r = await http.get(f"{compliance}/v1/obligations", headers=system.operator(ids), params={"subject_id": ids + "p-b1-m2"})
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
        # (v2) `reassigned` is what happened, not a stage: the obligation stays where its dates put it
        assert current["status"] == "open" and current["due_date"] == ob["due_date"]

        async def both_told():
            new = (await http.get(f"{notify}/v1/inbox/{ids}p-b1-cm", headers=system.signed_in(ids + "p-b1-cm"))).json()
            old = (await http.get(f"{notify}/v1/inbox/{ids}p-b1-sec", headers=system.signed_in(ids + "p-b1-sec"))).json()
            return [a["transition"] for a in new] == ["reassigned"] and {a["transition"] for a in old} == {"opened", "reassigned_away"}

        await eventually(both_told)

        # (issue 18) The new secretary asks why it is theirs: the clause, the trigger, the seat read, the hand-over.
        why = f"{compliance}/v1/obligations/{ob['obligation_id']}/explanation"
        r = await http.get(why, headers=system.signed_in(ids + "p-b1-cm"))
        assert r.status_code == 200, r.text
        found = r.json()
        assert (found["rule"]["rule_id"], found["rule"]["clause"]["section"]) == ("M4", "三、1.(4)")
        assert found["trigger"]["type"] == "discipline.action_recorded.v1" and found["trigger"]["time"].endswith("+08:00")
        assert [(s["org_id"], s["holder_id"], s["outcome"]) for s in found["responsibility"]["steps"]] == [(ids + "branch-1", ids + "p-b1-cm", "answers")]
        steps = [(t["transition"], t["previous_responsible_id"], t["cause"]["event_type"]) for t in found["history"]]
        assert steps == [("opened", None, "discipline.action_recorded.v1"), ("reassigned", ids + "p-b1-sec", "role.assigned.v1")]
        assert found["history"][0]["cause"]["event_id"] == ob["trigger_event_id"]
        assert (await http.get(why, headers=system.signed_in(ids + "p-b2-m1"))).status_code == 403  # not theirs, nor their organisation
        assert (await http.get(f"{compliance}/v1/obligations/{ids}nope/explanation", headers=system.operator(ids))).status_code == 404


async def test_an_old_sanction_reported_late_is_already_overdue_and_escalated(system, ids):
    compliance, notify = system.url("compliance"), system.url("notify")
    async with system.client() as http:
        await _city(http, system, ids)
        old = datetime.now(UTC) - timedelta(days=40)
        await post_events(http, system, [sanction_event(ids + "p-b2-m2", time=old)])

        async def escalated():
            r = await http.get(f"{compliance}/v1/obligations", headers=system.operator(ids), params={"subject_id": ids + "p-b2-m2", "status": "escalated"})
            return r.json()

        [ob] = await eventually(escalated)
        beijing = old.astimezone(ZoneInfo("Asia/Shanghai")).date()  # (v2) dates are the deployment's calendar
        assert ob["responsible_id"] == ids + "p-b2-sec" and ob["due_date"] == (beijing + timedelta(days=7)).isoformat()

        async def parent_told():
            inbox = (await http.get(f"{notify}/v1/inbox/{ids}p-town-sec", headers=system.signed_in(ids + "p-town-sec"))).json()
            return [a for a in inbox if a["obligation_id"] == ob["obligation_id"]]

        [alert] = await eventually(parent_told)
        assert alert["transition"] == "escalated"

        async def parent_mailed():
            return [m for m in system.smtp.messages if m["to"] == [f"{ids}p-town-sec@example.org"]]

        [mail] = await eventually(parent_mailed)
        message = email.message_from_string(mail["data"], policy=email.policy.default)
        # the e-mail says an escalation waits and where; who it concerns is in the inbox (behind sign-in)
        assert message["Subject"] == "下级必谈任务逾期上报" and "孙强" not in message.get_content() and "孙强" in alert["body"]
        secretary = {a["transition"] for a in (await http.get(f"{notify}/v1/inbox/{ids}p-b2-sec", headers=system.signed_in(ids + "p-b2-sec"))).json()}
        assert secretary == {"opened", "due_soon", "overdue"}


async def test_coverage_of_members_secretaries_and_committee_pairs(system, ids):
    compliance = system.url("compliance")
    async with system.client() as http:
        await _city(http, system, ids)

        async def city_known():
            r = await http.get(f"{compliance}/v1/coverage", headers=system.operator(ids), params={"org_id": ids + "town", "subtree": "true"})
            return r.status_code == 200 and r.json()["members"] == 11  # 403 until compliance knows the town

        await eventually(city_known)
        before = (await http.get(f"{compliance}/v1/coverage", headers=system.operator(ids), params={"org_id": ids + "town", "subtree": "true"})).json()
        # town: 2 branch secretaries below; committee pairs: town (sec, cm), branch-1 (sec, cm), branch-2 (sec, deputy)
        assert before["rules"]["COV-SECRETARY"]["total"] == 2 and before["rules"]["COV-SECRETARY"]["covered"] == 0
        assert before["rules"]["COV-COMMITTEE"]["total"] == 3 and before["rules"]["COV-COMMITTEE"]["covered"] == 0

        held_at = datetime.now(UTC).isoformat()
        for talker, talkee in [("p-town-sec", "p-b1-sec"), ("p-b1-sec", "p-b1-cm")]:
            r = await record_talk(http, system, {
                "held_at": held_at, "place": "会议室", "mode": "one_to_one", "kind": "regular",
                "talker_ids": [ids + talker], "talkee_ids": [ids + talkee], "content": "谈话内容"})  # fmt: skip
            assert r.status_code == 201

        async def covered():
            r = (await http.get(f"{compliance}/v1/coverage", headers=system.operator(ids), params={"org_id": ids + "town", "subtree": "true"})).json()
            rules = r["rules"]
            done = rules["COV-SECRETARY"]["covered"] == 1 and rules["COV-COMMITTEE"]["covered"] == 1
            return r if done else None

        after = await eventually(covered)
        assert after["rules"]["COV-MEMBER"]["covered"] == 1  # the committee member, by the branch secretary
        [secretary] = [s for s in after["secretaries"] if s["state"] == "covered"]
        assert (secretary["person_id"], secretary["org_id"]) == (ids + "p-b1-sec", ids + "branch-1")
        [pair] = [p for p in after["committee_pairs"] if p["state"] == "covered"]
        assert {pair["person_id"], pair["counterpart_id"]} == {ids + "p-b1-sec", ids + "p-b1-cm"}
        branch = next(o for o in after["by_org"] if o["org_id"] == ids + "branch-1")
        assert branch["rules"]["COV-MEMBER"]["total"] == 5 and branch["rules"]["COV-COMMITTEE"]["covered"] == 1
        brief = (await http.get(f"{compliance}/v1/coverage", headers=system.operator(ids), params={"org_id": ids + "town", "subtree": "true", "people": "false"})).json()
        # The counted answer (written straight to JSON) is the listed one without its lists.
        lists = ("people", "secretaries", "committee_pairs")
        assert all(brief[k] == [] for k in lists) and after["people"]
        assert brief == {k: v for k, v in after.items() if k not in lists} | dict.fromkeys(lists, [])

        # (issue 18) Why the committee member is covered, and the branch secretary (talked with only
        # by the town's secretary, a talk that counts for COV-SECRETARY, not COV-MEMBER) is not.
        why = f"{compliance}/v1/coverage/people/{{}}/explanation"
        member = (await http.get(why.format(ids + "p-b1-cm"), headers=system.signed_in(ids + "p-b1-sec"))).json()
        assert (member["state"], member["talks"], member["clause"]["section"]) == ("covered", 1, "一")
        [judged] = member["talks_judged"]
        assert judged["not_member_because"] is None
        assert {c["rule_id"] for c in judged["credits"]} == {"COV-MEMBER", "COV-COMMITTEE"}
        secretary = (await http.get(why.format(ids + "p-b1-sec"), headers=system.operator(ids))).json()
        reasons = {j["talk_id"]: (j["not_member_because"], [c["rule_id"] for c in j["credits"]]) for j in secretary["talks_judged"]}
        assert sorted(reasons.values()) == [("no_committee_talker", ["COV-SECRETARY"]), ("not_a_talkee", ["COV-COMMITTEE"])]
        assert (await http.get(why.format(ids + "p-b1-cm"), headers=system.signed_in(ids + "p-b2-m1"))).status_code == 403
        own = await http.get(why.format(ids + "p-b2-m1"), headers=system.signed_in(ids + "p-b2-m1"))
        assert own.status_code == 200 and own.json()["talks_judged"] == []  # one's own, always

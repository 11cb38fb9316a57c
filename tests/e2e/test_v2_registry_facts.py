"""(SPEC v2) The registry publishes what consumers used to infer, and every service acts on it:
a secretary who dies leaves the seat vacant; an expulsion ends membership; C rules about ordinary
members are refused at the edge. Through the whole system: registry → Kafka → compliance, notify."""

from datetime import UTC, datetime, timedelta

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import eventually

from .conftest import post_events
from .test_registry import ev


async def test_M4_a_secretary_who_dies_leaves_the_seat_vacant_and_the_parent_secretary_takes_over(system, ids):
    p = lambda s: ids + s  # noqa: E731
    compliance, notify, registry = system.url("compliance"), system.url("notify"), system.url("registry")
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))
        await post_events(http, system, [sanction_event(p("p-b1-m1"))])

        async def obligation():
            r = (await http.get(f"{compliance}/v1/obligations", headers=system.operator(ids), params={"subject_id": p("p-b1-m1")})).json()
            return r[0] if r else None

        assert (await eventually(obligation))["responsible_id"] == p("p-b1-sec")
        died = ev(ids, "member.left.v1", {"person_id": p("p-b1-sec"), "reason": "deceased"}, "died", datetime.now(UTC) + timedelta(seconds=1))
        assert (await post_events(http, system, [died])).status_code == 202

        assert [c["person_id"] for c in (await http.get(f"{registry}/v1/orgs/{ids}branch-1", headers=system.operator(ids))).json()["committee"]] == [p("p-b1-cm")]

        async def moved_up():
            ob = await obligation()
            return ob if ob["responsible_id"] == p("p-town-sec") else None

        assert (await eventually(moved_up))["status"] == "open"

        async def parent_told():
            inbox = (await http.get(f"{notify}/v1/inbox/{ids}p-town-sec", headers=system.signed_in(ids + "p-town-sec"))).json()
            return {a["transition"] for a in inbox} >= {"secretary_vacant", "reassigned"}

        await eventually(parent_told)


async def test_M4_an_expulsion_ends_membership_and_opens_no_must_talk(system, ids):
    p = lambda s: ids + s  # noqa: E731
    compliance, registry = system.url("compliance"), system.url("registry")
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))
        expelled = sanction_event(p("p-b2-m1"), case_ref="JJ-X")
        expelled["data"]["sanction"] = "expulsion"
        assert (await post_events(http, system, [expelled])).status_code == 202
        person = (await http.get(f"{registry}/v1/people/{ids}p-b2-m1", headers=system.operator(ids))).json()
        assert person["left_reason"] == "expelled" and person["left_at"] is not None

        async def judged():
            # The sanction and the leaving it caused travel on two topics: compliance may see the
            # sanction first (an open M4, for a moment) or the leaving first; either way it ends here.
            r = (await http.get(f"{compliance}/v1/obligations", headers=system.operator(ids), params={"subject_id": p("p-b2-m1")})).json()
            return r if r and r[0]["status"] != "open" else None

        [ob] = await eventually(judged)
        assert (ob["status"], ob["reason"]) == ("cancelled", "not_member")  # kept, cancelled: nobody is to talk
        members = (await http.get(f"{compliance}/v1/coverage", headers=system.operator(ids), params={"org_id": p("branch-2")})).json()["people"]
        assert p("p-b2-m1") not in [m["person_id"] for m in members]


async def test_C7_about_an_ordinary_member_is_refused_with_a_422_and_C8_skips_and_reports_one(system, ids):
    p = lambda s: ids + s  # noqa: E731
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))
        low = ev(ids, "conduct.observation_recorded.v1", {"person_id": p("p-b1-m1"), "kind": "low_spirit"}, "low")
        r = await post_events(http, system, [low])
        assert r.status_code == 422 and "C7" in r.text and "committee" in r.text
        conflict = ev(ids, "conduct.observation_recorded.v1", {"person_id": p("p-b1-cm"), "kind": "conflict", "counterpart_ids": [p("p-b1-m2")]}, "c8")
        r = await post_events(http, system, [conflict])
        assert r.status_code == 202 and p("p-b1-m2") in r.json()["warnings"][0]["msg"]

"""The registry over HTTP: invariants refuse whole batches with a 409, queries answer from its state."""

from datetime import UTC, datetime, timedelta

from devstack.demo import demo_city_events

from .conftest import post_events


def ev(ids: str, type_name: str, data: dict, n: str, at: datetime | None = None) -> dict:
    return {"specversion": "1.0", "id": f"{ids}{n}", "source": "urn:registry-test", "type": type_name,
            "time": (at or datetime.now(UTC)).isoformat(), "data": data}  # fmt: skip


async def test_every_invariant_refuses_the_whole_batch_with_a_409_naming_the_rule(system, ids):
    p = lambda s: ids + s  # noqa: E731
    async with system.client() as http:
        assert (await post_events(http, system, demo_city_events(ids))).status_code == 202
        newcomer = ev(ids, "member.joined.v1", {"person_id": p("new"), "name": "新人", "org_id": p("branch-2"), "status": "probationary"}, "good")
        bad = {
            "org.cycle": ev(ids, "org.moved.v1", {"org_id": p("town"), "parent_id": p("branch-1")}, "b1"),
            "org.parent_unknown": ev(ids, "org.registered.v1", {"org_id": p("x"), "name": "x", "kind": "branch", "parent_id": p("nowhere")}, "b2"),
            "org.has_members": ev(ids, "org.dissolved.v1", {"org_id": p("branch-1")}, "b3"),
            "member.one_organisation": ev(ids, "member.joined.v1", {"person_id": p("p-b1-m1"), "name": "李明", "org_id": p("branch-2"), "status": "full"}, "b4"),
            "member.wrong_organisation": ev(ids, "member.transferred.v1", {"person_id": p("p-b1-m1"), "from_org_id": p("branch-2"), "to_org_id": p("branch-1")}, "b5"),
            "member.unknown": ev(ids, "role.assigned.v1", {"org_id": p("branch-1"), "person_id": p("stranger"), "role": "secretary"}, "b6"),
        }
        for rule, event in bad.items():
            r = await post_events(http, system, [newcomer, event])
            assert r.status_code == 409, r.text
            [breach] = r.json()["breaches"]
            assert (breach["index"], breach["id"], breach["rule"]) == (1, event["id"], rule)
            assert breach["message"]
        members = (await http.get(f"{system.url('registry')}/v1/orgs/{ids}branch-2/members", headers=system.operator(ids))).json()
        assert ids + "new" not in [m["person_id"] for m in members]  # nothing of a refused batch was applied
        r = await post_events(http, system, [newcomer])
        assert r.json()["accepted"] == [newcomer["id"]]
        assert (await post_events(http, system, [newcomer])).json()["duplicates"] == [newcomer["id"]]
        members = (await http.get(f"{system.url('registry')}/v1/orgs/{ids}branch-2/members", headers=system.operator(ids))).json()
        assert [m["person_id"] for m in members].count(ids + "new") == 1


async def test_queries_answer_with_the_tree_members_and_role_history(system, ids):
    p = lambda s: ids + s  # noqa: E731
    registry = system.url("registry")
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))
        before = datetime.now(UTC)
        later = before + timedelta(seconds=1)
        hand_over = ev(ids, "role.assigned.v1", {"org_id": p("branch-1"), "person_id": p("p-b1-cm"), "role": "secretary"}, "ho", later)
        assert (await post_events(http, system, [hand_over])).status_code == 202

        town = (await http.get(f"{registry}/v1/orgs/{ids}town", headers=system.operator(ids))).json()
        assert town["parent"]["org_id"] == p("county")
        assert [c["org_id"] for c in town["children"]] == [p("branch-1"), p("branch-2")]
        assert {(c["person_id"], c["role"]) for c in town["committee"]} == {(p("p-town-sec"), "secretary"), (p("p-town-cm"), "committee_member")}

        page = await http.get(f"{registry}/v1/orgs/{ids}town/members", headers=system.operator(ids), params={"subtree": "true", "limit": 4, "offset": 4})
        assert page.headers["X-Total-Count"] == "11" and len(page.json()) == 4

        person = (await http.get(f"{registry}/v1/people/{ids}p-b1-sec", headers=system.operator(ids))).json()
        [held] = person["roles"]
        assert held["role"] == "secretary" and held["until"] is not None  # the hand-over ended her term

        then = (await http.get(f"{registry}/v1/orgs/{ids}branch-1/roles", headers=system.operator(ids), params={"on": before.isoformat()})).json()
        now = (await http.get(f"{registry}/v1/orgs/{ids}branch-1/roles", headers=system.operator(ids), params={"on": (later + timedelta(seconds=1)).isoformat()})).json()
        secretary = lambda r: [h["person_id"] for h in r["holders"] if h["role"] == "secretary"]  # noqa: E731
        assert secretary(then) == [p("p-b1-sec")] and secretary(now) == [p("p-b1-cm")]
        assert (await http.get(f"{registry}/v1/orgs/{ids}nowhere", headers=system.operator(ids))).status_code == 404

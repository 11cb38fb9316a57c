"""The foundation's slice, end to end: sanction → obligation → alert → talk → fulfilment → coverage."""

from datetime import UTC, datetime

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import eventually

from .conftest import AUDITOR, logs_of, post_events, record_talk


async def test_a_sanction_becomes_an_alert_and_a_talk_fulfils_it(system, ids):
    async with system.client() as http:
        city = await post_events(http, system, demo_city_events(ids))
        assert city.status_code == 202, city.text
        sanction = sanction_event(ids + "p-b1-m1")
        correlation = f"{ids}trace-1"
        accepted = await post_events(http, system, [sanction], correlation_id=correlation)
        body = accepted.json()
        assert (body["accepted"], body["duplicates"]) == ([sanction["id"]], [])
        on_topics = body["topic_ids"][sanction["id"]]  # ids are unique per source: it travels under its own
        assert on_topics != sanction["id"]

        async def obligations():
            r = await http.get(f"{system.url('compliance')}/v1/obligations", headers=system.operator(ids), params={"subject_id": ids + "p-b1-m1"})
            return r.json()

        [ob] = await eventually(obligations)
        assert (ob["rule_id"], ob["responsible_id"], ob["status"], ob["org_id"]) == ("M4", ids + "p-b1-sec", "open", ids + "branch-1")
        assert ob["trigger_event_id"] == on_topics

        async def inbox():
            r = await http.get(f"{system.url('notify')}/v1/inbox/{ids}p-b1-sec", headers=system.signed_in(ids + "p-b1-sec"))
            return r.json()

        [alert] = await eventually(inbox)
        assert alert["obligation_id"] == ob["obligation_id"] and alert["read_at"] is None
        assert "李明" in alert["body"] and "M4" in alert["body"]
        # One request followed through the services' logs by its correlation id (README, "grep <id>").
        for service in ("registry", "compliance", "notify"):
            assert correlation in logs_of(system.services[service].log_path), f"{service}'s log does not name {correlation}"

        coverage_url = f"{system.url('compliance')}/v1/coverage"
        before = (await http.get(coverage_url, headers=system.operator(ids), params={"org_id": ids + "branch-1"})).json()
        assert before["members"] == 5 and before["covered"] == 0

        talk = await record_talk(
            http,
            system,
            recorded_by=ids + "p-b1-sec",
            body={
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

        after = (await http.get(coverage_url, headers=system.operator(ids), params={"org_id": ids + "branch-1"})).json()
        person = next(p for p in after["people"] if p["person_id"] == ids + "p-b1-m1")
        assert (person["talks"], person["state"]) == (1, "covered")
        assert after["covered"] == 1
        town = (await http.get(coverage_url, headers=system.operator(ids), params={"org_id": ids + "town", "subtree": "true"})).json()
        assert town["members"] == 12 - 1 and town["covered"] == 1  # the county secretary is above the town

        notify = system.url("notify")
        # an inbox is its person's alone: not anyone's who names them, nor another secretary's
        assert (await http.get(f"{notify}/v1/inbox/{ids}p-b1-sec")).status_code == 401
        assert (await http.get(f"{notify}/v1/inbox/{ids}p-b1-sec", headers={"X-Person-Id": ids + "p-b1-sec"})).status_code == 401
        assert (await http.get(f"{notify}/v1/inbox/{ids}p-b1-sec", headers=system.signed_in(ids + "p-b2-sec"))).status_code == 403
        assert (await http.get(f"{notify}/v1/dead-letters", headers=system.signed_in(ids + "p-b1-sec"))).status_code == 403
        assert (await http.get(f"{notify}/v1/dead-letters", headers=system.signed_in("op-1", "operator"))).status_code == 200
        read = await http.post(f"{system.url('notify')}/v1/inbox/{ids}p-b1-sec/{alert['alert_id']}/read", headers=system.signed_in(ids + "p-b1-sec"))
        assert read.status_code == 200 and read.json()["read_at"] is not None


async def test_content_only_for_those_entitled_and_every_request_audited(system, ids):
    talks = system.url("talks")
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))
        r = await record_talk(http, system, {
            "held_at": datetime.now(UTC).isoformat(), "place": "会议室", "mode": "one_to_one", "kind": "regular",
            "talker_ids": [ids + "p-b1-cm"], "talkee_ids": [ids + "p-b1-m2"], "content": "保密内容"})  # fmt: skip
        assert r.status_code == 201, r.text
        talk_id = r.json()["talk_id"]
        readers = {
            ids + "p-b1-m2": "participant",
            ids + "p-b1-sec": "talkee's secretary",
            ids + "p-town-sec": "secretary's parent",
            AUDITOR: "auditor",
            ids + "p-b2-sec": None,  # another branch's secretary
            ids + "p-county-sec": None,  # two levels up
        }
        for reader, basis in readers.items():
            roles = ("auditor",) if reader == AUDITOR else ()
            seen = (await http.get(f"{talks}/v1/talks/{talk_id}", headers=system.signed_in(reader, *roles))).json()
            assert seen["content_visible"] is (basis is not None), reader
            assert ("content" in seen) is (basis is not None) and seen["talkee_ids"] == [ids + "p-b1-m2"]
        anonymous = await http.get(f"{talks}/v1/talks/{talk_id}")
        assert anonymous.status_code == 401 and "content" not in anonymous.text
        claimed = await http.get(f"{talks}/v1/talks/{talk_id}", headers={"X-Person-Id": ids + "p-b1-m2"})
        assert claimed.status_code == 401  # naming someone in a header proves nothing
        # An auditor role is the token's, not a person id's: auditor-1 without it reads no content.
        plain = (await http.get(f"{talks}/v1/talks/{talk_id}", headers=system.signed_in(AUDITOR))).json()
        assert "content" not in plain
        assert (await http.get(f"{talks}/v1/audit", headers=system.signed_in(ids + "p-b1-sec"))).status_code == 403
        # An organisation id that is not ASCII still names the download (was a 500: the id went into a header).
        forms = await http.get(f"{talks}/v1/orgs/{ids}龙江县委/talk-forms.docx", params={"year": 2026}, headers=system.signed_in(AUDITOR, "auditor"))
        assert forms.status_code == 200 and "filename*=UTF-8''" in forms.headers["content-disposition"]
        audit = (await http.get(f"{talks}/v1/audit", params={"talk_id": talk_id}, headers=system.signed_in(AUDITOR, "auditor"))).json()
        logged = {(a["reader_id"], a["granted"], a["basis"]) for a in audit if a["action"] == "read"}
        assert logged == {(r, b is not None, b or "not entitled") for r, b in readers.items()} | {(AUDITOR, False, "not entitled")}
        # the write is in the same chain, with who recorded it
        assert [(a["reader_id"], a["basis"]) for a in audit if a["action"] == "write"] == [(ids + "p-b1-cm", "recorded")]


async def test_a_record_is_refused_for_a_stranger_or_a_talker_without_standing(system, ids):
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))
        base = {"held_at": datetime.now(UTC).isoformat(), "place": "会议室", "mode": "one_to_one", "content": "内容"}
        ok = await record_talk(http, system, base | {"kind": "regular", "talker_ids": [ids + "p-b1-sec"], "talkee_ids": [ids + "p-b1-m1"]})
        assert ok.status_code == 201
        as_secretary = system.signed_in(ids + "p-b1-sec")
        stranger = await http.post(f"{system.url('talks')}/v1/talks", headers=as_secretary, json=base | {
            "kind": "regular", "talker_ids": [ids + "p-b1-sec"], "talkee_ids": [ids + "nobody"]})  # fmt: skip
        assert stranger.status_code == 422 and "not members" in stranger.text
        no_standing = await http.post(f"{system.url('talks')}/v1/talks", headers=system.signed_in(ids + "p-b2-m1"), json=base | {
            "kind": "must_talk", "rule_ids": ["M4"], "talker_ids": [ids + "p-b2-m1"], "talkee_ids": [ids + "p-b1-m1"]})  # fmt: skip
        assert no_standing.status_code == 422
        [error] = no_standing.json()["detail"]
        assert error["loc"] == ["body", "talker_ids"] and "no committee seat" in error["msg"]
        future = await http.post(f"{system.url('talks')}/v1/talks", headers=as_secretary, json=base | {
            "held_at": "2099-01-01T00:00:00Z", "kind": "regular", "talker_ids": [ids + "p-b1-sec"], "talkee_ids": [ids + "p-b1-m1"]})  # fmt: skip
        assert future.status_code == 422 and "in the future" in future.text
        # a talk in a secretary's name by someone else is refused, whoever they say they are
        impostor = await http.post(f"{system.url('talks')}/v1/talks", headers=system.signed_in(ids + "p-b1-m2"), json=base | {
            "kind": "regular", "talker_ids": [ids + "p-b1-sec"], "talkee_ids": [ids + "p-b1-m1"]})  # fmt: skip
        assert impostor.status_code == 403
        unsigned = await http.post(f"{system.url('talks')}/v1/talks", headers={"X-Person-Id": ids + "p-b1-sec"}, json=base | {
            "kind": "regular", "talker_ids": [ids + "p-b1-sec"], "talkee_ids": [ids + "p-b1-m1"]})  # fmt: skip
        assert unsigned.status_code == 401


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

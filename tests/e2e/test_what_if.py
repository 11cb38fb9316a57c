"""What-if on policy (issue 18): the log replayed under M4 due in 5 days instead of 7, compared with
the live projection, for a case counted by hand. Through the real broker, database and CLI."""

import asyncio
import csv
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import eventually

from .conftest import post_events, record_talk

# Three M4 sanctions 40 days ago (their trigger date D), each due on D + 7 live, on D + 5 in the what-if:
#   p-b1-m1, talked with on D + 6:  live on time;           what-if late (D + 6 > D + 5), not escalated
#   p-b1-m2, talked with on D + 12: live late, not escalated (D + 12 < D + 14); what-if late and escalated (>= D + 12)
#   p-b2-m1, never talked with:     escalated in both (still open, 40 days on)
LIVE = {"opened": 3, "fulfilled_on_time": 1, "fulfilled_late": 1, "open_late": 1, "late": 2, "escalated": 1}
WHAT_IF = {"opened": 3, "fulfilled_on_time": 0, "fulfilled_late": 2, "open_late": 1, "late": 3, "escalated": 2}


async def test_what_if_M4_were_due_in_5_days_moves_the_late_and_escalated_counts(system, ids, tmp_path):
    compliance = system.url("compliance")
    day = datetime.now(UTC) - timedelta(days=40)
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))
        sanctions = [sanction_event(ids + p, time=day, case_ref=f"{ids}case-{p}") for p in ("p-b1-m1", "p-b1-m2", "p-b2-m1")]
        assert (await post_events(http, system, sanctions)).status_code == 202
        for talkee, talker, after in (("p-b1-m1", "p-b1-sec", 6), ("p-b1-m2", "p-b1-sec", 12)):
            r = await record_talk(http, system, {
                "held_at": (day + timedelta(days=after)).isoformat(), "place": "会议室", "mode": "one_to_one", "kind": "regular",
                "talker_ids": [ids + talker], "talkee_ids": [ids + talkee], "content": "谈话内容"})  # fmt: skip
            assert r.status_code == 201, r.text

        async def settled():
            r = await http.get(f"{compliance}/v1/obligations", headers=system.operator(ids),
                               params={"org_id": ids + "county", "subtree": "true", "status": ["fulfilled", "fulfilled_late", "escalated"]})  # fmt: skip
            return len(r.json()) == 3

        await eventually(settled, timeout=60)

    env = {**os.environ, "DATABASE_URL": system.database_url, "KAFKA_BOOTSTRAP_SERVERS": system.infra.kafka_bootstrap_servers,
           "KAFKA_TOPIC_PREFIX": system.topic_prefix}  # fmt: skip
    out, table = tmp_path / "what-if.json", tmp_path / "what-if.csv"
    year = str(day.astimezone(ZoneInfo("Asia/Shanghai")).year)  # the deployment's calendar
    for fmt, path in (("json", out), ("csv", table)):
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "compliance", "what-if", "--policy", '{"due_days": {"M4": 5}}', "--year", year,
             "--schema", "compliance_whatif_test", "--format", fmt, "--out", str(path)],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
    assert "replaying" in result.stderr  # progress is shown on the way

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["policy"] == {"due_days": {"M4": 5}}
    ours = {(r["measure"]): (r["live"], r["what_if"]) for r in report["rows"] if r["org_id"] == ids + "county" and r["rule_id"] == "M4"}
    assert {m: ours[m][0] for m in LIVE} == LIVE
    assert {m: ours[m][1] for m in WHAT_IF} == WHAT_IF
    # the subtrees below sum the same way: branch-1 holds the two talked with
    branch = {r["measure"]: (r["live"], r["what_if"]) for r in report["rows"] if r["org_id"] == ids + "branch-1" and r["rule_id"] == "M4"}
    assert (branch["fulfilled_on_time"], branch["escalated"]) == ((1, 0), (0, 1))
    # coverage is reported beside them (the M4 change moves none of it)
    coverage = [r for r in report["rows"] if r["org_id"] == ids + "county" and r["rule_id"] == "COV-MEMBER"]
    assert {r["measure"] for r in coverage} == {"covered", "total"} and all(r["change"] == 0 for r in coverage)

    with table.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    late = [r for r in rows if r["组织编号"] == ids + "county" and r["规则"] == "M4" and r["指标"] == "late"]
    assert [(r["现行"], r["假设"], r["变化"]) for r in late] == [("2", "3", "1")]


def test_a_policy_the_what_if_cannot_take_is_refused_with_what_is_wrong():
    result = subprocess.run([sys.executable, "-m", "compliance", "what-if", "--policy", '{"due_days": {"M9": 5}}'],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2 and "unknown rules ['M9']" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run([sys.executable, "-m", "compliance", "what-if", "--policy", "{nope"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--policy is not JSON" in result.stderr


async def test_an_operator_starts_a_what_if_follows_it_and_reads_their_organisations(system, ids):
    compliance = system.url("compliance")
    operator = system.operator(ids)  # scoped to this test's county: reads its rows, not the whole city's
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))
        day = datetime.now(UTC) - timedelta(days=40)
        await post_events(http, system, [sanction_event(ids + "p-b1-m1", time=day, case_ref=ids + "c")])

        async def opened():
            r = await http.get(f"{compliance}/v1/obligations", headers=operator, params={"subject_id": ids + "p-b1-m1"})
            return r.status_code == 200 and len(r.json()) == 1

        await eventually(opened, timeout=60)
        refused = await http.post(f"{compliance}/v1/what-if", headers=operator, json={"policy": {"due_days": {"M9": 1}}})
        assert refused.status_code == 422 and "unknown rules ['M9']" in refused.text
        member = await http.post(f"{compliance}/v1/what-if", headers=system.signed_in(ids + "p-b1-sec"), json={"policy": {}})
        assert member.status_code == 403

        year = day.astimezone(ZoneInfo("Asia/Shanghai")).year
        started = await http.post(f"{compliance}/v1/what-if", headers=operator, json={"policy": {"escalate_after_days": 60}, "year": year})
        assert started.status_code == 202, started.text
        run = started.json()
        assert run["status"] == "running"
        again = await http.post(f"{compliance}/v1/what-if", headers=operator, json={"policy": {}})
        assert again.status_code == 409  # one at a time

        async def finished():
            r = (await http.get(f"{compliance}/v1/what-if/{run['run_id']}", headers=operator)).json()
            return r if r["status"] != "running" else None

        done = await eventually(finished, timeout=120)
        assert done["status"] == "done", done["error"]
        assert ids + "county" in {r["org_id"] for r in done["report"]["rows"]}  # the top level they oversee
        county = (await http.get(f"{compliance}/v1/what-if/{run['run_id']}", headers=operator, params={"org_id": ids + "county"})).json()
        rows = county["report"]["rows"]
        assert {r["org_id"] for r in rows} == {ids + "county", ids + "town"}  # the county and the level below
        escalated = [(r["live"], r["what_if"]) for r in rows if r["org_id"] == ids + "county" and r["rule_id"] == "M4" and r["measure"] == "escalated"]
        assert escalated == [(1, 0)]  # 40 days on: escalated after 7 days, not yet after 60
        town = (await http.get(f"{compliance}/v1/what-if/{run['run_id']}", headers=operator, params={"org_id": ids + "town"})).json()
        assert {r["org_id"] for r in town["report"]["rows"]} == {ids + "town", ids + "branch-1", ids + "branch-2"}

        # An operator of the town alone reads the town's subtree: no city-wide row, nothing beside it.
        town_operator = system.signed_in(ids + "town-operator", "operator", scope=(ids + "town",))
        theirs = (await http.get(f"{compliance}/v1/what-if/{run['run_id']}", headers=town_operator)).json()
        assert {r["org_id"] for r in theirs["report"]["rows"]} == {ids + "town"}

        export = await http.get(f"{compliance}/v1/what-if/{run['run_id']}/export", headers=operator, params={"format": "xlsx"})
        assert export.status_code == 200 and export.content[:2] == b"PK"  # a spreadsheet (a zip)
        listed = (await http.get(f"{compliance}/v1/what-if", headers=operator)).json()
        assert run["run_id"] in [r["run_id"] for r in listed]

"""python -m devstack run: the whole system on its embedded defaults, with the demo city."""

import json
import signal
import sys
import threading
from pathlib import Path

import httpx

from devstack.demo import DEV_CREDENTIALS, DEV_TOKEN, demo_city_events, demo_personas
from devstack.infra import infrastructure
from devstack.issuer import DevIssuer
from devstack.processes import service_processes, supervise
from talks.adapters.crypto import new_key

WALKTHROUGH = """
Talk compliance is running ({infra}).

  dashboard   http://127.0.0.1:8103/                     operators: coverage, obligations, exports (live)
  workspace   http://127.0.0.1:8102/                     a secretary (sign in as 王海燕): alerts, must-talks, record a talk
  sign-in     {issuer}   development issuer: "sign in as" anyone of the demo city, no password

  registry    http://127.0.0.1:8101/docs   integration edge, organisation tree
  talks       http://127.0.0.1:8102/docs   talk records
  compliance  http://127.0.0.1:8103/docs   obligations and coverage
  notify      http://127.0.0.1:8104/docs   inboxes
  logs        {logs}/<service>.log
  credential  Authorization: Bearer {token}   (development only: every family; production has none)
  a person    .venv/bin/python -m devstack token p-b1-sec [--role operator|auditor --scope county]
              prints a bearer token signed by the development issuer

The demo city is loaded: 龙江县委 → 城关镇党委 → 第一/第二党支部, twelve members.
Walkthrough (README.md has it too):

  # 0. an operator of the county, signed in (a token from the development issuer)
  OPERATOR="Authorization: Bearer $(.venv/bin/python -m devstack token op-county --role operator --scope county)"

  # 1. the discipline system reports a sanction against 李明 (p-b1-m1, branch 1)
  curl -s -XPOST localhost:8101/v1/events -H 'Authorization: Bearer {token}' \
    -H 'content-type: application/cloudevents+json' -d '{{
    "specversion":"1.0","id":"demo-sanction-1","source":"urn:discipline","type":"discipline.action_recorded.v1",
    "time":"'$(date -u +%Y-%m-%dT%H:%M:%SZ)'","data":{{"person_id":"p-b1-m1","case_ref":"JJ-1","action":"sanction","sanction":"warning"}}}}'

  # 2. compliance opened M4 for the branch secretary 王海燕 (p-b1-sec), due in 7 days
  curl -s 'localhost:8103/v1/obligations?subject_id=p-b1-m1' -H "$OPERATOR"

  # 3. her inbox has the alert
  curl -s localhost:8104/v1/inbox/p-b1-sec -H "Authorization: Bearer $(.venv/bin/python -m devstack token p-b1-sec)"

  # 4. she records the talk, signed in as herself
  curl -s -XPOST localhost:8102/v1/talks -H 'content-type: application/json' \
    -H "Authorization: Bearer $(.venv/bin/python -m devstack token p-b1-sec)" -d '{{
    "held_at":"'$(date -u +%Y-%m-%dT%H:%M:%SZ)'","place":"支部活动室","mode":"one_to_one","kind":"must_talk",
    "talker_ids":["p-b1-sec"],"talkee_ids":["p-b1-m1"],"rule_ids":["M4"],"topics":["thought"],
    "content":"谈话内容……","problems":"","suggestions":""}}'

  # 5. the obligation is fulfilled and 李明 is covered for the year
  curl -s 'localhost:8103/v1/obligations?subject_id=p-b1-m1' -H "$OPERATOR"
  curl -s 'localhost:8103/v1/coverage?org_id=branch-1' -H "$OPERATOR"

Press Ctrl-C to stop everything.
"""


def run() -> int:
    logs = Path(".run/logs").resolve()
    logs.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with infrastructure() as infra:
        issuer = DevIssuer(demo_personas(), port=8100).start()
        env = issuer.env() | {
            "DATABASE_URL": infra.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
            "LOG_FORMAT": "json",
            # one instance of each: a service the supervisor restarts resumes at once, not after a group rebalance
            "KAFKA_ASSIGNMENT": "static",
            "REGISTRY_CREDENTIALS": json.dumps(DEV_CREDENTIALS),
            # A fresh key each run: the embedded database is fresh too. Production keys come from a secret store.
            "TALKS_CONTENT_KEYS": new_key(),
        }
        services = service_processes(env, logs)
        try:
            print("starting registry, talks, compliance, notify …", flush=True)
            for service in services.values():
                service.start()
            for service in services.values():
                service.wait_ready(timeout=90)
            response = httpx.post(
                f"{services['registry'].url}/v1/events",
                content=json.dumps(demo_city_events()),
                headers={"content-type": "application/cloudevents-batch+json", "authorization": f"Bearer {DEV_TOKEN}"},
                timeout=30,
            )
            response.raise_for_status()
            print(WALKTHROUGH.format(infra=infra.description, logs=logs, token=DEV_TOKEN, issuer=issuer.url), flush=True)
            supervise(services, stop, say=lambda line: print(line, flush=True))  # a service that dies is started again
        finally:
            print("stopping …", flush=True)
            for service in services.values():
                service.stop()
            issuer.stop()
    print("stopped; nothing left running.")
    return 0


if __name__ == "__main__":
    if sys.argv[1:3] == ["bench", "tree"]:
        from devstack.bench.tree import main as tree

        sys.exit(tree(sys.argv[3:]))
    if sys.argv[1:3] == ["bench", "profile"]:
        from devstack.bench.profile import main as profile

        sys.exit(profile(sys.argv[3:]))
    if sys.argv[1:2] == ["bench"]:
        from devstack.bench import main

        sys.exit(main(sys.argv[2:]))
    if sys.argv[1:2] == ["token"]:
        from devstack.token import main as token

        sys.exit(token(sys.argv[2:]))
    if sys.argv[1:] != ["run"]:
        print("usage: python -m devstack run | token <person_id> | bench [tree|profile] [small|county|city]")
        sys.exit(2)
    sys.exit(run())

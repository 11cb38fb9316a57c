"""Fuzzing: Schemathesis reads each service's OpenAPI document and sends what it generates from it —
valid requests and requests that break the document — with valid tokens, to the real services.
No answer may be a 5xx, and no request that breaks the document may be accepted (a 2xx).

The run is bounded (a fixed seed and number of examples per operation); `st` itself prints what it
found and the `curl` that reproduces each failure, shown here when the test fails."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devstack.demo import DEV_TOKEN, ORGS, PEOPLE, demo_city_events

from .conftest import AUDITOR, post_events, record_talk

SERVICES = ("registry", "talks", "compliance", "notify")
EXAMPLES = 15  # per operation and phase: ~1 minute for the four services on two cores
SEED = 20261201


@pytest.fixture(scope="module")
async def context_file(system, tmp_path_factory) -> Path:
    """A small city the tokens' scope holds, and the tokens and ids the hooks use."""
    ids = "fz-"
    async with system.client() as http:
        city = await post_events(http, system, demo_city_events(ids))
        assert city.status_code == 202, city.text
        talk = await record_talk(http, system, {
            "held_at": datetime.now(UTC).isoformat(), "place": "支部活动室", "mode": "one_to_one", "kind": "regular",
            "talker_ids": [ids + "p-b1-sec"], "talkee_ids": [ids + "p-b1-m1"], "topics": ["thought"], "content": "谈话内容",
        })  # fmt: skip
        assert talk.status_code == 201, talk.text
    scope = (ids + "county",)
    context = {
        "integration": DEV_TOKEN,
        "auditor": system.issuer.token(AUDITOR, ("auditor",), scope),
        "operators": [system.issuer.token(f"{ids}operator-{n}", ("operator",), scope) for n in range(40)],
        "known": {
            "org_id": [ids + o for o, *_ in ORGS],
            "person_id": [ids + p for p, *_ in PEOPLE],
            "subject_id": [ids + p for p, *_ in PEOPLE],
            "responsible_id": [ids + p for p, *_ in PEOPLE],
            "owner_id": [ids + p for p, *_ in PEOPLE],
            "talk_id": [talk.json()["talk_id"]],
        },
    }
    path = tmp_path_factory.mktemp("fuzz") / "context.json"
    path.write_text(json.dumps(context))
    return path


@pytest.mark.parametrize("service", SERVICES)
def test_no_5xx_and_no_invalid_input_accepted(system, context_file, service):
    env = os.environ | {"FUZZ_CONTEXT": str(context_file), "SCHEMATHESIS_HOOKS": "tests.e2e.fuzz.hooks", "NO_COLOR": "1"}
    command = [
        str(Path(sys.executable).parent / "st"), "run", f"{system.url(service)}/openapi.json",
        "--checks", "not_a_server_error,negative_data_rejection",
        "--phases", "examples,coverage,fuzzing",
        # One worker: two once hit a CPython 3.11 SystemError inside schemathesis itself.
        "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "1",
        "--request-timeout", "30", "--suppress-health-check", "all",
        "--exclude-path", "/v1/changes",  # a server-sent event stream never ends: nothing to check in it
    ]  # fmt: skip
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=Path(__file__).parents[2])
    assert run.returncode == 0, f"schemathesis against {service} found problems:\n{run.stdout[-20000:]}\n{run.stderr[-3000:]}"

"""Who may see and do what (issue 14), role by route, against the running services: 401 without a
token (a header naming someone is no token), 403 beyond the caller's sight, 200 within it."""

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import eventually

from .conftest import post_events

ROLES = ("anonymous", "claimed", "member", "branch_secretary", "other_secretary", "operator", "other_operator", "auditor")

# route (service, method, path) → the status each caller gets; `{ids}` is the test city's prefix
MATRIX = {
    ("compliance", "GET", "/v1/obligations?org_id={ids}branch-1"):
        (401, 401, 403, 200, 403, 200, 403, 200),
    ("compliance", "GET", "/v1/obligations"):  # without org_id: what one is responsible for, or one's scope
        (401, 401, 200, 200, 200, 200, 200, 200),
    ("compliance", "GET", "/v1/obligations?responsible_id={ids}p-b1-sec"):
        (401, 401, 403, 200, 403, 200, 200, 200),
    ("compliance", "GET", "/v1/coverage?org_id={ids}branch-1"):
        (401, 401, 403, 200, 403, 200, 403, 200),
    ("compliance", "GET", "/v1/coverage?org_id={ids}town&subtree=true"):
        (401, 401, 403, 403, 403, 200, 403, 200),
    ("compliance", "GET", "/v1/tree?parent_id={ids}county"):
        (401, 401, 403, 403, 403, 200, 403, 200),
    ("compliance", "GET", "/v1/orgs/{ids}town"):
        (401, 401, 403, 403, 403, 200, 403, 200),
    ("compliance", "GET", "/v1/people/{ids}p-b1-sec/seats"):
        (401, 401, 403, 200, 403, 200, 403, 200),
    ("compliance", "GET", "/v1/monthly?org_id={ids}branch-1"):
        (401, 401, 403, 200, 403, 200, 403, 200),
    ("compliance", "GET", "/v1/export/obligations.csv?org_id={ids}branch-1"):
        (401, 401, 403, 200, 403, 200, 403, 200),
    ("compliance", "POST", "/v1/obligations/{ids}no-such-obligation/waive"):
        (401, 401, 403, 403, 403, 404, 404, 403),
    ("compliance", "GET", "/v1/coverage/people/{ids}p-b1-m1/explanation"):  # the member, and whoever sees branch-1
        (401, 401, 200, 200, 403, 200, 403, 200),
    ("compliance", "GET", "/v1/policy"):
        (401, 401, 200, 200, 200, 200, 200, 200),
    ("compliance", "GET", "/v1/what-if"):  # operators (each reads only what they oversee of a run)
        (401, 401, 403, 403, 403, 200, 200, 403),
    ("compliance", "GET", "/v1/what-if/{ids}no-such-run"):
        (401, 401, 403, 403, 403, 404, 404, 403),
    ("registry", "GET", "/v1/orgs/{ids}branch-1"):
        (401, 401, 403, 200, 403, 200, 403, 200),
    ("registry", "GET", "/v1/orgs/{ids}branch-1/members"):
        (401, 401, 403, 200, 403, 200, 403, 200),
    ("registry", "GET", "/v1/orgs/{ids}town/roles"):
        (401, 401, 403, 403, 403, 200, 403, 200),
    ("registry", "GET", "/v1/people/{ids}p-b1-m1"):  # the member themselves, their secretary, overseers
        (401, 401, 200, 200, 403, 200, 403, 200),
    ("registry", "GET", "/v1/orgs/{ids}nowhere"):  # an overseer learns it does not exist; nobody else
        (401, 401, 403, 403, 403, 404, 404, 404),
    ("talks", "GET", "/v1/audit?limit=1"):
        (401, 401, 403, 403, 403, 403, 403, 200),
    ("notify", "GET", "/v1/inbox/{ids}p-b1-sec"):
        (401, 401, 403, 200, 403, 403, 403, 403),
    ("notify", "GET", "/v1/dead-letters?limit=1"):
        (401, 401, 403, 403, 403, 200, 200, 403),
}


async def test_each_role_gets_what_its_route_allows_and_nothing_more(system, ids):
    callers = {
        "anonymous": {},
        "claimed": {"X-Person-Id": ids + "p-b1-sec"},
        "member": system.signed_in(ids + "p-b1-m1"),
        "branch_secretary": system.signed_in(ids + "p-b1-sec"),
        "other_secretary": system.signed_in(ids + "p-b2-sec"),
        "operator": system.operator(ids),
        "other_operator": system.signed_in(ids + "op-2", "operator", scope=(ids + "another-county",)),
        "auditor": system.signed_in(ids + "aud", "auditor", scope=(ids + "county",)),
    }
    async with system.client() as http:
        assert (await post_events(http, system, demo_city_events(ids))).status_code == 202

        async def seated():  # compliance knows the seats a moment after the registry accepted them
            r = await http.get(f"{system.url('compliance')}/v1/people/{ids}p-b1-sec/seats", headers=callers["branch_secretary"])
            return r.status_code == 200 and r.json()["seats"]

        await eventually(seated)
        wrong = []
        for (service, method, path), expected in MATRIX.items():
            url = system.url(service) + path.format(ids=ids)
            body = {"reason": "test"} if method == "POST" else None
            for role, status in zip(ROLES, expected, strict=True):
                got = (await http.request(method, url, headers=callers[role], json=body)).status_code
                if got != status:
                    wrong.append(f"{role} {method} {path}: {got}, expected {status}")
        assert wrong == []

        # Beyond the status: an operator of another county sees none of this one's obligations.
        assert (await post_events(http, system, [sanction_event(ids + "p-b1-m1")])).status_code == 202

        async def counted(caller: str) -> int:
            r = await http.get(f"{system.url('compliance')}/v1/obligations", headers=callers[caller], params={"subject_id": ids + "p-b1-m1"})
            return int(r.headers["x-total-count"])

        assert await eventually(lambda: counted("operator")) >= 1
        assert await counted("other_operator") == 0

        # An obligation's explanation: its responsible secretary and those who oversee its organisation.
        r = await http.get(f"{system.url('compliance')}/v1/obligations", headers=callers["operator"], params={"subject_id": ids + "p-b1-m1"})
        why = f"{system.url('compliance')}/v1/obligations/{r.json()[0]['obligation_id']}/explanation"
        got = [(await http.get(why, headers=callers[role])).status_code for role in ROLES]
        assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, (401, 401, 403, 200, 403, 200, 403, 200), strict=True))


async def test_a_person_past_the_rate_limit_is_told_how_long_to_wait(system, ids):
    system.restart("notify", RATE_LIMIT_PER_SECOND="0.2", RATE_LIMIT_BURST="3").wait_ready(timeout=120)
    try:
        inbox = f"{system.url('notify')}/v1/inbox/{ids}p-1"
        async with system.client() as http:
            me = system.signed_in(ids + "p-1")
            answers = [await http.get(inbox, headers=me) for _ in range(5)]
            assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
            assert int(answers[3].headers["retry-after"]) >= 1
            assert (await http.get(f"{system.url('notify')}/v1/inbox/{ids}p-2", headers=system.signed_in(ids + "p-2"))).status_code == 200
    finally:
        system.restart("notify").wait_ready(timeout=120)


async def test_the_pages_come_with_a_content_security_policy(system):
    async with system.client() as http:
        for service in ("compliance", "talks"):
            r = await http.get(f"{system.url(service)}/")
            policy = r.headers["content-security-policy"]
            assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
            assert system.issuer.url in policy.split("connect-src")[1].split(";")[0]  # the page signs in there
            assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"


async def test_the_change_stream_is_for_signed_in_people(system, ids):
    url = f"{system.url('compliance')}/v1/changes"
    async with system.client() as http:
        assert (await http.get(url, headers={"X-Person-Id": ids + "p-b1-sec"})).status_code == 401
        async with http.stream("GET", url, headers=system.signed_in(ids + "p-b1-m1")) as stream:
            assert stream.status_code == 200
            first = await anext(stream.aiter_text())
            assert "event: ready" in first

"""One trace from the HTTP accept through compliance and notify to the channel, exported by OTLP
to a real receiver, with the same trace id in the services' log lines (kernel.tracing)."""

import json
import secrets

from devstack.demo import DEV_TOKEN, demo_city_events, sanction_event
from tests.conftest import eventually

from .conftest import logs_of, post_events

SERVER, CONSUMER = 2, 5  # opentelemetry.proto SpanKind


async def test_a_sanction_is_one_trace_from_the_accept_to_the_channel(system, ids):
    async with system.client() as http:
        assert (await post_events(http, system, demo_city_events(ids))).status_code == 202
        # The discipline system's own request is in a trace of its own making: ours continue it.
        trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
        sanction = sanction_event(ids + "p-b1-m1")
        r = await http.post(
            f"{system.url('registry')}/v1/events", json=[sanction],
            headers={"content-type": "application/cloudevents-batch+json", "authorization": f"Bearer {DEV_TOKEN}", "traceparent": f"00-{trace_id}-{caller_span}-01"},
        )  # fmt: skip
        assert r.status_code == 202, r.text

    def by(service: str, name: str):
        return [s for s in system.collector.trace(trace_id) if s.service == service and s.name == name]

    async def chain():
        found = (
            by("registry", "POST /v1/events"),
            by("compliance", "compliance apply discipline.action_recorded.v1"),
            by("notify", "notify apply obligation.opened.v1"),
            by("notify", "notify inbox write"),
            [s for s in system.collector.trace(trace_id) if s.service == "notify" and s.name.startswith("notify deliver ")],
        )
        return found if all(found) else None

    accept, applied, heard, inbox, delivered = await eventually(chain, timeout=30)
    [accept] = [s for s in accept if s.kind == SERVER]
    assert accept.parent_span_id == caller_span
    [applied] = applied
    assert applied.kind == CONSUMER and applied.parent_span_id == accept.span_id  # the event carried the accept's context
    [heard] = heard
    assert heard.parent_span_id == applied.span_id  # obligation.opened continued the sanction's trace
    [inbox] = inbox
    assert inbox.parent_span_id == heard.span_id
    assert all(d.parent_span_id == inbox.span_id for d in delivered)  # the send, from the delivery row's context

    # A person follows the same trace through the services' logs (JSON lines carry `trace_id`).
    for service, line in (("registry", "events accepted"), ("compliance", "obligation opened"), ("notify", "alert in inbox")):
        lines = [json.loads(x) for x in logs_of(system.services[service].log_path).splitlines() if trace_id in x]
        assert any(entry["event"] == line and entry["trace_id"] == trace_id for entry in lines), f"{service}: no {line!r} in trace {trace_id}"

"""What /metrics tells an operator (kernel.metrics, deploy/grafana/): requests by route, each
consumer's lag per partition, the outbox's backlog, obligations by status."""

import json
import re

from prometheus_client.parser import text_string_to_metric_families

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import ROOT, eventually

from .conftest import post_events

PROMQL_WORDS = {"rate", "sum", "max", "by", "histogram_quantile", "le", "job", "handler", "status", "consumer", "topic", "partition", "service", "rule_id", "channel"}


async def _samples(http, system, service: str) -> list:
    text = (await http.get(f"{system.url(service)}/metrics")).text
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


async def test_metrics_say_requests_by_route_lag_backlog_and_obligations(system, ids):
    async with system.client() as http:
        assert (await post_events(http, system, demo_city_events(ids))).status_code == 202
        assert (await post_events(http, system, [sanction_event(ids + "p-b1-m1")])).status_code == 202
        await http.get(f"{system.url('registry')}/v1/orgs/{ids}branch-1", headers=system.operator(ids))

        async def routes():  # observed once the answer is sent: a moment after the client has it
            registry = await _samples(http, system, "registry")
            seen = {(s.labels.get("handler"), s.labels.get("method")) for s in registry if s.name == "http_request_duration_seconds_count"}
            return seen if {("/v1/events", "POST"), ("/v1/orgs/{org_id}", "GET")} <= seen else None  # the template, never an id

        assert not any(handler in ("/healthz", "/readyz", "/metrics") for handler, _ in await eventually(routes))

        async def caught_up():
            samples = await _samples(http, system, "compliance")
            lag = [s for s in samples if s.name == "consumer_lag_records" and s.labels["topic"].endswith("discipline.events")]
            opened = [s for s in samples if s.name == "obligations" and s.labels == {"rule_id": "M4", "status": "open"}]
            outbox = [s for s in samples if s.name == "outbox_depth_events" and s.labels == {"service": "compliance"}]
            return (lag, opened, outbox) if lag and all(s.value == 0 for s in lag) and opened and opened[0].value >= 1 and outbox else None

        lag, opened, outbox = await eventually(caught_up, timeout=30)
        assert {s.labels["consumer"] for s in lag} == {"compliance"}
        age = [s for s in await _samples(http, system, "notify") if s.name == "outbox_oldest_age_seconds" and s.labels == {"service": "notify"}]
        assert age and age[0].value >= 0


async def test_the_grafana_dashboard_charts_only_what_the_services_expose(system, ids):
    """Every metric a panel of deploy/grafana/ queries is on some service's /metrics."""
    dashboard = json.loads((ROOT / "deploy/grafana/talk-compliance.json").read_text())
    async with system.client() as http:
        assert (await post_events(http, system, [sanction_event(ids + "p")])).status_code == 202
        exposed = set()
        for service in system.services:
            text = (await http.get(f"{system.url(service)}/metrics")).text
            exposed |= {family.name for family in text_string_to_metric_families(text)}
    queried = {
        name.removesuffix("_bucket").removesuffix("_total")  # as the exposition names families
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"([a-z_]+)(?=\{|\[|\))", target["expr"])
        if name not in PROMQL_WORDS
    }
    assert len(queried) >= 10 and queried <= exposed, queried - exposed

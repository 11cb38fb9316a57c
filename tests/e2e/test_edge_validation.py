"""The registry's edge refuses bad events with a 422 naming each problem, and accepts none of a bad batch."""

import asyncio
import json
from datetime import datetime

import asyncpg
import pytest

from devstack.demo import DEV_TOKEN, sanction_event
from kernel.replay import read_log
from kernel.settings import CommonSettings, asyncpg_dsn

from .conftest import DISCIPLINE_TOKEN, post_events


async def _post_raw(system, http, body: bytes, content_type: str = "application/cloudevents+json"):
    headers = {"content-type": content_type, "authorization": f"Bearer {DEV_TOKEN}"}
    return await http.post(f"{system.url('registry')}/v1/events", content=body, headers=headers)


async def test_a_malformed_body_is_a_422(system):
    async with system.client() as http:
        r = await _post_raw(system, http, b'{"specversion": "1.0", "id": ')
    assert r.status_code == 422
    assert "not JSON" in r.json()["rejected"][0]["errors"][0]["msg"]


@pytest.mark.parametrize(
    "change, loc, message",
    [
        ({"type": "discipline.sanctioned.v1"}, "type", "unknown event type 'discipline.sanctioned.v1'"),
        ({"data": {"person_id": "p", "case_ref": "c", "action": "sanction", "severity": "high"}}, "data.severity", "unknown field"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"data": {"person_id": "p", "action": "sanction"}}, "data.case_ref", "Field required"),
        ({"type": "talk.recorded.v1"}, "data.talk_id", "Field required"),
        ({"type": "obligation.opened.v1"}, "data.obligation_id", "Field required"),
    ],
    ids=["wrong type", "unknown data field", "unknown envelope attribute", "missing field", "talks family", "compliance family"],
)
async def test_a_bad_event_is_a_422_naming_the_problem(system, ids, change, loc, message):
    event = sanction_event(ids + "p") | change
    event.pop("subject", None)
    async with system.client() as http:
        r = await post_events(http, system, [event])
    assert r.status_code == 422, r.text
    [rejected] = r.json()["rejected"]
    assert rejected["index"] == 0 and rejected["id"] == event["id"]
    assert any(e["loc"] == loc and message in e["msg"] for e in rejected["errors"]), rejected


async def test_events_of_other_services_are_refused_at_the_edge(system, ids):
    event = sanction_event(ids + "p") | {
        "type": "secretary.vacant.v1",
        "data": {"org_id": "o", "parent_org_id": None, "since": "2026-01-01"},
    }
    event.pop("subject")
    async with system.client() as http:
        r = await post_events(http, system, [event])
    assert r.status_code == 422
    assert "published by its own service" in r.json()["rejected"][0]["errors"][0]["msg"]


async def test_nothing_of_a_batch_with_one_bad_event_is_accepted(system, ids):
    good, bad = sanction_event(ids + "p1"), sanction_event(ids + "p2") | {"type": "nope.v1"}
    async with system.client() as http:
        r = await post_events(http, system, [good, bad])
        assert r.status_code == 422
        assert [x["index"] for x in r.json()["rejected"]] == [1]
        again = await post_events(http, system, [good])  # had it been accepted, it would be a duplicate now
        assert outcome(again) == ([good["id"]], [])
        twice = await post_events(http, system, [good])
        assert outcome(twice) == ([], [good["id"]])


async def test_single_event_and_plain_json_are_accepted(system, ids):
    event = sanction_event(ids + "p")
    async with system.client() as http:
        r = await http.post(f"{system.url('registry')}/v1/events", json=event, headers={"authorization": f"Bearer {DEV_TOKEN}"})
    assert r.status_code == 202 and r.json()["accepted"] == [event["id"]]


async def test_without_a_credential_nothing_is_accepted(system, ids):
    event = sanction_event(ids + "p")
    async with system.client() as http:
        missing = await http.post(f"{system.url('registry')}/v1/events", json=event)
        wrong = await post_events(http, system, [event], token="nonsense")
        assert (missing.status_code, wrong.status_code) == (401, 401)
        assert (await post_events(http, system, [event])).json()["accepted"] == [event["id"]]  # not taken before


async def test_a_system_may_send_only_its_own_families(system, ids):
    promotion = sanction_event(ids + "p") | {
        "type": "cadre.promoted.v1",
        "data": {"person_id": ids + "p", "kind": "promotion", "effective_date": "2026-03-01"},
    }
    sanction = sanction_event(ids + "p")
    async with system.client() as http:
        refused = await post_events(http, system, [sanction, promotion], token=DISCIPLINE_TOKEN)
        assert refused.status_code == 403 and "cadre" in refused.json()["detail"]
        alone = await post_events(http, system, [sanction], token=DISCIPLINE_TOKEN)
        assert outcome(alone) == ([sanction["id"]], [])  # nothing of the refused batch was taken
        assert (await post_events(http, system, [promotion])).json()["accepted"] == [promotion["id"]]
    # the discipline system's credential is stored as its hash (conftest), and its events are recorded
    # as the discipline system's, whatever source they name
    settings = CommonSettings(KAFKA_BOOTSTRAP_SERVERS=system.infra.kafka_bootstrap_servers, KAFKA_TOPIC_PREFIX=system.topic_prefix)
    on_topics = alone.json()["topic_ids"][sanction["id"]]
    [published] = [
        json.loads(r.value) for r in await read_log(settings, [settings.topic("discipline.events")], idle_seconds=2.0)
        if on_topics.encode() in r.value
    ]
    assert sanction["source"] != "urn:talk-compliance:system:discipline"
    assert published["source"] == "urn:talk-compliance:system:discipline"


async def test_event_ids_are_unique_per_source_not_across_systems(system, ids):
    """Two systems may both send id 42: each is accepted once, and each travels under its own id."""
    theirs, ours = sanction_event(ids + "p1"), sanction_event(ids + "p2")
    ours["id"] = theirs["id"]
    async with system.client() as http:
        first = await post_events(http, system, [theirs], token=DISCIPLINE_TOKEN)
        second = await post_events(http, system, [ours])  # the development credential: another system
        assert (outcome(first), outcome(second)) == (([theirs["id"]], []), ([ours["id"]], []))
        assert first.json()["topic_ids"] != second.json()["topic_ids"]
        again = await post_events(http, system, [theirs], token=DISCIPLINE_TOKEN)
        assert outcome(again) == ([], [theirs["id"]])  # the same system's id again: a duplicate


def outcome(response) -> tuple[list[str], list[str]]:
    body = response.json()
    return body["accepted"], body["duplicates"]


async def test_a_batch_past_the_limit_is_a_413(system, ids):
    events = [sanction_event(ids + f"p{i}") for i in range(201)]
    async with system.client() as http:
        r = await post_events(http, system, events)
    assert r.status_code == 413 and "at most 200" in r.json()["detail"]


async def test_a_body_over_the_limit_is_a_413_before_it_is_read(system):
    """8 MiB by default (MAX_BODY_BYTES): said by Content-Length, the answer comes with no byte of the
    body sent; sent in chunks, it comes once the limit is passed. Spoken over a plain socket, as an
    HTTP client that waits for the answer would."""
    host, port = system.url("registry").removeprefix("http://").split(":")
    head = (
        f"POST /v1/events HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/cloudevents-batch+json\r\n"
        f"authorization: Bearer {DEV_TOKEN}\r\n"
    )

    async def status(extra_headers: str, body_chunks=()) -> str:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write((head + extra_headers + "\r\n").encode())
        # Read while writing: the answer is taken as soon as it comes, before the server's close of a
        # connection with unread bytes (a reset) could discard it from our receive buffer.
        answer = asyncio.create_task(reader.readline())
        try:
            for chunk in body_chunks:
                if answer.done():
                    break  # answered: a client stops sending here
                writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                await writer.drain()
        except ConnectionError:
            pass  # the server stopped reading: its answer is already there
        line = await asyncio.wait_for(answer, 30)
        writer.close()
        return line.decode()

    assert " 413 " in await status(f"content-length: {9 * 1024 * 1024}\r\n")
    megabyte = b" " * (1024 * 1024)
    assert " 413 " in await status("transfer-encoding: chunked\r\n", [megabyte] * 10)
    async with system.client() as http:  # a small body in chunks still goes through whole

        async def small():
            yield b'{"specversion": "1.0", '
            yield b'"id": '

        headers = {"content-type": "application/cloudevents+json", "authorization": f"Bearer {DEV_TOKEN}"}
        assert (await http.post(f"{system.url('registry')}/v1/events", content=small(), headers=headers)).status_code == 422


async def test_text_the_database_cannot_store_is_a_422_not_a_500(system, ids):
    """A NUL character (found by the fuzzing run) in a query parameter or a JSON string."""
    org = {"specversion": "1.0", "id": ids + "nul", "source": "urn:t", "type": "org.registered.v1", "time": "2026-01-01T00:00:00Z",
           "data": {"org_id": ids + "nul", "name": "支部\u0000", "kind": "branch", "parent_id": None}}  # fmt: skip
    async with system.client() as http:
        query = await http.get(f"{system.url('compliance')}/v1/workload", params={"responsible_id": "a\x00b"}, headers=system.operator(ids))
        body = await post_events(http, system, [org])
        assert (query.status_code, body.status_code) == (422, 422), (query.text, body.text)
        assert "NUL" in query.json()["detail"] and "NUL" in body.json()["detail"]
        assert outcome(await post_events(http, system, [org | {"data": org["data"] | {"name": "支部"}}])) == ([org["id"]], [])


async def test_an_event_accepted_before_ids_were_per_source_is_still_a_duplicate(system, ids):
    """Migration 0002 keeps such an event's id on both sides, under the source its sender wrote then."""
    legacy = sanction_event(ids + "p-legacy")
    conn = await asyncpg.connect(asyncpg_dsn(system.database_url))
    try:
        await conn.execute(
            "INSERT INTO registry.accepted_events (event_id, sender_id, type, source) VALUES ($1, $1, $2, 'urn:discipline')",
            legacy["id"], legacy["type"],
        )  # fmt: skip
    finally:
        await conn.close()
    async with system.client() as http:
        assert outcome(await post_events(http, system, [legacy], token=DISCIPLINE_TOKEN)) == ([], [legacy["id"]])


def _sdk_event(event: dict):
    """The event as an integrating system builds it with the official CloudEvents SDK."""
    from cloudevents.core.v1.event import CloudEvent as SdkEvent

    attributes = {k: v for k, v in event.items() if k != "data"}
    return SdkEvent(attributes | {"time": datetime.fromisoformat(event["time"])}, event["data"])


async def _on_topic(system, person_id: str) -> list:
    settings = CommonSettings(KAFKA_BOOTSTRAP_SERVERS=system.infra.kafka_bootstrap_servers, KAFKA_TOPIC_PREFIX=system.topic_prefix)
    records = await read_log(settings, [settings.topic("discipline.events")], idle_seconds=2.0)
    return [r for r in records if f'"subject":"{person_id}"'.encode() in r.value]  # other tests write what is not JSON too


async def test_binary_mode_as_the_sdks_send_it_is_accepted_like_structured(system, ids):
    """The SDKs' default: attributes in `ce-*` headers (percent-encoded), the data as the body. The
    same event sent again in structured mode is a duplicate (the same id, read the same way), and
    what reaches the topic is a structured event with the Kafka binding's content-type header."""
    from cloudevents.core.bindings import http as ce_http
    from cloudevents.v1.http import CloudEvent as LegacyEvent
    from cloudevents.v1.http import to_binary as legacy_to_binary

    event = sanction_event(ids + "p") | {"correlationid": f"{ids}-需要编码 100%"}
    message = ce_http.to_binary_event(_sdk_event(event))
    assert "ce-type" in message.headers and json.loads(message.body) == event["data"]
    legacy = sanction_event(ids + "q")
    legacy_headers, legacy_body = legacy_to_binary(LegacyEvent({k: v for k, v in legacy.items() if k != "data"}, legacy["data"]))
    async with system.client() as http:
        url, auth = f"{system.url('registry')}/v1/events", {"authorization": f"Bearer {DEV_TOKEN}"}
        r = await http.post(url, content=message.body, headers=message.headers | auth)
        assert r.status_code == 202, r.text
        assert r.json()["accepted"] == [event["id"]]
        again = await http.post(url, content=ce_http.to_structured_event(_sdk_event(event)).body, headers={"content-type": "application/cloudevents+json"} | auth)
        assert again.status_code == 202 and again.json()["duplicates"] == [event["id"]]
        r = await http.post(url, content=legacy_body, headers=dict(legacy_headers) | auth)
        assert r.status_code == 202 and r.json()["accepted"] == [legacy["id"]], r.text
    [record] = await _on_topic(system, event["subject"])
    published = json.loads(record.value)
    assert (published["type"], published["subject"], published["data"]) == (event["type"], event["subject"], event["data"])
    assert published["correlationid"] == event["correlationid"]  # percent-decoded
    headers = dict(record.headers)
    assert headers["content-type"] == b"application/cloudevents+json; charset=utf-8"
    assert headers["traceparent"].decode() == published["traceparent"]  # the accept's trace (kernel.tracing)


@pytest.mark.parametrize(
    "headers, body, message",
    [
        ({"ce-specversion": "1.0", "content-type": "text/plain"}, b"hello", "the data must be JSON"),
        ({"ce-specversion": "1.0", "content-type": "application/json"}, b"{", "not JSON"),
    ],
    ids=["data not JSON", "body broken"],
)
async def test_binary_mode_with_unreadable_data_is_a_422(system, headers, body, message):
    async with system.client() as http:
        r = await http.post(f"{system.url('registry')}/v1/events", content=body, headers=headers | {"authorization": f"Bearer {DEV_TOKEN}"})
    assert r.status_code == 422 and message in r.json()["rejected"][0]["errors"][0]["msg"], r.text


async def test_binary_mode_names_a_missing_attribute(system, ids):
    event = sanction_event(ids + "p")
    headers = {f"ce-{k}": v for k, v in event.items() if k not in ("data", "source")} | {"content-type": "application/json"}
    async with system.client() as http:
        r = await http.post(f"{system.url('registry')}/v1/events", content=json.dumps(event["data"]), headers=headers | {"authorization": f"Bearer {DEV_TOKEN}"})
    assert r.status_code == 422
    [rejected] = r.json()["rejected"]
    assert rejected["id"] == event["id"] and [e["loc"] for e in rejected["errors"]] == ["source"], rejected

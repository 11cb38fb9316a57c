"""No message on any topic carries the content of a talk (SPEC §4). Runs after the other e2e tests
(file order), when the log holds every talk they recorded."""

from datetime import UTC, datetime

from devstack.demo import demo_city_events
from kernel.kafka import all_topics
from kernel.replay import read_log
from kernel.settings import CommonSettings

from .conftest import post_events, record_talk

CONTENT = "这段谈话内容只在谈话服务中，且已加密"


async def test_no_published_message_contains_talk_content(system, ids):
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))
        r = await record_talk(http, system, {
            "held_at": datetime.now(UTC).isoformat(), "place": "会议室", "mode": "one_to_one", "kind": "regular",
            "talker_ids": [ids + "p-b1-sec"], "talkee_ids": [ids + "p-b1-m1"], "content": CONTENT,
            "problems": CONTENT + "问题", "suggestions": CONTENT + "建议",
            "follow_ups": [{"text": CONTENT + "整改", "owner_id": ids + "p-b1-m1", "due_date": "2026-12-31"}]})  # fmt: skip
        assert r.status_code == 201
        talk_id = r.json()["talk_id"]
    settings = CommonSettings(KAFKA_BOOTSTRAP_SERVERS=system.infra.kafka_bootstrap_servers, KAFKA_TOPIC_PREFIX=system.topic_prefix)
    records = await read_log(settings, all_topics(settings), idle_seconds=3.0)
    assert any(talk_id.encode() in r.value for r in records), "the talk's metadata event should be on the log"
    leaking = [f"{r.topic}/{r.partition}/{r.offset}" for r in records if "谈话内容只在".encode() in (r.value or b"")]
    assert leaking == []

"""The compliance consumer against the real database: redelivery, duplicates, held triggers."""

from datetime import UTC, datetime, timedelta

from devstack.demo import demo_city_events, sanction_event

from .pg_world import PgWorld

NOW = datetime.now(UTC)


async def test_C5_a_sanction_opens_M4_for_the_branch_secretary_and_C5_for_a_committee_member(integration_database_url):
    w = PgWorld(integration_database_url, NOW)
    try:
        await w.apply(demo_city_events())
        await w.apply([sanction_event("p-b1-m1"), sanction_event("p-b1-cm", case_ref="JJ-2")])
        assert (w.one("p-b1-m1").rule_id, w.one("p-b1-m1").responsible_id, w.one("p-b1-m1").status) == ("M4", "p-b1-sec", "open")
        assert (w.one("p-b1-cm").rule_id, w.one("p-b1-cm").responsible_id) == ("C5", "p-b1-sec")
    finally:
        await w.close()


async def test_M4_redelivered_and_duplicated_events_change_nothing(integration_database_url):
    w = PgWorld(integration_database_url, NOW)
    try:
        city, sanction = demo_city_events(), sanction_event("p-b1-m1")
        await w.apply(city)
        await w.apply([sanction, sanction])  # a duplicate inside one batch
        await w.apply(city)  # a whole batch redelivered
        await w.apply([sanction])  # and the trigger again
        assert len(w.obligations("p-b1-m1")) == 1
        assert w.published("p-b1-m1") == ["obligation.opened.v1"]  # one obligation.opened, not three
    finally:
        await w.close()


async def test_M4_a_trigger_before_its_subject_is_held_then_applied(integration_database_url):
    w = PgWorld(integration_database_url, NOW)
    try:
        await w.apply([sanction_event("p-b1-m2")])
        assert w.obligations() == []
        await w.apply(demo_city_events())
        assert (w.one("p-b1-m2").rule_id, w.one("p-b1-m2").responsible_id) == ("M4", "p-b1-sec")
    finally:
        await w.close()


async def test_M4_a_talk_fulfils_the_obligation_and_counts_towards_coverage(integration_database_url):
    w = PgWorld(integration_database_url, NOW)
    try:
        await w.apply(demo_city_events())
        await w.apply([sanction_event("p-b1-m3", time=NOW - timedelta(days=10))])
        await w.given(("talk.recorded.v1", {"talk_id": "talk", "held_at": NOW.isoformat(), "mode": "one_to_one", "kind": "must_talk",
                       "talker_ids": ["p-b1-sec"], "talkee_ids": ["p-b1-m3"], "rule_ids": ["M4"]}, NOW))  # fmt: skip
        assert (w.one("p-b1-m3").status, w.one("p-b1-m3").fulfilled_by) == ("fulfilled_late", "talk")  # 10 days after a 7-day M4
        assert w.credits("p-b1-m3") == [("COV-MEMBER", "p-b1-m3", "p-b1-sec", "branch-1", NOW.astimezone(w.policy.zone).year)]
    finally:
        await w.close()
